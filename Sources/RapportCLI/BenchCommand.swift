import ArgumentParser
import Foundation
import RapportApp
import RapportCore

/// `rapport bench seed-activities`: benchmark volumes (used by scripts/bench).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Seed benchmark data (scripts/bench uses it).", subcommands: [SeedActivities.self, SeedLeads.self, SeedOpportunities.self, SeedRepActivities.self, Reclaim.self, Assign.self, Playbooks.self])

    struct SeedActivities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-activities", abstract: "Add N activities to every customer, dated over the past year.")
        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("per-customer"), help: "Activities per customer (1–100).") var perCustomer: Int = 10

        func run() async throws {
            let started = Date()
            let written = try await withRapport(database) { [perCustomer] rapport in
                try await rapport.bench.seedActivities(perCustomer: perCustomer, by: .system("cli")) { count in
                    if count % 1_000_000 < 20_000 * perCustomer / 10 { printError("seeded \(count) activities") }
                }
            }
            print("seeded \(written) activities in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    struct SeedLeads: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-leads", abstract: "Add N leads owned by the active reps to a lead pool with reclaim rules.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many leads.") var count: Int = 1_000_000
        @Option(help: "The pool's key (created when missing).") var pool: String = "bench-leads"

        func run() async throws {
            let started = Date()
            _ = try await withRapport(database) { [count, pool] rapport in
                try await rapport.bench.seedLeads(count: count, pool: pool, by: .system("cli")) { written in
                    if written % 200_000 == 0 { printError("seeded \(written) leads") }
                }
            }
            print("seeded \(count) leads in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    struct SeedOpportunities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-opportunities", abstract: "Add N opportunities with their stage history on the first pipeline, owned by the active reps.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many opportunities.") var count: Int = 1_000_000

        func run() async throws {
            let started = Date()
            _ = try await withRapport(database) { [count] rapport in
                try await rapport.bench.seedOpportunities(count: count, by: .system("cli")) { written in
                    if written % 100_000 == 0 { printError("seeded \(written) opportunities") }
                }
            }
            print("seeded \(count) opportunities in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    struct SeedRepActivities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-rep-activities", abstract: "Add N activities done by the active reps on their customers, dated over the past year.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many activities.") var count: Int = 1_000_000

        func run() async throws {
            let started = Date()
            _ = try await withRapport(database) { [count] rapport in
                try await rapport.bench.seedRepActivities(count: count, by: .system("cli")) { written in
                    if written % 100_000 == 0 { printError("seeded \(written) activities") }
                }
            }
            print("seeded \(count) activities in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    struct Reclaim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reclaim", abstract: "Time a pool's reclaim run (or, with --preview, tonight's preview).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The pool's key or id.") var pool: String = "bench-leads"
        @Flag(help: "Only decide (the preview), change nothing.") var preview = false

        func run() async throws {
            try await withRapport(database) { [pool, preview] rapport in
                let started = Date()
                let report = preview ? try await rapport.pools.reclaimPreview(pool, by: .system("cli"))
                    : try await rapport.pools.reclaim(pool, by: .system("cli"))
                let seconds = Date().timeIntervalSince(started)
                print("\(preview ? "previewed" : "reclaimed") \(report.reclaimed.count), warned \(report.warned.count) in \(String(format: "%.2f", seconds)) s")
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assign", abstract: "Seed N incoming leads and four assignment rules, then time routing them all through the rules.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many incoming leads.") var count: Int = 100_000
        @Option(help: "The team whose reps the rules assign to.") var team: String = "sales"
        @Option(help: "Leads per transaction.") var batch: Int = 5_000

        func run() async throws {
            try await withRapport(database) { [count, team, batch] rapport in
                let pool = try await rapport.bench.seedIncoming(count: count, team: team, by: .system("cli"))
                let started = Date()
                var after: String?
                var assigned = 0
                var moved = 0
                while true {
                    let applied = try await rapport.assignment.apply(pool: pool.id.rawValue, after: after, limit: batch, by: .system("cli"))
                    guard applied.examined > 0 else { break }
                    assigned += applied.assigned
                    moved += applied.moved
                    after = applied.last?.rawValue
                }
                let seconds = Date().timeIntervalSince(started)
                print("routed \(count) (assigned \(assigned), moved \(moved)) in \(String(format: "%.2f", seconds)) s: \(Int(Double(count) / seconds)) leads/s")
            }
        }
    }

    struct Playbooks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "playbooks",
            abstract: "Seed N leads and twenty playbooks, then time evaluating N record changes against the triggers: a transaction per change, and in batches.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How many leads, and how many changes per mode.") var count: Int = 100_000
        @Option(help: "Changes per transaction in the batched mode.") var batch: Int = 1_000

        func run() async throws {
            try await withRapport(database) { [count, batch] rapport in
                let caller = Caller.system("cli")
                _ = try await rapport.bench.seedLeads(count: 2 * count, pool: "bench-playbooks", by: caller)  // one half per mode
                try await rapport.bench.definePlaybooks(by: caller)
                let leads = try await rapport.bench.owners(of: try await rapport.bench.leadIDs(pool: "bench-playbooks"))
                // The engine alone: which playbooks each change starts, from the index in memory.
                let index = PlaybookIndex(try await rapport.playbooks.list(by: caller))
                let now = Date()
                let evaluated = Date()
                var matched = 0
                for offset in 0..<(10 * count) { matched += index.triggered(by: BenchUseCases.benchChange(offset, leads: leads, at: now).change).count }
                let pure = Date().timeIntervalSince(evaluated)
                print("engine: \(10 * count) changes (\(matched) runs started, 0 ended) in \(String(format: "%.2f", pure)) s: \(Int(Double(10 * count) / pure)) changes/s")
                for (mode, size, range) in [("single", 1, 0..<count), ("batched", batch, count..<(2 * count))] {
                    let started = Date()
                    let observed = try await rapport.bench.observeChanges(range, leads: leads, batch: size, by: caller)
                    let seconds = Date().timeIntervalSince(started)
                    print("\(mode): \(observed.changes) changes (\(observed.started) runs started, \(observed.ended) ended) in \(String(format: "%.2f", seconds)) s: \(Int(Double(observed.changes) / seconds)) changes/s")
                }
            }
        }
    }
}
