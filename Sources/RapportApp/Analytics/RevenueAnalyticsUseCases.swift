import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Revenue and collections per period (`GET /api/v1/analytics/revenue`): contracts signed, deals
/// won, money received, refunded and written off, per currency. Scoped on the owner: orders and
/// their money as the caller may read orders, won deals as they may read opportunities.
public struct RevenueAnalyticsUseCases: Sendable {
    let rapport: Rapport

    /// What a report asks for, as the caller sent it (query parameters).
    public struct Query: Sendable {
        /// RFC 3339, or a date (its start in the time zone; as `to`, its end). Default: the first
        /// day of the month eleven months ago, to now — the last twelve months.
        public var from: String?
        public var to: String?
        /// `day`, `week`, `month` (default) or `none`.
        public var interval: String?
        /// IANA; default the business time zone.
        public var timeZone: String?
        public var owner: String?
        public var team: String?
        public var currency: String?

        public init(from: String? = nil, to: String? = nil, interval: String? = nil, timeZone: String? = nil, owner: String? = nil,
                    team: String? = nil, currency: String? = nil) {
            self.from = from
            self.to = to
            self.interval = interval
            self.timeZone = timeZone
            self.owner = owner
            self.team = team
            self.currency = currency
        }
    }

    /// The report: its range (instants and business days), periods and totals per currency.
    public struct Report: Sendable {
        public var from: Date
        public var to: Date
        public var firstDay: CalendarDate
        public var lastDay: CalendarDate
        public var interval: AnalyticsInterval
        public var timeZone: TimeZone
        public var rows: [RevenueReport.Row]
        public var totals: [RevenueReport.Row]
    }

    public func report(_ query: Query, by caller: Caller) async throws -> Report {
        let orderReps = try await rapport.scope(caller, .read, .order, anchor: .userTable, table: "scope_rep")
        let opportunityReps = try await rapport.scope(caller, .read, .opportunity, anchor: .userTable, table: "scope_rep")
        var check = Validator()
        var zone = rapport.settings.businessTimeZone
        if let name = query.timeZone {
            if let parsed = TimeZone(identifier: name) { zone = parsed } else { check.add("time_zone", "invalid", "time_zone must be an IANA time zone such as Asia/Shanghai.") }
        }
        let interval = AnalyticsInterval(rawValue: query.interval ?? "month")
        if interval == nil { check.add("interval", "invalid", "interval is day, week, month or none.") }
        let now = rapport.clock.now()
        let to = query.to.map { LeadAnalyticsUseCases.instant($0, zone: zone, endOfDay: true) } ?? now.addingTimeInterval(0.001)
        let twelveMonths = CalendarDate(now, in: zone).adding(months: -11)
        let from = query.from.map { LeadAnalyticsUseCases.instant($0, zone: zone, endOfDay: false) }
            ?? LeadAnalyticsUseCases.instant(CalendarDate(year: twelveMonths.year, month: twelveMonths.month, day: 1)!.description, zone: zone, endOfDay: false)
        LeadAnalyticsUseCases.checkRange(from: from, to: to, check: &check)
        let owner = query.owner.map { RecordID(parsing: $0, prefix: .user) }
        if case .some(.none) = owner { check.add("owner_id", "invalid", "owner_id is not a user id.") }
        let team = query.team.map { RecordID(parsing: $0, prefix: .team) }
        if case .some(.none) = team { check.add("team_id", "invalid", "team_id is not a team id.") }
        let currency = query.currency.map { $0.uppercased() }
        if let currency, !OpportunityAnalyticsUseCases.isCurrency(currency) { check.add("currency", "invalid", "currency is an ISO 4217 code such as CNY.") }
        try check.finish()
        guard let from, let to, let interval else { throw RapportError.validation(check.errors) }
        let filter = RevenueStore.Filter(ownerID: owner ?? nil, teamID: team ?? nil, currency: currency, from: from, to: to, timeZone: zone,
                                         orderReps: orderReps.scope == .all ? nil : orderReps,
                                         opportunityReps: opportunityReps.scope == .all ? nil : opportunityReps)
        let entries = try await rapport.database.read { sql in try await RevenueStore(sql).entries(filter) }
        let (rows, totals) = RevenueReport.fold(entries, interval: interval)
        return Report(from: filter.from, to: filter.to, firstDay: filter.firstDay, lastDay: filter.lastDay, interval: interval, timeZone: zone,
                      rows: rows, totals: totals)
    }
}

extension Rapport {
    public var revenueAnalytics: RevenueAnalyticsUseCases { RevenueAnalyticsUseCases(rapport: self) }
}
