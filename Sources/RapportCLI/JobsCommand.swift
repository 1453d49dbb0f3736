import ArgumentParser
import Foundation
import Logging
import RapportApp
import RapportCore
import RapportServer
import RapportStorage

/// `rapport jobs run [--loop]`, `rapport jobs list [--status S] [--kind K]`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Run due background jobs, or list them.",
        subcommands: [Run.self, List.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the jobs that are due now, then stop (or, with --loop, keep running them).",
            discussion: """
                `rapport serve` already runs due jobs. A separate worker (`rapport jobs run --loop`) shares the work with \
                servers and other workers: each job is claimed by one worker at a time. --loop stops on SIGTERM or SIGINT \
                after finishing the jobs in hand. Without --loop, the exit status is 1 when a job failed or died.
                """)
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Keep running due jobs every second until interrupted.") var loop = false

        func run() async throws {
            if loop {
                let configuration = try await loadConfiguration(database.flags)
                bootstrapLogging(configuration)
                do {
                    try await RapportServer.runJobs(configuration, logger: Logger(label: "rapport"))
                } catch {
                    printError("rapport jobs run stopped: \(String(describing: error))")
                    throw ExitCode(1)
                }
                return
            }
            let worker = "cli-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
            let total = try await withRapport(database) { rapport in
                var total = JobUseCases.RunSummary()
                while true {
                    let batch = try await rapport.jobs.runDue(worker: worker)
                    total += batch
                    if batch.claimed == 0 { return total }
                }
            }
            print("\(total.claimed) jobs ran: \(total.succeeded) succeeded, \(total.retrying) to retry, \(total.failed) failed, \(total.dead) dead")
            if total.failed + total.dead > 0 { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only jobs in this status: queued, running, succeeded, failed or dead.") var status: String?
        @Option(help: "Only jobs of this kind (e.g. jobs.prune).") var kind: String?
        @Option(help: "At most this many jobs (1 to 500).") var limit = 50

        func validate() throws {
            var check = Validator()
            _ = check.choice(status, field: "--status", of: Job.Status.self)
            if let error = check.errors.first { throw ValidationError(error.message) }
            guard (1...PageRequest.maximumLimit).contains(limit) else { throw ValidationError("--limit must be from 1 to \(PageRequest.maximumLimit)") }
        }

        func run() async throws {
            let (status, kind, limit) = (self.status, self.kind, self.limit)
            let jobs = try await withRapport(database) { rapport in
                try await rapport.jobs.list(status: status, kind: kind, page: PageRequest(limit: limit), by: .system("cli")).items
            }
            let time = ISO8601DateFormatter()
            for job in jobs {
                var line = "\(job.id)  \(job.kind)  \(job.status.rawValue)  due \(time.string(from: job.dueAt))  attempts \(job.attempts)/\(job.maxAttempts)"
                if let error = job.lastError { line += "  last error: \(error)" }
                print(line)
            }
            if jobs.isEmpty { printError("no jobs") }
        }
    }
}
