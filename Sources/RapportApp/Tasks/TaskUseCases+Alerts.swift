import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension TaskUseCases {
    /// The job kind of one task's reminder (queued when the task is created, rescheduled or re-opened).
    public static let remindKind = "tasks.remind"
    /// The job kind of the frequent overdue check (预警): every ``overdueInterval`` seconds.
    public static let overdueKind = "tasks.overdue"
    /// How often the overdue check runs.
    public static let overdueInterval: TimeInterval = 5 * 60

    struct ReminderPayload: Codable {
        var taskID: String
        /// The due time the reminder is for, in microseconds since 1970: a task rescheduled since
        /// has another reminder, and this one does nothing.
        var dueAt: Int64

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case dueAt = "due_at"
        }
    }

    /// Queues the reminder of an open task with a reminder and a due time still ahead, at its
    /// reminder time (now, when that has passed). One job per task and due time.
    func scheduleReminder(_ task: SalesTask, now: Date, in sql: any SQLDatabase) async throws {
        try await scheduleReminders([task], now: now, in: sql)
    }

    /// The reminders of many tasks (a playbook run's steps), queued together.
    func scheduleReminders(_ tasks: [SalesTask], now: Date, in sql: any SQLDatabase) async throws {
        try await rapport.jobs.enqueueAll(tasks.compactMap { task in
            guard task.status == .open, let remindAt = task.remindAt, task.dueAt > now else { return nil }
            let due = task.dueAt.microsSinceEpoch
            return (Self.remindKind, .object(["task_id": .string(task.id.rawValue), "due_at": .integer(due)]),
                    "\(Self.remindKind):\(task.id.rawValue):\(due):\(task.reminderMinutes ?? 0)", max(remindAt, now))
        }, in: sql)
    }

    /// Reminds a task's assignee that it is due soon (`task.reminder`), if the task is still open,
    /// still due at `dueAt` and still has a reminder. Once per task and due time. Idempotent.
    @discardableResult
    public func remind(_ id: String, dueAt: Int64) async throws -> Bool {
        guard let id = RecordID(parsing: id, prefix: .task) else { return false }
        return try await rapport.transaction { sql in
            guard let task = try await TaskStore(sql).find(id), task.status == .open, task.dueAt.microsSinceEpoch == dueAt,
                  task.reminderMinutes != nil
            else { return false }
            let notices = rapport.notifications
            try await notices.send([notices.make(task.assigneeID, "task.reminder", details: Self.noticeDetails(task), about: (.task, task.id.rawValue),
                                                 dedupKey: "task.reminder:\(task.id.rawValue):\(dueAt)")], in: sql)
            return true
        }
    }

    /// What one overdue check did.
    public struct OverdueRun: Sendable, Equatable {
        /// Assignees told a task is overdue.
        public var alerted = 0
        /// Tasks escalated to the assignee's managers.
        public var escalated = 0

        public init(alerted: Int = 0, escalated: Int = 0) {
            self.alerted = alerted
            self.escalated = escalated
        }
    }

    /// Tells each assignee once when an open task becomes overdue (`task.overdue`), and — once the
    /// task is overdue by the settings' `escalate_after_minutes` — the assignee's managers once
    /// (`task.escalated`; the managers of the assignee's team, else the nearest team above, else
    /// the administrators). Done and cancelled tasks never alert. Idempotent.
    @discardableResult
    public func alertOverdue() async throws -> OverdueRun {
        let now = rapport.clock.now()
        var run = OverdueRun()
        while true {
            let batch = try await rapport.transaction { sql in
                let store = TaskStore(sql)
                let due = try await store.unalertedOverdue(before: now, limit: 500)
                let notices = rapport.notifications
                try await notices.send(due.map { task in
                    notices.make(task.assigneeID, "task.overdue", details: Self.noticeDetails(task), about: (.task, task.id.rawValue),
                                 dedupKey: "task.overdue:\(task.id.rawValue):\(task.dueAt.microsSinceEpoch)")
                }, in: sql)
                try await store.markAlerted(due.map(\.id), escalated: false, at: now)
                return due.count
            }
            run.alerted += batch
            if batch < 500 { break }
        }
        while true {
            let batch = try await rapport.transaction { sql in
                let settings = try await TaskSettings.load(sql)
                let store = TaskStore(sql)
                let due = try await store.unescalated(dueBefore: now.addingTimeInterval(-Double(settings.escalateAfterMinutes) * 60), limit: 200)
                let notices = rapport.notifications
                var users: [RecordID: User] = [:]
                for task in due {
                    let managers = try await rapport.approvers(for: task.assigneeID, excluding: [task.assigneeID], sql)
                    if users[task.assigneeID] == nil { users[task.assigneeID] = try await UserStore(sql).find(task.assigneeID) }
                    var details = Self.noticeDetails(task)
                    details["assignee_id"] = task.assigneeID.rawValue
                    details["assignee_name"] = users[task.assigneeID]?.name ?? ""
                    try await notices.send(managers.map { manager in
                        notices.make(manager, "task.escalated", details: details, about: (.task, task.id.rawValue),
                                     dedupKey: "task.escalated:\(task.id.rawValue):\(task.dueAt.microsSinceEpoch)")
                    }, in: sql)
                }
                try await store.markAlerted(due.map(\.id), escalated: true, at: now)
                return due.count
            }
            run.escalated += batch
            if batch < 200 { break }
        }
        return run
    }

    /// Queues the next overdue check, at the next ``overdueInterval`` boundary (one per slot).
    public func scheduleOverdueCheck() async throws {
        let slot = Int64(Self.overdueInterval * 1_000_000)
        let next = (rapport.clock.now().microsSinceEpoch / slot + 1) * slot
        try await rapport.jobs.enqueue(kind: Self.overdueKind, dedupKey: "\(Self.overdueKind):\(next)", dueAt: Date(microsSinceEpoch: next))
    }

    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(remindKind) { job, rapport in
            let payload = try job.payload(as: ReminderPayload.self)
            try await rapport.tasks.remind(payload.taskID, dueAt: payload.dueAt)
        }
        handlers.register(overdueKind) { _, rapport in
            try await rapport.tasks.alertOverdue()
            try await rapport.tasks.scheduleOverdueCheck()
        }
    }
}
