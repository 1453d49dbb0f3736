import Foundation

/// Revenue forecasts of the open pipeline, in integers:
/// - weighted: Σ amount × probability (the owner's override while open, else the stage's) per
///   expected-close month and currency;
/// - historical: each open opportunity's amount × the historical win rate of its stage — of the
///   closed opportunities that reached that stage, the share that were won;
/// - a back-test of the historical forecast: the pipeline as it stood at a past instant, forecast
///   with rates learned only from what had closed by then, against what of it was won afterwards.
public enum OpportunityForecast {
    // MARK: Weighted

    /// Open opportunities sharing an expected-close month (`YYYY-MM`, nil = none), stage, override and currency.
    public struct OpenBucket: Sendable, Equatable {
        public var month: String?
        public var stage: String
        public var probabilityOverride: Int?
        public var currency: String
        public var count: Int64
        public var amountMinor: Int64

        public init(month: String?, stage: String, probabilityOverride: Int? = nil, currency: String, count: Int64, amountMinor: Int64) {
            self.month = month
            self.stage = stage
            self.probabilityOverride = probabilityOverride
            self.currency = currency
            self.count = count
            self.amountMinor = amountMinor
        }
    }

    /// A month's open pipeline in one currency.
    public struct MonthRow: Sendable, Equatable {
        public var month: String?
        public var currency: String
        public var count: Int64 = 0
        public var amountMinor: Int64 = 0
        public var weightedMinor: Int64 = 0
        /// With historical rates applied (``weighted(_:stages:rates:)``): the month's amount per open
        /// stage × that stage's historical win rate, and the amount in stages without a rate.
        public var historicalMinor: Int64 = 0
        public var withoutRateMinor: Int64 = 0
    }

    /// The weighted pipeline per expected-close month (no month last) and currency.
    public static func weighted(_ buckets: [OpenBucket], stages: OpportunityStages) -> [MonthRow] {
        struct Key: Hashable { var month: String?; var currency: String }
        var rows: [Key: MonthRow] = [:]
        for bucket in buckets {
            let key = Key(month: bucket.month, currency: bucket.currency)
            var row = rows[key] ?? MonthRow(month: bucket.month, currency: bucket.currency)
            row.count += bucket.count
            row.amountMinor += bucket.amountMinor
            row.weightedMinor += Rounding.halfUp.scale(bucket.amountMinor, by: stages.probability(of: bucket.stage, override: bucket.probabilityOverride), over: 100)
            rows[key] = row
        }
        return rows.values.sorted { ($0.month ?? "~", $0.currency) < ($1.month ?? "~", $1.currency) }
    }

    /// The weighted pipeline per month, with the historical forecast per month beside it: each
    /// month's amount per open stage and currency × the stage's win rate in `rates` (rounded half-up
    /// once per month, stage and currency); an amount in a stage without a rate forecasts nothing and
    /// is counted in `withoutRateMinor`.
    public static func weighted(_ buckets: [OpenBucket], stages: OpportunityStages, rates: Historical) -> [MonthRow] {
        struct Key: Hashable { var month: String?; var currency: String; var stage: String }
        var amounts: [Key: Int64] = [:]
        for bucket in buckets { amounts[Key(month: bucket.month, currency: bucket.currency, stage: bucket.stage), default: 0] += bucket.amountMinor }
        let rateOf = Dictionary(rates.stages.map { ($0.stage, $0.winRate) }, uniquingKeysWith: { first, _ in first })
        var historical: [String: (forecast: Int64, without: Int64)] = [:]
        for (key, amount) in amounts {
            let row = "\(key.month ?? "")|\(key.currency)"
            var sums = historical[row] ?? (0, 0)
            if let rate = rateOf[key.stage], rate.denominator > 0 {
                sums.forecast += Rounding.halfUp.scale(amount, by: rate.numerator, over: rate.denominator)
            } else {
                sums.without += amount
            }
            historical[row] = sums
        }
        return weighted(buckets, stages: stages).map { row in
            var row = row
            let sums = historical["\(row.month ?? "")|\(row.currency)"] ?? (0, 0)
            row.historicalMinor = sums.forecast
            row.withoutRateMinor = sums.without
            return row
        }
    }

    // MARK: Historical

