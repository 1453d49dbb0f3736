import Foundation
import RapportCore
import SQLKit

/// The reads behind actuals, attainment and leaderboards: per rep, metric and currency, aggregated
/// in SQL over one period, for the reps a ``People`` filter admits (scope applied in SQL).
public struct PerformanceStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Which reps: within a scope on users (aliased `scope_rep`), in a team's subtree (by its
    /// path), in exactly one team, or one user.
    public struct People: Sendable {
        public var scope: ScopeFilter?
        public var teamPath: String?
        public var teamID: RecordID?
        public var userID: RecordID?

        public init(scope: ScopeFilter?, teamPath: String? = nil, teamID: RecordID? = nil, userID: RecordID? = nil) {
            self.scope = scope
            self.teamPath = teamPath
            self.teamID = teamID
            self.userID = userID
        }

        /// Whether every user is admitted (no IN test needed).
        var isEveryone: Bool { scope?.predicate() == nil && teamPath == nil && teamID == nil && userID == nil }

        /// The condition on `users scope_rep`.
        func predicate() -> SQLQueryString {
            var query: SQLQueryString = "1 = 1"
            if let predicate = scope?.predicate() { query += " AND \(predicate)" as SQLQueryString }
            if let userID { query += " AND scope_rep.id = \(bind: userID.rawValue)" as SQLQueryString }
            if let teamID { query += " AND scope_rep.team_id = \(bind: teamID.rawValue)" as SQLQueryString }
            if let teamPath {
                query += " AND scope_rep.team_id IN (SELECT scope_tp.id FROM teams scope_tp WHERE \(ScopeFilter.prefix("scope_tp.path", teamPath)))" as SQLQueryString
            }
            return query
        }

        /// `AND column IN (the admitted users)`, or nothing when everyone is admitted.
        func restrict(_ column: String) -> SQLQueryString {
            isEveryone ? "" : " AND \(unsafeRaw: column) IN (SELECT scope_rep.id FROM users scope_rep WHERE \(predicate()))"
        }
    }

    /// A period: the instants [from, to) and the business days [firstDay, lastDay].
    public struct Range: Sendable {
        public var from: Date
        public var to: Date
        public var firstDay: CalendarDate
        public var lastDay: CalendarDate

        public init(from: Date, to: Date, firstDay: CalendarDate, lastDay: CalendarDate) {
            self.from = from
            self.to = to
            self.firstDay = firstDay
            self.lastDay = lastDay
        }
    }

    /// A person on a board or a sheet.
    public struct Person: Sendable, Equatable {
        public var id: RecordID
        public var name: String
        public var teamID: RecordID?
        public var role: Role
        public var active: Bool
    }

    /// A team with its parent and path.
    public struct TeamNode: Sendable, Equatable {
        public var id: RecordID
        public var name: String
        public var parentID: RecordID?
        public var path: String
    }

    /// The admitted users.
    public func people(_ people: People) async throws -> [Person] {
        try await sql.raw("SELECT scope_rep.id, scope_rep.name, scope_rep.team_id, scope_rep.role, scope_rep.status FROM users scope_rep WHERE \(people.predicate()) ORDER BY scope_rep.name, scope_rep.id")
            .all().map { row in
                Person(id: try row.id("id"), name: try row.text("name"), teamID: try row.optionalID("team_id"),
                       role: Role(rawValue: try row.text("role")) ?? .readOnly, active: try row.text("status") == "active")
            }
    }

    /// Teams in `scope` (aliased `scope_team`), optionally only a subtree.
    public func teams(_ scope: ScopeFilter?, subtree path: String? = nil) async throws -> [TeamNode] {
        var query: SQLQueryString = "SELECT scope_team.id, scope_team.name, scope_team.parent_id, scope_team.path FROM teams scope_team WHERE 1 = 1"
        if let predicate = scope?.predicate() { query += " AND \(predicate)" as SQLQueryString }
        if let path { query += " AND \(ScopeFilter.prefix("scope_team.path", path))" as SQLQueryString }
        query += " ORDER BY scope_team.path"
        return try await sql.raw(query).all().map { row in
            TeamNode(id: try row.id("id"), name: try row.text("name"), parentID: try row.optionalID("parent_id"), path: try row.text("path"))
        }
    }

    /// The aggregates of `metrics` over `range` for the admitted people.
    public func actuals(_ metrics: Set<TargetMetric>, range: Range, people: People) async throws -> [Performance.Actual] {
        let from = range.from.microsSinceEpoch, to = range.to.microsSinceEpoch
        let firstDay = range.firstDay.description, lastDay = range.lastDay.description
        var result: [Performance.Actual] = []
        func collect(_ metric: TargetMetric, _ query: SQLQueryString, money: Bool) async throws {
            result += try await sql.raw(query).all().map { row in
                Performance.Actual(userID: try row.id("user_id"), metric: metric, currency: money ? try row.text("currency") : nil, value: try row.int("value"))
            }
        }
        if metrics.contains(.wonRevenue) {
            try await collect(.wonRevenue, """
                SELECT o.owner_id AS user_id, o.currency, CAST(sum(o.amount_minor) AS BIGINT) AS value FROM opportunities o
                WHERE o.status_category = 'won' AND o.closed_at >= \(bind: from) AND o.closed_at < \(bind: to)
                  AND o.currency IS NOT NULL AND o.amount_minor IS NOT NULL\(people.restrict("o.owner_id"))
                GROUP BY o.owner_id, o.currency
                """, money: true)
        }
        if metrics.contains(.signedRevenue) {
            try await collect(.signedRevenue, """
                SELECT o.owner_id AS user_id, o.currency, CAST(sum(o.total_minor) AS BIGINT) AS value FROM orders o
                WHERE o.signed_at >= \(bind: from) AND o.signed_at < \(bind: to) AND o.status <> 'cancelled'\(people.restrict("o.owner_id"))
                GROUP BY o.owner_id, o.currency
                """, money: true)
        }
        if metrics.contains(.collections) {
            for (table, day, sign) in [("payments", "received_on", ""), ("refunds", "refunded_on", "-")] {
                try await collect(.collections, """
                    SELECT o.owner_id AS user_id, m.currency, \(unsafeRaw: sign)CAST(sum(m.amount_minor) AS BIGINT) AS value
                    FROM \(unsafeRaw: table) m JOIN orders o ON o.id = m.order_id
                    WHERE m.\(unsafeRaw: day) >= \(bind: firstDay) AND m.\(unsafeRaw: day) <= \(bind: lastDay)\(people.restrict("o.owner_id"))
                    GROUP BY o.owner_id, m.currency
                    """, money: true)
            }
        }
        if metrics.contains(.newCustomers) {
            try await collect(.newCustomers, """
                SELECT c.owner_id AS user_id, count(*) AS value FROM customers c
                WHERE c.created_at >= \(bind: from) AND c.created_at < \(bind: to) AND c.owner_id IS NOT NULL AND c.merged_into IS NULL\(people.restrict("c.owner_id"))
                GROUP BY c.owner_id
                """, money: false)
        }
        for (metric, type) in [(TargetMetric.calls, "call"), (.visits, "visit")] where metrics.contains(metric) {
            for table in ["activities", "lead_activities"] {
                try await collect(metric, """
                    SELECT a.actor_id AS user_id, count(*) AS value FROM \(unsafeRaw: table) a
                    WHERE a.type = \(bind: type) AND a.occurred_at >= \(bind: from) AND a.occurred_at < \(bind: to)
                      AND a.actor_id IS NOT NULL\(people.restrict("a.actor_id"))
                    GROUP BY a.actor_id
                    """, money: false)
            }
        }
        return result
    }

    /// Each admitted person's latest activity (a customer activity or a lead follow-up they logged)
    /// since `since`; people with none in that time are absent.
    public func lastActivity(since: Date, people: People) async throws -> [RecordID: Date] {
        var result: [RecordID: Date] = [:]
        for table in ["activities", "lead_activities"] {
            let rows = try await sql.raw("""
                SELECT a.actor_id AS user_id, max(a.occurred_at) AS last_at FROM \(unsafeRaw: table) a
                WHERE a.occurred_at >= \(bind: since.microsSinceEpoch) AND a.actor_id IS NOT NULL\(people.restrict("a.actor_id"))
                GROUP BY a.actor_id
                """).all()
            for row in rows {
                let id = try row.id("user_id"), at = try row.date("last_at")
                if result[id].map({ $0 < at }) ?? true { result[id] = at }
            }
        }
        return result
    }
}
