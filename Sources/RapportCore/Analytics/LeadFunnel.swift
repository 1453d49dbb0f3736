import Foundation

/// The lead funnel per source (and rep, team, period): leads created, how many reached each stage
/// of the lead dictionary — read from the status history, so a lead that went on (or was judged
/// invalid later) still counts for the stages it passed — and the conversion rate.
///
/// The funnel's stages are the dictionary's open and won stages in order (new → contacting →
/// qualified → converted): a lead that reached one has passed the ones before it. Lost stages
/// (invalid) are counted beside the funnel.
public struct LeadFunnel: Sendable {
    /// A stage of the funnel.
    public struct Stage: Sendable, Equatable {
        public var key: String
        public var label: LocalizedText
        public var category: StageCategory
    }

    /// The stages in funnel order, then the lost stages.
    public let stages: [Stage]
    let rank: [String: Int]
    let lost: Set<String>

    public init(_ dictionary: ObjectDictionary) {
        let funnel = dictionary.stages.filter { $0.category != .lost && $0.category != .dormant }
        let lost = dictionary.stages.filter { $0.category == .lost }
        stages = (funnel + lost).map { Stage(key: $0.key, label: $0.label, category: $0.category) }
        var rank: [String: Int] = [:]
        for (index, stage) in funnel.enumerated() { rank[stage.key] = index }
        self.rank = rank
        self.lost = Set(lost.map(\.key))
    }

    /// The stages a funnel rank reaches, for SQL: key → rank (-1 for stages outside the funnel).
    public var ranks: [(key: String, rank: Int)] { stages.map { ($0.key, rank[$0.key] ?? -1) } }
    public var lostKeys: [String] { lost.sorted() }

    /// A row: the source, the rep or team (when asked for), the period start (when split).
    public struct Key: Hashable, Sendable, Comparable {
        public var source: String?
        public var group: String?
        public var period: Date?

        public init(source: String?, group: String?, period: Date?) {
            self.source = source
            self.group = group
            self.period = period
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.source ?? "", lhs.group ?? "", lhs.period ?? .distantPast) < (rhs.source ?? "", rhs.group ?? "", rhs.period ?? .distantPast)
        }
    }

    /// The numbers of one row.
    public struct Counts: Sendable, Equatable {
        public var created: Int64 = 0
        /// Leads that reached each funnel stage (by key), and each lost stage.
        public var reached: [String: Int64] = [:]

        public init() {}
    }

    /// Leads sharing a source, group, period, furthest funnel stage and lost flag (an aggregate row of the store).
    public struct Cohort: Sendable, Equatable {
        public var source: String?
        public var group: String?
        public var createdAt: Date
        /// The furthest funnel stage in the history (rank), and the current status.
        public var furthestRank: Int
        public var status: String
        public var lostStage: String?
        public var leads: Int64

        public init(source: String?, group: String?, createdAt: Date, furthestRank: Int, status: String, lostStage: String?, leads: Int64) {
            self.source = source
            self.group = group
            self.createdAt = createdAt
            self.furthestRank = furthestRank
            self.status = status
            self.lostStage = lostStage
            self.leads = leads
        }
    }

    /// Adds cohorts into rows by group and period.
    public func fold(_ cohorts: [Cohort], periods: AnalyticsPeriods) -> [Key: Counts] {
        var rows: [Key: Counts] = [:]
        let funnel = stages.filter { !lost.contains($0.key) }
        for cohort in cohorts {
            let key = Key(source: cohort.source, group: cohort.group, period: periods.start(of: cohort.createdAt))
            var counts = rows[key] ?? Counts()
            counts.created += cohort.leads
            let furthest = max(cohort.furthestRank, rank[cohort.status] ?? -1, 0)
            for (index, stage) in funnel.enumerated() where index <= furthest { counts.reached[stage.key, default: 0] += cohort.leads }
            let lostStage = cohort.lostStage ?? (lost.contains(cohort.status) ? cohort.status : nil)
            if let lostStage { counts.reached[lostStage, default: 0] += cohort.leads }
            rows[key] = counts
        }
        return rows
    }

    /// The won stages' keys (what conversion means).
    public var wonKeys: [String] { stages.filter { $0.category == .won }.map(\.key) }

    /// Converted leads of a row: those that reached a won stage.
    public func converted(_ counts: Counts) -> Int64 { wonKeys.map { counts.reached[$0] ?? 0 }.max() ?? 0 }
}
