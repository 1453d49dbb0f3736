import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OpportunityAnalyticsUseCases {
    /// The forecasts of the open pipeline, and (with `as_of`) the back-test of the historical one.
    /// `weighted` is per expected-close month, with the historical forecast per month beside it.
    public struct Forecast: Sendable {
        public var frame: Frame
        public var weighted: [OpportunityForecast.MonthRow]
        public var historical: OpportunityForecast.Historical
        public var asOf: Date?
        public var backTest: OpportunityForecast.Historical?
    }

    public func forecast(_ query: Query, by caller: Caller) async throws -> Forecast {
        let now = rapport.clock.now()
        let asOf: Date?? = query.asOf.map { LeadAnalyticsUseCases.instant($0, zone: TimeZone(identifier: query.timeZone ?? "UTC") ?? .gmt, endOfDay: false) }
        let instant = asOf ?? nil
        return try await report(query, by: caller, extra: { check in
            if case .some(.none) = asOf { check.add("as_of", "invalid", "as_of is an RFC 3339 time or a date (YYYY-MM-DD).") }
            if let instant, instant >= now { check.add("as_of", "out_of_range", "as_of must be in the past.") }
        }) { frame, sql in
            let store = OpportunityAnalyticsStore(sql)
            let current = try await store.pipelineNow(frame.filter, stages: frame.stages)
            let historical = OpportunityForecast.historical(current.states, stages: frame.stages)
            let weighted = OpportunityForecast.weighted(current.open, stages: frame.stages, rates: historical)
            var backTest: OpportunityForecast.Historical?
            if let instant {
                backTest = OpportunityForecast.historical(try await store.states(frame.filter, stages: frame.stages, asOf: instant), stages: frame.stages)
            }
            return Forecast(frame: frame, weighted: weighted, historical: historical, asOf: instant, backTest: backTest)
        }
    }

    /// The reverse-funnel plan for a revenue target, with the rates it used.
    public struct Plan: Sendable {
        public var frame: Frame
        public var target: Money
        public var rates: OpportunityPlanner.Rates
        public var leadsCreated: Int64
        public var opportunitiesCreated: Int64
        public var visits: Int64
        public var plan: OpportunityPlanner.Plan
    }

    /// Plans `target_minor` `target_currency` from the rates of the filtered period (by creation):
    /// the average won deal in that currency, the win rate, opportunities per lead and visits per won deal.
    public func plan(_ query: Query, by caller: Caller) async throws -> Plan {
        let minor = query.targetMinor.flatMap { Int64($0) }
        let currency = query.targetCurrency?.uppercased()
        var cleared = query
        cleared.dateField = nil
        return try await report(cleared, by: caller, extra: { check in
            if query.dateField != nil { check.add("date_field", "invalid", "The planner reads rates of opportunities created in the period.") }
            if query.targetMinor == nil { check.add("target_minor", "required", "target_minor (the revenue target in minor units) is required.") } else if minor == nil || minor! <= 0 {
                check.add("target_minor", "invalid", "target_minor is a positive whole number of minor units.")
            }
            if let currency { if !Self.isCurrency(currency) { check.add("target_currency", "invalid", "target_currency is an ISO 4217 code such as USD.") } } else {
                check.add("target_currency", "required", "target_currency is required.")
            }
        }) { frame, sql in
            let store = OpportunityAnalyticsStore(sql)
            let summary = OpportunitySummary.fold(try await store.summary(frame.filter), stages: frame.stages)
            let leads = try await store.leadsCreated(frame.filter)
            let visits = try await store.visits(frame.filter)
            let currency = currency!
            let rates = OpportunityPlanner.Rates(
                averageWonDealMinor: summary.averageWonDeal[currency], winRate: summary.winRate.denominator > 0 ? summary.winRate : nil,
                leadToOpportunity: leads > 0 ? AnalyticsRatio(summary.total, over: leads) : nil,
                visitsPerWonDeal: summary.won > 0 && visits > 0 ? AnalyticsRatio(visits, over: summary.won) : nil)
            return Plan(frame: frame, target: Money(minor!, currency), rates: rates, leadsCreated: leads, opportunitiesCreated: summary.total,
                        visits: visits, plan: OpportunityPlanner.plan(targetMinor: minor!, rates: rates))
        }
    }
}
