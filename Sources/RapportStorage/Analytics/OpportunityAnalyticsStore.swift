import Foundation
import RapportCore
import SQLKit

/// The reads behind the opportunity analytics: aggregates over `opportunities` (aliased `o`) and
/// the stage history, grouped in SQL so that the core folds a few buckets, never a row per
/// opportunity. Scope and filters are applied in SQL.
public struct OpportunityAnalyticsStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Which opportunities a report reads.
    public struct Filter: Sendable {
        /// Which instant the period [from, to) applies to.
        public enum DateField: String, Sendable, CaseIterable {
            /// Opportunities created in the period.
            case created
            /// Opportunities closed in the period, and those open now that were created before its end.
            case closed
        }

        public var pipeline: String
        public var ownerID: RecordID?
        public var teamID: RecordID?
        public var source: String?
        public var currency: String?
        public var from: Date?
        public var to: Date?
        public var dateField: DateField
        /// The reps whose opportunities the caller sees (on users aliased `scope_rep`); nil = everyone's.
        public var reps: ScopeFilter?

        public init(pipeline: String, ownerID: RecordID? = nil, teamID: RecordID? = nil, source: String? = nil, currency: String? = nil,
                    from: Date? = nil, to: Date? = nil, dateField: DateField = .created, reps: ScopeFilter? = nil) {
            self.pipeline = pipeline
            self.ownerID = ownerID
            self.teamID = teamID
            self.source = source
            self.currency = currency
            self.from = from
            self.to = to
            self.dateField = dateField
            self.reps = reps
        }

        /// Whether only the pipeline is asked for (no other filter, no scope).
        var isPipelineOnly: Bool {
            ownerID == nil && teamID == nil && source == nil && currency == nil && from == nil && to == nil && reps?.predicate() == nil
        }

        /// The conditions on `o`, starting with the pipeline.
        var conditions: SQLQueryString {
            var query: SQLQueryString = "o.pipeline = \(bind: pipeline)"
            if let ownerID { query += " AND o.owner_id = \(bind: ownerID.rawValue)" as SQLQueryString }
            if let teamID { query += " AND o.team_id = \(bind: teamID.rawValue)" as SQLQueryString }
            if let source { query += " AND o.source = \(bind: source)" as SQLQueryString }
            if let currency { query += " AND o.currency = \(bind: currency)" as SQLQueryString }
            if let reps, let predicate = reps.predicate() {
                query += " AND o.owner_id IN (SELECT scope_rep.id FROM users scope_rep WHERE \(predicate))" as SQLQueryString
            }
            switch dateField {
            case .created:
                if let from { query += " AND o.created_at >= \(bind: from.microsSinceEpoch)" as SQLQueryString }
                if let to { query += " AND o.created_at < \(bind: to.microsSinceEpoch)" as SQLQueryString }
            case .closed:
                var closed: SQLQueryString = "o.closed_at IS NOT NULL"
                if let from { closed += " AND o.closed_at >= \(bind: from.microsSinceEpoch)" as SQLQueryString }
                if let to { closed += " AND o.closed_at < \(bind: to.microsSinceEpoch)" as SQLQueryString }
                var open: SQLQueryString = "o.closed_at IS NULL"
                if let to { open += " AND o.created_at < \(bind: to.microsSinceEpoch)" as SQLQueryString }
                query += " AND ((\(closed)) OR (\(open)))" as SQLQueryString
            }
            return query
        }
    }

    /// How funnel rows are grouped besides the period.
    public enum Grouping: String, Sendable, CaseIterable {
        case owner, team, source, none

        var column: SQLQueryString {
            switch self {
            case .owner: "o.owner_id"
            case .team: "o.team_id"
            case .source: "o.source"
            case .none: "NULL"
            }
        }
    }

    /// `CASE <column> WHEN <open stage> THEN <rank> … ELSE -1 END`.
    static func rank(_ column: SQLQueryString, _ stages: OpportunityStages) -> SQLQueryString {
        guard !stages.open.isEmpty else { return "-1" }
        var rank: SQLQueryString = "CASE \(column)"
        for stage in stages.ranks { rank += " WHEN \(bind: stage.key) THEN \(unsafeRaw: String(stage.rank))" as SQLQueryString }
        rank.appendLiteral(" ELSE -1 END")
        return rank
    }

    // MARK: Summary

    /// The summary's buckets: per stage, category, currency and owner's probability (the order of
    /// the `opportunities_analytics` index, so that SQLite groups while it scans).
    public func summary(_ filter: Filter) async throws -> [OpportunitySummary.Bucket] {
        let query: SQLQueryString = """
            SELECT o.stage, o.status_category AS category, o.currency, CAST(o.probability AS BIGINT) AS probability, count(*) AS n,
                   count(o.amount_minor) AS with_amount, CAST(COALESCE(sum(o.amount_minor), 0) AS BIGINT) AS amount,
                   CAST(COALESCE(sum(CASE WHEN o.closed_at > o.created_at THEN o.closed_at - o.created_at ELSE 0 END), 0) AS BIGINT) AS cycle
            FROM opportunities o WHERE \(filter.conditions)
            GROUP BY o.stage, o.status_category, o.currency, o.probability
            """
        return try await sql.raw(query).all().map { row in
            OpportunitySummary.Bucket(
                category: try Self.category(row), stage: try row.text("stage"), probabilityOverride: try row.optionalInt("probability").map { Int($0) },
                currency: try row.optionalText("currency"), count: try row.int("n"), withAmount: try row.int("with_amount"),
                amountMinor: try row.int("amount"), cycleMicros: try row.int("cycle"))
        }
    }

    static func category(_ row: any SQLRow) throws -> StageCategory {
        guard let category = StageCategory(rawValue: try row.text("category")) else { throw CorruptRow(table: "opportunities", column: "status_category") }
        return category
    }

    /// The furthest open stage among `reached` (`,a,b,`), by rank; -1 for none.
    static func furthest(_ reached: String?, _ stages: OpportunityStages) -> Int {
        guard let reached else { return -1 }
        return reached.split(separator: ",").compactMap { stages.rank(String($0)) }.max() ?? -1
    }

    // MARK: Funnel

    /// The funnel's cohorts: per group, creation time (15-minute slots when split by period, so
    /// that any time zone's periods can be cut from them), current stage and the stages reached
    /// (kept on the row from the stage history), read as the furthest open stage.
    public func funnelCohorts(_ filter: Filter, stages: OpportunityStages, grouping: Grouping, split: Bool) async throws -> [OpportunityFunnel.Cohort] {
        let slot: SQLQueryString = split ? "o.created_at / 900000000" : "CAST(0 AS BIGINT)"
        let query: SQLQueryString = """
            SELECT o.stage, o.reached_stages AS reached, \(grouping.column) AS grp, \(slot) AS slot, count(*) AS n
            FROM opportunities o WHERE \(filter.conditions)
            GROUP BY o.stage, o.status_category, o.currency, o.probability, o.reached_stages\(Self.extraGroups(grouping, slot: split ? slot : nil))
            """
        return try await sql.raw(query).all().map { row in
            OpportunityFunnel.Cohort(group: try row.optionalText("grp"), createdAt: Self.slotStart(try row.int("slot"), split: split, filter),
                                     furthestRank: Self.furthest(try row.optionalText("reached"), stages), stage: try row.text("stage"),
                                     count: try row.int("n"))
        }
    }

    /// Completed stage visits per group, creation slot, stage and whole hours spent. Without a
    /// filter, grouping or split, straight from `opportunity_stage_visits` in its index order;
    /// otherwise joined to the opportunities the filter selects.
    public func funnelVisits(_ filter: Filter, grouping: Grouping, split: Bool) async throws -> [OpportunityFunnel.Visits] {
        let query: SQLQueryString
        if filter.isPipelineOnly, grouping == .none, !split {
            query = """
                SELECT NULL AS grp, CAST(0 AS BIGINT) AS slot, v.stage, v.hours, count(*) AS n, CAST(sum(v.micros) AS BIGINT) AS micros
                FROM opportunity_stage_visits v WHERE v.pipeline = \(bind: filter.pipeline)
                GROUP BY v.stage, v.hours
                """
        } else {
            let slot: SQLQueryString = split ? "o.created_at / 900000000" : "CAST(0 AS BIGINT)"
            query = """
                SELECT \(grouping.column) AS grp, \(slot) AS slot, v.stage, v.hours, count(*) AS n, CAST(sum(v.micros) AS BIGINT) AS micros
                FROM opportunities o JOIN opportunity_stage_visits v ON v.opportunity_id = o.id
                WHERE \(filter.conditions)
                GROUP BY v.stage, v.hours\(Self.extraGroups(grouping, slot: split ? slot : nil))
                """
        }
        return try await sql.raw(query).all().map { row in
            OpportunityFunnel.Visits(group: try row.optionalText("grp"), createdAt: Self.slotStart(try row.int("slot"), split: split, filter),
                                     stage: try row.text("stage"), hours: try row.int("hours"), count: try row.int("n"), micros: try row.int("micros"))
        }
    }

    /// `, group, slot` for a GROUP BY (PostgreSQL refuses constants there).
    static func extraGroups(_ grouping: Grouping, slot: SQLQueryString?) -> SQLQueryString {
        var extra: SQLQueryString = ""
        if grouping != .none { extra += ", \(grouping.column)" as SQLQueryString }
        if let slot { extra += ", \(slot)" as SQLQueryString }
        return extra
    }

    static func slotStart(_ slot: Int64, split: Bool, _ filter: Filter) -> Date {
        split ? Date(microsSinceEpoch: slot * 900_000_000) : (filter.from ?? Date(microsSinceEpoch: 0))
    }

    // MARK: Forecast

    /// The forecast's two readings of today's opportunities in one scan (the index's order): the
    /// open pipeline with amounts per stage, currency, owner's probability and expected close date
    /// (the fold adds the dates into months), and every opportunity per stage, furthest open stage
    /// reached and currency (for the historical win rates).
    public func pipelineNow(_ filter: Filter, stages: OpportunityStages) async throws -> (open: [OpportunityForecast.OpenBucket], states: [OpportunityForecast.StateBucket]) {
        let query: SQLQueryString = """
            SELECT o.stage, o.status_category AS category, o.reached_stages AS reached, o.currency, CAST(o.probability AS BIGINT) AS probability,
                   o.expected_close_date AS close_date, count(*) AS n, count(o.amount_minor) AS priced, CAST(COALESCE(sum(o.amount_minor), 0) AS BIGINT) AS amount
            FROM opportunities o WHERE \(filter.conditions)
            GROUP BY o.stage, o.status_category, o.currency, o.probability, o.reached_stages, o.expected_close_date
            """
        var open: [OpportunityForecast.OpenBucket] = []
        var states: [OpportunityForecast.StateBucket] = []
        for row in try await sql.raw(query).all() {
            let stage = try row.text("stage"), currency = try row.optionalText("currency"), amount = try row.int("amount")
            states.append(OpportunityForecast.StateBucket(stage: stage, furthestRank: Self.furthest(try row.optionalText("reached"), stages),
                                                          currency: currency, count: try row.int("n"), amountMinor: amount))
            let category = try Self.category(row)
            let priced = try row.int("priced")
            guard category == .open || category == .dormant, let currency, priced > 0 else { continue }
            open.append(OpportunityForecast.OpenBucket(month: try row.optionalText("close_date").map { String($0.prefix(7)) }, stage: stage,
                                                       probabilityOverride: try row.optionalInt("probability").map { Int($0) }, currency: currency,
                                                       count: priced, amountMinor: amount))
        }
        return (open, states)
    }

    /// Opportunities per stage, furthest open stage reached and currency — now (`asOf` nil), or as
    /// they stood at `asOf` (the last history entry at or before it; opportunities created later
    /// are left out), with those of them won after `asOf`.
    public func states(_ filter: Filter, stages: OpportunityStages, asOf: Date?) async throws -> [OpportunityForecast.StateBucket] {
        // Now — and, at `asOf`, the opportunities unchanged since (their last entry before it): the row is the state,
        // the stages reached are on it, and none of them was won after `asOf`.
        var unchanged: SQLQueryString = "SELECT o.stage, o.reached_stages AS reached, o.currency, count(*) AS n, CAST(COALESCE(sum(o.amount_minor), 0) AS BIGINT) AS amount "
        unchanged += "FROM opportunities o WHERE \(filter.conditions)" as SQLQueryString
        if let asOf { unchanged += " AND o.created_at <= \(bind: asOf.microsSinceEpoch) AND o.stage_entered_at < \(bind: asOf.microsSinceEpoch)" as SQLQueryString }
        unchanged += " GROUP BY o.stage, o.status_category, o.currency, o.probability, o.reached_stages"
        var buckets = try await sql.raw(unchanged).all().map { row in
            OpportunityForecast.StateBucket(stage: try row.text("stage"), furthestRank: Self.furthest(try row.optionalText("reached"), stages),
                                            currency: try row.optionalText("currency"), count: try row.int("n"), amountMinor: try row.int("amount"))
        }
        guard let asOf else { return buckets }
        // Those changed since: their last history entry at or before `asOf` (the greatest (time, stage) key, time offset to a
        // fixed width) and the furthest stage reached by then, read from the history of these few only.
        let at = asOf.microsSinceEpoch
        let changed: SQLQueryString = """
            SELECT s.stage, s.top, s.currency, count(*) AS n, CAST(COALESCE(sum(s.amount_minor), 0) AS BIGINT) AS amount,
                   CAST(sum(s.won_after) AS BIGINT) AS won_after,
                   CAST(COALESCE(sum(CASE WHEN s.won_after = 1 THEN s.amount_minor ELSE 0 END), 0) AS BIGINT) AS won_after_amount
            FROM (
                SELECT o.id, o.currency, o.amount_minor, CAST(MAX(\(Self.rank("h.to_stage", stages))) AS BIGINT) AS top,
                       substr(MAX(CAST(h.at + 1000000000000000000 AS TEXT) || h.to_stage), 20) AS stage,
                       CASE WHEN o.status_category = 'won' AND o.closed_at >= \(bind: at) THEN 1 ELSE 0 END AS won_after
                FROM opportunities o JOIN stage_history h ON h.object = 'opportunity' AND h.record_id = o.id AND h.at <= \(bind: at)
                WHERE \(filter.conditions) AND o.created_at <= \(bind: at) AND o.stage_entered_at >= \(bind: at)
                GROUP BY o.id, o.currency, o.amount_minor, o.status_category, o.closed_at
            ) s
            GROUP BY s.stage, s.top, s.currency
            """
        buckets += try await sql.raw(changed).all().map { row in
            OpportunityForecast.StateBucket(stage: try row.text("stage"), furthestRank: Int(try row.optionalInt("top") ?? -1),
                                            currency: try row.optionalText("currency"), count: try row.int("n"), amountMinor: try row.int("amount"),
                                            wonAfter: try row.int("won_after"), wonAfterMinor: try row.int("won_after_amount"))
        }
        return buckets
    }

    // MARK: Planner rates

    /// Leads created in the filter's period by the reps (owner, team, source and scope as the filter's).
    public func leadsCreated(_ filter: Filter) async throws -> Int64 {
        var query: SQLQueryString = "SELECT count(*) AS n FROM leads o WHERE "
        query += Self.people(filter, person: "o.owner_id", team: "o.team_id = \(bind: filter.teamID?.rawValue ?? "")", at: "o.created_at")
        if let source = filter.source { query += " AND o.source = \(bind: source)" as SQLQueryString }
        return try await sql.raw(query).first().map { try $0.int("n") } ?? 0
    }

    /// Visits (activities of type `visit`) in the filter's period by the reps (the owner, the team's people, the scope).
    public func visits(_ filter: Filter) async throws -> Int64 {
        var query: SQLQueryString = "SELECT count(*) AS n FROM activities a WHERE a.type = 'visit' AND "
        query += Self.people(filter, person: "a.actor_id", team: "a.actor_id IN (SELECT id FROM users WHERE team_id = \(bind: filter.teamID?.rawValue ?? ""))",
                             at: "a.occurred_at")
        return try await sql.raw(query).first().map { try $0.int("n") } ?? 0
    }

    /// The filter's owner, team, scope and period on another table's person and time columns.
    static func people(_ filter: Filter, person: String, team: SQLQueryString, at: String) -> SQLQueryString {
        var query: SQLQueryString = "1 = 1"
        if let ownerID = filter.ownerID { query += " AND \(unsafeRaw: person) = \(bind: ownerID.rawValue)" as SQLQueryString }
        if filter.teamID != nil { query += " AND \(team)" as SQLQueryString }
        if let reps = filter.reps, let predicate = reps.predicate() {
            query += " AND \(unsafeRaw: person) IN (SELECT scope_rep.id FROM users scope_rep WHERE \(predicate))" as SQLQueryString
        }
        if let from = filter.from { query += " AND \(unsafeRaw: at) >= \(bind: from.microsSinceEpoch)" as SQLQueryString }
        if let to = filter.to { query += " AND \(unsafeRaw: at) < \(bind: to.microsSinceEpoch)" as SQLQueryString }
        return query
    }
}
