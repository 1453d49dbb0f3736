import ArgumentParser
import Foundation
import RapportApp
import RapportCore

/// `rapport bench seed-activities`: benchmark volumes (used by scripts/bench).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Seed benchmark data (scripts/bench uses it).", subcommands: [SeedActivities.self])

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
}
