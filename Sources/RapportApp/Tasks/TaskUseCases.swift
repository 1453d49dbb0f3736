import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Tasks (任务/待办): create, read, change, complete, reopen and cancel, and the scoped list.
///
/// Scope follows the assignee, applied in SQL: a rep sees the tasks assigned to them, a manager
/// those of their team subtree, an administrator all. A task may name a record (customer, lead,
/// opportunity, order) its creator can see. Every change is audited; reminders and overdue
/// alerts go through the job queue, queued in the transaction of the change.
public struct TaskUseCases: Sendable {
    let rapport: Rapport

    /// A task's fields as sent. Absent fields are nil; a nullable field sent as null is `.some(nil)`.
    public struct Input: Sendable {
        public var title: String?
        public var type: String?
        /// RFC 3339.
        public var dueAt: String?
        public var priority: String?
        /// A user id (default on create: the caller).
        public var assignee: String?
        public var linkedKind: String??
        public var linkedID: String??
        public var notes: String??
        /// Minutes before due (absent on create: the settings' default; null: no reminder).
        public var reminderMinutes: Int??

        public init(title: String? = nil, type: String? = nil, dueAt: String? = nil, priority: String? = nil, assignee: String? = nil,
                    linkedKind: String?? = nil, linkedID: String?? = nil, notes: String?? = nil, reminderMinutes: Int?? = nil) {
            self.title = title
            self.type = type
            self.dueAt = dueAt
            self.priority = priority
            self.assignee = assignee
            self.linkedKind = linkedKind
            self.linkedID = linkedID
            self.notes = notes
            self.reminderMinutes = reminderMinutes
        }
    }

