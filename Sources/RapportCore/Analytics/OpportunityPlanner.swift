import Foundation

/// The reverse-funnel planner (seed 003: "to close one customer we need 15 leads and 5 visits"):
/// from a revenue target and the historical rates, how many won deals, opportunities, visits and
/// leads it takes. Each figure is rounded up (a deal is whole); a figure whose rate is missing is
/// nil and the rate is named, never invented.
public enum OpportunityPlanner {
    /// The historical rates the plan uses; nil = no data.
    public struct Rates: Sendable, Equatable {
        /// The average won deal in the target's currency (minor units).
        public var averageWonDealMinor: Int64?
        /// won ÷ closed.
        public var winRate: AnalyticsRatio?
        /// opportunities ÷ leads (created in the same period).
        public var leadToOpportunity: AnalyticsRatio?
        /// visits ÷ won deals (in the same period).
        public var visitsPerWonDeal: AnalyticsRatio?

        public init(averageWonDealMinor: Int64?, winRate: AnalyticsRatio?, leadToOpportunity: AnalyticsRatio?, visitsPerWonDeal: AnalyticsRatio?) {
            self.averageWonDealMinor = averageWonDealMinor
            self.winRate = winRate
            self.leadToOpportunity = leadToOpportunity
            self.visitsPerWonDeal = visitsPerWonDeal
        }
    }

    /// What the target needs.
    public struct Plan: Sendable, Equatable {
        public var wonDeals: Int64?
        public var opportunities: Int64?
        public var visits: Int64?
        public var leads: Int64?
        /// The rates that were missing (average_won_deal, win_rate, lead_to_opportunity, visits_per_won_deal).
        public var missingRates: [String]
    }

    /// ⌈target ÷ average won deal⌉ won deals; ⌈won deals ÷ win rate⌉ opportunities; ⌈opportunities ÷
    /// lead-to-opportunity rate⌉ leads; ⌈won deals × visits per won deal⌉ visits.
    public static func plan(targetMinor: Int64, rates: Rates) -> Plan {
        var missing: [String] = []
        var won: Int64?
        if let average = rates.averageWonDealMinor, average > 0 {
            won = AnalyticsMath.clamp(AnalyticsMath.ceilDiv(Int128(max(targetMinor, 0)), Int128(average)))
        } else {
            missing.append("average_won_deal")
        }
        var opportunities: Int64?
        if let rate = rates.winRate, rate.numerator > 0, rate.denominator > 0 {
            opportunities = won.map { AnalyticsMath.clamp(AnalyticsMath.ceilDiv(Int128($0) * Int128(rate.denominator), Int128(rate.numerator))) }
        } else {
            missing.append("win_rate")
        }
        var leads: Int64?
        if let rate = rates.leadToOpportunity, rate.numerator > 0, rate.denominator > 0 {
            leads = opportunities.map { AnalyticsMath.clamp(AnalyticsMath.ceilDiv(Int128($0) * Int128(rate.denominator), Int128(rate.numerator))) }
        } else {
            missing.append("lead_to_opportunity")
        }
        var visits: Int64?
        if let rate = rates.visitsPerWonDeal, rate.denominator > 0 {
            visits = won.map { AnalyticsMath.clamp(AnalyticsMath.ceilDiv(Int128($0) * Int128(rate.numerator), Int128(rate.denominator))) }
        } else {
            missing.append("visits_per_won_deal")
        }
        return Plan(wonDeals: won, opportunities: opportunities, visits: visits, leads: leads, missingRates: missing)
    }
}
