import Foundation
import Logging
import RapportApp
import RapportCore
import RapportPostgres
import RapportServer
import RapportSQLite
import RapportStorage
import SQLKit

/// The engines the contract suite runs on: SQLite always, PostgreSQL whenever
/// `RAPPORT_TEST_POSTGRES_URL` is set (the test command starts a throwaway cluster for it).
public enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The backends available in this run.
    public static let available: [TestBackend] = {
        var backends: [TestBackend] = [.sqlite]
        if postgresURL != nil { backends.append(.postgres) }
        return backends
    }()

    static let postgresURL: String? = {
        guard let url = ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }()
}

/// A fresh, empty database for one test: a temporary SQLite file, or a new PostgreSQL schema.
public struct TestDatabase: Sendable {
    public let backend: TestBackend
    /// The configuration that opens it (`--data-dir` or a URL pinned to the schema).
    public let configuration: ServerConfiguration
    let cleanup: @Sendable () async -> Void

    public static func make(_ backend: TestBackend) async throws -> TestDatabase {
        var configuration = ServerConfiguration()
        configuration.bcryptCost = 4
        configuration.sqliteReaders = 2
        configuration.maximumConnections = 4
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-test-\(UUID().uuidString)").path
            configuration.dataDirectory = directory
            return TestDatabase(backend: backend, configuration: configuration) {
                try? FileManager.default.removeItem(atPath: directory)
            }
        case .postgres:
            guard let base = TestBackend.postgresURL else { throw SkipPostgres() }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            try await adminExecute(base, "CREATE SCHEMA \(schema)")
            let separator = base.contains("?") ? "&" : "?"
            configuration.databaseURL = base + separator + "options=-c%20search_path%3D\(schema)"
            return TestDatabase(backend: backend, configuration: configuration) {
                try? await adminExecute(base, "DROP SCHEMA \(schema) CASCADE")
            }
        }
    }

    struct SkipPostgres: Error {}

    /// Runs one statement on the base PostgreSQL database.
    static func adminExecute(_ url: String, _ statement: String) async throws {
        let engine = try PostgresEngine(url: url, maximumConnections: 1, logger: Logger(label: "test-admin"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await engine.run() }
            defer { group.cancelAll() }
            try await engine.write { sql in try await sql.raw(SQLQueryString(statement)).run() }
        }
    }

    /// Runs `body` with a fresh database, and removes it afterwards.
    public static func with<T: Sendable>(_ backend: TestBackend, _ body: @Sendable (TestDatabase) async throws -> T) async throws -> T {
        try await PostgresGate.holding(backend) {
            let database = try await make(backend)
            do {
                let result = try await body(database)
                await database.drop()
                return result
            } catch {
                await database.drop()
                throw error
            }
        }
    }

    /// Removes what the test made.
    public func drop() async { await cleanup() }
}

