import Foundation
import RapportCore
import SQLKit

extension CustomerStore {
    /// Where a customer stands towards pools: its owner, its pool, who let it go and when.
    public struct PoolState: Sendable, Equatable {
        public var id: RecordID
        public var ownerID: RecordID?
        public var teamID: RecordID?
        public var poolID: RecordID?
        public var previousOwnerID: RecordID?
        public var releasedAt: Date?
        public var protectedUntil: Date?
        public var stage: String
    }

    /// The pool state of live customers (merged ones are left out).
    public func poolStates(_ ids: [RecordID]) async throws -> [PoolState] {
        guard !ids.isEmpty else { return [] }
        return try await sql.select().columns("id", "owner_id", "team_id", "pool_id", "previous_owner_id", "released_at", "protected_until", "stage")
            .from("customers").where("id", .in, SQLGroupExpression(ids.map { SQLBind($0.rawValue) })).where("merged_into", .is, SQLLiteral.null)
            .all().map { row in
                PoolState(id: try row.id("id"), ownerID: try row.optionalID("owner_id"), teamID: try row.optionalID("team_id"),
                          poolID: try row.optionalID("pool_id"), previousOwnerID: try row.optionalID("previous_owner_id"),
                          releasedAt: try row.optionalDate("released_at"), protectedUntil: try row.optionalDate("protected_until"),
                          stage: try row.text("stage"))
            }
    }

    /// Lets a customer go into `pool` — only if `owner` still owns it; false otherwise. Its stage
    /// and history stay; the owner is remembered for the cooldown.
    public func release(_ id: RecordID, owner: RecordID, into pool: RecordID, at now: Date) async throws -> Bool {
        let at = now.microsSinceEpoch
        return try await sql.update("customers")
            .set("previous_owner_id", to: SQLBind(owner.rawValue)).set("owner_id", to: SQLLiteral.null).set("pool_id", to: SQLBind(pool.rawValue))
            .set("released_at", to: SQLBind(at)).set("assigned_at", to: SQLLiteral.null).set("protected_until", to: SQLLiteral.null)
            .set("updated_at", to: SQLBind(at)).set("version", to: SQLRaw("version + 1"))
            .where("id", .equal, id.rawValue).where("owner_id", .equal, owner.rawValue).where("merged_into", .is, SQLLiteral.null)
            .returning("id").first() != nil
    }

    /// Customers by id regardless of scope (the system, pool bookkeeping), in the order given.
    public func find(_ ids: [RecordID]) async throws -> [Customer] {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.select().columns(Self.columns).from("customers").where(sql.idIn(SQLColumn("id"), ids)).all().map(Self.decode)
        let byID = Dictionary(uniqueKeysWithValues: try await hydrate(rows).map { ($0.id, $0) })
        return ids.compactMap { byID[$0] }
    }

    /// Customers waiting in `pool` (no owner), newest first.
    public func waiting(in pool: RecordID, page: PageRequest) async throws -> Page<Customer> {
        let query = sql.select().columns(qualifiedColumns).from("customers")
            .where(SQLColumn("pool_id", table: "customers"), .equal, SQLBind(pool.rawValue))
            .where(SQLColumn("owner_id", table: "customers"), .is, SQLLiteral.null)
            .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "customers"), .lessThan, SQLBind(cursor.after)) }
        let fetched = try await query.orderBy(SQLColumn("id", table: "customers"), SQLDirection.descending).limit(page.limit + 1).all().map(Self.decode)
        let page = Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
        return Page(items: try await hydrate(page.items), nextCursor: page.nextCursor)
    }

    /// Moves a customer's last follow-up time forward (never back): a touch on its timeline.
    public func touch(_ id: RecordID, at occurredAt: Date) async throws {
        try await sql.update("customers").set("last_follow_up_at", to: SQLBind(occurredAt.microsSinceEpoch)).where("id", .equal, id.rawValue)
            .where(SQLQueryString("(last_follow_up_at IS NULL OR last_follow_up_at < \(bind: occurredAt.microsSinceEpoch))")).run()
    }
}
