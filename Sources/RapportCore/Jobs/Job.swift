import Foundation

/// A durable unit of background work: something to do at or after a due time, retried with
/// back-off until it succeeds or runs out of attempts.
///
/// Everything that happens "later" (reclaiming a lead in N days, a reminder, a webhook delivery)
/// is a job. A job may run more than once — a worker can die after the work and before recording
/// it — so every kind must be idempotent. Payloads carry ids and options, never personal data.
public struct Job: Sendable, Equatable {
    /// Where a job stands.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Waiting for its due time: new, or retrying after a failed attempt (see ``Job/lastError``).
        case queued
        /// Claimed by a worker until its lease ends; an expired lease lets another worker take it.
        case running
        /// Done.
        case succeeded
        /// Stopped without retrying: the handler said retrying cannot help.
        case failed
        /// Gave up after its last attempt failed.
        case dead

        /// Whether the job will not run again (unless an administrator retries it).
        public var isFinished: Bool { self == .succeeded || self == .failed || self == .dead }
    }

    public var id: RecordID
    /// What to do, namespaced by business area: `jobs.prune`, `lead.reclaim`.
    public var kind: String
    /// The handler's input: a JSON object of ids and options.
    public var payload: JSONValue
    /// While a job with this key is queued or running, enqueuing another with the same key does nothing.
    public var dedupKey: String?
    public var status: Status
    /// Not run before this instant.
    public var dueAt: Date
    /// Attempts started so far (a claim counts one).
    public var attempts: Int
    /// After this many failed attempts the job is `dead`.
    public var maxAttempts: Int
    /// The last failure, as an error type or code: never personal data.
    public var lastError: String?
    /// The worker holding the lease while running.
    public var lockedBy: String?
    /// When the running worker's lease ends.
    public var lockedUntil: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?

    /// The attempts a job gets unless its enqueuer says otherwise.
    public static let defaultMaxAttempts = 8

    public init(
        id: RecordID, kind: String, payload: JSONValue = .object([:]), dedupKey: String? = nil, status: Status = .queued, dueAt: Date,
        attempts: Int = 0, maxAttempts: Int = Job.defaultMaxAttempts, lastError: String? = nil, lockedBy: String? = nil,
        lockedUntil: Date? = nil, createdAt: Date, updatedAt: Date, finishedAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.dedupKey = dedupKey
        self.status = status
        self.dueAt = dueAt
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.lastError = lastError
        self.lockedBy = lockedBy
        self.lockedUntil = lockedUntil
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }
}

extension IDPrefix {
    /// Jobs (`job_…`).
    public static let job = IDPrefix(rawValue: "job")
}

extension ObjectKind {
    /// Jobs, as named in the audit log (administrators only; not a scoped record kind).
    public static let job = ObjectKind(rawValue: "job")
}
