import Foundation
import Logging
import RapportCore
import RapportStorage

extension JobUseCases {
    /// What one ``runDue(worker:limit:lease:)`` did.
    public struct RunSummary: Sendable, Equatable {
        /// Jobs claimed (each ran once).
        public var claimed = 0
        public var succeeded = 0
        /// Failed attempts that will be retried after their back-off.
        public var retrying = 0
        /// Jobs stopped as `failed` (the handler said retrying cannot help).
        public var failed = 0
        /// Jobs that failed their last attempt.
        public var dead = 0
        /// Jobs whose lease passed to another worker before they finished (their outcome was not recorded).
        public var lost = 0

        public init() {}

        /// Adds another run's counts (for a worker's totals).
        public static func += (total: inout RunSummary, run: RunSummary) {
            total.claimed += run.claimed
            total.succeeded += run.succeeded
            total.retrying += run.retrying
            total.failed += run.failed
            total.dead += run.dead
            total.lost += run.lost
        }
    }

    /// Claims up to `limit` due jobs for `worker` (with a lease of `lease` seconds) and runs each
    /// through its handler, one after another: success marks it `succeeded`; an error records
    /// its type and queues it again after ``JobBackoff`` (or `dead` after its last attempt);
    /// ``PermanentJobFailure`` marks it `failed`. Only kinds with a registered handler are claimed.
    /// Several workers (tasks, processes, instances) may call this at once: no job is claimed twice.
    public func runDue(worker: String, limit: Int = 10, lease: TimeInterval = JobUseCases.lease) async throws -> RunSummary {
        let handlers = rapport.jobHandlers
        let now = rapport.clock.now()
        let claimed = try await rapport.transaction { sql in
            try await JobStore(sql).claim(worker: worker, at: now, lease: lease, limit: limit, kinds: handlers.kinds)
        }
        var summary = RunSummary()
        summary.claimed = claimed.count
        for job in claimed {
            switch try await run(job, worker: worker, handler: handlers.handler(for: job.kind)) {
            case .succeeded?: summary.succeeded += 1
            case .queued?: summary.retrying += 1
            case .failed?: summary.failed += 1
            case .dead?: summary.dead += 1
            case .running?, nil: summary.lost += 1
            }
        }
        return summary
    }

    /// Runs one claimed job and records the outcome; nil when the lease was lost meanwhile.
    private func run(_ job: Job, worker: String, handler: JobHandlers.Handler?) async throws -> Job.Status? {
        let failure: (error: String, retry: Bool)
        do {
            guard let handler else { throw MissingHandler() }
            try await handler(job, rapport)
            let done = try await rapport.transaction { sql in try await JobStore(sql).complete(job.id, worker: worker, at: rapport.clock.now()) }
            return done ? .succeeded : nil
        } catch let permanent as PermanentJobFailure {
            failure = (String(permanent.reason.prefix(200)), false)
        } catch {
            failure = (describe(error), true)
        }
        let now = rapport.clock.now()
        let retryAt = failure.retry ? now.addingTimeInterval(JobBackoff.delay(attempt: job.attempts, key: job.id.rawValue)) : nil
        let status = try await rapport.transaction { sql in
            try await JobStore(sql).fail(job.id, worker: worker, error: failure.error, retryAt: retryAt, at: now)
        }
        rapport.logger.warning("job failed", metadata: [
            "job_id": .string(job.id.rawValue), "job_kind": .string(job.kind), "attempt": .stringConvertible(job.attempts),
            "error": .string(failure.error), "status": .string(status?.rawValue ?? "lost"),
        ])
        return status
    }

    /// A short, safe account of an error for `last_error` and the log: its type or code, never
    /// its text (which could quote personal data).
    func describe(_ error: any Error) -> String {
        if let error = error as? RapportError { return "RapportError.\(error.code.rawValue)" }
        if let failure = rapport.database.classify(error) { return "database: \(failure)" }
        return String(describing: type(of: error))
    }

    /// A job claimed whose kind has no handler (cannot happen: claims ask for registered kinds).
    struct MissingHandler: Error {}
}