    func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .task, anchor: .owner(column: "assignee_id"), table: "tasks")
    }

    /// Reads a task back after a write, whoever it is assigned to now.
    func reload(_ id: RecordID, by caller: Caller, _ sql: any SQLDatabase) async throws -> TaskRow {
        let all = ScopeFilter(caller.effectivePrincipal, .all, kind: .task, anchor: .owner(column: "assignee_id"), table: "tasks")
        guard let row = try await TaskStore(sql).find(id, in: all) else { throw RapportError.notFound("task") }
        return row
    }

    /// Creates a task, assigned to the caller unless a manager or administrator names another
    /// active user they can see; its reminder is queued in the same transaction.
    public func create(_ input: Input, by caller: Caller) async throws -> TaskRow {
        _ = try await filter(caller, .create)
        let now = rapport.clock.now()
        var check = Validator()
        let title = check.require(input.title, field: "title", maxLength: 200)
        let type = check.choice(input.type ?? SalesTask.TaskType.other.rawValue, field: "type", of: SalesTask.TaskType.self)
        let priority = check.choice(input.priority ?? SalesTask.Priority.normal.rawValue, field: "priority", of: SalesTask.Priority.self)
        let dueAt = Self.dueAt(input.dueAt, now: now, required: true, check: &check)
        let notes = Self.notes(input.notes ?? nil, check: &check)
        if case .some(.some(let minutes)) = input.reminderMinutes { Self.checkReminder(minutes, check: &check) }
        let linked = try await linkedRecord(kind: input.linkedKind ?? nil, id: input.linkedID ?? nil, by: caller, check: &check)
        return try await rapport.transaction { sql in
            let assignee = try await resolveAssignee(input.assignee, by: caller, check: &check, sql)
            try check.finish()
            guard let type, let priority, let dueAt, let assignee else { throw RapportError.validation([]) }
            let reminder: Int? = switch input.reminderMinutes {
            case .none: try await TaskSettings.load(sql).reminderMinutes
            case .some(let minutes): minutes
            }
            let task = SalesTask(
                id: rapport.ids.next(.task, at: now), title: title, type: type, dueAt: dueAt, priority: priority, assigneeID: assignee,
                linkedKind: linked?.kind, linkedID: linked?.id, notes: notes, reminderMinutes: reminder, createdBy: caller.actorID,
                createdAt: now, updatedAt: now)
            try await TaskStore(sql).insert([task])
            try await scheduleReminder(task, now: now, in: sql)
            try await tellAssignee(task, by: caller, in: sql)
            var details = ["type": type.rawValue, "assignee_id": assignee.rawValue, "due_at": RFC3339.format(dueAt)]
            if let linked { details["linked_id"] = linked.id.rawValue }
            try await rapport.record(rapport.event("task.created", by: caller, kind: .task, object: task.id.rawValue, details: details), in: sql)
            return TaskRow(task: task, linkedName: linked?.name)
        }
    }

    /// One task within the caller's scope (`not_found` otherwise).
    public func get(_ id: String, by caller: Caller) async throws -> TaskRow {
        let scope = try await filter(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .task),
              let row = try await rapport.database.read({ sql in try await TaskStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("task") }
        return row
    }

    // MARK: Checks shared by create and change

    static func dueAt(_ text: String?, now: Date, required: Bool, check: inout Validator) -> Date? {
        guard let text else {
            if required { check.add("due_at", "required", "due_at is required (RFC 3339, e.g. 2026-01-05T10:00:00+08:00).") }
            return nil
        }
        guard let date = RFC3339.parse(text) else {
            check.add("due_at", "invalid", "due_at is an RFC 3339 time, e.g. 2026-01-05T10:00:00+08:00.")
            return nil
        }
        if date < now.addingTimeInterval(-366 * 86_400) || date > now.addingTimeInterval(5 * 366 * 86_400) {
            check.add("due_at", "out_of_range", "due_at is within a year before and five years after now.")
            return nil
        }
        return date
    }

    static func notes(_ text: String?, check: inout Validator) -> String? {
        text.map { check.text($0, field: "notes", maxLength: 10_000, multiline: true) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func checkReminder(_ minutes: Int, check: inout Validator) {
        if !(0...SalesTask.maximumReminderMinutes).contains(minutes) {
            check.add("reminder_minutes", "out_of_range", "reminder_minutes is from 0 to \(SalesTask.maximumReminderMinutes).")
        }
    }

    /// A linked record, as found.
    struct Linked: Sendable {
        var kind: SalesTask.LinkedKind
        var id: RecordID
        var name: String
    }

    /// The record a task names, which the caller must be able to see (errors go to `check`).
    func linkedRecord(kind: String?, id: String?, by caller: Caller, check: inout Validator) async throws -> Linked? {
        guard kind != nil || id != nil else { return nil }
        guard let kindText = kind, let idText = id else {
            check.add("linked_id", "invalid", "linked_kind and linked_id go together.")
            return nil
        }
        guard let kind = check.choice(kindText, field: "linked_kind", of: SalesTask.LinkedKind.self) else { return nil }
        guard let recordID = RecordID(parsing: idText, prefix: kind.prefix) else {
            check.add("linked_id", "invalid", "linked_id is not a \(kind.rawValue) id.")
            return nil
        }
        let table = switch kind {
        case .customer: "customers"
        case .lead: "leads"
        case .opportunity: "opportunities"
        case .order: "orders"
        }
        let name = kind == .order ? "title" : "name"
        let scope: ScopeFilter
        do {
            scope = try await rapport.scope(caller, .read, kind.objectKind, anchor: .owner(column: "owner_id"), table: table)
        } catch let error as RapportError where error.code == .forbidden {
            check.add("linked_id", "invalid", "linked_id must be a \(kind.rawValue) you can see.")
            return nil
        }
        let found = try await rapport.database.read { sql in
            try await scope.apply(to: sql.select().column(SQLColumn(name, table: table), as: "name").from(table)
                .where(SQLColumn("id", table: table), .equal, SQLBind(recordID.rawValue))).first()
        }
        guard let found else {
            check.add("linked_id", "invalid", "linked_id must be a \(kind.rawValue) you can see.")
            return nil
        }
        return Linked(kind: kind, id: recordID, name: try found.decode(column: "name", as: String.self))
    }

    /// The assignee named on create or change: reps may name only themselves; managers and
    /// administrators any active user they can see. Nil (with an error in `check`) when refused;
    /// the caller when none is named.
    func resolveAssignee(_ assignee: String?, by caller: Caller, check: inout Validator, _ sql: any SQLDatabase) async throws -> RecordID? {
        guard let assignee else {
            if caller.principal == nil { check.add("assignee_id", "required", "assignee_id is required when the system creates a task.") }
            return caller.actorID
        }
        let role = caller.principal?.role
        guard let id = RecordID(parsing: assignee, prefix: .user) else {
            check.add("assignee_id", "invalid", "assignee_id is not a user id.")
            return nil
        }
        guard try await rapport.assignableOwner(id, mayAssign: role == nil || role == .admin || role == .manager, by: caller, sql) != nil else {
            check.add("assignee_id", "invalid", "assignee_id must be an active user you may give tasks to.")
            return nil
        }
        return id
    }

    /// Tells the assignee of a task someone else gave them (`task.assigned`), once per task and assignee.
    func tellAssignee(_ task: SalesTask, by caller: Caller, in sql: any SQLDatabase) async throws {
        guard task.assigneeID != caller.actorID else { return }
        let notices = rapport.notifications
        try await notices.send([notices.make(task.assigneeID, "task.assigned", details: Self.noticeDetails(task), about: (.task, task.id.rawValue),
                                             dedupKey: "task.assigned:\(task.id.rawValue)")], in: sql)
    }

    static func noticeDetails(_ task: SalesTask) -> [String: String] {
        ["title": task.title, "type": task.type.rawValue, "due_at": RFC3339.format(task.dueAt), "priority": task.priority.rawValue]
    }
}
