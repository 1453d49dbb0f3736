import Foundation
import RapportCore
import SQLKit

extension HandoverStore {
    /// One open task assigned to a departing user, as a preview lists it.
    public struct OwnedTask: Sendable, Equatable {
        public var id: RecordID
        public var title: String
        public var dueAt: Date
        /// The record the task is about, if any (a task follows it when the handover moves it).
        public var linkedID: RecordID?
    }

    /// Every open task assigned to `user`, by id.
    public func ownedTasks(of user: RecordID) async throws -> [OwnedTask] {
        try await sql.select().columns("id", "title", "due_at", "linked_id").from("tasks").where("assignee_id", .equal, user.rawValue)
            .where("status", .equal, SalesTask.Status.open.rawValue).orderBy("id").all().map { row in
                OwnedTask(id: try row.id("id"), title: try row.text("title"), dueAt: try row.date("due_at"), linkedID: try row.optionalID("linked_id"))
            }
    }

    /// Gives the open tasks named by a handover's items from `user` to each item's recipient; their
    /// overdue alerts start afresh for the new assignee. One statement; returns how many moved.
    public func moveTasks(of handover: RecordID, from user: RecordID, at now: Date) async throws -> Int {
        try await sql.raw("""
            UPDATE tasks SET assignee_id = i.to_user_id, overdue_alerted_at = NULL, escalated_at = NULL, \
            updated_at = \(bind: now.microsSinceEpoch), version = tasks.version + 1 \
            FROM handover_items i \
            WHERE i.handover_id = \(bind: handover.rawValue) AND i.object_kind = \(bind: ObjectKind.task.rawValue) \
            AND i.object_id = tasks.id AND i.to_user_id IS NOT NULL AND tasks.assignee_id = \(bind: user.rawValue) \
            AND tasks.status = \(bind: SalesTask.Status.open.rawValue) \
            RETURNING tasks.id
            """).all().count
    }
}
