import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// What administrators configure about tasks: the reminder a new task gets unless it names its
/// own, and how long after its due time an open task is escalated to the assignee's managers.
/// Stored as the `tasks` settings document.
public struct TaskSettings: Sendable, Equatable, Codable {
    /// Minutes before the due time a new task reminds its assignee (0: at the due time).
    public var reminderMinutes: Int
    /// Minutes after the due time an open task is escalated to the assignee's managers (预警).
    public var escalateAfterMinutes: Int

    public init(reminderMinutes: Int = 30, escalateAfterMinutes: Int = 24 * 60) {
        self.reminderMinutes = reminderMinutes
        self.escalateAfterMinutes = escalateAfterMinutes
    }

    enum CodingKeys: String, CodingKey {
        case reminderMinutes = "reminder_minutes"
        case escalateAfterMinutes = "escalate_after_minutes"
    }

    static let key = "tasks"

    /// The stored settings, or the defaults.
    static func load(_ sql: any SQLDatabase) async throws -> TaskSettings {
        try await SettingsStore(sql).get(key, as: TaskSettings.self) ?? TaskSettings()
    }
}

extension TaskUseCases {
    /// The task settings; everyone who may read tasks may read them.
    public func settings(by caller: Caller) async throws -> TaskSettings {
        _ = try await filter(caller, .read)
        return try await rapport.database.read { sql in try await TaskSettings.load(sql) }
    }

    /// Replaces the task settings (administrators, with a token that may write). Audited as `settings.changed`.
    public func setSettings(_ settings: TaskSettings, by caller: Caller) async throws -> TaskSettings {
        guard caller.principal == nil || (caller.principal?.role == .admin && caller.principal?.tokenScopes.contains(.write) == true) else {
            throw RapportError(.forbidden, "Only administrators, with a token that may write, change settings.")
        }
        var check = Validator()
        if !(0...SalesTask.maximumReminderMinutes).contains(settings.reminderMinutes) {
            check.add("reminder_minutes", "out_of_range", "reminder_minutes is from 0 to \(SalesTask.maximumReminderMinutes).")
        }
        if !(1...43_200).contains(settings.escalateAfterMinutes) {
            check.add("escalate_after_minutes", "out_of_range", "escalate_after_minutes is from 1 to 43200 (30 days).")
        }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await SettingsStore(sql).set(TaskSettings.key, to: settings, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("settings.changed", by: caller, details: [
                "key": TaskSettings.key, "reminder_minutes": String(settings.reminderMinutes),
                "escalate_after_minutes": String(settings.escalateAfterMinutes),
            ]), in: sql)
            return settings
        }
    }
}
