import Foundation
import RapportApp
import RapportCore

/// A task as the API shows it.
public struct TaskDTO: Encodable, Sendable {
    public var id: String
    public var title: String
    public var type: String
    public var dueAt: Date
    public var priority: String
    public var assigneeId: String
    @Nullable public var linkedKind: String?
    @Nullable public var linkedId: String?
    @Nullable public var linkedName: String?
    @Nullable public var notes: String?
    public var status: String
    public var overdue: Bool
    @Nullable public var outcome: String?
    @Nullable public var outcomeNote: String?
    @Nullable public var completedAt: Date?
    @Nullable public var reminderMinutes: Int?
    public var source: String
    @Nullable public var playbookRunId: String?
    @Nullable public var playbookStep: Int?
    @Nullable public var createdBy: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, title, type, priority, notes, status, overdue, outcome, source, version
        case dueAt = "due_at", assigneeId = "assignee_id", linkedKind = "linked_kind", linkedId = "linked_id", linkedName = "linked_name"
        case outcomeNote = "outcome_note", completedAt = "completed_at", reminderMinutes = "reminder_minutes", playbookRunId = "playbook_run_id"
        case playbookStep = "playbook_step", createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ row: TaskRow, now: Date) {
        let task = row.task
        id = task.id.rawValue
        title = task.title
        type = task.type.rawValue
        dueAt = task.dueAt
        priority = task.priority.rawValue
        assigneeId = task.assigneeID.rawValue
        linkedKind = task.linkedKind?.rawValue
        linkedId = task.linkedID?.rawValue
        linkedName = row.linkedName
        notes = task.notes
        status = task.status.rawValue
        overdue = task.isOverdue(at: now)
        outcome = task.outcome?.rawValue
        outcomeNote = task.outcomeNote
        completedAt = task.completedAt
        reminderMinutes = task.reminderMinutes
        source = task.source.rawValue
        playbookRunId = task.playbookRunID
        playbookStep = task.playbookStep
        createdBy = task.createdBy?.rawValue
        version = task.version
        createdAt = task.createdAt
        updatedAt = task.updatedAt
    }
}

/// The task settings.
public struct TaskSettingsDTO: Encodable, Sendable {
    public var reminderMinutes: Int
    public var escalateAfterMinutes: Int

    enum CodingKeys: String, CodingKey {
        case reminderMinutes = "reminder_minutes", escalateAfterMinutes = "escalate_after_minutes"
    }

    init(_ settings: TaskSettings) {
        reminderMinutes = settings.reminderMinutes
        escalateAfterMinutes = settings.escalateAfterMinutes
    }
}

/// A new calendar feed address, shown once.
public struct CalendarTokenDTO: Encodable, Sendable {
    public var token: String
    public var path: String
    public var url: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case token, path, url
        case createdAt = "created_at"
    }
}
