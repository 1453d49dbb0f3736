import Foundation
import RapportCore
import SQLKit

/// Where notices go beyond the inbox: users' preferences, webhook endpoints, the delivery log,
/// and the daily digests sent.
public struct NotificationDeliveryStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    // MARK: Preferences

    /// Users' own preferences (only those who set any), by user.
    public func preferences(of users: [RecordID]) async throws -> [RecordID: NotificationPreferences] {
        guard !users.isEmpty else { return [:] }  // `IN ()` is not SQL
        let rows = try await sql.select().columns("user_id", "value").from("notification_preferences")
            .where(sql.idIn(SQLColumn("user_id"), users)).all()
        var result: [RecordID: NotificationPreferences] = [:]
        for row in rows {
            if let value = try? JSONText.decode(NotificationPreferences.self, from: try row.text("value")) { result[try row.id("user_id")] = value }
        }
        return result
    }

    /// Stores a user's preferences (nil removes them: the defaults apply again).
    public func setPreferences(_ value: NotificationPreferences?, of user: RecordID, at now: Date) async throws {
        guard let value else {
            try await sql.delete(from: "notification_preferences").where("user_id", .equal, user.rawValue).run()
            return
        }
        try await sql.raw("""
            INSERT INTO notification_preferences (user_id, email, value, updated_at)
            VALUES (\(bind: user.rawValue), \(bind: value.email.rawValue), \(bind: JSONText.encode(value)), \(bind: now.microsSinceEpoch))
            ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, value = excluded.value, updated_at = excluded.updated_at
            """).run()
    }

    /// Users who chose the daily digest (their own choice; `defaultDigest` says whether users
    /// without one get it too), after `after`, a page of `limit`.
    public func digestUsers(defaultDigest: Bool, after: RecordID?, limit: Int) async throws -> [RecordID] {
        let query = sql.select().column(SQLColumn("id", table: "users")).from("users")
            .join("notification_preferences", method: SQLJoinMethod.left, on: SQLColumn("user_id", table: "notification_preferences"), .equal, SQLColumn("id", table: "users"))
            .where(SQLBinaryExpression(SQLColumn("status", table: "users"), .equal, SQLBind("active")))
        let chose = SQLBinaryExpression(SQLColumn("email", table: "notification_preferences"), .equal, SQLBind(EmailCadence.dailyDigest.rawValue))
        if defaultDigest {
            query.where(group: { $0.where(SQLBinaryExpression(SQLColumn("user_id", table: "notification_preferences"), .is, SQLLiteral.null)).orWhere(chose) })
        } else {
            query.where(chose)
        }
        if let after { query.where(SQLBinaryExpression(SQLColumn("id", table: "users"), .greaterThan, SQLBind(after.rawValue))) }
        return try await query.orderBy(SQLColumn("id", table: "users")).limit(limit).all().map { try $0.id("id") }
    }

    // MARK: Webhook endpoints

    static let endpointColumns = ["id", "url", "secret", "user_id", "description", "kinds", "created_by", "created_at", "disabled_at"]

    public func insert(_ endpoint: WebhookEndpoint) async throws {
        try await sql.insertRows(into: "webhook_endpoints", columns: Self.endpointColumns, rows: [[
            .text(endpoint.id.rawValue), .text(endpoint.url), .text(endpoint.secret), BulkValue(endpoint.userID?.rawValue), .text(endpoint.description),
            .text(JSONText.encode(endpoint.kinds)), BulkValue(endpoint.createdBy?.rawValue), .integer(endpoint.createdAt.microsSinceEpoch),
            BulkValue(endpoint.disabledAt?.microsSinceEpoch),
        ]])
    }

    /// Endpoints, oldest first (only the enabled ones unless asked).
    public func endpoints(includingDisabled: Bool = false) async throws -> [WebhookEndpoint] {
        let query = sql.select().columns(Self.endpointColumns).from("webhook_endpoints")
        if !includingDisabled { query.where("disabled_at", .is, SQLLiteral.null) }
        return try await query.orderBy("id").limit(1_000).all().map(Self.decodeEndpoint)
    }

    public func endpoint(_ id: RecordID) async throws -> WebhookEndpoint? {
        try await sql.select().columns(Self.endpointColumns).from("webhook_endpoints").where("id", .equal, id.rawValue).first().map(Self.decodeEndpoint)
    }

    /// Disables an endpoint (its log stays); false when it was already disabled or is unknown.
    public func disable(_ id: RecordID, at now: Date) async throws -> Bool {
        try await sql.update("webhook_endpoints").set("disabled_at", to: SQLBind(now.microsSinceEpoch)).where("id", .equal, id.rawValue)
            .where("disabled_at", .is, SQLLiteral.null).returning("id").all().count == 1
    }

    static func decodeEndpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        WebhookEndpoint(id: try row.id("id"), url: try row.text("url"), secret: try row.text("secret"), userID: try row.optionalText("user_id").map(RecordID.init(trusted:)),
                        description: try row.text("description"), kinds: (try? JSONText.decode([String].self, from: try row.text("kinds"))) ?? [],
                        createdBy: try row.optionalText("created_by").map(RecordID.init(trusted:)), createdAt: try row.date("created_at"),
                        disabledAt: try row.optionalDate("disabled_at"))
    }

    // MARK: Deliveries

    static let deliveryColumns = ["id", "notification_id", "channel", "target", "kind", "status", "attempts", "last_status_code", "last_error",
                                  "created_at", "updated_at", "delivered_at"]

    /// Logs deliveries to make; one whose notice and target were already logged is skipped.
    public func insert(_ deliveries: [NoticeDelivery]) async throws {
        try await sql.insertRows(into: "notification_deliveries", columns: Self.deliveryColumns, rows: deliveries.map { delivery in
            [.text(delivery.id.rawValue), .text(delivery.notificationID.rawValue), .text(delivery.channel.rawValue), .text(delivery.target), .text(delivery.kind),
             .text(delivery.status.rawValue), .integer(Int64(delivery.attempts)), BulkValue(delivery.lastStatusCode.map(Int64.init)), BulkValue(delivery.lastError),
             .integer(delivery.createdAt.microsSinceEpoch), .integer(delivery.updatedAt.microsSinceEpoch), BulkValue(delivery.deliveredAt?.microsSinceEpoch)]
        }, ignoringConflicts: true)
    }

    public func delivery(_ id: RecordID) async throws -> NoticeDelivery? {
        try await sql.select().columns(Self.deliveryColumns).from("notification_deliveries").where("id", .equal, id.rawValue).first().map(Self.decodeDelivery)
    }

    /// A target's deliveries, newest first.
    public func deliveries(to target: String, page: PageRequest) async throws -> Page<NoticeDelivery> {
        let query = sql.select().columns(Self.deliveryColumns).from("notification_deliveries").where("target", .equal, target)
        if let cursor = page.cursor { query.where("id", .lessThan, cursor.after) }
        let rows = try await query.orderBy("id", .descending).limit(page.limit + 1).all().map(Self.decodeDelivery)
        return Page(fetched: rows, limit: page.limit, key: \.id.rawValue)
    }

    /// Records an attempt's outcome.
    public func record(_ id: RecordID, status: NoticeDelivery.Status, attempted: Bool, statusCode: Int?, error: String?, at now: Date) async throws {
        let query = sql.update("notification_deliveries").set("status", to: SQLBind(status.rawValue))
            .set("last_status_code", to: statusCode.map { SQLBind(Int64($0)) as any SQLExpression } ?? SQLLiteral.null)
            .set("last_error", to: error.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
            .set("updated_at", to: SQLBind(now.microsSinceEpoch))
        if attempted { query.set("attempts", to: SQLRaw("attempts + 1")) }
        if status == .succeeded { query.set("delivered_at", to: SQLBind(now.microsSinceEpoch)) }
        try await query.where("id", .equal, id.rawValue).run()
    }

    static func decodeDelivery(_ row: any SQLRow) throws -> NoticeDelivery {
        NoticeDelivery(id: try row.id("id"), notificationID: try row.id("notification_id"), channel: NoticeChannel(rawValue: try row.text("channel")) ?? .webhook,
                       target: try row.text("target"), kind: try row.text("kind"), status: NoticeDelivery.Status(rawValue: try row.text("status")) ?? .pending,
                       attempts: Int(try row.int("attempts")), lastStatusCode: try row.optionalInt("last_status_code").map { Int($0) },
                       lastError: try row.optionalText("last_error"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
                       deliveredAt: try row.optionalDate("delivered_at"))
    }

    // MARK: Digests

    /// Records a user's digest of `day`; false when that day's was already recorded.
    public func recordDigest(of user: RecordID, day: String, notices: Int, at now: Date) async throws -> Bool {
        try await sql.raw("""
            INSERT INTO notification_digests (user_id, day, notices, sent_at) VALUES (\(bind: user.rawValue), \(bind: day), \(bind: Int64(notices)), \(bind: now.microsSinceEpoch))
            ON CONFLICT (user_id, day) DO NOTHING RETURNING user_id
            """).all().count == 1
    }

    /// Forgets a digest recorded but not sent (the send failed; the job retries).
    public func forgetDigest(of user: RecordID, day: String) async throws {
        try await sql.delete(from: "notification_digests").where("user_id", .equal, user.rawValue).where("day", .equal, day).run()
    }
}
