import Foundation
import Logging
import PostgresKit
import PostgresNIO
import RapportStorage
import SQLKit
import Synchronization

/// Rapport on PostgreSQL: a pooled client; each write is one transaction on one leased connection.
public final class PostgresEngine: RapportDatabase {
    public let engine = SQLEngine.postgres
    /// The pool; it must be running (``run()``) for queries to be served.
    public let client: PostgresClient
    private let maximumConnections: Int
    private let inFlight = Atomic<Int>(0)
    private let started = StartGate()

    /// A client for `url` (`postgres://user:password@host:port/database?sslmode=disable|prefer|require`).
    public init(url: String, maximumConnections: Int = 20, logger: Logger) throws {
        let configuration = try PostgresEngine.configuration(from: url, maximumConnections: maximumConnections)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.maximumConnections = maximumConnections
    }

    /// Parses a connection URL; the error names what is wrong but never echoes the password.
    public static func configuration(from url: String, maximumConnections: Int) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql"
        else { throw InvalidURL(reason: "must start with postgres:// or postgresql://") }
        guard let user = components.user, !user.isEmpty else { throw InvalidURL(reason: "has no user name") }
        let database = components.path.isEmpty ? nil : String(components.path.dropFirst())
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw InvalidURL(reason: "has an unknown sslmode (use disable, prefer or require)")
        }
        var configuration: PostgresClient.Configuration
        if let host = components.host, !host.isEmpty {
            configuration = .init(
                host: host, port: components.port ?? 5432, username: user, password: components.password,
                database: database, tls: tls)
        } else if let socket = components.queryItems?.first(where: { $0.name == "host" })?.value {
            configuration = .init(unixSocketPath: socket, username: user, password: components.password, database: database)
        } else {
            throw InvalidURL(reason: "has no host")
        }
        // libpq's `options=-c name=value …` sets server parameters (e.g. search_path) per connection.
        if let options = components.queryItems?.first(where: { $0.name == "options" })?.value {
            let words = options.split(separator: " ").map(String.init)
            var index = 0
            while index < words.count {
                if words[index] == "-c", index + 1 < words.count, let equals = words[index + 1].firstIndex(of: "=") {
                    let pair = words[index + 1]
                    configuration.options.additionalStartupParameters.append((String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
                    index += 2
                } else if words[index].hasPrefix("-c"), let equals = words[index].firstIndex(of: "=") {
                    let pair = words[index].dropFirst(2)
                    configuration.options.additionalStartupParameters.append((String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
                    index += 1
                } else {
                    throw InvalidURL(reason: "has options other than -c name=value")
                }
            }
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        return configuration
    }

    /// A database URL that cannot be used; the reason never contains the password.
    public struct InvalidURL: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "the PostgreSQL URL \(reason)" }
    }

    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        await started.wait()
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        return try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func write<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        await started.wait()
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        return try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil).inTransaction(begin: "BEGIN", body)
        }
    }

    /// Returns once the pool has started (for code that leases from ``client`` directly).
    public func waitUntilStarted() async { await started.wait() }

    /// Runs the pool until cancelled; queries wait until it has started.
    public func run() async {
        async let running: Void = client.run()
        try? await Task.sleep(for: .milliseconds(5))  // let run() take hold before the first lease
        started.open()
        await running
    }

    public func close() async {}

    public func poolStatistics() -> PoolStatistics {
        let busy = inFlight.load(ordering: .relaxed)
        return PoolStatistics(connections: maximumConnections, inUse: min(busy, maximumConnections), waiting: max(0, busy - maximumConnections))
    }

    public func classify(_ error: any Error) -> DatabaseFailure? {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return nil }
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "40001", "40P01", "55P03": return .contention
        default: return nil
        }
    }
}
