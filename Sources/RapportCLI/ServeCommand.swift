import ArgumentParser
import Foundation
import Logging
import RapportApp
import RapportServer
import RapportStorage

/// `rapport serve`: migrate and serve.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API and web UI (creates and migrates the database first).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on (env RAPPORT_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env RAPPORT_PORT; default 8080).")
    var port: String?

    @Option(name: .customLong("log-format"), help: "json or text (env RAPPORT_LOG_FORMAT; default json).")
    var logFormat: String?

    @Flag(name: .customLong("test-clock"), help: "Let administrators move the server's clock through POST /api/v1/test-clock (for black-box tests).")
    var testClock = false

    @Flag(name: .customLong("allow-test-clock-on-postgres"), help: "Allow --test-clock with a PostgreSQL database.")
    var allowTestClockOnPostgres = false

    @Flag(help: "Before serving, fill a fresh database with demo data (an education company, its teams and ~1,400 customers) and print the demo accounts.")
    var demo = false

    func run() async throws {
        var flags = database.flags
        flags["host"] = host
        flags["port"] = port
        flags["log_format"] = logFormat
        if testClock { flags["test_clock"] = "true" }
        if allowTestClockOnPostgres { flags["allow_test_clock_on_postgres"] = "true" }
        let configuration = try await loadConfiguration(flags)
        bootstrapLogging(configuration)
        let logger = Logger(label: "rapport")
        if demo { printDemo(try await prepareDemo(database, hint: "Use an empty --data-dir or database, or serve without --demo.")) }
        do {
            try await RapportServer.run(configuration, logger: logger)
        } catch let error as ServerConfiguration.Invalid {
            printError(error.description)
            throw ExitCode(2)
        } catch {
            printError("rapport serve stopped: \(String(describing: error))")
            throw ExitCode(1)
        }
    }
}

/// `rapport migrate [--status]`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending migrations, or show their status.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Only show which migrations are applied and which are pending.")
    var status = false

    func run() async throws {
        var configuration = try await loadConfiguration(database.flags)
        if database.logLevel == nil { configuration.logLevel = .warning }
        bootstrapLogging(configuration)
        let runtime = try await RapportRuntime.open(configuration, logger: Logger(label: "rapport"))
        let showStatus = status
        let lines: [String] = try await runtime.withDatabase { rapport in
            do {
                if showStatus {
                    return try await rapport.system.migrationStatus().map { migration in
                        let state = migration.appliedAt.map { "applied \(ISO8601DateFormatter().string(from: $0))" } ?? "pending"
                        return "\(migration.name)  \(state)\(migration.checksumMatches ? "" : "  CHANGED SINCE APPLIED")"
                    }
                }
                let applied = try await rapport.system.migrate()
                return applied.isEmpty ? ["database is up to date"] : applied.map { "applied \($0)" }
            } catch {
                printError("error: \(String(describing: error))")
                throw ExitCode(1)
            }
        }
        for line in lines { print(line) }
    }
}
