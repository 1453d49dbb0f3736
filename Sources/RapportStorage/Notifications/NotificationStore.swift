import Foundation
import RapportCore
import SQLKit

/// The in-app inbox.
public struct NotificationStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "user_id", "kind", "details", "object_kind", "object_id", "dedup_key", "read_at", "created_at"]

    /// Sends notifications; one whose user and dedup key were already used is skipped.
    public func send(_ notices: [Notice]) async throws {
        let rows: [[BulkValue]] = notices.map { notice in
            [.text(notice.id.rawValue), .text(notice.userID.rawValue), .text(notice.kind), .text(JSONText.encode(notice.details)),
             BulkValue(notice.objectKind?.rawValue), BulkValue(notice.objectID), BulkValue(notice.dedupKey), BulkValue(notice.readAt?.microsSinceEpoch),
             .integer(notice.createdAt.microsSinceEpoch)]
        }
        try await sql.insertRows(into: "notifications", columns: Self.columns, rows: rows, ignoringConflicts: true)
    }

    /// A page of a user's notifications, newest first (only unread ones, or only read ones, when asked).
    public func list(of user: RecordID, unreadOnly: Bool, readOnly: Bool = false, page: PageRequest) async throws -> Page<Notice> {
        let query = sql.select().columns(Self.columns).from("notifications").where("user_id", .equal, user.rawValue)
        if unreadOnly { query.where("read_at", .is, SQLLiteral.null) }
        if readOnly { query.where("read_at", .isNot, SQLLiteral.null) }
        if let cursor = page.cursor { query.where("id", .lessThan, cursor.after) }
        let rows = try await query.orderBy("id", .descending).limit(page.limit + 1).all().map(Self.decode)
        return Page(fetched: rows, limit: page.limit, key: \.id.rawValue)
    }

    /// The notices among `ids` (those a dedup key skipped are absent).
    public func notices(_ ids: [RecordID]) async throws -> [Notice] {
        guard !ids.isEmpty else { return [] }  // `IN ()` is not SQL
        return try await sql.select().columns(Self.columns).from("notifications").where(sql.idIn(SQLColumn("id"), ids)).all().map(Self.decode)
    }

    /// A user's unread notices created in [`from`, `to`), oldest first, at most `limit`.
    public func unread(of user: RecordID, from: Date, to: Date, limit: Int) async throws -> [Notice] {
        try await sql.select().columns(Self.columns).from("notifications").where("user_id", .equal, user.rawValue).where("read_at", .is, SQLLiteral.null)
            .where("created_at", .greaterThanOrEqual, from.microsSinceEpoch).where("created_at", .lessThan, to.microsSinceEpoch)
            .orderBy("id").limit(limit).all().map(Self.decode)
    }

    /// How many of a user's notifications are unread.
    public func unread(of user: RecordID) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("notifications")
            .where("user_id", .equal, user.rawValue).where("read_at", .is, SQLLiteral.null).first()
        return Int(try row?.int("n") ?? 0)
    }

    /// Marks a user's notifications read (`ids`, or all when nil); returns how many changed.
    public func markRead(of user: RecordID, ids: [RecordID]?, at now: Date) async throws -> Int {
        if let ids, ids.isEmpty { return 0 }  // `IN ()` is not SQL
        let query = sql.update("notifications").set("read_at", to: SQLBind(now.microsSinceEpoch))
            .where("user_id", .equal, user.rawValue).where("read_at", .is, SQLLiteral.null)
        if let ids { query.where("id", .in, SQLGroupExpression(ids.map { SQLBind($0.rawValue) })) }
        return try await query.returning("id").all().count
    }

    static func decode(_ row: any SQLRow) throws -> Notice {
        Notice(id: try row.id("id"), userID: try row.id("user_id"), kind: try row.text("kind"),
                     details: (try? JSONText.decode([String: String].self, from: try row.text("details"))) ?? [:],
                     objectKind: try row.optionalText("object_kind").map(ObjectKind.init(rawValue:)), objectID: try row.optionalText("object_id"),
                     dedupKey: try row.optionalText("dedup_key"), readAt: try row.optionalDate("read_at"), createdAt: try row.date("created_at"))
    }
}
