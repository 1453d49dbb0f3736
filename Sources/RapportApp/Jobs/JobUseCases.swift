import Foundation
import Logging
import RapportCore
import RapportStorage
import SQLKit

/// Durable jobs: enqueue work for later (inside the transaction of the change that causes it, so
/// the two commit or roll back together — the outbox), run due jobs through the registered
/// ``JobHandlers``, and the administrators' view (list, retry).
///
/// ```swift
/// try await rapport.transaction { sql in
///     try await LeadStore(sql).assign(lead, to: rep)
///     try await rapport.jobs.enqueue(kind: "lead.reclaim", payload: .object(["lead_id": .string(lead.rawValue)]),
///                                    dedupKey: "lead.reclaim:\(lead)", dueAt: now.addingTimeInterval(7 * 86_400), in: sql)
/// }
/// ```
public struct JobUseCases: Sendable {
    let rapport: Rapport

    /// How long a claimed job belongs to its worker; after that another worker may take it.
    public static let lease: TimeInterval = 5 * 60
    /// The built-in kind that deletes finished jobs.
    public static let pruneKind = "jobs.prune"
    /// Finished jobs are kept this many days.
    public static let keepFinishedDays = 30

    /// Queues a job in the caller's transaction `sql`: it exists exactly when that transaction
    /// commits. With a `dedupKey`, a queued or running job with the same key makes this a no-op
    /// that returns that job. `dueAt` defaults to now (the injected clock).
    @discardableResult
    public func enqueue(
        kind: String, payload: JSONValue = .object([:]), dedupKey: String? = nil, dueAt: Date? = nil,
        maxAttempts: Int = Job.defaultMaxAttempts, in sql: any SQLDatabase
    ) async throws -> Job {
        var check = Validator()
        Self.check(kind: kind, payload: payload, dedupKey: dedupKey, maxAttempts: maxAttempts, into: &check)
        try check.finish()
        let now = rapport.clock.now()
        let job = Job(
            id: rapport.ids.next(.job, at: now), kind: kind, payload: payload, dedupKey: dedupKey, dueAt: dueAt ?? now,
            maxAttempts: maxAttempts, createdAt: now, updatedAt: now)
        let store = JobStore(sql)
        // Twice at most: the job holding the key may finish between the insert and the look-up.
        for _ in 0..<2 {
            if try await store.enqueue(job) { return job }
            if let dedupKey, let existing = try await store.unfinished(dedupKey: dedupKey) { return existing }
        }
        throw RapportError(.conflict, "The job could not be queued; try again.")
    }

    /// Queues many jobs in `sql`'s transaction at once (a bulk change's reminders, say); a job whose
    /// dedup key an unfinished job holds is left out. The same checks as one ``enqueue(kind:payload:dedupKey:dueAt:maxAttempts:in:)``.
    public func enqueueAll(_ requests: [(kind: String, payload: JSONValue, dedupKey: String?, dueAt: Date)], in sql: any SQLDatabase) async throws {
        guard !requests.isEmpty else { return }
        let now = rapport.clock.now()
        var check = Validator()
        let jobs = requests.map { request in
            Self.check(kind: request.kind, payload: request.payload, dedupKey: request.dedupKey, maxAttempts: Job.defaultMaxAttempts, into: &check)
            return Job(id: rapport.ids.next(.job, at: now), kind: request.kind, payload: request.payload, dedupKey: request.dedupKey, dueAt: request.dueAt,
                       maxAttempts: Job.defaultMaxAttempts, createdAt: now, updatedAt: now)
        }
        try check.finish()
        try await JobStore(sql).enqueueAll(jobs)
    }

    /// What a job to queue must be: a kind of 1 to 100 characters, a JSON object payload, a dedup
    /// key of 1 to 200 characters when given, 1 to 100 attempts.
    static func check(kind: String, payload: JSONValue, dedupKey: String?, maxAttempts: Int, into check: inout Validator) {
        if kind.isEmpty || kind.count > 100 { check.add("kind", "invalid", "kind is 1 to 100 characters, e.g. lead.reclaim.") }
        if let dedupKey, dedupKey.isEmpty || dedupKey.count > 200 { check.add("dedup_key", "invalid", "dedup_key is 1 to 200 characters.") }
        if !(1...100).contains(maxAttempts) { check.add("max_attempts", "out_of_range", "max_attempts is from 1 to 100.") }
        if case .object = payload {} else { check.add("payload", "invalid", "payload is a JSON object.") }
    }

    /// Queues a job in a transaction of its own (see ``enqueue(kind:payload:dedupKey:dueAt:maxAttempts:in:)``).
    @discardableResult
    public func enqueue(
        kind: String, payload: JSONValue = .object([:]), dedupKey: String? = nil, dueAt: Date? = nil, maxAttempts: Int = Job.defaultMaxAttempts
    ) async throws -> Job {
        try await rapport.transaction { sql in
            try await enqueue(kind: kind, payload: payload, dedupKey: dedupKey, dueAt: dueAt, maxAttempts: maxAttempts, in: sql)
        }
    }

