import Foundation

extension Performance {
    /// How far through a period `now` is: 0 before it starts, 1 once it is over, otherwise the
    /// elapsed share of its instants [from, to).
    public static func elapsedShare(now: Date, from: Date, to: Date) -> Double {
        guard to > from else { return 1 }
        if now <= from { return 0 }
        if now >= to { return 1 }
        return now.timeIntervalSince(from) / to.timeIntervalSince(from)
    }

    /// A person's standing in a period, for a manager's team view (预警).
    public struct Pace: Sendable, Equatable {
        /// The lowest attainment among the figures that have a target (nil: no target).
        public var lowest: Attainment?
        /// The key of that figure.
        public var lowestKey: Key?
        /// Some targeted figure is below the elapsed share of the period.
        public var behind: Bool

        /// Compares each targeted figure's attainment with `elapsed` (0…1).
        public init(_ figures: [(key: Key, attainment: Attainment?)], elapsed: Double) {
            var lowest: (Key, Attainment)?
            for figure in figures {
                guard let attainment = figure.attainment else { continue }
                if lowest == nil || attainment.ratio < lowest!.1.ratio || (attainment.ratio == lowest!.1.ratio && figure.key < lowest!.0) {
                    lowest = (figure.key, attainment)
                }
            }
            self.lowest = lowest?.1
            lowestKey = lowest?.0
            behind = lowest.map { $0.1.ratio < elapsed } ?? false
        }
    }

    /// Whole days from `last` to `now` (nil when there was none); 0 on the same instant or later.
    public static func daysSince(_ last: Date?, now: Date) -> Int? {
        guard let last else { return nil }
        return max(0, Int(now.timeIntervalSince(last) / 86_400))
    }
}
