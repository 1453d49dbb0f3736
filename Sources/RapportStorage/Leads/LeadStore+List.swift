import Foundation
import RapportCore
import SQLKit

extension LeadStore {
    /// The filters a lead list accepts. Contact values are already normalised by the caller.
    public struct ListFilter: Sendable, Equatable {
        public var ownerID: RecordID?
        public var teamID: RecordID?
        public var poolID: RecordID?
        /// Only leads waiting in a pool (no owner).
        public var waiting: Bool?
        public var status: String?
        public var source: String?
        /// Name or company starting with this text (case-insensitive for ASCII).
        public var text: String?
        public var phone: String?
        public var email: String?
        public var unionid: String?
        /// Created at or after / before these instants.
        public var createdFrom: Date?
        public var createdBefore: Date?
        /// Not followed up since this instant: the last touch, or (never touched) the assignment or
        /// the creation, is older.
        public var quietSince: Date?

        public init() {}
    }

    /// A page of leads in scope, newest first.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: ScopeFilter?) async throws -> Page<Lead> {
        func query(_ restrict: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [Lead] {
            let query = restrict(filtered(sql.select().columns(qualifiedColumns).from("leads"), filter))
            if let cursor = page.cursor { query.where(SQLColumn("id", table: "leads"), .lessThan, SQLBind(cursor.after)) }
            return try await query.orderBy(SQLColumn("id", table: "leads"), SQLDirection.descending).limit(page.limit + 1).all().map(Self.decode)
        }
        var fetched: [Lead]
        if let scope, let alternatives = scope.alternatives() {
            var byID: [RecordID: Lead] = [:]
            for alternative in alternatives {
                for lead in try await query({ $0.where(alternative) }) { byID[lead.id] = lead }
            }
            fetched = Array(byID.values.sorted { $0.id > $1.id }.prefix(page.limit + 1))
        } else if let scope {
            fetched = try await query { scope.apply(to: $0) }
        } else {
            fetched = try await query { $0 }
        }
        return Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
    }

    /// How many leads in scope match the filter.
    public func count(_ filter: ListFilter, in scope: ScopeFilter?) async throws -> Int {
        let query = filtered(sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("leads"), filter)
        let scoped = scope.map { $0.apply(to: query) } ?? query
        return Int(try await scoped.first()?.int("n") ?? 0)
    }

    func filtered(_ query: SQLSelectBuilder, _ filter: ListFilter) -> SQLSelectBuilder {
        func equal(_ column: String, _ value: String?) {
            if let value { query.where(SQLColumn(column, table: "leads"), .equal, SQLBind(value)) }
        }
        equal("owner_id", filter.ownerID?.rawValue)
        equal("team_id", filter.teamID?.rawValue)
        equal("pool_id", filter.poolID?.rawValue)
        equal("status", filter.status)
        equal("source", filter.source)
        equal("phone", filter.phone)
        equal("email", filter.email)
        equal("wechat_unionid", filter.unionid)
        if let waiting = filter.waiting {
            query.where(SQLColumn("owner_id", table: "leads"), waiting ? .is : .isNot, SQLLiteral.null)
        }
        if let from = filter.createdFrom { query.where(SQLColumn("created_at", table: "leads"), .greaterThanOrEqual, SQLBind(from.microsSinceEpoch)) }
        if let before = filter.createdBefore { query.where(SQLColumn("created_at", table: "leads"), .lessThan, SQLBind(before.microsSinceEpoch)) }
        if let quiet = filter.quietSince {
            query.where(SQLQueryString("COALESCE(leads.last_follow_up_at, leads.assigned_at, leads.created_at) < \(bind: quiet.microsSinceEpoch)"))
        }
        if let text = filter.text?.lowercased(), !text.isEmpty {
            let pattern = SQLText.escapeLike(text) + "%"
            query.where(SQLQueryString("(lower(leads.name) LIKE \(bind: pattern) ESCAPE '\\' OR lower(leads.company) LIKE \(bind: pattern) ESCAPE '\\')"))
        }
        return query
    }
}