    /// Makes sure the recurring housekeeping jobs are queued: one `jobs.prune` (and the nightly
    /// reclaim and quote expiry), due at the next midnight (UTC). Every runner calls this now and then; the dedup key keeps it to one.
    public func scheduleHousekeeping() async throws {
        let day: Int64 = 86_400_000_000
        let midnight = Date(microsSinceEpoch: (rapport.clock.now().microsSinceEpoch / day + 1) * day)
        try await enqueue(kind: Self.pruneKind, dedupKey: Self.pruneKind, dueAt: midnight)
        try await enqueue(kind: PoolUseCases.reclaimKind, dedupKey: PoolUseCases.reclaimKind, dueAt: midnight)
        try await enqueue(kind: OrderUseCases.dailyKind, dedupKey: OrderUseCases.dailyKind, dueAt: midnight)
        try await enqueue(kind: EntitlementUseCases.dailyKind, dedupKey: EntitlementUseCases.dailyKind, dueAt: midnight)
        try await enqueue(kind: PlaybookUseCases.dailyKind, dedupKey: PlaybookUseCases.dailyKind, dueAt: midnight)
        try await enqueue(kind: ReceivableUseCases.overdueKind, dedupKey: ReceivableUseCases.overdueKind, dueAt: midnight)
        try await enqueue(kind: QuoteUseCases.expireKind, dedupKey: QuoteUseCases.expireKind, dueAt: midnight)
        try await rapport.tasks.scheduleOverdueCheck()
        try await rapport.notifications.scheduleDigest()
    }

    // MARK: Administrators

    /// Jobs newest first, optionally of one status (`queued`, `running`, `succeeded`, `failed`, `dead`) and kind.
    public func list(status: String?, kind: String?, page: PageRequest, by caller: Caller) async throws -> Page<Job> {
        try requireAdmin(caller, writing: false)
        var check = Validator()
        let parsed = check.choice(status, field: "status", of: Job.Status.self)
        if let kind, kind.count > 100 { check.add("kind", "too_long", "kind is at most 100 characters.") }
        try check.finish()
        return try await rapport.database.read { sql in try await JobStore(sql).list(status: parsed, kind: kind, page: page) }
    }

    /// One job (`not_found` for anything else).
    public func get(_ id: String, by caller: Caller) async throws -> Job {
        try requireAdmin(caller, writing: false)
        let jobID = try Self.parse(id)
        guard let job = try await rapport.database.read({ sql in try await JobStore(sql).find(jobID) }) else { throw RapportError.notFound("job") }
        return job
    }

    /// Puts a `failed` or `dead` job back in the queue, due now, with a fresh set of attempts.
    /// Any other status is a `conflict`, as is a job whose dedup key another unfinished job now holds.
    public func retry(_ id: String, by caller: Caller) async throws -> Job {
        try requireAdmin(caller, writing: true)
        let jobID = try Self.parse(id)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = JobStore(sql)
            guard let job = try await store.retry(jobID, at: now) else {
                guard let existing = try await store.find(jobID) else { throw RapportError.notFound("job") }
                throw RapportError(.conflict, "The job is \(existing.status.rawValue); only failed or dead jobs may be retried.")
            }
            try await rapport.record(rapport.event("job.retried", by: caller, kind: .job, object: job.id.rawValue, details: ["kind": job.kind]), in: sql)
            return job
        }
    }

    /// Administrators only (the system too); changes need a token that may write.
    func requireAdmin(_ caller: Caller, writing: Bool) throws {
        guard let principal = caller.principal else { return }
        guard principal.isAdmin else { throw RapportError(.forbidden, "Only administrators may see or retry jobs.") }
        if writing && !principal.tokenScopes.contains(.write) {
            throw RapportError(.forbidden, "Retrying a job needs a token that may write.")
        }
    }

    static func parse(_ id: String) throws -> RecordID {
        guard let parsed = RecordID(parsing: id, prefix: .job) else { throw RapportError.notFound("job") }
        return parsed
    }

    // MARK: Built-in kinds

    /// Registers the jobs area's own kinds: `jobs.prune`.
    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(pruneKind) { job, rapport in try await rapport.jobs.prune(job) }
    }

    struct PruneRequest: Decodable {
        var olderThanDays: Int?

        enum CodingKeys: String, CodingKey { case olderThanDays = "older_than_days" }
    }

    /// `jobs.prune`: deletes jobs that finished more than `older_than_days` (default 30) days ago.
    /// Idempotent: a second run finds nothing more to delete.
    func prune(_ job: Job) async throws {
        let days = try job.payload(as: PruneRequest.self).olderThanDays ?? Self.keepFinishedDays
        guard days >= 1 else { throw PermanentJobFailure("older_than_days must be at least 1") }
        let cutoff = rapport.clock.now().addingTimeInterval(-Double(days) * 86_400)
        let deleted = try await rapport.transaction { sql in try await JobStore(sql).prune(finishedBefore: cutoff) }
        rapport.logger.info("jobs pruned", metadata: ["count": .stringConvertible(deleted)])
    }
}
