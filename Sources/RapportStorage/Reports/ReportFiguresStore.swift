import Foundation
import RapportCore
import SQLKit

/// The aggregates behind a report's figures: one author, one period, grouped in SQL. Calls,
/// visits, won and signed amounts and collections are the performance actuals (the same
/// definitions as targets and leaderboards); the rest are counted here.
public struct ReportFiguresStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The aggregates of `author`'s period [range.from, range.to); tasks still open count as
    /// overdue once their due time is before `asOf`.
    public func entries(author: RecordID, range: PerformanceStore.Range, asOf: Date) async throws -> [ReportFigures.Entry] {
        let people = PerformanceStore.People(scope: nil, userID: author)
        let shared: Set<TargetMetric> = [.calls, .visits, .wonRevenue, .signedRevenue, .collections]
        var entries = try await PerformanceStore(sql).actuals(shared, range: range, people: people).compactMap { actual in
            ReportFigures.Metric(actual.key.metric).map { ReportFigures.Entry($0, currency: actual.key.currency, value: actual.value) }
        }
        let from = range.from.microsSinceEpoch, to = range.to.microsSinceEpoch, me = author.rawValue
        let cutoff = min(asOf, range.to).microsSinceEpoch
        func count(_ metric: ReportFigures.Metric, _ query: SQLQueryString) async throws {
            let value = try await sql.raw(query).first().map { try $0.int("value") } ?? 0
            entries.append(ReportFigures.Entry(metric, value: value))
        }
        for table in ["activities", "lead_activities"] {
            try await count(.otherActivities, """
                SELECT count(*) AS value FROM \(unsafeRaw: table) a WHERE a.actor_id = \(bind: me)
                  AND a.occurred_at >= \(bind: from) AND a.occurred_at < \(bind: to) AND a.type NOT IN ('call', 'visit')
                """)
        }
        try await count(.newLeads, """
            SELECT count(DISTINCT la.lead_id) AS value FROM lead_assignments la WHERE la.to_user_id = \(bind: me)
              AND la.kind IN ('claim', 'assign', 'handover', 'create') AND la.at >= \(bind: from) AND la.at < \(bind: to)
            """)
        try await count(.leadsConverted, """
            SELECT count(*) AS value FROM leads l WHERE l.owner_id = \(bind: me) AND l.converted_at >= \(bind: from) AND l.converted_at < \(bind: to)
            """)
        try await count(.opportunitiesWon, """
            SELECT count(*) AS value FROM opportunities o WHERE o.owner_id = \(bind: me) AND o.status_category = 'won'
              AND o.closed_at >= \(bind: from) AND o.closed_at < \(bind: to)
            """)
        try await count(.tasksDone, """
            SELECT count(*) AS value FROM tasks t WHERE t.assignee_id = \(bind: me) AND t.status = 'done'
              AND t.completed_at >= \(bind: from) AND t.completed_at < \(bind: to)
            """)
        try await count(.tasksOverdue, """
            SELECT count(*) AS value FROM tasks t WHERE t.assignee_id = \(bind: me) AND t.due_at >= \(bind: from) AND t.due_at < \(bind: to)
              AND ((t.status = 'open' AND t.due_at < \(bind: cutoff)) OR (t.status = 'done' AND t.completed_at > t.due_at))
            """)
        return entries
    }
}
