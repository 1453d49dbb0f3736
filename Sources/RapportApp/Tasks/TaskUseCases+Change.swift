import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension TaskUseCases {
    /// Loads a task the caller may take `action` on (`not_found` otherwise).
    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> SalesTask {
        let scope = try await filter(caller, action)
        guard let id = RecordID(parsing: id, prefix: .task),
              let row = try await rapport.database.read({ sql in try await TaskStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("task") }
        return row.task
    }

    /// Changes a task's fields. A manager or administrator may give it to another user; a new due
    /// time (or reminder) queues a new reminder and starts the overdue alerts afresh. A done or
    /// cancelled task takes no changes (re-open it first).
    public func update(_ id: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> TaskRow {
        let existing = try await load(id, by: caller, .update)
        guard existing.status == .open else {
            throw RapportError(.conflict, "The task is \(existing.status.rawValue); re-open it to change it.")
        }
        let now = rapport.clock.now()
        var check = Validator()
        var task = existing
        if let title = input.title { task.title = check.require(title, field: "title", maxLength: 200) }
        if let type = input.type, let parsed = check.choice(type, field: "type", of: SalesTask.TaskType.self) { task.type = parsed }
        if let priority = input.priority, let parsed = check.choice(priority, field: "priority", of: SalesTask.Priority.self) { task.priority = parsed }
        if input.dueAt != nil, let due = Self.dueAt(input.dueAt, now: now, required: false, check: &check) { task.dueAt = due }
        if let notes = input.notes { task.notes = Self.notes(notes, check: &check) }
        if let reminder = input.reminderMinutes {
            if let minutes = reminder { Self.checkReminder(minutes, check: &check) }
            task.reminderMinutes = reminder
        }
        var linkedName: String?
        if input.linkedKind != nil || input.linkedID != nil {
            let linked = try await linkedRecord(kind: input.linkedKind ?? nil, id: input.linkedID ?? nil, by: caller, check: &check)
            task.linkedKind = linked?.kind
            task.linkedID = linked?.id
            linkedName = linked?.name
        }
        return try await rapport.transaction { sql in
            if let assignee = input.assignee, RecordID(parsing: assignee, prefix: .user) != existing.assigneeID {
                let role = caller.principal?.role
                if role == nil || role == .admin || role == .manager {
                    if let id = try await resolveAssignee(assignee, by: caller, check: &check, sql) { task.assigneeID = id }
                } else {
                    check.add("assignee_id", "forbidden", "Only managers and administrators give a task to someone else.")
                }
            }
            try check.finish()
            if task.dueAt != existing.dueAt {
                // A new due time is a new deadline: its overdue alert and escalation are still to come.
                task.overdueAlertedAt = nil
                task.escalatedAt = nil
            }
            task.updatedAt = now
            try await save(task, expectedVersion: expectedVersion ?? existing.version, sql)
            if task.dueAt != existing.dueAt || task.reminderMinutes != existing.reminderMinutes { try await scheduleReminder(task, now: now, in: sql) }
            var details: [String: String] = [:]
            if task.assigneeID != existing.assigneeID {
                details["from_assignee"] = existing.assigneeID.rawValue
                details["to_assignee"] = task.assigneeID.rawValue
                try await tellAssignee(task, by: caller, in: sql)
            }
            if task.dueAt != existing.dueAt { details["due_at"] = RFC3339.format(task.dueAt) }
            try await rapport.record(rapport.event("task.updated", by: caller, kind: .task, object: task.id.rawValue, details: details), in: sql)
            var row = try await reload(task.id, by: caller, sql)
            if linkedName != nil { row.linkedName = linkedName }
            return row
        }
    }

    /// Marks an open task done with how it turned out (`outcome`, default `done`) and a note.
    public func complete(_ id: String, outcome: String?, note: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> TaskRow {
        var check = Validator()
        let parsed = check.choice(outcome ?? SalesTask.Outcome.done.rawValue, field: "outcome", of: SalesTask.Outcome.self)
        let note = Self.notes(note, check: &check)
        try check.finish()
        return try await transition(id, from: [.open], expectedVersion: expectedVersion, action: "task.completed", by: caller) { task, now in
            task.status = .done
            task.outcome = parsed
            task.outcomeNote = note
            task.completedAt = now
        }
    }

    /// Cancels an open task (no longer needed), with an optional reason.
    public func cancel(_ id: String, reason: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> TaskRow {
        var check = Validator()
        let reason = Self.notes(reason, check: &check)
        try check.finish()
        return try await transition(id, from: [.open], expectedVersion: expectedVersion, action: "task.cancelled", by: caller) { task, now in
            task.status = .cancelled
            task.outcome = nil
            task.outcomeNote = reason
            task.completedAt = now
        }
    }

    /// Re-opens a done or cancelled task; its reminder is queued again when still ahead.
    public func reopen(_ id: String, expectedVersion: Int64? = nil, by caller: Caller) async throws -> TaskRow {
        try await transition(id, from: [.done, .cancelled], expectedVersion: expectedVersion, action: "task.reopened", by: caller) { task, _ in
            task.status = .open
            task.outcome = nil
            task.outcomeNote = nil
            task.completedAt = nil
        }
    }

    private func transition(
        _ id: String, from allowed: Set<SalesTask.Status>, expectedVersion: Int64?, action: String, by caller: Caller,
        _ change: @Sendable (inout SalesTask, Date) -> Void
    ) async throws -> TaskRow {
        let existing = try await load(id, by: caller, .update)
        guard allowed.contains(existing.status) else {
            throw RapportError(.conflict, "The task is \(existing.status.rawValue).")
        }
        let now = rapport.clock.now()
        var task = existing
        change(&task, now)
        task.updatedAt = now
        return try await rapport.transaction { sql in
            try await save(task, expectedVersion: expectedVersion ?? existing.version, sql)
            if task.status == .open { try await scheduleReminder(task, now: now, in: sql) }
            if task.source == .playbook, task.status != .open {
                try await rapport.playbooks.taskFinished(task, skipped: task.status == .cancelled, at: now, in: sql)
            }
            var details = ["from": existing.status.rawValue, "to": task.status.rawValue]
            if let outcome = task.outcome { details["outcome"] = outcome.rawValue }
            try await rapport.record(rapport.event(action, by: caller, kind: .task, object: task.id.rawValue, details: details), in: sql)
            return try await reload(task.id, by: caller, sql)
        }
    }

    private func save(_ task: SalesTask, expectedVersion: Int64, _ sql: any SQLDatabase) async throws {
        guard try await TaskStore(sql).replace(task, expectedVersion: expectedVersion) else {
            throw RapportError(.preconditionFailed, "The task was changed by someone else; fetch it again and retry.")
        }
    }
}
