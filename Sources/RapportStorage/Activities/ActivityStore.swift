import Foundation
import RapportCore
import SQLKit

/// Activities on customers' timelines. Reads are scoped through the customer they belong to.
public struct ActivityStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "customer_id", "type", "direction", "subject", "body", "occurred_at", "duration_seconds", "outcome", "place",
        "related_kind", "related_id", "actor_id", "cap_warning", "version", "created_at",
    ]

    public func insert(_ activities: [Activity]) async throws {
        try await sql.insertRows(into: "activities", columns: Self.columns, rows: activities.map { activity in
            [.text(activity.id.rawValue), .text(activity.customerID.rawValue), .text(activity.type.rawValue),
             .text(activity.direction.rawValue), BulkValue(activity.subject), BulkValue(activity.body),
             .integer(activity.occurredAt.microsSinceEpoch), BulkValue(activity.durationSeconds), BulkValue(activity.outcome),
             BulkValue(activity.place), BulkValue(activity.relatedKind), BulkValue(activity.relatedID),
             BulkValue(activity.actorID?.rawValue), .integer(activity.capWarning ? 1 : 0), .integer(activity.version),
             .integer(activity.createdAt.microsSinceEpoch)]
        })
    }

    /// Outbound touches of a customer with `occurred_at` in `(from, to]`.
    public func outboundCount(customer: RecordID, after from: Date, upTo to: Date) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("activities")
            .where("customer_id", .equal, customer.rawValue).where("direction", .equal, Activity.Direction.outbound.rawValue)
            .where("occurred_at", .greaterThan, from.microsSinceEpoch).where("occurred_at", .lessThanOrEqual, to.microsSinceEpoch)
            .first()
        return Int(try row?.int("n") ?? 0)
    }

    /// The earliest outbound touch of a customer with `occurred_at` in `(from, to]`.
    public func oldestOutbound(customer: RecordID, after from: Date, upTo to: Date) async throws -> Date? {
        try await sql.select().column(SQLFunction("min", args: SQLColumn("occurred_at")), as: "at").from("activities")
            .where("customer_id", .equal, customer.rawValue).where("direction", .equal, Activity.Direction.outbound.rawValue)
            .where("occurred_at", .greaterThan, from.microsSinceEpoch).where("occurred_at", .lessThanOrEqual, to.microsSinceEpoch)
            .first()?.optionalDate("at")
    }

    /// One activity whose customer is within `scope` (a filter anchored on the `customers` table).
    public func find(_ id: RecordID, customersIn scope: ScopeFilter) async throws -> Activity? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "activities") }).from("activities")
            .join("customers", on: SQLColumn("customer_id", table: "activities"), .equal, SQLColumn("id", table: "customers"))
            .where(SQLColumn("id", table: "activities"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// The filters an activity list accepts.
    public struct ListFilter: Sendable, Equatable {
        public var customerID: RecordID?
        public var actorID: RecordID?
        public var type: Activity.ActivityType?
        public var relatedKind: String?
        public var relatedID: String?
        public var from: Date?
        public var to: Date?

        public init(customerID: RecordID? = nil, actorID: RecordID? = nil, type: Activity.ActivityType? = nil) {
            self.customerID = customerID
            self.actorID = actorID
            self.type = type
        }
    }

    /// Activities newest first (by occurrence, then id), of customers within scope.
    /// The cursor is `occurred_at|id` of the last row.
    public func list(_ filter: ListFilter, page: PageRequest, customersIn scope: ScopeFilter) async throws -> Page<Activity> {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "activities") }).from("activities")
            .join("customers", on: SQLColumn("customer_id", table: "activities"), .equal, SQLColumn("id", table: "customers"))
        if let customer = filter.customerID { query.where(SQLColumn("customer_id", table: "activities"), .equal, SQLBind(customer.rawValue)) }
        if let actor = filter.actorID { query.where(SQLColumn("actor_id", table: "activities"), .equal, SQLBind(actor.rawValue)) }
        if let type = filter.type { query.where(SQLColumn("type", table: "activities"), .equal, SQLBind(type.rawValue)) }
        if let kind = filter.relatedKind { query.where(SQLColumn("related_kind", table: "activities"), .equal, SQLBind(kind)) }
        if let related = filter.relatedID { query.where(SQLColumn("related_id", table: "activities"), .equal, SQLBind(related)) }
        if let from = filter.from { query.where(SQLColumn("occurred_at", table: "activities"), .greaterThanOrEqual, SQLBind(from.microsSinceEpoch)) }
        if let to = filter.to { query.where(SQLColumn("occurred_at", table: "activities"), .lessThan, SQLBind(to.microsSinceEpoch)) }
        if let cursor = page.cursor {
            let parts = cursor.after.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let at = Int64(parts[0]) else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            let id = String(parts[1])
            query.where(SQLQueryString(
                "(activities.occurred_at < \(bind: at) OR (activities.occurred_at = \(bind: at) AND activities.id < \(bind: id)))"))
        }
        let rows = try await scope.apply(to: query)
            .orderBy(SQLColumn("occurred_at", table: "activities"), SQLDirection.descending)
            .orderBy(SQLColumn("id", table: "activities"), SQLDirection.descending)
            .limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit) { "\($0.occurredAt.microsSinceEpoch)|\($0.id.rawValue)" }
    }

    /// Ids of a customer's activities (a merge moves them; its undo moves them back).
    public func ids(of customer: RecordID) async throws -> [String] {
        try await sql.select().column("id").from("activities").where("customer_id", .equal, customer.rawValue).all().map { try $0.text("id") }
    }

    public func reassign(_ ids: [String], to customer: RecordID) async throws {
        for chunk in ids.chunked(into: 500) where !chunk.isEmpty {
            try await sql.update("activities").set("customer_id", to: SQLBind(customer.rawValue))
                .where("id", .in, SQLGroupExpression(chunk.map { SQLBind($0) })).run()
        }
    }

    static func decode(_ row: any SQLRow) throws -> Activity {
        guard let type = Activity.ActivityType(rawValue: try row.text("type")),
              let direction = Activity.Direction(rawValue: try row.text("direction"))
        else { throw CorruptRow(table: "activities", column: "type") }
        return Activity(
            id: try row.id("id"), customerID: try row.id("customer_id"), type: type, direction: direction,
            subject: try row.optionalText("subject"), body: try row.optionalText("body"), occurredAt: try row.date("occurred_at"),
            durationSeconds: try row.optionalInt("duration_seconds"), outcome: try row.optionalText("outcome"),
            place: try row.optionalText("place"), relatedKind: try row.optionalText("related_kind"),
            relatedID: try row.optionalText("related_id"), actorID: try row.optionalID("actor_id"),
            capWarning: try row.int("cap_warning") != 0, version: try row.int("version"), createdAt: try row.date("created_at"))
    }
}
