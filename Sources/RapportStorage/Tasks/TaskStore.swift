import Foundation
import RapportCore
import SQLKit

/// Tasks. Reads are scoped by the assignee (a filter anchored on `tasks.assignee_id`).
public struct TaskStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "title", "type", "due_at", "priority", "assignee_id", "linked_kind", "linked_id", "notes", "status", "outcome", "outcome_note",
        "completed_at", "reminder_minutes", "source", "playbook_run_id", "playbook_step", "overdue_alerted_at", "escalated_at", "created_by",
        "version", "created_at", "updated_at",
    ]

    static func row(_ task: SalesTask) -> [BulkValue] {
        [.text(task.id.rawValue), .text(task.title), .text(task.type.rawValue), .integer(task.dueAt.microsSinceEpoch), .text(task.priority.rawValue),
         .text(task.assigneeID.rawValue), BulkValue(task.linkedKind?.rawValue), BulkValue(task.linkedID?.rawValue), BulkValue(task.notes),
         .text(task.status.rawValue), BulkValue(task.outcome?.rawValue), BulkValue(task.outcomeNote), BulkValue(task.completedAt?.microsSinceEpoch),
         BulkValue(task.reminderMinutes.map(Int64.init)), .text(task.source.rawValue), BulkValue(task.playbookRunID),
         BulkValue(task.playbookStep.map(Int64.init)), BulkValue(task.overdueAlertedAt?.microsSinceEpoch), BulkValue(task.escalatedAt?.microsSinceEpoch),
         BulkValue(task.createdBy?.rawValue), .integer(task.version), .integer(task.createdAt.microsSinceEpoch), .integer(task.updatedAt.microsSinceEpoch)]
    }

    public func insert(_ tasks: [SalesTask]) async throws {
        try await sql.insertRows(into: "tasks", columns: Self.columns, rows: tasks.map(Self.row))
    }

    /// Writes `task` over the stored row if that row is still at `expectedVersion`; the stored
    /// version becomes `expectedVersion + 1`. False when someone else changed it first.
    public func replace(_ task: SalesTask, expectedVersion: Int64) async throws -> Bool {
        var updated = task
        updated.version = expectedVersion + 1
        let query = sql.update("tasks")
        for (column, value) in zip(Self.columns, Self.row(updated)) where column != "id" {
            query.set(SQLIdentifier(column), to: value.sqlExpression)
        }
        return try await query.where("id", .equal, task.id.rawValue).where("version", .equal, expectedVersion).returning("id").first() != nil
    }

    /// The linked record's name, looked up by kind (orders have a title).
    static let linkedName = SQLQueryString("""
        CASE tasks.linked_kind \
        WHEN 'customer' THEN (SELECT ln_c.name FROM customers ln_c WHERE ln_c.id = tasks.linked_id) \
        WHEN 'lead' THEN (SELECT ln_l.name FROM leads ln_l WHERE ln_l.id = tasks.linked_id) \
        WHEN 'opportunity' THEN (SELECT ln_o.name FROM opportunities ln_o WHERE ln_o.id = tasks.linked_id) \
        WHEN 'order' THEN (SELECT ln_r.title FROM orders ln_r WHERE ln_r.id = tasks.linked_id) \
        END
        """)

    /// One task whose assignee is within `scope` (nil when there is none or it is outside).
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> TaskRow? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "tasks") }).column(Self.linkedName, as: "linked_name").from("tasks")
            .where(SQLColumn("id", table: "tasks"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decodeRow)
    }

    /// One task regardless of scope (jobs).
    public func find(_ id: RecordID) async throws -> SalesTask? {
        try await sql.select().columns(Self.columns).from("tasks").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// The filters a task list accepts.
    public struct ListFilter: Sendable, Equatable {
        public var assigneeID: RecordID?
        public var statuses: [SalesTask.Status] = []
        public var dueBefore: Date?
        public var dueAfter: Date?
        public var linkedID: RecordID?
        public var linkedKind: SalesTask.LinkedKind?

        public init(assigneeID: RecordID? = nil, statuses: [SalesTask.Status] = [], dueBefore: Date? = nil, dueAfter: Date? = nil,
                    linkedKind: SalesTask.LinkedKind? = nil, linkedID: RecordID? = nil) {
            self.assigneeID = assigneeID
            self.statuses = statuses
            self.dueBefore = dueBefore
            self.dueAfter = dueAfter
            self.linkedKind = linkedKind
            self.linkedID = linkedID
        }
    }

    /// Tasks of assignees within scope, earliest due first (then by id). The cursor is `due_at|id`.
    public func list(_ filter: ListFilter, page: PageRequest, in scope: ScopeFilter) async throws -> Page<TaskRow> {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "tasks") }).column(Self.linkedName, as: "linked_name").from("tasks")
        if let assignee = filter.assigneeID { query.where(SQLColumn("assignee_id", table: "tasks"), .equal, SQLBind(assignee.rawValue)) }
        if !filter.statuses.isEmpty {
            query.where(SQLColumn("status", table: "tasks"), .in, SQLGroupExpression(filter.statuses.map { SQLBind($0.rawValue) }))
        }
        if let before = filter.dueBefore { query.where(SQLColumn("due_at", table: "tasks"), .lessThan, SQLBind(before.microsSinceEpoch)) }
        if let after = filter.dueAfter { query.where(SQLColumn("due_at", table: "tasks"), .greaterThanOrEqual, SQLBind(after.microsSinceEpoch)) }
        if let kind = filter.linkedKind { query.where(SQLColumn("linked_kind", table: "tasks"), .equal, SQLBind(kind.rawValue)) }
        if let linked = filter.linkedID { query.where(SQLColumn("linked_id", table: "tasks"), .equal, SQLBind(linked.rawValue)) }
        if let cursor = page.cursor {
            let parts = cursor.after.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let at = Int64(parts[0]) else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            let id = String(parts[1])
            query.where(SQLQueryString("(tasks.due_at > \(bind: at) OR (tasks.due_at = \(bind: at) AND tasks.id > \(bind: id)))"))
        }
        let rows = try await scope.apply(to: query)
            .orderBy(SQLColumn("due_at", table: "tasks"), SQLDirection.ascending)
            .orderBy(SQLColumn("id", table: "tasks"), SQLDirection.ascending)
            .limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decodeRow), limit: page.limit) { "\($0.task.dueAt.microsSinceEpoch)|\($0.task.id.rawValue)" }
    }

    /// How many open tasks each assignee within scope has that were due before `now`.
    public func overdueCounts(before now: Date, in scope: ScopeFilter) async throws -> [RecordID: Int] {
        let query = sql.select().column(SQLColumn("assignee_id", table: "tasks")).column(SQLFunction("count", args: SQLLiteral.all), as: "overdue")
            .from("tasks")
            .where(SQLColumn("status", table: "tasks"), .equal, SQLBind(SalesTask.Status.open.rawValue))
            .where(SQLColumn("due_at", table: "tasks"), .lessThan, SQLBind(now.microsSinceEpoch))
        let rows = try await scope.apply(to: query).groupBy(SQLColumn("assignee_id", table: "tasks")).all()
        var counts: [RecordID: Int] = [:]
        for row in rows { counts[try row.id("assignee_id")] = Int(try row.int("overdue")) }
        return counts
    }

    // MARK: Alerts

    /// Open tasks due before `now` whose assignee has not been told yet.
    public func unalertedOverdue(before now: Date, limit: Int) async throws -> [SalesTask] {
        try await sql.select().columns(Self.columns).from("tasks").where("status", .equal, SalesTask.Status.open.rawValue)
            .where("due_at", .lessThan, now.microsSinceEpoch).where("overdue_alerted_at", .is, SQLLiteral.null)
            .orderBy("due_at").orderBy("id").limit(limit).all().map(Self.decode)
    }

    /// Open tasks due before `cutoff` whose assignee's managers have not been told yet.
    public func unescalated(dueBefore cutoff: Date, limit: Int) async throws -> [SalesTask] {
        try await sql.select().columns(Self.columns).from("tasks").where("status", .equal, SalesTask.Status.open.rawValue)
            .where("due_at", .lessThan, cutoff.microsSinceEpoch).where("escalated_at", .is, SQLLiteral.null)
            .orderBy("due_at").orderBy("id").limit(limit).all().map(Self.decode)
    }

    /// Marks tasks' overdue alert (or escalation) sent, for the due time they have now.
    public func markAlerted(_ ids: [RecordID], escalated: Bool, at now: Date) async throws {
        let column = escalated ? "escalated_at" : "overdue_alerted_at"
        for chunk in ids.chunked(into: 500) where !chunk.isEmpty {
            try await sql.update("tasks").set(SQLIdentifier(column), to: SQLBind(now.microsSinceEpoch))
                .where("id", .in, SQLGroupExpression(chunk.map { SQLBind($0.rawValue) })).run()
        }
    }

    // MARK: Decoding

    static func decodeRow(_ row: any SQLRow) throws -> TaskRow {
        TaskRow(task: try decode(row), linkedName: try row.optionalText("linked_name"))
    }

    static func decode(_ row: any SQLRow) throws -> SalesTask {
        guard let type = SalesTask.TaskType(rawValue: try row.text("type")),
              let priority = SalesTask.Priority(rawValue: try row.text("priority")),
              let status = SalesTask.Status(rawValue: try row.text("status")),
              let source = SalesTask.Source(rawValue: try row.text("source"))
        else { throw CorruptRow(table: "tasks", column: "type") }
        return SalesTask(
            id: try row.id("id"), title: try row.text("title"), type: type, dueAt: try row.date("due_at"), priority: priority,
            assigneeID: try row.id("assignee_id"), linkedKind: try row.optionalText("linked_kind").flatMap(SalesTask.LinkedKind.init(rawValue:)),
            linkedID: try row.optionalID("linked_id"), notes: try row.optionalText("notes"), status: status,
            outcome: try row.optionalText("outcome").flatMap(SalesTask.Outcome.init(rawValue:)), outcomeNote: try row.optionalText("outcome_note"),
            completedAt: try row.optionalDate("completed_at"), reminderMinutes: try row.optionalInt("reminder_minutes").map { Int($0) },
            source: source, playbookRunID: try row.optionalText("playbook_run_id"), playbookStep: try row.optionalInt("playbook_step").map { Int($0) },
            overdueAlertedAt: try row.optionalDate("overdue_alerted_at"), escalatedAt: try row.optionalDate("escalated_at"),
            createdBy: try row.optionalID("created_by"), version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}
