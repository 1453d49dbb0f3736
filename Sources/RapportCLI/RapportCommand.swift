import ArgumentParser
import Foundation
import Logging
import RapportApp
import RapportCore
import RapportServer

/// `rapport`: the one binary.
public struct RapportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Rapport: a self-hosted customer-lifecycle CRM.",
        subcommands: [ServeCommand.self, MigrateCommand.self, UsersCommand.self, TeamsCommand.self, AuditCommand.self, ImportCommand.self, BenchCommand.self, ExportCommand.self, DemoCommand.self, JobsCommand.self])

    public init() {}

    /// Parses the process arguments and runs the command (the executable's only line).
    public static func start() async { await main() }
}

/// Where the data is: the same options for every command that touches it.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite database (default ./rapport-data; env RAPPORT_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "A postgres:// URL; when given, PostgreSQL is used instead of SQLite (env RAPPORT_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("config"), help: "A JSON file of settings (env RAPPORT_CONFIG).")
    var configFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    /// The flags actually given, by configuration key.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags["data_dir"] = dataDirectory
        flags["database_url"] = databaseURL
        flags["config"] = configFile
        flags["log_level"] = logLevel
        return flags
    }
}

/// Loads the configuration, reporting a bad value by its key and stopping with exit code 2.
func loadConfiguration(_ flags: [String: String]) async throws -> ServerConfiguration {
    do {
        return try await ServerConfiguration.load(flags: flags, environment: ProcessInfo.processInfo.environment)
    } catch let error as ServerConfiguration.Invalid {
        printError(error.description)
        throw ExitCode(2)
    }
}

/// Opens the database for a command, runs `body`, and turns failures into clear messages.
func withRapport<T: Sendable>(_ options: DatabaseOptions, defaultLevel: Logger.Level = .warning, _ body: @Sendable (Rapport) async throws -> T) async throws -> T {
    var configuration = try await loadConfiguration(options.flags)
    if options.logLevel == nil && ProcessInfo.processInfo.environment["RAPPORT_LOG_LEVEL"] == nil { configuration.logLevel = defaultLevel }
    bootstrapLogging(configuration)
    let logger = Logger(label: "rapport")
    do {
        let runtime = try await RapportRuntime.open(configuration, logger: logger)
        return try await runtime.withDatabase { rapport in
            try await rapport.system.migrate()
            return try await body(rapport)
        }
    } catch let error as RapportError {
        printError(describe(error))
        throw ExitCode(1)
    } catch let error as ServerConfiguration.Invalid {
        printError(error.description)
        throw ExitCode(2)
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("cannot use the database: \(String(describing: error))")
        throw ExitCode(1)
    }
}

func describe(_ error: RapportError) -> String {
    var text = "error: \(error.detail)"
    for field in error.fieldErrors { text += "\n  \(field.field): \(field.message)" }
    return text
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

private let loggingBootstrapped = LoggingOnce()

/// Logging is bootstrapped once per process.
func bootstrapLogging(_ configuration: ServerConfiguration) {
    loggingBootstrapped.run { LoggingSystem.bootstrapRapport(format: configuration.logFormat, level: configuration.logLevel) }
}

import Synchronization

final class LoggingOnce: Sendable {
    private let done = Mutex(false)
    func run(_ body: () -> Void) {
        let first = done.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { body() }
    }
}

/// Reads one line (a password) from standard input.
func readSecretLine() throws -> String {
    guard let line = readLine(strippingNewline: true) else {
        printError("error: expected the password on standard input")
        throw ExitCode(2)
    }
    return line
}
