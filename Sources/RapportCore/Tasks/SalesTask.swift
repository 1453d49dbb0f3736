import Foundation

/// A to-do of a rep (任务/待办): call someone, send a WeChat message, visit, email — due at a time,
/// assigned to one user, optionally about one record (a customer, lead, opportunity or order).
/// Named `SalesTask` so it never shadows Swift's `Task`.
public struct SalesTask: Sendable, Equatable {
    /// What kind of work the task is.
    public enum TaskType: String, Sendable, Codable, CaseIterable {
        case call, wechat, visit, email, other
    }

    public enum Priority: String, Sendable, Codable, CaseIterable {
        case low, normal, high, urgent
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case open, done, cancelled
    }

    /// How a done task turned out.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// Done, nothing more to say.
        case done
        /// The customer was reached.
        case reached
        /// Nobody answered.
        case noAnswer = "no_answer"
        /// The customer asked for another time.
        case rescheduled
        /// Reached, and not interested.
        case notInterested = "not_interested"
    }

    /// Who made the task: a person, or a playbook run (the playbook engine fills the run columns).
    public enum Source: String, Sendable, Codable, CaseIterable {
        case manual, playbook
    }

    /// The kinds of record a task may be about.
    public enum LinkedKind: String, Sendable, Codable, CaseIterable {
        case customer, lead, opportunity, order

        public var objectKind: ObjectKind { ObjectKind(rawValue: rawValue) }
        public var prefix: IDPrefix {
            switch self {
            case .customer: .customer
            case .lead: .lead
            case .opportunity: .opportunity
            case .order: .order
            }
        }
    }

    public var id: RecordID
    public var title: String
    public var type: TaskType
    public var dueAt: Date
    public var priority: Priority
    public var assigneeID: RecordID
    public var linkedKind: LinkedKind?
    public var linkedID: RecordID?
    public var notes: String?
    public var status: Status
    public var outcome: Outcome?
    /// What happened, in the rep's words (or why the task was cancelled).
    public var outcomeNote: String?
    public var completedAt: Date?
    /// Remind the assignee this many minutes before `dueAt` (nil: no reminder).
    public var reminderMinutes: Int?
    public var source: Source
    public var playbookRunID: String?
    public var playbookStep: Int?
    /// When the assignee was told the task is overdue (for the current `dueAt`).
    public var overdueAlertedAt: Date?
    /// When the assignee's managers were told the task is long overdue (for the current `dueAt`).
    public var escalatedAt: Date?
    public var createdBy: RecordID?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, title: String, type: TaskType, dueAt: Date, priority: Priority = .normal, assigneeID: RecordID,
                linkedKind: LinkedKind? = nil, linkedID: RecordID? = nil, notes: String? = nil, status: Status = .open,
                outcome: Outcome? = nil, outcomeNote: String? = nil, completedAt: Date? = nil, reminderMinutes: Int? = nil,
                source: Source = .manual, playbookRunID: String? = nil, playbookStep: Int? = nil, overdueAlertedAt: Date? = nil,
                escalatedAt: Date? = nil, createdBy: RecordID?, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.title = title
        self.type = type
        self.dueAt = dueAt
        self.priority = priority
        self.assigneeID = assigneeID
        self.linkedKind = linkedKind
        self.linkedID = linkedID
        self.notes = notes
        self.status = status
        self.outcome = outcome
        self.outcomeNote = outcomeNote
        self.completedAt = completedAt
        self.reminderMinutes = reminderMinutes
        self.source = source
        self.playbookRunID = playbookRunID
        self.playbookStep = playbookStep
        self.overdueAlertedAt = overdueAlertedAt
        self.escalatedAt = escalatedAt
        self.createdBy = createdBy
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// When the reminder is due, if the task has one.
    public var remindAt: Date? { reminderMinutes.map { dueAt.addingTimeInterval(-Double($0) * 60) } }

    /// Open and past its due time at `now`.
    public func isOverdue(at now: Date) -> Bool { status == .open && dueAt < now }

    /// The longest reminder lead time, in minutes (30 days).
    public static let maximumReminderMinutes = 43_200
}

/// A task as lists and pages show it: with the linked record's name when the reader may see it.
public struct TaskRow: Sendable, Equatable {
    public var task: SalesTask
    /// The linked record's name (nil when there is none, or it is gone).
    public var linkedName: String?

    public init(task: SalesTask, linkedName: String?) {
        self.task = task
        self.linkedName = linkedName
    }
}

extension IDPrefix {
    public static let task = IDPrefix(rawValue: "tsk")
}

extension ObjectKind {
    public static let task = ObjectKind(rawValue: "task")
}
