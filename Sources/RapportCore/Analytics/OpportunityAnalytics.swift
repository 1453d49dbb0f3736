import Foundation

/// A ratio kept as its two counts: shown as a decimal (for presentation) and as integer basis
/// points (rounded half-up), never stored as a float. Undefined (nil) when the denominator is 0.
public struct AnalyticsRatio: Sendable, Equatable {
    public var numerator: Int64
    public var denominator: Int64

    public init(_ numerator: Int64, over denominator: Int64) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// numerator ÷ denominator, or nil for an empty denominator.
    public var value: Double? { denominator == 0 ? nil : Double(numerator) / Double(denominator) }

    /// The ratio in basis points (1 % = 100), rounded half-up; nil for an empty denominator.
    public var basisPoints: Int64? { denominator <= 0 ? nil : Rounding.halfUp.scale(numerator, by: 10_000, over: denominator) }
}

/// The stages of one pipeline as the opportunity analytics read them: the open stages in pipeline
/// order (a funnel: an opportunity that reached one has passed the ones before it), then the won
/// and lost stages. Dormant stages count as open.
public struct OpportunityStages: Sendable, Equatable {
    public let pipeline: PipelineDefinition
    /// Open (and dormant) stage keys in order.
    public let open: [String]
    public let won: [String]
    public let lost: [String]

    public init(_ pipeline: PipelineDefinition) {
        self.pipeline = pipeline
        open = pipeline.stages.filter { !$0.category.isClosed }.map(\.key)
        won = pipeline.stages.filter { $0.category == .won }.map(\.key)
        lost = pipeline.stages.filter { $0.category == .lost }.map(\.key)
    }

    /// Every stage: open in order, then won, then lost.
    public var all: [String] { open + won + lost }

    /// The funnel rank of an open stage (0 = first); nil for a closed or unknown stage.
    public func rank(_ stage: String) -> Int? { open.firstIndex(of: stage) }

    /// Open stage ranks for SQL: key → rank.
    public var ranks: [(key: String, rank: Int)] { open.enumerated().map { ($0.element, $0.offset) } }

    public func category(_ stage: String) -> StageCategory {
        if won.contains(stage) { return .won }
        if lost.contains(stage) { return .lost }
        return .open
    }

    /// The chance of winning in a stage, 0–100: the owner's override while open, else the stage's.
    public func probability(of stage: String, override: Int?) -> Int64 {
        if category(stage) == .open, let override { return Int64(max(0, min(100, override))) }
        return Int64(pipeline.probability(of: stage))
    }
}

/// Money per currency: ISO code → minor units.
public typealias AmountsByCurrency = [String: Int64]

extension Dictionary where Key == String, Value == Int64 {
    /// Adds `amount` to `currency`'s total, holding at the Int64 bounds.
    mutating func add(_ amount: Int64, _ currency: String) {
        let (sum, overflow) = self[currency, default: 0].addingReportingOverflow(amount)
        self[currency] = overflow ? (amount < 0 ? Int64.min : Int64.max) : sum
    }
}

/// Integer helpers of the analytics folds (money never passes through floating point).
enum AnalyticsMath {
    /// ⌈a ÷ b⌉ for a ≥ 0, b > 0.
    static func ceilDiv(_ a: Int128, _ b: Int128) -> Int128 { (a + b - 1) / b }

    /// a ÷ b rounded half-up for a ≥ 0, b > 0.
    static func roundDiv(_ a: Int128, _ b: Int128) -> Int128 { (a * 2 + b) / (b * 2) }

    static func clamp(_ value: Int128) -> Int64 { Int64(clamping: value) }
}
