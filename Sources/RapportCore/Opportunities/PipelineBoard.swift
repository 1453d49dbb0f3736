/// The kanban of one pipeline: per stage, how many opportunities, their amount per currency and the
/// amount weighted by each one's probability. A pure fold of grouped sums, so the database adds up
/// and this decides probabilities and rounding.
///
/// Weighted amounts are exact until one final rounding per stage and currency:
/// `round(Σ amount × probability ÷ 100)`, half-up by default, in 128-bit integers (no floating point).
public enum PipelineBoard {
    /// Opportunities of one stage that share a currency and a probability override.
    public struct Group: Sendable, Equatable {
        public var stage: String
        /// Nil for opportunities without an amount (they count, but add no money).
        public var currency: String?
        /// The owners' override (open opportunities only); nil uses the stage's probability.
        public var probabilityOverride: Int?
        public var count: Int
        public var amountMinor: Int64

        public init(stage: String, currency: String?, probabilityOverride: Int?, count: Int, amountMinor: Int64) {
            self.stage = stage
            self.currency = currency
            self.probabilityOverride = probabilityOverride
            self.count = count
            self.amountMinor = amountMinor
        }
    }

    /// One column of the board.
    public struct Column: Sendable, Equatable {
        public var stage: StageDefinition
        /// The stage's probability (what opportunities without an override are weighted by).
        public var probability: Int
        public var count: Int
        /// Amounts per currency, in currency order.
        public var amount: [Money]
        /// Weighted amounts per currency, in currency order.
        public var weighted: [Money]
    }

    /// The whole board: the columns in pipeline order, and the totals of its open stages.
    public struct Summary: Sendable, Equatable {
        public var columns: [Column]
        public var openCount: Int
        public var openAmount: [Money]
        public var openWeighted: [Money]
    }

    /// Folds grouped sums into columns: every active stage of `pipeline` (archived ones only while
    /// they hold opportunities), in the pipeline's order. Groups of stages the pipeline does not
    /// know are left out.
    public static func fold(_ groups: [Group], pipeline: PipelineDefinition, rounding: Rounding = .halfUp) -> Summary {
        var totals: [String: Totals] = [:]
        var open = Totals()
        for group in groups {
            guard let stage = pipeline.stage(group.stage) else { continue }
            let closed = stage.category.isClosed
            let probability = (closed ? nil : group.probabilityOverride) ?? pipeline.probability(of: stage.key)
            totals[stage.key, default: Totals()].add(group, probability: probability)
            if stage.category == .open { open.add(group, probability: probability) }
        }
        let columns = pipeline.stages.compactMap { stage -> Column? in
            let sums = totals[stage.key] ?? Totals()
            if stage.archived && sums.count == 0 { return nil }
            return Column(stage: stage, probability: pipeline.probability(of: stage.key), count: sums.count,
                          amount: sums.amounts(), weighted: sums.weighted(rounding))
        }
        return Summary(columns: columns, openCount: open.count, openAmount: open.amounts(), openWeighted: open.weighted(rounding))
    }

    /// Running sums per currency: the plain amount and amount × probability (exact, 128-bit).
    struct Totals {
        var count = 0
        var amount: [String: Int128] = [:]
        var weightedHundredths: [String: Int128] = [:]

        mutating func add(_ group: Group, probability: Int) {
            count += group.count
            guard let currency = group.currency else { return }
            amount[currency, default: 0] += Int128(group.amountMinor)
            weightedHundredths[currency, default: 0] += Int128(group.amountMinor) * Int128(probability)
        }

        func amounts() -> [Money] {
            amount.keys.sorted().map { Money(Int64(clamping: amount[$0] ?? 0), $0) }
        }

        func weighted(_ rounding: Rounding) -> [Money] {
            weightedHundredths.keys.sorted().map { currency in
                Money(PipelineBoard.divide(weightedHundredths[currency] ?? 0, by: 100, rounding), currency)
            }
        }
    }

    /// `value ÷ divisor` rounded by `rounding`, clamped to 64 bits.
    static func divide(_ value: Int128, by divisor: Int128, _ rounding: Rounding) -> Int64 {
        let negative = value < 0
        let magnitude = negative ? -value : value
        var quotient = magnitude / divisor
        let twice = (magnitude % divisor) * 2
        switch rounding {
        case .down: break
        case .halfUp: if twice >= divisor { quotient += 1 }
        case .halfEven: if twice > divisor || (twice == divisor && quotient % 2 == 1) { quotient += 1 }
        }
        return Int64(clamping: negative ? -quotient : quotient)
    }
}
