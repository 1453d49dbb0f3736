import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Lead analytics: turnover per rep, team or source, and the lead funnel per source. Scoped as
/// lead lists are: a rep sees their own numbers, a manager their team subtree's, an administrator
/// (or analyst) everyone's.
public struct LeadAnalyticsUseCases: Sendable {
    let rapport: Rapport

    /// What a report asks for, as the caller sent it.
    public struct Query: Sendable {
        /// RFC 3339, or a date (`2026-01-31`: the start of that day in the time zone; as `to`, its end).
        public var from: String?
        public var to: String?
        public var interval: String?
        public var timeZone: String?
        public var groupBy: String?

        public init(from: String? = nil, to: String? = nil, interval: String? = nil, timeZone: String? = nil, groupBy: String? = nil) {
            self.from = from
            self.to = to
            self.interval = interval
            self.timeZone = timeZone
            self.groupBy = groupBy
        }
    }

    /// A report's frame: the range [from, to), how it is split, in which time zone.
    public struct Frame: Sendable {
        public var from: Date
        public var to: Date
        public var interval: AnalyticsInterval
        public var timeZone: TimeZone
        public var periods: AnalyticsPeriods { AnalyticsPeriods(interval, timeZone: timeZone) }
    }

    /// The longest range a report covers.
    public static let maximumDays = 3_660

    /// Checks the query's range, interval and time zone. The time zone defaults to the `default`
    /// lead pool's, else UTC; the range to the 30 days before now.
    func frame(_ query: Query, _ sql: any SQLDatabase) async throws -> Frame {
        var check = Validator()
        var zone = TimeZone.gmt
        if let name = query.timeZone {
            if let parsed = TimeZone(identifier: name) { zone = parsed } else { check.add("time_zone", "invalid", "time_zone must be an IANA time zone such as Asia/Shanghai.") }
        } else if let pool = try await PoolStore(sql).find(key: "default"), let parsed = TimeZone(identifier: pool.rules.timeZone) {
            zone = parsed
        }
        let interval = AnalyticsInterval(rawValue: query.interval ?? "none")
        if interval == nil { check.add("interval", "invalid", "interval is day, week, month or none.") }
        // The default end includes this instant (what happened "now" is in the report).
        let now = rapport.clock.now().addingTimeInterval(0.001)
        let to = query.to.map { Self.instant($0, zone: zone, endOfDay: true) } ?? now
        let from = query.from.map { Self.instant($0, zone: zone, endOfDay: false) } ?? (to ?? now).addingTimeInterval(-30 * 86_400)
        Self.checkRange(from: from, to: to, check: &check)
        try check.finish()
        return Frame(from: from!, to: to!, interval: interval!, timeZone: zone)
    }

    /// A report's range: both ends readable, in order, at most ``maximumDays`` long.
    static func checkRange(from: Date?, to: Date?, check: inout Validator) {
        if to == nil { check.add("to", "invalid", "to is an RFC 3339 time or a date (YYYY-MM-DD).") }
        if from == nil { check.add("from", "invalid", "from is an RFC 3339 time or a date (YYYY-MM-DD).") }
        if let from, let to {
            if from >= to { check.add("from", "invalid", "from must be before to.") } else if to.timeIntervalSince(from) > Double(maximumDays) * 86_400 {
                check.add("to", "out_of_range", "A report covers at most \(maximumDays) days.")
            }
        }
    }

    /// A period whose ends are each optional: RFC 3339 times or dates in `zone` (`to` counts through
    /// its end), nil where not given. An unreadable end, or a period that does not move forward, is
    /// named in `check` (at `from` or `to`).
    static func openPeriod(from: String?, to: String?, zone: TimeZone, check: inout Validator) -> (from: Date?, to: Date?) {
        let start = from.map { instant($0, zone: zone, endOfDay: false) }
        let end = to.map { instant($0, zone: zone, endOfDay: true) }
        if case .some(.none) = start { check.add("from", "invalid", "from is an RFC 3339 time or a date (YYYY-MM-DD).") }
        if case .some(.none) = end { check.add("to", "invalid", "to is an RFC 3339 time or a date (YYYY-MM-DD).") }
        if let start = start ?? nil, let end = end ?? nil, start >= end { check.add("from", "invalid", "from must be before to.") }
        return (start ?? nil, end ?? nil)
    }

