import Foundation

/// How playbooks are followed and what they bring: per rep and playbook, the steps done on time,
/// late, skipped and overdue now; per playbook version, the runs started, converted, lost and
/// still running — so managers compare scripts version against version. Pure folds over runs.
public enum PlaybookCompliance {
    public struct Counts: Sendable, Equatable {
        public var onTime: Int64 = 0
        public var late: Int64 = 0
        public var skipped: Int64 = 0
        /// Pending past their due time.
        public var overdue: Int64 = 0
        /// Pending, not yet due.
        public var upcoming: Int64 = 0

        public init() {}

        /// Steps that were due: on time + late + skipped + overdue.
        public var due: Int64 { onTime + late + skipped + overdue }
        /// On time ÷ due.
        public var onTimeRate: AnalyticsRatio { AnalyticsRatio(onTime, over: due) }
    }

    public struct Key: Sendable, Hashable, Comparable {
        public var assignee: RecordID
        public var playbookKey: String

        public init(assignee: RecordID, playbookKey: String) {
            self.assignee = assignee
            self.playbookKey = playbookKey
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.playbookKey, lhs.assignee.rawValue) < (rhs.playbookKey, rhs.assignee.rawValue) }
    }

    /// Steps counted alike: whose, of which playbook, where they stand, whether they ended by
    /// their due time and whether that time has passed — what storage groups steps by, so a
    /// playbook's compliance is one aggregate query however many runs it has.
    public struct StepTally: Sendable, Equatable {
        public var assignee: RecordID
        public var playbookKey: String
        public var status: PlaybookRun.StepStatus
        /// Ended (done) at or before the due time.
        public var endedByDue: Bool
        /// The due time is before now.
        public var pastDue: Bool
        public var count: Int64

        public init(assignee: RecordID, playbookKey: String, status: PlaybookRun.StepStatus, endedByDue: Bool, pastDue: Bool, count: Int64 = 1) {
            self.assignee = assignee
            self.playbookKey = playbookKey
            self.status = status
            self.endedByDue = endedByDue
            self.pastDue = pastDue
            self.count = count
        }
    }

    /// Per assignee and playbook, where the steps stand at `now` (cancelled steps count nowhere).
    public static func steps(_ runs: [PlaybookRun], now: Date) -> [Key: Counts] {
        steps(runs.flatMap { run in
            run.steps.map { step in
                StepTally(assignee: step.assignee, playbookKey: run.playbookKey, status: step.status,
                          endedByDue: (step.endedAt ?? .distantFuture) <= step.dueAt, pastDue: step.dueAt < now)
            }
        })
    }

    /// Per assignee and playbook, the counts the tallies add up to: a step done by its due time is
    /// on time, done after it late; a pending one past its due time is overdue, else upcoming.
    public static func steps(_ tallies: [StepTally]) -> [Key: Counts] {
        var result: [Key: Counts] = [:]
        for tally in tallies {
            let key = Key(assignee: tally.assignee, playbookKey: tally.playbookKey)
            switch tally.status {
            case .done: if tally.endedByDue { result[key, default: Counts()].onTime += tally.count } else { result[key, default: Counts()].late += tally.count }
            case .skipped: result[key, default: Counts()].skipped += tally.count
            case .pending: if tally.pastDue { result[key, default: Counts()].overdue += tally.count } else { result[key, default: Counts()].upcoming += tally.count }
            case .cancelled: break
            }
        }
        return result
    }

    public struct Outcomes: Sendable, Equatable {
        public var started: Int64 = 0
        public var converted: Int64 = 0
        public var lost: Int64 = 0
        public var running: Int64 = 0

        public init() {}

        /// Converted ÷ started.
        public var conversion: AnalyticsRatio { AnalyticsRatio(converted, over: started) }
    }

    public struct Version: Sendable, Hashable, Comparable {
        public var playbookKey: String
        public var version: Int

        public init(playbookKey: String, version: Int) {
            self.playbookKey = playbookKey
            self.version = version
        }

        public static func < (lhs: Version, rhs: Version) -> Bool { (lhs.playbookKey, lhs.version) < (rhs.playbookKey, rhs.version) }
    }

    /// Runs counted alike: of which version, where they stand and how they ended — what storage
    /// groups runs by.
    public struct RunTally: Sendable, Equatable {
        public var version: Version
        public var status: PlaybookRun.Status
        public var exit: PlaybookExit?
        public var count: Int64

        public init(version: Version, status: PlaybookRun.Status, exit: PlaybookExit?, count: Int64 = 1) {
            self.version = version
            self.status = status
            self.exit = exit
            self.count = count
        }
    }

    /// Per playbook version, how its runs ended.
    public static func outcomes(_ runs: [PlaybookRun]) -> [Version: Outcomes] {
        outcomes(runs.map { RunTally(version: Version(playbookKey: $0.playbookKey, version: $0.version), status: $0.status, exit: $0.exit) })
    }

    /// Per playbook version, the outcomes the tallies add up to.
    public static func outcomes(_ tallies: [RunTally]) -> [Version: Outcomes] {
        var result: [Version: Outcomes] = [:]
        for tally in tallies {
            result[tally.version, default: Outcomes()].started += tally.count
            switch (tally.status, tally.exit) {
            case (.exited, .converted?): result[tally.version, default: Outcomes()].converted += tally.count
            case (.exited, .lost?): result[tally.version, default: Outcomes()].lost += tally.count
            case (.running, _): result[tally.version, default: Outcomes()].running += tally.count
            default: break
            }
        }
        return result
    }
}
