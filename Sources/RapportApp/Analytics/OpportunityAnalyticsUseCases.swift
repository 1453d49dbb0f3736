import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Pipeline analytics: the summary (win rate, revenue, cycle), the stage funnel, sales velocity,
/// forecasts with a back-test, and the reverse-funnel planner. Scoped as opportunity lists are, on
/// the owner: a rep sees their own numbers, a manager their team subtree's, an administrator (or
/// analyst) everyone's. Every aggregate runs in SQL; the core folds the buckets.
public struct OpportunityAnalyticsUseCases: Sendable {
    let rapport: Rapport

    /// What a report asks for, as the caller sent it (query parameters).
    public struct Query: Sendable {
        public var pipeline: String?
        public var owner: String?
        public var team: String?
        public var source: String?
        public var currency: String?
        /// RFC 3339, or a date (`2026-01-31`: the start of that day in the time zone; as `to`, its end). Both optional: all time.
        public var from: String?
        public var to: String?
        /// `created` (default) or `closed`: which instant the period applies to.
        public var dateField: String?
        public var interval: String?
        public var timeZone: String?
        public var groupBy: String?
        /// The back-test's instant (forecast), as `from`.
        public var asOf: String?
        /// The planner's target: minor units and currency.
        public var targetMinor: String?
        public var targetCurrency: String?

        public init(pipeline: String? = nil, owner: String? = nil, team: String? = nil, source: String? = nil, currency: String? = nil,
                    from: String? = nil, to: String? = nil, dateField: String? = nil, interval: String? = nil, timeZone: String? = nil,
                    groupBy: String? = nil, asOf: String? = nil, targetMinor: String? = nil, targetCurrency: String? = nil) {
            self.pipeline = pipeline
            self.owner = owner
            self.team = team
            self.source = source
            self.currency = currency
            self.from = from
            self.to = to
            self.dateField = dateField
            self.interval = interval
            self.timeZone = timeZone
            self.groupBy = groupBy
            self.asOf = asOf
            self.targetMinor = targetMinor
            self.targetCurrency = targetCurrency
        }
    }

    /// A checked query: the pipeline's stages, the store's filter, the periods.
    public struct Frame: Sendable {
        public var stages: OpportunityStages
        public var filter: OpportunityAnalyticsStore.Filter
        public var interval: AnalyticsInterval
        public var timeZone: TimeZone
        public var periods: AnalyticsPeriods { AnalyticsPeriods(interval, timeZone: timeZone) }
    }

    /// Checks the query's filters (every bad one named, 422) against the opportunity dictionary.
    func frame(_ query: Query, reps: ScopeFilter, _ sql: any SQLDatabase, check: inout Validator) async throws -> Frame {
        let dictionary = try await DictionaryUseCases.load(.opportunity, sql, template: rapport.settings.dictionaryTemplate)
        let pipelines = dictionary.pipelinesOrDefault
        let pipeline = query.pipeline.map { key in pipelines.first { $0.key == key } } ?? pipelines.first
        if pipeline == nil { check.add("pipeline", "invalid", "pipeline is one of: \(pipelines.map(\.key).joined(separator: ", ")).") }
        var zone = TimeZone.gmt
        if let name = query.timeZone {
            if let parsed = TimeZone(identifier: name) { zone = parsed } else { check.add("time_zone", "invalid", "time_zone must be an IANA time zone such as Asia/Shanghai.") }
        }
        let interval = AnalyticsInterval(rawValue: query.interval ?? "none")
        if interval == nil { check.add("interval", "invalid", "interval is day, week, month or none.") }
        let dateField = OpportunityAnalyticsStore.Filter.DateField(rawValue: query.dateField ?? "created")
        if dateField == nil { check.add("date_field", "invalid", "date_field is created or closed.") }
        let (from, to) = LeadAnalyticsUseCases.openPeriod(from: query.from, to: query.to, zone: zone, check: &check)
        var owner: RecordID?
        if let text = query.owner {
            owner = RecordID(parsing: text, prefix: .user)
            if owner == nil { check.add("owner_id", "invalid", "owner_id is not a user id.") }
        }
        var team: RecordID?
        if let text = query.team {
            team = RecordID(parsing: text, prefix: .team)
            if team == nil { check.add("team_id", "invalid", "team_id is not a team id.") }
        }
        if let source = query.source, source.isEmpty || source.count > 100 { check.add("source", "invalid", "source is a source key of 1 to 100 characters.") }
        let currency = query.currency.map { $0.uppercased() }
        if let currency, !Self.isCurrency(currency) { check.add("currency", "invalid", "currency is an ISO 4217 code such as USD.") }
        let filter = OpportunityAnalyticsStore.Filter(
            pipeline: pipeline?.key ?? "", ownerID: owner, teamID: team, source: query.source, currency: currency, from: from, to: to,
            dateField: dateField ?? .created, reps: reps.scope == .all ? nil : reps)
        return Frame(stages: OpportunityStages(pipeline ?? PipelineDefinition(key: "", label: LocalizedText(zhHans: "", en: ""), initialStage: "", stages: [])),
                     filter: filter, interval: interval ?? .none, timeZone: zone)
    }

