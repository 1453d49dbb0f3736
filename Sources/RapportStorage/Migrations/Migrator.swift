import Foundation
import RapportCore
import SQLKit

/// Applies named migrations in order, one transaction each, on either engine.
///
/// The ledger table `rapport_migrations` records what was applied, when, and its checksum.
/// Concurrent migrators (several instances starting at once) are serialised by the engine's
/// lock: an advisory lock on PostgreSQL, the single writer on SQLite.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(_ migrations: [Migration]) {
        precondition(Set(migrations.map(\.name)).count == migrations.count, "migration names must be unique")
        self.migrations = migrations
    }

    /// The state of one migration.
    public struct Status: Sendable, Equatable {
        public var name: String
        public var appliedAt: Date?
        /// False when the applied migration's SQL no longer matches what this binary ships.
        public var checksumMatches: Bool
    }

    /// Errors that stop a start.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// A migration that was applied has been edited since.
        case edited(name: String)
        /// The database has migrations this binary does not know (it is newer than the binary).
        case unknown(names: [String])

        public var description: String {
            switch self {
            case .edited(let name): "migration \(name) was changed after it was applied; migrations are append-only"
            case .unknown(let names): "the database has migrations this version does not know: \(names.joined(separator: ", ")) (is it newer than this binary?)"
            }
        }
    }

    /// Each migration with whether and when it was applied.
    public func status(on database: any RapportDatabase) async throws -> [Status] {
        let applied = try await database.write { sql in
            try await Self.ensureLedger(sql, engine: database.engine)
            return try await Self.appliedMigrations(sql)
        }
        return migrations.map { migration in
            let row = applied[migration.name]
            return Status(
                name: migration.name, appliedAt: row?.at,
                checksumMatches: row.map { $0.checksum == migration.checksum(for: database.engine) } ?? true)
        }
    }

    /// Whether every migration is applied, unchanged, and none is unknown (for `/readyz`).
    public func isCurrent(on database: any RapportDatabase) async throws -> Bool {
        let applied = try await database.read { sql in try await Self.appliedMigrations(sql) }
        let known = Set(migrations.map(\.name))
        return applied.count == migrations.count && applied.keys.allSatisfy(known.contains)
            && migrations.allSatisfy { applied[$0.name]?.checksum == $0.checksum(for: database.engine) }
    }

    /// Applies every pending migration; returns the names applied (empty when already current).
    @discardableResult
    public func migrate(on database: any RapportDatabase, at now: @Sendable () -> Date) async throws -> [String] {
        var done: [String] = []
        let engine = database.engine
        let initial = try await database.write { sql in
            try await Self.lock(sql, engine: engine)
            try await Self.ensureLedger(sql, engine: engine)
            return try await Self.appliedMigrations(sql)
        }
        try check(initial, engine: engine)
        for migration in migrations where initial[migration.name] == nil {
            let applied: Bool = try await database.write { sql in
                try await Self.lock(sql, engine: engine)
                // Another instance may have applied it while we waited for the lock.
                let current = try await Self.appliedMigrations(sql)
                if current[migration.name] != nil { return false }
                for statement in migration.statements(engine) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await sql.insert(into: "rapport_migrations")
                    .columns("name", "applied_at", "checksum")
                    .values(SQLBind(migration.name), SQLBind(now().microsSinceEpoch), SQLBind(migration.checksum(for: engine)))
                    .run()
                return true
            }
            if applied { done.append(migration.name) }
        }
        return done
    }

    private func check(_ applied: [String: (at: Date, checksum: String)], engine: SQLEngine) throws {
        let known = Set(migrations.map(\.name))
        let unknown = applied.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw Failure.unknown(names: unknown) }
        for migration in migrations {
            if let row = applied[migration.name], row.checksum != migration.checksum(for: engine) {
                throw Failure.edited(name: migration.name)
            }
        }
    }

    private static func lock(_ sql: any SQLDatabase, engine: SQLEngine) async throws {
        switch engine {
        case .postgres: try await sql.raw("SELECT pg_advisory_xact_lock(7235931702)").run()
        case .sqlite: break  // writes already hold SQLite's single write lock (BEGIN IMMEDIATE)
        }
    }

    /// The ledger is the one table the migrator creates itself: it must exist to know what else to run.
    private static func ensureLedger(_ sql: any SQLDatabase, engine: SQLEngine) async throws {
        try await sql.raw("""
            CREATE TABLE IF NOT EXISTS rapport_migrations (
                name TEXT PRIMARY KEY,
                applied_at BIGINT NOT NULL,
                checksum TEXT NOT NULL
            )
            """).run()
    }

    private static func appliedMigrations(_ sql: any SQLDatabase) async throws -> [String: (at: Date, checksum: String)] {
        let rows = try await sql.select().columns("name", "applied_at", "checksum").from("rapport_migrations").all()
        var result: [String: (at: Date, checksum: String)] = [:]
        for row in rows {
            result[try row.text("name")] = (try row.date("applied_at"), try row.text("checksum"))
        }
        return result
    }
}
