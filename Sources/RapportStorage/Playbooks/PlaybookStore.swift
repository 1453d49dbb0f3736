import Foundation
import RapportCore
import SQLKit

/// Playbooks and their runs in storage. A playbook's trigger, steps and exits are one JSON
/// definition; its trigger key is a column, so the playbooks a change starts are one indexed read.
public struct PlaybookStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    struct Definition: Codable {
        var trigger: PlaybookTrigger
        var steps: [PlaybookStep]
        var exits: [PlaybookExit]
    }

    static let columns = ["id", "key", "version", "name", "trigger_key", "definition", "active", "created_by", "created_at", "updated_at"]

    public func insert(_ playbook: Playbook, by user: RecordID?, at now: Date) async throws {
        let definition = JSONText.encode(Definition(trigger: playbook.trigger, steps: playbook.steps, exits: playbook.exits))
        try await sql.insertRows(into: "playbooks", columns: Self.columns, rows: [[
            .text(playbook.id.rawValue), .text(playbook.key), .integer(Int64(playbook.version)), .text(playbook.name), .text(playbook.trigger.key),
            .text(definition), .integer(playbook.active ? 1 : 0), BulkValue(user?.rawValue), .integer(now.microsSinceEpoch), .integer(now.microsSinceEpoch),
        ]])
    }

    /// Turns every version of `key` off (before a new version goes on, or to withdraw it).
    public func deactivate(key: String, at now: Date) async throws {
        try await sql.update("playbooks").set("active", to: SQLBind(0)).set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .where("key", .equal, key).where("active", .equal, 1).run()
    }

    /// The latest version of each playbook (active or not), by key.
    public func latest() async throws -> [Playbook] {
        let rows = try await sql.raw("""
            SELECT p.* FROM playbooks p WHERE p.version = (SELECT MAX(q.version) FROM playbooks q WHERE q.key = p.key) ORDER BY p.key
            """).all()
        return try rows.map(Self.playbook)
    }

    /// Every version of `key`, newest first.
    public func versions(key: String) async throws -> [Playbook] {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("playbooks").where("key", .equal, key)
            .orderBy("version", .descending).all().map(Self.playbook)
    }

    /// One version by its id.
    public func find(_ id: RecordID) async throws -> Playbook? {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("playbooks").where("id", .equal, id.rawValue).first().map(Self.playbook)
    }

    /// The active playbooks a trigger key starts.
    public func active(triggerKey: String) async throws -> [Playbook] {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("playbooks").where("trigger_key", .equal, triggerKey)
            .where("active", .equal, 1).orderBy("key").all().map(Self.playbook)
    }

    static func playbook(_ row: any SQLRow) throws -> Playbook {
        guard let definition = try? JSONDecoder().decode(Definition.self, from: Data(try row.text("definition").utf8)) else {
            throw CorruptRow(table: "playbooks", column: "definition")
        }
        return Playbook(id: try row.id("id"), key: try row.text("key"), version: Int(try row.int("version")), name: try row.text("name"),
                        trigger: definition.trigger, steps: definition.steps, exits: definition.exits, active: try row.int("active") != 0)
    }

    // MARK: Runs

    /// Writes runs and their steps (replacing what was stored of them), a thousand at a time.
    public func save(_ runs: [PlaybookRun]) async throws {
        for chunk in stride(from: 0, to: runs.count, by: 1_000).map({ Array(runs[$0..<min($0 + 1_000, runs.count)]) }) {
            let ids = chunk.map(\.id.rawValue)
            try await sql.delete(from: "playbook_run_steps").where("run_id", .in, ids).run()
            try await sql.delete(from: "playbook_runs").where("id", .in, ids).run()
            try await sql.insertRows(into: "playbook_runs", columns: ["id", "playbook_id", "playbook_key", "version", "object", "record_id", "started_at",
                                                                      "status", "exit", "ended_at"], rows: chunk.map { run in [
                .text(run.id.rawValue), .text(run.playbookID.rawValue), .text(run.playbookKey), .integer(Int64(run.version)), .text(run.object.rawValue),
                .text(run.recordID.rawValue), .integer(run.startedAt.microsSinceEpoch), .text(run.status.rawValue), BulkValue(run.exit?.rawValue),
                BulkValue(run.endedAt?.microsSinceEpoch),
            ] })
            try await sql.insertRows(into: "playbook_run_steps", columns: ["run_id", "step", "due_at", "status", "ended_at", "assignee_id"],
                                     rows: chunk.flatMap { run in run.steps.map { step in
                                         [.text(run.id.rawValue), .integer(Int64(step.index)), .integer(step.dueAt.microsSinceEpoch), .text(step.status.rawValue),
                                          BulkValue(step.endedAt?.microsSinceEpoch), .text(step.assignee.rawValue)] as [BulkValue]
                                     } })
        }
    }

    /// The running runs on any of `records`, oldest first, a thousand records per query.
    public func running(on records: [(object: DictionaryObject, record: RecordID)]) async throws -> [PlaybookRun] {
        let ids = Array(Set(records.map(\.record.rawValue))).sorted()
        let objects = Set(records.map(\.object.rawValue))
        var result: [PlaybookRun] = []
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let chunk = Array(ids[start..<min(start + 1_000, ids.count)])
            // The object leads the index (object, record_id, status), so it is named, not filtered after.
            let rows = try await sql.select().columns("*").from("playbook_runs").where("object", .in, objects.sorted())
                .where("record_id", .in, chunk).where("status", .equal, PlaybookRun.Status.running.rawValue).orderBy("id").all()
            result += try await runs(rows)
        }
        return result
    }

    /// Every active playbook (one version per key), by key.
    public func allActive() async throws -> [Playbook] {
        try await sql.select().columns(Self.columns.map { SQLColumn($0) }).from("playbooks").where("active", .equal, 1).orderBy("key").all().map(Self.playbook)
    }

    /// The runs on a record (running ones only, or all), oldest first.
    public func runs(object: DictionaryObject, record: RecordID, runningOnly: Bool) async throws -> [PlaybookRun] {
        var query = sql.select().columns("*").from("playbook_runs").where("object", .equal, object.rawValue).where("record_id", .equal, record.rawValue)
        if runningOnly { query = query.where("status", .equal, PlaybookRun.Status.running.rawValue) }
        return try await runs(try await query.orderBy("id").all())
    }

    /// One run by its id.
    public func run(_ id: RecordID) async throws -> PlaybookRun? {
        try await runs(try await sql.select().columns("*").from("playbook_runs").where("id", .equal, id.rawValue).all()).first
    }

    /// The names of the users in `scope`, by id (whose compliance a caller may see).
    public func people(in scope: ScopeFilter) async throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try await scope.apply(to: sql.select().column(SQLColumn("id", table: "users")).column(SQLColumn("name", table: "users")).from("users")).all() {
            names[try row.text("id")] = try row.text("name")
        }
        return names
    }

    func runs(_ rows: [any SQLRow]) async throws -> [PlaybookRun] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.text("id") }
        var steps: [String: [PlaybookRun.Step]] = [:]
        for row in try await sql.select().columns("*").from("playbook_run_steps").where("run_id", .in, ids).orderBy("run_id").orderBy("step").all() {
            guard let status = PlaybookRun.StepStatus(rawValue: try row.text("status")) else { throw CorruptRow(table: "playbook_run_steps", column: "status") }
            steps[try row.text("run_id"), default: []].append(PlaybookRun.Step(
                index: Int(try row.int("step")), dueAt: try row.date("due_at"), status: status, endedAt: try row.optionalDate("ended_at"),
                assignee: try row.id("assignee_id")))
        }
        return try rows.map { row in
            guard let status = PlaybookRun.Status(rawValue: try row.text("status")), let object = DictionaryObject(rawValue: try row.text("object")) else {
                throw CorruptRow(table: "playbook_runs", column: "status")
            }
            let id = try row.text("id")
            return PlaybookRun(id: try row.id("id"), playbookID: try row.id("playbook_id"), playbookKey: try row.text("playbook_key"),
                               version: Int(try row.int("version")), object: object, recordID: try row.id("record_id"), startedAt: try row.date("started_at"),
                               status: status, exit: try row.optionalText("exit").flatMap(PlaybookExit.init(rawValue:)),
                               endedAt: try row.optionalDate("ended_at"), steps: steps[id] ?? [])
        }
    }
}

extension IDPrefix {
    public static let playbook = IDPrefix(rawValue: "sop")
    public static let playbookRun = IDPrefix(rawValue: "run")
}
