import Foundation
import RapportCore
import SQLKit

/// Durable jobs in storage: enqueue (deduplicated among unfinished jobs), claim under a lease,
/// complete or fail (retry, `failed`, or `dead` after the last attempt), and the admin views.
///
/// One code path for both engines. Claiming differs only in its row locks: on PostgreSQL the
/// candidates are selected `FOR UPDATE SKIP LOCKED`, so concurrent claimers on several instances
/// each take different jobs without waiting for one another; on SQLite the single writer runs
/// one write transaction at a time, so the same SELECT then UPDATE cannot interleave.
public struct JobStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "kind", "payload", "dedup_key", "status", "due_at", "attempts", "max_attempts", "last_error", "locked_by",
        "locked_until", "created_at", "updated_at", "finished_at",
    ]

    static var returnedColumns: [any SQLExpression] { columns.map { SQLColumn($0) } }

    /// Inserts `job` unless an unfinished job (queued or running) has the same dedup key.
    /// Returns whether it was inserted. Never fails on the key (the statement ignores the
    /// conflict), so it is safe inside a caller's transaction on PostgreSQL too.
    public func enqueue(_ job: Job) async throws -> Bool {
        try await sql.insert(into: "jobs").columns(Self.columns).values(Self.row(job).map(\.sqlExpression))
            .ignoringConflicts()
            .returning("id").first() != nil
    }

    /// Queues many jobs in multi-row inserts; a job whose dedup key an unfinished job holds is
    /// skipped (as ``enqueue(_:)`` would not insert it).
    public func enqueueAll(_ jobs: [Job]) async throws {
        try await sql.insertRows(into: "jobs", columns: Self.columns, rows: jobs.map(Self.row), ignoringConflicts: true)
    }

    /// A job's values in the order of ``columns``.
    static func row(_ job: Job) -> [BulkValue] {
        [
            .text(job.id.rawValue), .text(job.kind), .text(JSONText.encode(job.payload)), BulkValue(job.dedupKey), .text(job.status.rawValue),
            .integer(job.dueAt.microsSinceEpoch), .integer(Int64(job.attempts)), .integer(Int64(job.maxAttempts)), BulkValue(job.lastError),
            BulkValue(job.lockedBy), BulkValue(job.lockedUntil?.microsSinceEpoch), .integer(job.createdAt.microsSinceEpoch),
            .integer(job.updatedAt.microsSinceEpoch), BulkValue(job.finishedAt?.microsSinceEpoch),
        ]
    }

    /// One job, whatever its status.
    public func find(_ id: RecordID) async throws -> Job? {
        try await sql.select().columns(Self.columns).from("jobs").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// The queued or running job holding `dedupKey`, if any.
    public func unfinished(dedupKey: String) async throws -> Job? {
        try await sql.select().columns(Self.columns).from("jobs").where("dedup_key", .equal, dedupKey)
            .where("status", .in, [Job.Status.queued, .running].map(\.rawValue)).first().map(Self.decode)
    }

    /// Takes up to `limit` jobs for `worker`: queued jobs that are due, and running jobs whose
    /// lease has expired (their worker died). Each is marked running under a lease until
    /// `now + lease`, with one more attempt counted. A job whose lease expired on its last attempt
    /// is marked `dead` instead. Only `kinds` are taken (nil: any), so a worker never claims work
    /// it has no handler for. Call inside a write transaction.
    public func claim(worker: String, at now: Date, lease: TimeInterval, limit: Int, kinds: [String]? = nil) async throws -> [Job] {
        if let kinds, kinds.isEmpty { return [] }
        let at = SQLBind(now.microsSinceEpoch)
        let query = sql.select().columns("id", "attempts", "max_attempts", "status").from("jobs")
            .where { due in
                due.where { $0.where("status", .equal, Job.Status.queued.rawValue).where("due_at", .lessThanOrEqual, at) }
                    .orWhere { $0.where("status", .equal, Job.Status.running.rawValue).where("locked_until", .lessThanOrEqual, at) }
            }
        if let kinds { query.where("kind", .in, kinds) }
        query.orderBy("due_at").orderBy("id").limit(limit)
        if sql.dialect.name == "postgresql" { query.lockingClause(SQLRaw("FOR UPDATE SKIP LOCKED")) }
        var take: [String] = []
        var exhausted: [String] = []
        for row in try await query.all() {
            let stale = try row.text("status") == Job.Status.running.rawValue
            let attempts = try row.int("attempts"), maxAttempts = try row.int("max_attempts")
            if stale && attempts >= maxAttempts {
                exhausted.append(try row.text("id"))
            } else {
                take.append(try row.text("id"))
            }
        }
        if !exhausted.isEmpty {
            try await sql.update("jobs").set("status", to: SQLBind(Job.Status.dead.rawValue))
                .set("last_error", to: SQLBind("lease expired during the last attempt"))
                .set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null)
                .set("finished_at", to: at).set("updated_at", to: at)
                .where("id", .in, exhausted).run()
        }
        guard !take.isEmpty else { return [] }
        let claimed = try await sql.update("jobs").set("status", to: SQLBind(Job.Status.running.rawValue))
            .set("locked_by", to: SQLBind(worker)).set("locked_until", to: SQLBind(now.addingTimeInterval(lease).microsSinceEpoch))
            .set("attempts", to: SQLRaw("attempts + 1")).set("updated_at", to: at)
            .where("id", .in, take).returning(Self.returnedColumns).all().map(Self.decode)
        return claimed.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
    }

    /// Marks a job `succeeded` if `worker` still holds it; false when its lease passed to another worker.
    public func complete(_ id: RecordID, worker: String, at now: Date) async throws -> Bool {
        let at = SQLBind(now.microsSinceEpoch)
        return try await held(sql.update("jobs").set("status", to: SQLBind(Job.Status.succeeded.rawValue)), id, worker: worker, at: now)
            .set("finished_at", to: at).returning("id").first() != nil
    }

    /// Records a failed attempt if `worker` still holds the job: with `retryAt`, the job is
    /// queued again for then, or `dead` when it has had its last attempt; without, it is
    /// `failed` (retrying cannot help). Returns the new status, or nil when the lease was lost.
    /// `error` is a short type or code, never personal data.
    public func fail(_ id: RecordID, worker: String, error: String, retryAt: Date?, at now: Date) async throws -> Job.Status? {
        let update = sql.update("jobs").set("last_error", to: SQLBind(String(error.prefix(200))))
        if let retryAt {
            // The row's own attempts decide: the claim counted this one.
            update.set("status", to: SQLRaw("CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END"))
                .set("due_at", to: SQLQueryString("CASE WHEN attempts >= max_attempts THEN due_at ELSE \(bind: retryAt.microsSinceEpoch) END"))
                .set("finished_at", to: SQLQueryString("CASE WHEN attempts >= max_attempts THEN \(bind: now.microsSinceEpoch) ELSE NULL END"))
        } else {
            update.set("status", to: SQLBind(Job.Status.failed.rawValue)).set("finished_at", to: SQLBind(now.microsSinceEpoch))
        }
        guard let row = try await held(update, id, worker: worker, at: now).returning("status").first() else { return nil }
        guard let status = Job.Status(rawValue: try row.text("status")) else { throw CorruptRow(table: "jobs", column: "status") }
        return status
    }

    /// Releases the lease and limits `update` to the job `worker` is running.
    private func held(_ update: SQLUpdateBuilder, _ id: RecordID, worker: String, at now: Date) -> SQLUpdateBuilder {
        update.set("locked_by", to: SQLLiteral.null).set("locked_until", to: SQLLiteral.null).set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .where("id", .equal, id.rawValue).where("status", .equal, Job.Status.running.rawValue).where("locked_by", .equal, worker)
    }

    /// Puts a `failed` or `dead` job back in the queue, due at `now`, with a fresh set of
    /// attempts (the last error stays until the next attempt). Nil when the job is not failed or dead.
    public func retry(_ id: RecordID, at now: Date) async throws -> Job? {
        let at = SQLBind(now.microsSinceEpoch)
        return try await sql.update("jobs").set("status", to: SQLBind(Job.Status.queued.rawValue)).set("due_at", to: at)
            .set("attempts", to: SQLBind(Int64(0))).set("finished_at", to: SQLLiteral.null).set("updated_at", to: at)
            .where("id", .equal, id.rawValue).where("status", .in, [Job.Status.failed, .dead].map(\.rawValue))
            .returning(Self.returnedColumns).first().map(Self.decode)
    }

    /// Jobs newest first, optionally of one status and kind.
    public func list(status: Job.Status?, kind: String?, page: PageRequest) async throws -> Page<Job> {
        let query = sql.select().columns(Self.columns).from("jobs")
        if let status { query.where("status", .equal, status.rawValue) }
        if let kind { query.where("kind", .equal, kind) }
        if let cursor = page.cursor { query.where("id", .lessThan, cursor.after) }
        let rows = try await query.orderBy("id", .descending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: \.id.rawValue)
    }

    /// Deletes jobs that finished (succeeded, failed or dead) before `cutoff`; returns how many.
    @discardableResult
    public func prune(finishedBefore cutoff: Date) async throws -> Int {
        try await sql.delete(from: "jobs").where("status", .in, Job.Status.allCases.filter(\.isFinished).map(\.rawValue))
            .where("finished_at", .lessThan, SQLBind(cutoff.microsSinceEpoch)).returning("id").all().count
    }

    static func decode(_ row: any SQLRow) throws -> Job {
        guard let status = Job.Status(rawValue: try row.text("status")) else { throw CorruptRow(table: "jobs", column: "status") }
        return Job(
            id: try row.id("id"), kind: try row.text("kind"), payload: try JSONText.decode(JSONValue.self, from: try row.text("payload")),
            dedupKey: try row.optionalText("dedup_key"), status: status, dueAt: try row.date("due_at"), attempts: Int(try row.int("attempts")),
            maxAttempts: Int(try row.int("max_attempts")), lastError: try row.optionalText("last_error"), lockedBy: try row.optionalText("locked_by"),
            lockedUntil: try row.optionalDate("locked_until"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            finishedAt: try row.optionalDate("finished_at"))
    }
}
