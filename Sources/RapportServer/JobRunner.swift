import Foundation
import Logging
import RapportApp
import RapportStorage
import ServiceLifecycle
import UnixSignals

/// Runs due jobs in the background: every second it runs batches of due jobs until none are
/// due, and every hour it makes sure the recurring housekeeping jobs are queued. Several
/// instances (and `rapport jobs run --loop` workers) share the work: claiming takes each job for
/// one worker under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
/// SQLite); a crashed worker's job is taken again when its lease expires. On shutdown the batch
/// in hand is finished first.
struct JobRunner: Service {
    let rapport: Rapport
    let logger: Logger
    /// Apply pending migrations before the first run (a worker without a server beside it).
    var migrateFirst = false
    let worker = "jobs-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    func run() async throws {
        if migrateFirst { try await rapport.system.migrate() }
        var secondsToSchedule = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            do {
                if secondsToSchedule <= 0 {
                    try await rapport.jobs.scheduleHousekeeping()
                    secondsToSchedule = 3_600
                }
                secondsToSchedule -= 1
                try await runUntilNoneDue()
            } catch {
                logger.warning("job runner failed", metadata: ["error_type": .string(String(describing: type(of: error)))])
            }
        }
    }

    /// Runs batches until a claim finds nothing due (or shutdown begins).
    func runUntilNoneDue() async throws {
        var total = JobUseCases.RunSummary()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let batch = try await rapport.jobs.runDue(worker: worker)
            total += batch
            if batch.claimed == 0 { break }
        }
        if total.claimed > 0 {
            logger.info("jobs ran", metadata: [
                "count": .stringConvertible(total.claimed), "failed": .stringConvertible(total.retrying + total.failed + total.dead),
            ])
        }
    }
}

extension RapportServer {
    /// `rapport jobs run --loop`: a worker process that migrates, then runs due jobs until
    /// SIGTERM or SIGINT (finishing the batch in hand).
    public static func runJobs(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let runtime = try await RapportRuntime.open(configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: runtime.databaseServices.map { .init(service: $0) } + [
                    .init(service: JobRunner(rapport: runtime.rapport, logger: logger, migrateFirst: true)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        await runtime.rapport.database.close()
    }
}
