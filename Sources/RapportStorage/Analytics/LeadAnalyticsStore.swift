import Foundation
import RapportCore
import SQLKit
import Synchronization

/// The reads behind the lead analytics: the assignment log streamed lead by lead into the
/// turnover fold, and the funnel's cohorts aggregated in SQL. Scoping and filtering happen in SQL.
public struct LeadAnalyticsStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Users the predicate lets the caller see (aliased `scope_rep`): the reps whose numbers a report shows.
    public func reps(_ scope: ScopeFilter) async throws -> (ids: Set<RecordID>, teams: [RecordID: RecordID]) {
        let query = sql.select().column(SQLColumn("id", table: "scope_rep")).column(SQLColumn("team_id", table: "scope_rep"))
            .from(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("scope_rep")))
        var ids: Set<RecordID> = []
        var teams: [RecordID: RecordID] = [:]
        for row in try await scope.apply(to: query).all() {
            let id = try row.id("id")
            ids.insert(id)
            if let team = try row.optionalID("team_id") { teams[id] = team }
        }
        return (ids, teams)
    }

    /// Streams the log of every lead with an ownership change or a conversion in [from, to) —
    /// restricted, when `reps` is given, to leads that such a change or conversion involves one
    /// of them in — each lead's entries up to `to`, oldest first, into `fold`.
    public func turnover(into fold: LeadTurnover.Fold, reps scope: ScopeFilter?) async throws -> LeadTurnover.Fold {
        let (from, to) = (fold.from.microsSinceEpoch, fold.to.microsSinceEpoch)
        var involved: SQLQueryString = ""
        var owned: SQLQueryString = ""
        if let scope, let predicate = scope.predicate() {
            let reps: SQLQueryString = "SELECT scope_rep.id FROM users scope_rep WHERE \(predicate)"
            involved = " AND (to_user_id IN (\(reps)) OR from_user_id IN (\(reps)))"
            owned = " AND owner_id IN (\(reps))"
        }
        let query: SQLQueryString = """
            SELECT l.id AS lead_id, l.source, l.converted_at, a.kind, a.from_user_id, a.to_user_id, a.at
            FROM leads l LEFT JOIN lead_assignments a ON a.lead_id = l.id AND a.at < \(bind: to)
            WHERE l.id IN (SELECT lead_id FROM lead_assignments WHERE at >= \(bind: from) AND at < \(bind: to)\(involved)
                           UNION SELECT id FROM leads WHERE converted_at >= \(bind: from) AND converted_at < \(bind: to)\(owned))
            ORDER BY l.id, a.at, a.id
            """
        struct State {
            var fold: LeadTurnover.Fold
            var lead: String?
            var log = LeadTurnover.LeadLog(events: [])
            var failure: (any Error)?

            mutating func flush() {
                if lead != nil { fold.add(log) }
                lead = nil
                log = LeadTurnover.LeadLog(events: [])
            }

            mutating func consume(_ row: any SQLRow) throws {
                let id = try row.text("lead_id")
                if id != lead {
                    flush()
                    lead = id
                    log.source = try row.optionalText("source")
                    log.convertedAt = try row.optionalDate("converted_at")
                }
                guard let kind = try row.optionalText("kind") else { return }
                guard let parsed = LeadAssignment.Kind(rawValue: kind) else { throw CorruptRow(table: "lead_assignments", column: "kind") }
                log.events.append(.init(kind: parsed, from: try row.optionalID("from_user_id"), to: try row.optionalID("to_user_id"), at: try row.date("at")))
            }
        }
        let state = Mutex(State(fold: fold))
        try await sql.raw(query).run { row in
            state.withLock { state in
                guard state.failure == nil else { return }
                do { try state.consume(row) } catch { state.failure = error }
            }
        }
        return try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.flush()
            return state.fold
        }
    }

    /// The funnel's cohorts of leads created in [from, to) within `scope` (on leads aliased `l`):
    /// per source, rep or team (`group`: `owner_id`, `team_id` or nil), creation time (15-minute
    /// slots when split by period, so any time zone's periods can be cut from them), furthest
    /// funnel stage in the status history, current status and lost stage reached.
    public func funnelCohorts(_ funnel: LeadFunnel, from: Date, to: Date, group: String?, split: Bool, scope: ScopeFilter?) async throws -> [LeadFunnel.Cohort] {
        var rank: SQLQueryString = "CASE h.to_stage"
        for stage in funnel.ranks { rank += " WHEN \(bind: stage.key) THEN \(unsafeRaw: String(stage.rank))" as SQLQueryString }
        rank.appendLiteral(" ELSE -1 END")
        var lostStage: SQLQueryString = "CASE"
        for key in funnel.lostKeys { lostStage += " WHEN h.to_stage = \(bind: key) THEN h.to_stage" as SQLQueryString }
        lostStage.appendLiteral(" ELSE NULL END")
        if funnel.lostKeys.isEmpty { lostStage = "NULL" }
        let groupColumn: SQLQueryString = group == "team_id" ? "l.team_id" : group == "owner_id" ? "l.owner_id" : "NULL"
        let slot: SQLQueryString = split ? "l.created_at / 900000000" : "0"
        var scoped: SQLQueryString = ""
        if let scope, let predicate = scope.predicate() { scoped = " AND \(predicate)" }
        let query: SQLQueryString = """
            SELECT f.source, f.grp, f.slot, f.top, f.status, f.lost, count(*) AS n FROM (
                SELECT l.id, l.source, \(groupColumn) AS grp, \(slot) AS slot, l.status,
                       MAX(\(rank)) AS top, MAX(\(lostStage)) AS lost
                FROM leads l LEFT JOIN stage_history h ON h.object = 'lead' AND h.record_id = l.id
                WHERE l.created_at >= \(bind: from.microsSinceEpoch) AND l.created_at < \(bind: to.microsSinceEpoch)\(scoped)
                GROUP BY l.id
            ) f
            GROUP BY f.source, f.grp, f.slot, f.top, f.status, f.lost
            """
        return try await sql.raw(query).all().map { row in
            LeadFunnel.Cohort(source: try row.optionalText("source"), group: try row.optionalText("grp"),
                              createdAt: Date(microsSinceEpoch: max(try row.int("slot") * 900_000_000, from.microsSinceEpoch)),
                              furthestRank: Int(try row.optionalInt("top") ?? -1), status: try row.text("status"),
                              lostStage: try row.optionalText("lost"), leads: try row.int("n"))
        }
    }
}