    static func isCurrency(_ code: String) -> Bool { code.count == 3 && code.allSatisfy { $0.isASCII && $0.isUppercase } }

    /// Runs a report on a read of the database after checking its query.
    func report<T: Sendable>(_ query: Query, by caller: Caller, extra: @escaping @Sendable (inout Validator) -> Void = { _ in },
                             _ body: @escaping @Sendable (Frame, any SQLDatabase) async throws -> T) async throws -> T {
        let reps = try await rapport.scope(caller, .read, .opportunity, anchor: .userTable, table: "scope_rep")
        return try await rapport.database.read { sql in
            var check = Validator()
            let frame = try await frame(query, reps: reps, sql, check: &check)
            extra(&check)
            try check.finish()
            return try await body(frame, sql)
        }
    }

    // MARK: Summary and velocity

    /// The summary of the pipeline's opportunities the filters select.
    public struct Summary: Sendable {
        public var frame: Frame
        public var summary: OpportunitySummary
    }

    public func summary(_ query: Query, by caller: Caller) async throws -> Summary {
        try await report(query, by: caller) { frame, sql in
            Summary(frame: frame, summary: OpportunitySummary.fold(try await OpportunityAnalyticsStore(sql).summary(frame.filter), stages: frame.stages))
        }
    }

    /// Sales velocity per currency, with its inputs (the summary).
    public struct Velocity: Sendable {
        public var frame: Frame
        public var summary: OpportunitySummary
        public var velocities: [OpportunityVelocity]
        public var missing: [String]
    }

    public func velocity(_ query: Query, by caller: Caller) async throws -> Velocity {
        let summary = try await summary(query, by: caller)
        let computed = OpportunityVelocity.compute(summary.summary)
        return Velocity(frame: summary.frame, summary: summary.summary, velocities: computed.velocities, missing: computed.missing)
    }

    // MARK: Funnel

    /// The stage funnel: rows per group and period, and the total.
    public struct Funnel: Sendable {
        public var frame: Frame
        public var grouping: OpportunityAnalyticsStore.Grouping
        public var funnel: OpportunityFunnel
        public var rows: [(key: OpportunityFunnel.Key, counts: OpportunityFunnel.Counts)]
        public var total: OpportunityFunnel.Counts
    }

    public func funnel(_ query: Query, by caller: Caller) async throws -> Funnel {
        let grouping = OpportunityAnalyticsStore.Grouping(rawValue: query.groupBy ?? "none")
        return try await report(query, by: caller, extra: { check in
            if grouping == nil { check.add("group_by", "invalid", "group_by is owner, team, source or none.") }
        }) { frame, sql in
            let store = OpportunityAnalyticsStore(sql)
            let split = frame.interval != .none
            let cohorts = try await store.funnelCohorts(frame.filter, stages: frame.stages, grouping: grouping!, split: split)
            let visits = try await store.funnelVisits(frame.filter, grouping: grouping!, split: split)
            let funnel = OpportunityFunnel(frame.stages)
            let rows = funnel.fold(cohorts, visits: visits, periods: frame.periods)
            return Funnel(frame: frame, grouping: grouping!, funnel: funnel, rows: rows.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                          total: rows.values.reduce(OpportunityFunnel.Counts(), +))
        }
    }
}

extension Rapport {
    public var opportunityAnalytics: OpportunityAnalyticsUseCases { OpportunityAnalyticsUseCases(rapport: self) }
}
