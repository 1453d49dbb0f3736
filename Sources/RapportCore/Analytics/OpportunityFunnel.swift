import Foundation

/// The stage funnel of a pipeline per owner, team or source and period: how many opportunities
/// are in each stage now, how many ever reached it (from the stage history: an opportunity that
/// reached a stage has passed the open stages before it, and a won one every open stage), the
/// conversion rate to the next stage, and the average and median time spent in it (completed
/// visits, from consecutive history entries). Folded from buckets the store aggregates in SQL.
public struct OpportunityFunnel: Sendable {
    public let stages: OpportunityStages

    public init(_ stages: OpportunityStages) { self.stages = stages }

    /// A row: the group (an owner or team id, a source; nil = none) and the period start (nil = not split).
    public typealias Key = LeadTurnover.Key

    /// Opportunities sharing a group, creation time, furthest open stage in the history and current stage.
    public struct Cohort: Sendable, Equatable {
        public var group: String?
        public var createdAt: Date
        /// The furthest open stage's rank in the history (-1: none).
        public var furthestRank: Int
        public var stage: String
        public var count: Int64

        public init(group: String?, createdAt: Date, furthestRank: Int, stage: String, count: Int64) {
            self.group = group
            self.createdAt = createdAt
            self.furthestRank = furthestRank
            self.stage = stage
            self.count = count
        }
    }

    /// Completed visits to a stage sharing a group, creation time and whole hours spent (a row of the store).
    public struct Visits: Sendable, Equatable {
        public var group: String?
        public var createdAt: Date
        public var stage: String
        public var hours: Int64
        public var count: Int64
        /// Σ of the visits' lengths in microseconds.
        public var micros: Int64

        public init(group: String?, createdAt: Date, stage: String, hours: Int64, count: Int64, micros: Int64) {
            self.group = group
            self.createdAt = createdAt
            self.stage = stage
            self.hours = hours
            self.count = count
            self.micros = micros
        }
    }

    /// Time spent in one stage: completed visits, their total, and the lengths by whole hour.
    public struct Durations: Sendable, Equatable {
        public var visits: Int64 = 0
        public var micros: Int64 = 0
        /// Whole hours → (visits, Σ micros).
        public var byHour: [Int64: (count: Int64, micros: Int64)] = [:]

        public init() {}

        public static func == (lhs: Durations, rhs: Durations) -> Bool {
            lhs.visits == rhs.visits && lhs.micros == rhs.micros && lhs.byHour.count == rhs.byHour.count
                && lhs.byHour.allSatisfy { key, value in rhs.byHour[key].map { $0 == value } ?? false }
        }

        mutating func add(hours: Int64, count: Int64, micros: Int64) {
            visits += count
            self.micros += micros
            let current = byHour[hours] ?? (0, 0)
            byHour[hours] = (current.count + count, current.micros + micros)
        }

        /// The average visit in microseconds (rounded half-up).
        public var averageMicros: Int64? { visits == 0 ? nil : Rounding.halfUp.scale(micros, by: 1, over: visits) }

        /// The median visit in microseconds: the middle visit (the mean of the two middle ones for an
        /// even count), each visit standing for its hour's average (exact when an hour's visits are equal).
        public var medianMicros: Int64? {
            guard visits > 0 else { return nil }
            let hours = byHour.keys.sorted()
            func value(at index: Int64) -> Int64 {
                var seen: Int64 = 0
                for hour in hours {
                    let bucket = byHour[hour]!
                    seen += bucket.count
                    if index < seen { return Rounding.halfUp.scale(bucket.micros, by: 1, over: bucket.count) }
                }
                return 0
            }
            if visits % 2 == 1 { return value(at: visits / 2) }
            let (low, high) = (value(at: visits / 2 - 1), value(at: visits / 2))
            return AnalyticsMath.clamp(AnalyticsMath.roundDiv(Int128(low) + Int128(high), 2))
        }
    }

    /// The numbers of one row.
    public struct Counts: Sendable, Equatable {
        public var total: Int64 = 0
        /// Opportunities in each stage now, and those that ever reached it (by stage key).
        public var current: [String: Int64] = [:]
        public var reached: [String: Int64] = [:]
        public var durations: [String: Durations] = [:]

        public init() {}

        public static func + (lhs: Counts, rhs: Counts) -> Counts {
            var sum = lhs
            sum.total += rhs.total
            for (stage, count) in rhs.current { sum.current[stage, default: 0] += count }
            for (stage, count) in rhs.reached { sum.reached[stage, default: 0] += count }
            for (stage, durations) in rhs.durations {
                for (hour, bucket) in durations.byHour { sum.durations[stage, default: Durations()].add(hours: hour, count: bucket.count, micros: bucket.micros) }
            }
            return sum
        }
    }

    /// Adds cohorts and visits into rows by group and period (of the opportunities' creation).
    public func fold(_ cohorts: [Cohort], visits: [Visits], periods: AnalyticsPeriods) -> [Key: Counts] {
        var rows: [Key: Counts] = [:]
        for cohort in cohorts {
            let key = Key(group: cohort.group, period: periods.start(of: cohort.createdAt))
            var counts = rows[key] ?? Counts()
            counts.total += cohort.count
            counts.current[cohort.stage, default: 0] += cohort.count
            for stage in reached(furthestRank: cohort.furthestRank, stage: cohort.stage) { counts.reached[stage, default: 0] += cohort.count }
            rows[key] = counts
        }
        for visit in visits {
            let key = Key(group: visit.group, period: periods.start(of: visit.createdAt))
            rows[key, default: Counts()].durations[visit.stage, default: Durations()].add(hours: visit.hours, count: visit.count, micros: visit.micros)
        }
        return rows
    }

    /// The stages an opportunity reached: the open stages up to the furthest in its history (or its
    /// current open stage, or the first), every open stage and its won stage when won; its lost stage when lost.
    public func reached(furthestRank: Int, stage: String) -> [String] {
        let open = stages.open
        switch stages.category(stage) {
        case .won: return open + [stage]
        case .lost: return Array(open.prefix(max(furthestRank, 0) + 1)) + [stage]
        case .open, .dormant: return Array(open.prefix(max(furthestRank, stages.rank(stage) ?? 0, 0) + 1))
        }
    }

    /// The rate from each open stage to the next in the funnel (the last open stage's next is won):
    /// reached(next) ÷ reached(stage).
    public func conversion(_ counts: Counts) -> [String: AnalyticsRatio] {
        var result: [String: AnalyticsRatio] = [:]
        let open = stages.open
        for (index, stage) in open.enumerated() {
            let next = index + 1 < open.count ? counts.reached[open[index + 1]] ?? 0 : stages.won.reduce(0) { $0 + (counts.reached[$1] ?? 0) }
            result[stage] = AnalyticsRatio(next, over: counts.reached[stage] ?? 0)
        }
        return result
    }
}
