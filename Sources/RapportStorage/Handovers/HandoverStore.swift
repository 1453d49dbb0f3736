import Foundation
import RapportCore
import SQLKit

/// Handover reports (`handovers`, `handover_items`) and the set-based moves a handover makes.
public struct HandoverStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "user_id", "by_user_id", "reason", "at", "summary"]
    static let itemColumns = ["handover_id", "object_kind", "object_id", "from_user_id", "to_user_id", "pool_id"]

    // MARK: Reports

    public func insert(_ handover: Handover) async throws {
        try await sql.insertRows(into: "handovers", columns: Self.columns, rows: [[
            .text(handover.id.rawValue), .text(handover.userID.rawValue), BulkValue(handover.byUserID?.rawValue), .text(handover.reason),
            .integer(handover.at.microsSinceEpoch), .text(JSONText.encode(handover.summary)),
        ]])
    }

    /// Records what moved, one row per record (multi-row statements).
    public func insertItems(_ items: [HandoverItem]) async throws {
        try await sql.insertRows(into: "handover_items", columns: Self.itemColumns, rows: items.map { item in
            [.text(item.handoverID.rawValue), .text(item.objectKind.rawValue), .text(item.objectID.rawValue), BulkValue(item.from?.rawValue),
             BulkValue(item.to?.rawValue), BulkValue(item.poolID?.rawValue)]
        })
    }

    /// One handover whose departing user is in scope (nil scope: any).
    public func find(_ id: RecordID, in scope: ScopeFilter?) async throws -> Handover? {
        let query = scoped(scope).where(SQLColumn("id", table: "h"), .equal, SQLBind(id.rawValue))
        return try await query.first().map(Self.decode)
    }

    /// A page of handovers whose departing user is in scope, newest first.
    public func list(user: RecordID?, page: PageRequest, in scope: ScopeFilter?) async throws -> Page<Handover> {
        let query = scoped(scope)
        if let user { query.where(SQLColumn("user_id", table: "h"), .equal, SQLBind(user.rawValue)) }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "h"), .lessThan, SQLBind(cursor.after)) }
        let rows = try await query.orderBy(SQLColumn("id", table: "h"), SQLDirection.descending).limit(page.limit + 1).all().map(Self.decode)
        return Page(fetched: rows, limit: page.limit, key: \.id.rawValue)
    }

    /// A page of what one handover moved, by object id (one kind, or all).
    public func items(of handover: RecordID, kind: ObjectKind?, page: PageRequest) async throws -> Page<HandoverItem> {
        let query = sql.select().columns(Self.itemColumns).from("handover_items").where("handover_id", .equal, handover.rawValue)
        if let kind { query.where("object_kind", .equal, kind.rawValue) }
        if let cursor = page.cursor { query.where("object_id", .greaterThan, cursor.after) }
        let rows = try await query.orderBy("object_id").limit(page.limit + 1).all().map { row in
            HandoverItem(handoverID: try row.id("handover_id"), objectKind: ObjectKind(rawValue: try row.text("object_kind")),
                         objectID: try row.id("object_id"), from: try row.optionalID("from_user_id"), to: try row.optionalID("to_user_id"),
                         poolID: try row.optionalID("pool_id"))
        }
        return Page(fetched: rows, limit: page.limit, key: \.objectID.rawValue)
    }

    /// Handovers joined to their departing user, so a manager's subtree scope applies in SQL.
    func scoped(_ scope: ScopeFilter?) -> SQLSelectBuilder {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "h") }).from(SQLAlias(SQLIdentifier("handovers"), as: SQLIdentifier("h")))
        guard let predicate = scope?.predicate() else { return query }
        return query.join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), method: SQLJoinMethod.inner,
                          on: SQLColumn("id", table: "u"), .equal, SQLColumn("user_id", table: "h")).where(predicate)
    }

    static func decode(_ row: any SQLRow) throws -> Handover {
        let summary = (try? JSONText.decode(HandoverSummary.self, from: try row.text("summary"))) ?? HandoverSummary()
        return Handover(id: try row.id("id"), userID: try row.id("user_id"), byUserID: try row.optionalID("by_user_id"), reason: try row.text("reason"),
                        at: try row.date("at"), summary: summary)
    }
}
