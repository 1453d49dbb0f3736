import Foundation
import RapportCore
import SQLKit

extension TaskStore {
    /// Cancels the open tasks a playbook run made (the run ended), noting why. Returns how many.
    @discardableResult
    public func cancelOpen(playbookRun runID: String, note: String, at now: Date) async throws -> Int {
        try await sql.update("tasks")
            .set("status", to: SQLBind(SalesTask.Status.cancelled.rawValue)).set("outcome_note", to: SQLBind(note))
            .set("completed_at", to: SQLBind(now.microsSinceEpoch)).set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .set("version", to: SQLBinaryExpression(SQLColumn("version"), .add, SQLLiteral.numeric("1")))
            .where("playbook_run_id", .equal, runID).where("status", .equal, SalesTask.Status.open.rawValue)
            .returning("id").all().count
    }
}
