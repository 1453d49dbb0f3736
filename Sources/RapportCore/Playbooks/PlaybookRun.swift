import Foundation

/// One run of a playbook on one record: its steps with their due times and where each stands. A
/// pure state machine — started from a trigger, each step done or skipped by the rep, ended early
/// by an exit condition, moved to a new owner on handover — that the use cases persist and turn
/// into tasks.
public struct PlaybookRun: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Steps still to do.
        case running
        /// Every step done or skipped.
        case completed
        /// Ended early by an exit condition; the steps not done are cancelled.
        case exited
        /// Stopped by someone (the playbook withdrawn, the record deleted).
        case cancelled
    }

    public enum StepStatus: String, Sendable, Codable, CaseIterable {
        case pending
        case done
        case skipped
        /// Not to be done: the run ended before it.
        case cancelled
    }

    public struct Step: Sendable, Equatable {
        public var index: Int
        public var dueAt: Date
        public var status: StepStatus
        public var endedAt: Date?
        /// Who is to do it (the record's owner when the run started, or whoever took the record over).
        public var assignee: RecordID

        public init(index: Int, dueAt: Date, status: StepStatus = .pending, endedAt: Date? = nil, assignee: RecordID) {
            self.index = index
            self.dueAt = dueAt
            self.status = status
            self.endedAt = endedAt
            self.assignee = assignee
        }

        /// Done by its due time.
        public var onTime: Bool { status == .done && (endedAt ?? .distantFuture) <= dueAt }
    }

    public var id: RecordID
    public var playbookID: RecordID
    public var playbookKey: String
    public var version: Int
    public var object: DictionaryObject
    public var recordID: RecordID
    public var startedAt: Date
    public var status: Status
    public var exit: PlaybookExit?
    public var endedAt: Date?
    public var steps: [Step]

    public init(id: RecordID, playbookID: RecordID, playbookKey: String, version: Int, object: DictionaryObject, recordID: RecordID, startedAt: Date,
                status: Status = .running, exit: PlaybookExit? = nil, endedAt: Date? = nil, steps: [Step]) {
        self.id = id
        self.playbookID = playbookID
        self.playbookKey = playbookKey
        self.version = version
        self.object = object
        self.recordID = recordID
        self.startedAt = startedAt
        self.status = status
        self.exit = exit
        self.endedAt = endedAt
        self.steps = steps
    }

    /// A run of `playbook` on `record`, started at `start`, its steps due in `zone` and assigned to `owner`.
    public static func start(_ playbook: Playbook, id: RecordID, record: RecordID, owner: RecordID, at start: Date, in zone: TimeZone) -> PlaybookRun {
        PlaybookRun(id: id, playbookID: playbook.id, playbookKey: playbook.key, version: playbook.version, object: playbook.trigger.object,
                    recordID: record, startedAt: start,
                    steps: playbook.steps.enumerated().map { index, step in
                        Step(index: index, dueAt: step.offset.due(after: start, in: zone), assignee: owner)
                    })
    }

    /// Marks step `index` done (or skipped) at `at`; the run completes when no step is pending.
    /// Refused when the run is not running or the step is not pending; nothing changes then.
    public mutating func finish(step index: Int, skipped: Bool = false, at: Date) throws {
        guard status == .running else { throw RapportError(.conflict, "The run has ended (\(status.rawValue)).") }
        guard steps.indices.contains(index), steps[index].status == .pending else {
            throw RapportError(.conflict, "That step is not waiting to be done.")
        }
        steps[index].status = skipped ? .skipped : .done
        steps[index].endedAt = at
        if !steps.contains(where: { $0.status == .pending }) {
            status = .completed
            endedAt = at
        }
    }

    /// Ends the run if `event` on its record is one of `exits`: the pending steps are cancelled.
    /// Returns the exit taken.
    @discardableResult
    public mutating func observe(_ event: RecordChange.Event, exits: [PlaybookExit], at: Date) -> PlaybookExit? {
        guard status == .running, let exit = exits.first(where: { $0.matches(event) }) else { return nil }
        cancelPending(at: at)
        status = .exited
        self.exit = exit
        endedAt = at
        return exit
    }

    /// Stops the run: its pending steps are cancelled.
    public mutating func cancel(at: Date) {
        guard status == .running else { return }
        cancelPending(at: at)
        status = .cancelled
        endedAt = at
    }

    /// The record changed hands: its pending steps move to `owner`; done ones stay whose they were.
    public mutating func handOver(to owner: RecordID) {
        for index in steps.indices where steps[index].status == .pending { steps[index].assignee = owner }
    }

    mutating func cancelPending(at: Date) {
        for index in steps.indices where steps[index].status == .pending {
            steps[index].status = .cancelled
            steps[index].endedAt = at
        }
    }
}