    /// Opportunities sharing their stage at an instant, the furthest open stage their history had
    /// reached by then, and currency; with the amounts, and those of them won after the instant.
    public struct StateBucket: Sendable, Equatable {
        public var stage: String
        public var furthestRank: Int
        public var currency: String?
        public var count: Int64
        public var amountMinor: Int64
        public var wonAfter: Int64
        public var wonAfterMinor: Int64

        public init(stage: String, furthestRank: Int, currency: String?, count: Int64, amountMinor: Int64, wonAfter: Int64 = 0, wonAfterMinor: Int64 = 0) {
            self.stage = stage
            self.furthestRank = furthestRank
            self.currency = currency
            self.count = count
            self.amountMinor = amountMinor
            self.wonAfter = wonAfter
            self.wonAfterMinor = wonAfterMinor
        }
    }

    /// One open stage: its historical win rate, the open pipeline in it, and the forecast per currency.
    public struct StageRow: Sendable, Equatable {
        public var stage: String
        /// won ÷ closed, of the closed opportunities that reached the stage.
        public var winRate: AnalyticsRatio
        public var open: Int64 = 0
        public var openAmount: AmountsByCurrency = [:]
        /// amount × win rate (rounded half-up per currency); empty when the stage has no closed history.
        public var forecast: AmountsByCurrency = [:]
        /// Of the open, those won after the instant, and their amounts (a back-test's actuals).
        public var wonAfter: Int64 = 0
        public var wonAfterAmount: AmountsByCurrency = [:]
    }

    /// The historical forecast: per open stage, and the totals per currency.
    public struct Historical: Sendable, Equatable {
        public var stages: [StageRow]
        public var forecast: AmountsByCurrency
        public var openAmount: AmountsByCurrency
        public var actual: AmountsByCurrency
        public var wonAfter: Int64
        /// Open stages holding opportunities with amounts but no closed history to learn a rate from.
        public var stagesWithoutRate: [String]

        /// (forecast − actual) ÷ actual per currency, in basis points (rounded half-up); missing where nothing was won.
        public var errorBasisPoints: [String: Int64] {
            var result: [String: Int64] = [:]
            for (currency, actual) in actual where actual > 0 {
                result[currency] = Rounding.halfUp.scale((forecast[currency] ?? 0) - actual, by: 10_000, over: actual)
            }
            return result
        }
    }

    /// Learns each open stage's win rate from the closed buckets and applies it to the open ones.
    public static func historical(_ buckets: [StateBucket], stages: OpportunityStages) -> Historical {
        let funnel = OpportunityFunnel(stages)
        var closed: [String: Int64] = [:]
        var won: [String: Int64] = [:]
        for bucket in buckets where stages.category(bucket.stage).isClosed {
            let isWon = stages.category(bucket.stage) == .won
            for stage in funnel.reached(furthestRank: bucket.furthestRank, stage: bucket.stage) where stages.rank(stage) != nil {
                closed[stage, default: 0] += bucket.count
                if isWon { won[stage, default: 0] += bucket.count }
            }
        }
        var rows = stages.open.map { StageRow(stage: $0, winRate: AnalyticsRatio(won[$0] ?? 0, over: closed[$0] ?? 0)) }
        for bucket in buckets {
            guard let rank = stages.rank(bucket.stage) else { continue }
            rows[rank].open += bucket.count
            rows[rank].wonAfter += bucket.wonAfter
            if let currency = bucket.currency {
                rows[rank].openAmount.add(bucket.amountMinor, currency)
                rows[rank].wonAfterAmount.add(bucket.wonAfterMinor, currency)
            }
        }
        var forecast: AmountsByCurrency = [:]
        var openAmount: AmountsByCurrency = [:]
        var actual: AmountsByCurrency = [:]
        var missing: [String] = []
        for index in rows.indices {
            let rate = rows[index].winRate
            for (currency, amount) in rows[index].openAmount {
                openAmount.add(amount, currency)
                guard rate.denominator > 0 else { continue }
                let share = Rounding.halfUp.scale(amount, by: rate.numerator, over: rate.denominator)
                rows[index].forecast[currency] = share
                forecast.add(share, currency)
            }
            for (currency, amount) in rows[index].wonAfterAmount { actual.add(amount, currency) }
            if rate.denominator == 0, !rows[index].openAmount.isEmpty { missing.append(rows[index].stage) }
        }
        return Historical(stages: rows, forecast: forecast, openAmount: openAmount, actual: actual,
                          wonAfter: rows.reduce(0) { $0 + $1.wonAfter }, stagesWithoutRate: missing)
    }
}
