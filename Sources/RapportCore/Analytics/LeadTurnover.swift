import Foundation

/// Lead turnover per rep, team or source and period, folded from the assignment log: leads
/// received, claimed, released and reclaimed, conversions, how long reps hold leads, and how
/// often a lead that went back to a pool and was claimed again converts. Pure: the store streams
/// each lead's log (oldest first) into ``Fold/add(_:)``.
public enum LeadTurnover {
    /// What rows are grouped by (besides the period).
    public enum Grouping: String, Sendable, CaseIterable {
        case rep, team, source, none
    }

    /// One ownership change of a lead (a row of the assignment log).
    public struct Event: Sendable, Equatable {
        public var kind: LeadAssignment.Kind
        public var from: RecordID?
        public var to: RecordID?
        public var at: Date

        public init(kind: LeadAssignment.Kind, from: RecordID? = nil, to: RecordID? = nil, at: Date) {
            self.kind = kind
            self.from = from
            self.to = to
            self.at = at
        }
    }

    /// A lead's log up to the end of the report, oldest first, with its source and conversion.
    public struct LeadLog: Sendable, Equatable {
        public var source: String?
        public var convertedAt: Date?
        public var events: [Event]

        public init(source: String? = nil, convertedAt: Date? = nil, events: [Event]) {
            self.source = source
            self.convertedAt = convertedAt
            self.events = events
        }
    }

    /// A row's group (a rep or team id, a source key; nil = none) and period start (nil = not split).
    public struct Key: Hashable, Sendable, Comparable {
        public var group: String?
        public var period: Date?

        public init(group: String?, period: Date?) {
            self.group = group
            self.period = period
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            if lhs.group != rhs.group { return (lhs.group ?? "") < (rhs.group ?? "") || (lhs.group == nil && rhs.group != nil) }
            return (lhs.period ?? .distantPast) < (rhs.period ?? .distantPast)
        }
    }

    /// The numbers of one row. Sums add up across groups; the averages and rates are derived.
    public struct Counts: Sendable, Equatable {
        /// Ownership changes to the rep: created owned, claimed, assigned, handed over.
        public var received: Int64 = 0
        public var claimed: Int64 = 0
        /// Given back to the pool by the rep, and taken back from the rep by the reclaim job.
        public var released: Int64 = 0
        public var reclaimed: Int64 = 0
        /// Converted by the owner at conversion.
        public var converted: Int64 = 0
        /// Holding intervals that ended in the period, and their total length.
        public var holdingIntervals: Int64 = 0
        public var holdingMicros: Int64 = 0
        /// Leads claimed again after going back to a pool (at their last such claim), and of those the converted.
        public var reclaimedLeads: Int64 = 0
        public var convertedAfterReclaim: Int64 = 0

        public init() {}

        /// Hours a rep held a lead, on average over intervals that ended in the period.
        public var averageHoldingHours: Double? {
            holdingIntervals == 0 ? nil : Double(holdingMicros) / Double(holdingIntervals) / 3_600_000_000
        }

        /// Share of the re-claimed leads that converted after the re-claim.
        public var reclaimConversionRate: Double? {
            reclaimedLeads == 0 ? nil : Double(convertedAfterReclaim) / Double(reclaimedLeads)
        }

        public static func + (lhs: Counts, rhs: Counts) -> Counts {
            var sum = lhs
            sum.received += rhs.received
            sum.claimed += rhs.claimed
            sum.released += rhs.released
            sum.reclaimed += rhs.reclaimed
            sum.converted += rhs.converted
            sum.holdingIntervals += rhs.holdingIntervals
            sum.holdingMicros += rhs.holdingMicros
            sum.reclaimedLeads += rhs.reclaimedLeads
            sum.convertedAfterReclaim += rhs.convertedAfterReclaim
            return sum
        }
    }

    /// The fold over leads' logs for the report [from, to).
    public struct Fold: Sendable {
        public let from: Date
        public let to: Date
        public let periods: AnalyticsPeriods
        public let grouping: Grouping
        /// Each rep's team (for grouping by team).
        public let teams: [RecordID: RecordID]
        /// The reps whose numbers the report shows (nil = everyone, and numbers of no rep).
        public let reps: Set<RecordID>?
        public private(set) var rows: [Key: Counts] = [:]

        public init(from: Date, to: Date, periods: AnalyticsPeriods, grouping: Grouping, teams: [RecordID: RecordID] = [:], reps: Set<RecordID>? = nil) {
            self.from = from
            self.to = to
            self.periods = periods
            self.grouping = grouping
            self.teams = teams
            self.reps = reps
        }

        /// Every row's numbers added up.
        public var total: Counts { rows.values.reduce(Counts(), +) }

        /// The rows in group and period order.
        public var sorted: [(key: Key, counts: Counts)] { rows.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

        mutating func count(_ rep: RecordID?, at date: Date, source: String?, _ change: (inout Counts) -> Void) {
            guard date >= from, date < to else { return }
            if let reps { guard let rep, reps.contains(rep) else { return } }
            let group: String? = switch grouping {
            case .rep: rep?.rawValue
            case .team: rep.flatMap { teams[$0] }?.rawValue
            case .source: source
            case .none: nil
            }
            change(&rows[Key(group: group, period: periods.start(of: date)), default: Counts()])
        }

        /// Folds one lead's log in.
        public mutating func add(_ lead: LeadLog) {
            var owner: RecordID?
            var since = from
            var returned = false
            var lastReclaim: (rep: RecordID, at: Date)?
            var convertedHandled = false
            let source = lead.source

            func close(_ end: Date) {
                guard let holder = owner else { return }
                count(holder, at: end, source: source) { counts in
                    counts.holdingIntervals += 1
                    counts.holdingMicros += max(0, end.microsSinceEpoch - since.microsSinceEpoch)
                }
            }
            func convert(_ at: Date) {
                convertedHandled = true
                count(owner, at: at, source: source) { $0.converted += 1 }
                close(at)
                owner = nil
            }

            for event in lead.events where event.at < to {
                if let converted = lead.convertedAt, event.at > converted {
                    convert(converted)
                    break
                }
                let next: RecordID? = event.kind == .release || event.kind == .reclaim ? nil : event.to
                switch event.kind {
                case .create, .claim, .assign, .handover:
                    if let to = event.to {
                        count(to, at: event.at, source: source) { $0.received += 1 }
                        if event.kind == .claim { count(to, at: event.at, source: source) { $0.claimed += 1 } }
                    }
                case .release:
                    count(event.from ?? owner, at: event.at, source: source) { $0.released += 1 }
                case .reclaim:
                    count(event.from ?? owner, at: event.at, source: source) { $0.reclaimed += 1 }
                }
                if owner != nil, next != owner { close(event.at) }
                if let next, next != owner { since = event.at }
                owner = next
                switch event.kind {
                case .release, .reclaim: returned = true
                case .claim:
                    if returned, let to = event.to { lastReclaim = (to, event.at) }
                    returned = false
                case .assign, .handover, .create: returned = false
                }
            }
            if let converted = lead.convertedAt, !convertedHandled, converted < to { convert(converted) }
            if let last = lastReclaim, last.at >= from {
                let after = lead.convertedAt.map { $0 >= last.at && $0 < to } ?? false
                count(last.rep, at: last.at, source: source) { counts in
                    counts.reclaimedLeads += 1
                    if after { counts.convertedAfterReclaim += 1 }
                }
            }
        }
    }
}
