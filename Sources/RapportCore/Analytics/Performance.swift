import Foundation

/// Actuals (业绩), targets and attainment (达成率) per rep and per team, and rankings (排行榜/PK):
/// pure folds over the per-rep aggregates the store has grouped in SQL. A team's figure is the sum
/// over the reps of its whole subtree, so a team's actual always equals the sum of its reps'.
public enum Performance {
    /// A metric in a currency (nil for counts): the unit a figure is in.
    public struct Key: Sendable, Hashable, Comparable {
        public var metric: TargetMetric
        public var currency: String?

        public init(metric: TargetMetric, currency: String?) {
            self.metric = metric
            self.currency = metric.isMoney ? currency : nil
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.metric, lhs.currency ?? "") < (rhs.metric, rhs.currency ?? "") }
    }

    /// One aggregate: a rep's figure on a metric (in a currency).
    public struct Actual: Sendable, Equatable {
        public var userID: RecordID
        public var key: Key
        public var value: Int64

        public init(userID: RecordID, metric: TargetMetric, currency: String?, value: Int64) {
            self.userID = userID
            self.key = Key(metric: metric, currency: currency)
            self.value = value
        }
    }

    /// The figures of one subject, per key.
    public typealias Figures = [Key: Int64]

    /// Adds the aggregates up per rep.
    public static func byUser(_ actuals: [Actual]) -> [RecordID: Figures] {
        var result: [RecordID: Figures] = [:]
        for actual in actuals { result[actual.userID, default: [:]][actual.key, default: 0] += actual.value }
        return result
    }

    /// Rolls per-rep figures up to every team above each rep: a team's figure is the sum over the
    /// reps whose team is it or below it. `teamOf` maps reps to their team, `parentOf` teams to
    /// their parent (nil at the root); a cycle in the parents is walked once.
    public static func byTeam(_ users: [RecordID: Figures], teamOf: [RecordID: RecordID], parentOf: [RecordID: RecordID]) -> [RecordID: Figures] {
        var result: [RecordID: Figures] = [:]
        for (user, figures) in users {
            var seen: Set<RecordID> = []
            var team = teamOf[user]
            while let current = team, seen.insert(current).inserted {
                for (key, value) in figures { result[current, default: [:]][key, default: 0] += value }
                team = parentOf[current]
            }
        }
        return result
    }

    /// Actual ÷ target: the ratio and the same in basis points (10 000 = 100 %, rounded down).
    public struct Attainment: Sendable, Equatable {
        public var ratio: Double
        public var basisPoints: Int64

        /// Nil when there is no target, or the target is not above zero.
        public init?(actual: Int64, target: Int64?) {
            guard let target, target > 0 else { return nil }
            ratio = Double(actual) / Double(target)
            let (scaled, overflow) = actual.multipliedReportingOverflow(by: 10_000)
            basisPoints = overflow ? Self.clamped((ratio * 10_000).rounded(.down)) : Self.floorDivide(scaled, target)
        }

        static func clamped(_ value: Double) -> Int64 {
            value >= 9.2e18 ? .max : value <= -9.2e18 ? .min : Int64(value)
        }

        static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
            let quotient = value / divisor
            return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
        }
    }

    /// A place on a leaderboard.
    public struct Place<Subject: Sendable & Hashable>: Sendable, Hashable {
        public var subject: Subject
        public var value: Int64
        /// Competition ranking: equal values share a rank and the next rank skips (1, 2, 2, 4).
        public var rank: Int
    }

    /// Ranks subjects by value, highest first; ties share a rank and are listed in `order`'s order.
    public static func ranked<Subject: Sendable & Hashable>(_ values: [(Subject, Int64)], order: (Subject, Subject) -> Bool) -> [Place<Subject>] {
        let sorted = values.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : order($0.0, $1.0) }
        var places: [Place<Subject>] = []
        places.reserveCapacity(sorted.count)
        for (index, entry) in sorted.enumerated() {
            let rank = index > 0 && places[index - 1].value == entry.1 ? places[index - 1].rank : index + 1
            places.append(Place(subject: entry.0, value: entry.1, rank: rank))
        }
        return places
    }

    /// Targets per subject and key over a period's months (a quarter's target is its months' sum).
    public static func targets(_ targets: [Target]) -> [Target.Subject: Figures] {
        var result: [Target.Subject: Figures] = [:]
        for target in targets { result[target.subject, default: [:]][target.key, default: 0] += target.amount }
        return result
    }
}