    /// An RFC 3339 time, or a date's start (or, for `endOfDay`, the next day's start) in `zone`.
    static func instant(_ text: String, zone: TimeZone, endOfDay: Bool) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        let parts = text.split(separator: "-").map { Int($0) }
        guard parts.count == 3, text.count == 10, let year = parts[0], let month = parts[1], let day = parts[2] else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.component(.day, from: start) == day, calendar.component(.month, from: start) == month
        else { return nil }
        return endOfDay ? calendar.date(byAdding: .day, value: 1, to: start) : start
    }

    /// The reps whose numbers the caller sees (nil = everyone): the lead read scope on users.
    func repScope(_ caller: Caller) async throws -> ScopeFilter? {
        let scope = try await rapport.scope(caller, .read, .lead, anchor: .userTable, table: "scope_rep")
        return scope.scope == .all ? nil : scope
    }

    // MARK: Turnover

    /// Lead turnover: rows per group and period, the total, and source labels.
    public struct Turnover: Sendable {
        public var frame: Frame
        public var grouping: LeadTurnover.Grouping
        public var rows: [(key: LeadTurnover.Key, counts: LeadTurnover.Counts)]
        public var total: LeadTurnover.Counts
        public var sourceLabels: [String: String]
    }

    public func turnover(_ query: Query, by caller: Caller) async throws -> Turnover {
        let reps = try await repScope(caller)
        return try await rapport.database.read { sql in
            let frame = try await frame(query, sql)
            guard let grouping = LeadTurnover.Grouping(rawValue: query.groupBy ?? "rep") else {
                throw RapportError.validation([FieldError(field: "group_by", code: "invalid", message: "group_by is rep, team, source or none.")])
            }
            let store = LeadAnalyticsStore(sql)
            let visible = try await store.reps(reps ?? ScopeFilter(caller.effectivePrincipal, .all, kind: .lead, anchor: .userTable, table: "scope_rep"))
            let fold = LeadTurnover.Fold(from: frame.from, to: frame.to, periods: frame.periods, grouping: grouping, teams: visible.teams,
                                         reps: reps == nil ? nil : visible.ids)
            let result = try await store.turnover(into: fold, reps: reps)
            let labels = grouping == .source ? try await LeadStore(sql).sourceLabels() : [:]
            return Turnover(frame: frame, grouping: grouping, rows: result.sorted, total: result.total, sourceLabels: labels)
        }
    }

    // MARK: Funnel

    /// The lead funnel: its stages, rows per source (and group, period), the total, source labels.
    public struct Funnel: Sendable {
        public var frame: Frame
        public var groupBy: String?
        public var funnel: LeadFunnel
        public var rows: [(key: LeadFunnel.Key, counts: LeadFunnel.Counts)]
        public var total: LeadFunnel.Counts
        public var sourceLabels: [String: String]
    }

    public func funnel(_ query: Query, by caller: Caller) async throws -> Funnel {
        let scope = try await rapport.scope(caller, .read, .lead, anchor: .owner(column: "owner_id"), table: "l")
        let template = rapport.settings.dictionaryTemplate
        return try await rapport.database.read { sql in
            let frame = try await frame(query, sql)
            let column: String?
            switch query.groupBy ?? "source" {
            case "source": column = nil
            case "rep": column = "owner_id"
            case "team": column = "team_id"
            default: throw RapportError.validation([FieldError(field: "group_by", code: "invalid", message: "group_by is source, rep or team (rows are always per source).")])
            }
            let funnel = LeadFunnel(try await DictionaryUseCases.load(.lead, sql, template: template))
            let cohorts = try await LeadAnalyticsStore(sql).funnelCohorts(funnel, from: frame.from, to: frame.to, group: column,
                                                                          split: frame.interval != .none, scope: scope.scope == .all ? nil : scope)
            let rows = funnel.fold(cohorts, periods: frame.periods)
            var total = LeadFunnel.Counts()
            for counts in rows.values {
                total.created += counts.created
                for (stage, count) in counts.reached { total.reached[stage, default: 0] += count }
            }
            return Funnel(frame: frame, groupBy: column == nil ? nil : query.groupBy, funnel: funnel,
                          rows: rows.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, total: total,
                          sourceLabels: try await LeadStore(sql).sourceLabels())
        }
    }
}

extension Rapport {
    public var leadAnalytics: LeadAnalyticsUseCases { LeadAnalyticsUseCases(rapport: self) }
}
