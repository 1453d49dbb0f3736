import Foundation

/// The pipeline summary of a set of opportunities: how many are open, won and lost, the win rate
/// (won ÷ closed), won revenue and the average won deal per currency, the average sales cycle
/// (created → closed, of the won), and the open pipeline's amount and weighted amount per currency.
/// Folded from buckets the store aggregates in SQL.
public struct OpportunitySummary: Sendable, Equatable {
    /// Opportunities sharing a category, stage, owner's probability and currency (a row of the store).
    public struct Bucket: Sendable, Equatable {
        public var category: StageCategory
        public var stage: String
        public var probabilityOverride: Int?
        public var currency: String?
        public var count: Int64
        /// Of them, those with an amount, and the amounts' sum (minor units).
        public var withAmount: Int64
        public var amountMinor: Int64
        /// Σ (closed − created) over the closed ones, in microseconds (negative spans count 0).
        public var cycleMicros: Int64

        public init(category: StageCategory, stage: String, probabilityOverride: Int? = nil, currency: String?, count: Int64,
                    withAmount: Int64, amountMinor: Int64, cycleMicros: Int64 = 0) {
            self.category = category
            self.stage = stage
            self.probabilityOverride = probabilityOverride
            self.currency = currency
            self.count = count
            self.withAmount = withAmount
            self.amountMinor = amountMinor
            self.cycleMicros = cycleMicros
        }
    }

    public var open: Int64 = 0
    public var won: Int64 = 0
    public var lost: Int64 = 0
    /// Won amounts per currency, and how many won deals had an amount in that currency.
    public var wonAmount: AmountsByCurrency = [:]
    public var wonDeals: [String: Int64] = [:]
    /// Σ (closed − created) of the won, in microseconds.
    public var wonCycleMicros: Int64 = 0
    /// The open pipeline per currency: amounts, and amount × probability (rounded half-up once per stage).
    public var openAmount: AmountsByCurrency = [:]
    public var weightedAmount: AmountsByCurrency = [:]
    /// Open opportunities without an amount (in no currency's pipeline).
    public var openWithoutAmount: Int64 = 0

    public init() {}

    /// won ÷ (won + lost).
    public var winRate: AnalyticsRatio { AnalyticsRatio(won, over: won + lost) }

    public var total: Int64 { open + won + lost }

    /// The average won deal per currency (minor units, rounded half-up).
    public var averageWonDeal: AmountsByCurrency {
        var result: AmountsByCurrency = [:]
        for (currency, amount) in wonAmount {
            if let deals = wonDeals[currency], deals > 0 { result[currency] = Rounding.halfUp.scale(amount, by: 1, over: deals) }
        }
        return result
    }

    /// The average sales cycle of the won, in microseconds (rounded half-up); nil with none won.
    public var averageCycleMicros: Int64? { won == 0 ? nil : Rounding.halfUp.scale(wonCycleMicros, by: 1, over: won) }

    /// The average sales cycle in days (for presentation).
    public var averageCycleDays: Double? { averageCycleMicros.map { Double($0) / 86_400_000_000 } }

    /// Folds the store's buckets, weighting open amounts by `stages`' probabilities (the owner's override first).
    public static func fold(_ buckets: [Bucket], stages: OpportunityStages) -> OpportunitySummary {
        var summary = OpportunitySummary()
        for bucket in buckets {
            switch bucket.category {
            case .won:
                summary.won += bucket.count
                summary.wonCycleMicros += bucket.cycleMicros
                if let currency = bucket.currency, bucket.withAmount > 0 {
                    summary.wonAmount.add(bucket.amountMinor, currency)
                    summary.wonDeals[currency, default: 0] += bucket.withAmount
                }
            case .lost:
                summary.lost += bucket.count
            case .open, .dormant:
                summary.open += bucket.count
                summary.openWithoutAmount += bucket.count - bucket.withAmount
                if let currency = bucket.currency, bucket.withAmount > 0 {
                    summary.openAmount.add(bucket.amountMinor, currency)
                    let probability = stages.probability(of: bucket.stage, override: bucket.probabilityOverride)
                    summary.weightedAmount.add(Rounding.halfUp.scale(bucket.amountMinor, by: probability, over: 100), currency)
                }
            }
        }
        return summary
    }
}

/// Sales velocity (how much revenue the pipeline makes per day): open opportunities × average won
/// deal × win rate ÷ average sales cycle, per currency of the won deals, computed in integers.
public struct OpportunityVelocity: Sendable, Equatable {
    public var currency: String
    public var openOpportunities: Int64
    public var averageWonDealMinor: Int64
    public var winRate: AnalyticsRatio
    public var averageCycleMicros: Int64
    /// Minor units per day, rounded half-up.
    public var perDayMinor: Int64

    /// The velocity per currency with a won deal, or — when an input is missing (nothing closed,
    /// nothing won with an amount, a zero-length cycle) — nothing, and the missing inputs' names.
    public static func compute(_ summary: OpportunitySummary) -> (velocities: [OpportunityVelocity], missing: [String]) {
        var missing: [String] = []
        let rate = summary.winRate
        if rate.denominator == 0 { missing.append("win_rate") }
        let averages = summary.averageWonDeal
        if averages.isEmpty { missing.append("average_won_deal") }
        let cycle = summary.averageCycleMicros ?? 0
        if cycle <= 0 { missing.append("average_sales_cycle") }
        guard missing.isEmpty else { return ([], missing) }
        let velocities = averages.keys.sorted().map { currency in
            let average = averages[currency] ?? 0
            let numerator = Int128(summary.open) * Int128(average) * Int128(rate.numerator) * 86_400_000_000
            let perDay = AnalyticsMath.roundDiv(numerator, Int128(rate.denominator) * Int128(cycle))
            return OpportunityVelocity(currency: currency, openOpportunities: summary.open, averageWonDealMinor: average, winRate: rate,
                                       averageCycleMicros: cycle, perDayMinor: AnalyticsMath.clamp(perDay))
        }
        return (velocities, [])
    }
}
