import ArgumentParser
import Foundation
import RapportApp
import RapportCore
import Synchronization

/// `rapport demo`: fills a fresh database with the demo data, without serving.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fill a fresh database with demo data: an education company, its teams and ~1,400 customers.",
        discussion: """
            The customers are derived from the public X Education lead data set, with synthesised names, \
            phones and emails. Refused (exit code 2) when the database has other data; when it already \
            has the demo, says so. Prints the demo accounts and their password. `rapport serve --demo` \
            does the same before serving.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        printDemo(try await prepareDemo(database, hint: "Use an empty --data-dir or database."))
    }
}

/// What preparing the demo found or did.
enum DemoOutcome: Sendable {
    case filled(DemoUseCases.Summary)
    case alreadyThere
}

/// Migrates the database and fills the demo when it is fresh; when it has other data, says so
/// (with `hint`) on standard error and exits with code 2.
func prepareDemo(_ options: DatabaseOptions, hint: String) async throws -> DemoOutcome {
    try await withRapport(options) { rapport in
        let caller = Caller.system("cli")
        switch try await rapport.demo.state(by: caller) {
        case .demo:
            return .alreadyThere
        case .other(let what):
            printError("error: the demo fills only a fresh database, and this one has other data (\(what)). \(hint)")
            throw ExitCode(2)
        case .fresh:
            FileHandle.standardOutput.write(Data("Filling the database with the demo data…\n".utf8))
            let meter = ProgressMeter(unit: "customers")
            defer { meter.finish() }
            return .filled(try await rapport.demo.fill(by: caller, progress: { meter.update($0, of: $1, phase: "demo") }))
        }
    }
}

/// Prints what the demo made and how to sign in: to standard output, unbuffered (the server
/// runs on after it), never to the logs.
func printDemo(_ outcome: DemoOutcome) {
    var lines: [String] = []
    switch outcome {
    case .filled(let summary):
        let stages = summary.stages.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("Demo data ready in \(String(format: "%.1f", summary.seconds)) s: \(summary.teams) teams, \(summary.users) users, "
            + "\(summary.customers) customers (\(summary.flaggedDuplicates) flagged as duplicates, \(summary.handovers) handed over to service), "
            + "\(summary.relations) relations, \(summary.activities) activities, \(summary.stageMoves) stage moves.")
        lines.append("Stages: \(stages).")
    case .alreadyThere:
        lines.append("The database already has the demo data.")
    }
    lines.append("Sign in with any of these accounts; every password is \(DemoUseCases.password)")
    let width = DemoUseCases.accounts.map(\.email.count).max() ?? 0
    for account in DemoUseCases.accounts {
        let role = account.role.rawValue + (account.repLevel.map { " (\($0))" } ?? "")
        lines.append("  " + account.email.padding(toLength: width + 2, withPad: " ", startingAt: 0)
            + role.padding(toLength: 18, withPad: " ", startingAt: 0) + account.team.padding(toLength: 10, withPad: " ", startingAt: 0) + account.name)
    }
    FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
}
