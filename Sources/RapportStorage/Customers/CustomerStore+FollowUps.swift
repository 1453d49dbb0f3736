import Foundation
import RapportCore
import SQLKit

extension CustomerStore {
    /// A customer's name and its last touch (for the workbench's follow-up list).
    public struct Touched: Sendable, Equatable {
        public var id: RecordID
        public var name: String
        public var lastTouchAt: Date
    }

    /// `owner`'s customers touched at least once, longest untouched first (within `scope`).
    public func longestUntouched(owner: RecordID, limit: Int, in scope: ScopeFilter) async throws -> [Touched] {
        let query = sql.select()
            .columns(SQLColumn("id", table: "customers"), SQLColumn("name", table: "customers"), SQLColumn("last_follow_up_at", table: "customers"))
            .from("customers")
            .where(SQLColumn("owner_id", table: "customers"), .equal, SQLBind(owner.rawValue))
            .where(SQLColumn("last_follow_up_at", table: "customers"), .isNot, SQLLiteral.null)
            .where(SQLColumn("merged_into", table: "customers"), .is, SQLLiteral.null)
        return try await scope.apply(to: query).orderBy(SQLColumn("last_follow_up_at", table: "customers")).limit(limit).all().map { row in
            Touched(id: try row.id("id"), name: try row.text("name"), lastTouchAt: try row.date("last_follow_up_at"))
        }
    }
}
