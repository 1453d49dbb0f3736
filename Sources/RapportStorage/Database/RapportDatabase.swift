import SQLKit

/// The two engines Rapport runs on. Code differs between them only where SQL really differs,
/// and every such place asks `engine` in the storage layer (never above it).
public enum SQLEngine: String, Sendable, CaseIterable {
    case sqlite
    case postgres
}

/// A database Rapport can run on: reads see committed data, writes run in one transaction.
///
/// The stores are written once against `SQLDatabase` and run on both engines; use cases decide
/// the transaction boundaries (one use case, one transaction).
public protocol RapportDatabase: Sendable {
    var engine: SQLEngine { get }

    /// Runs `body` with a connection that sees committed data.
    func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs background work the database needs (a PostgreSQL pool) until the task is cancelled.
    func run() async

    /// Closes every connection. Nothing may use the database afterwards.
    func close() async

    /// What the connection pool is doing, for `/metrics`.
    func poolStatistics() -> PoolStatistics

    /// Classifies a driver error, so stores can turn constraint violations into domain errors.
    func classify(_ error: any Error) -> DatabaseFailure?
}

/// A snapshot of the pool, exposed as gauges.
public struct PoolStatistics: Sendable, Equatable {
    public var connections: Int
    public var inUse: Int
    public var waiting: Int

    public init(connections: Int, inUse: Int, waiting: Int) {
        self.connections = connections
        self.inUse = inUse
        self.waiting = waiting
    }
}

/// Driver errors that mean something to the domain.
public enum DatabaseFailure: Sendable, Equatable {
    /// A unique constraint was violated.
    case uniqueViolation
    /// A foreign key constraint was violated (a referenced row is missing or still referenced).
    case foreignKeyViolation
    /// The engine gave up because of concurrent work (serialization failure, deadlock, busy).
    case contention
}

extension RapportDatabase {
    /// Whether `error` is a unique-constraint violation.
    public func isUniqueViolation(_ error: any Error) -> Bool { classify(error) == .uniqueViolation }
}
