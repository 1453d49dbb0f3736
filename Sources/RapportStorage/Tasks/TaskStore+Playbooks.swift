import Foundation
import RapportCore
import SQLKit

extension TaskStore {
    /// Cancels the open tasks that playbook runs made (the runs ended), noting why, a thousand runs
    /// per statement. Returns how many tasks.
    @discardableResult
    public func cancelOpen(playbookRuns runIDs: [String], note: String, at now: Date) async throws -> Int {
        var cancelled = 0
        for start in stride(from: 0, to: runIDs.count, by: 1_000) {
            let chunk = Array(runIDs[start..<min(start + 1_000, runIDs.count)])
            cancelled += try await sql.update("tasks")
                .set("status", to: SQLBind(SalesTask.Status.cancelled.rawValue)).set("outcome_note", to: SQLBind(note))
                .set("completed_at", to: SQLBind(now.microsSinceEpoch)).set("updated_at", to: SQLBind(now.microsSinceEpoch))
                .set("version", to: SQLBinaryExpression(SQLColumn("version"), .add, SQLLiteral.numeric("1")))
                .where("playbook_run_id", .in, chunk).where("status", .equal, SalesTask.Status.open.rawValue)
                .returning("id").all().count
        }
        return cancelled
    }
}
