import Foundation
import RapportCore
import SQLKit

extension PlaybookStore {
    /// A playbook's steps grouped the way compliance counts them (whose, where they stand, ended by
    /// their due time, due before `now`): one aggregate query, a handful of rows per rep however
    /// many runs the playbook has. Only runs started in `started` (from inclusive, to exclusive;
    /// either end open when nil) count.
    public func stepTallies(playbookKey: String, now: Date, started: (from: Date?, to: Date?) = (nil, nil)) async throws -> [PlaybookCompliance.StepTally] {
        let rows = try await sql.raw("""
            SELECT s.assignee_id AS assignee_id, s.status AS step_status, \
            CASE WHEN s.ended_at IS NOT NULL AND s.ended_at <= s.due_at THEN 1 ELSE 0 END AS by_due, \
            CASE WHEN s.due_at < \(bind: now.microsSinceEpoch) THEN 1 ELSE 0 END AS past_due, COUNT(*) AS n \
            FROM playbook_run_steps s JOIN playbook_runs r ON r.id = s.run_id \
            WHERE r.playbook_key = \(bind: playbookKey)\(Self.startedWithin(started, column: "r.started_at")) \
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """).all()
        return try rows.map { row in
            guard let status = PlaybookRun.StepStatus(rawValue: try row.text("step_status")) else {
                throw CorruptRow(table: "playbook_run_steps", column: "status")
            }
            return PlaybookCompliance.StepTally(assignee: try row.id("assignee_id"), playbookKey: playbookKey, status: status,
                                                endedByDue: try row.int("by_due") == 1, pastDue: try row.int("past_due") == 1, count: try row.int("n"))
        }
    }

    /// A playbook's runs started in `started` grouped by version, status and exit: one aggregate query.
    public func runTallies(playbookKey: String, started: (from: Date?, to: Date?) = (nil, nil)) async throws -> [PlaybookCompliance.RunTally] {
        let rows = try await sql.raw("""
            SELECT version, status, exit, COUNT(*) AS n FROM playbook_runs \
            WHERE playbook_key = \(bind: playbookKey)\(Self.startedWithin(started, column: "started_at")) \
            GROUP BY version, status, exit ORDER BY version, status, exit
            """).all()
        return try rows.map { row in
            guard let status = PlaybookRun.Status(rawValue: try row.text("status")) else { throw CorruptRow(table: "playbook_runs", column: "status") }
            let exit = try row.optionalText("exit").map { raw in
                guard let exit = PlaybookExit(rawValue: raw) else { throw CorruptRow(table: "playbook_runs", column: "exit") }
                return exit
            }
            return PlaybookCompliance.RunTally(version: .init(playbookKey: playbookKey, version: Int(try row.int("version"))), status: status, exit: exit,
                                               count: try row.int("n"))
        }
    }

    /// ` AND <column> >= from AND <column> < to` for the ends given.
    static func startedWithin(_ started: (from: Date?, to: Date?), column: String) -> SQLQueryString {
        var condition: SQLQueryString = ""
        if let from = started.from { condition.appendInterpolation(" AND \(unsafeRaw: column) >= \(bind: from.microsSinceEpoch)" as SQLQueryString) }
        if let to = started.to { condition.appendInterpolation(" AND \(unsafeRaw: column) < \(bind: to.microsSinceEpoch)" as SQLQueryString) }
        return condition
    }
}
