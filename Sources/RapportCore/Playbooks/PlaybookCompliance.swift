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

    /// Per assignee and playbook, where the steps stand at `now` (cancelled steps count nowhere).
    public static func steps(_ runs: [PlaybookRun], now: Date) -> [Key: Counts] {
        var result: [Key: Counts] = [:]
        for run in runs {
            for step in run.steps {
                let key = Key(assignee: step.assignee, playbookKey: run.playbookKey)
                switch step.status {
                case .done: if step.onTime { result[key, default: Counts()].onTime += 1 } else { result[key, default: Counts()].late += 1 }
                case .skipped: result[key, default: Counts()].skipped += 1
                case .pending: if step.dueAt < now { result[key, default: Counts()].overdue += 1 } else { result[key, default: Counts()].upcoming += 1 }
                case .cancelled: break
                }
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

    /// Per playbook version, how its runs ended.
    public static func outcomes(_ runs: [PlaybookRun]) -> [Version: Outcomes] {
        var result: [Version: Outcomes] = [:]
        for run in runs {
            let key = Version(playbookKey: run.playbookKey, version: run.version)
            result[key, default: Outcomes()].started += 1
            switch (run.status, run.exit) {
            case (.exited, .converted?): result[key, default: Outcomes()].converted += 1
            case (.exited, .lost?): result[key, default: Outcomes()].lost += 1
            case (.running, _): result[key, default: Outcomes()].running += 1
            default: break
            }
        }
        return result
    }
}
