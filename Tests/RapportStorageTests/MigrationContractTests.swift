import Foundation
import Logging
import RapportApp
import RapportCore
import RapportServer
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// The storage contract: every test runs on SQLite, and on PostgreSQL when it is available.
@Suite struct MigrationContractTests {
    func openRaw(_ database: TestDatabase, _ migrator: Migrator, _ body: @Sendable (Rapport) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runtime = try await RapportRuntime.open(database.configuration, logger: logger, clock: TestClock(TestHarness.start), migrator: migrator)
        try await runtime.withDatabase { rapport in try await body(rapport) }
    }

    @Test(arguments: TestBackend.available)
    func migratesFromEmptyAndReRunsAsANoOp(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await openRaw(database, RapportMigrations.migrator()) { rapport in
                #expect(await rapport.system.readiness().migrationsCurrent == false)
                let first = try await rapport.system.migrate()
                #expect(first == RapportMigrations.all.map(\.name))
                let second = try await rapport.system.migrate()
                #expect(second.isEmpty)
                let status = try await rapport.system.migrationStatus()
                #expect(status.allSatisfy { $0.appliedAt != nil && $0.checksumMatches })
                #expect(await rapport.system.readiness() == .init(databaseReachable: true, migrationsCurrent: true))
            }
            // A second process starting on the migrated database applies nothing.
            try await openRaw(database, RapportMigrations.migrator()) { rapport in
                let applied = try await rapport.system.migrate()
                #expect(applied.isEmpty)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func anEditedMigrationStopsTheStart(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let original = Migration("0100_example", sql: ["CREATE TABLE example (id TEXT PRIMARY KEY)"])
            let edited = Migration("0100_example", sql: ["CREATE TABLE example (id TEXT PRIMARY KEY, extra TEXT)"])
            try await openRaw(database, RapportMigrations.migrator(adding: [original])) { rapport in
                try await rapport.system.migrate()
            }
            try await openRaw(database, RapportMigrations.migrator(adding: [edited])) { rapport in
                await #expect(throws: Migrator.Failure.edited(name: "0100_example")) { try await rapport.system.migrate() }
                #expect(await rapport.system.readiness().migrationsCurrent == false)
            }
            // A binary older than the database refuses to run on it.
            try await openRaw(database, RapportMigrations.migrator()) { rapport in
                await #expect(throws: Migrator.Failure.unknown(names: ["0100_example"])) { try await rapport.system.migrate() }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailingMigrationLeavesNothingBehind(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let broken = Migration("0100_broken", sql: ["CREATE TABLE half_done (id TEXT PRIMARY KEY)", "THIS IS NOT SQL"])
            try await openRaw(database, RapportMigrations.migrator(adding: [broken])) { rapport in
                await #expect(throws: (any Error).self) { try await rapport.system.migrate() }
                let status = try await rapport.system.migrationStatus()
                #expect(status.first { $0.name == "0100_broken" }?.appliedAt == nil)
                #expect(status.first { $0.name == "0001_foundation" }?.appliedAt != nil)
                // The first statement of the failed migration was rolled back with it.
                await #expect(throws: (any Error).self) {
                    try await rapport.database.read { sql in _ = try await sql.raw("SELECT count(*) AS n FROM half_done").first() }
                }
            }
        }
    }

    @Test func sqliteRunsInWALWithForeignKeysAndFullSync() async throws {
        try await TestHarness.with(.sqlite) { harness in
            try await harness.rapport.database.write { sql in
                let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
                let keys = try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
                let sync = try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
                #expect(mode == "wal")
                #expect(keys == 1)
                #expect(sync == 2)  // FULL
            }
            // Readers enforce foreign keys too and cannot write.
            try await harness.rapport.database.read { sql in
                let keys = try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
                #expect(keys == 1)
                await #expect(throws: (any Error).self) {
                    try await sql.raw("INSERT INTO role_scopes (role, object_kind, scope, updated_at) VALUES ('rep', 'user', 'all', 0)").run()
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func constraintViolationsAreClassified(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("sales")
            let database = harness.rapport.database
            do {
                try await database.write { sql in
                    try await TeamStore(sql).insert(Team(id: RecordID(trusted: "team_other"), key: team.key, name: "Dup", parentID: nil, path: "/team_other/", version: 1, createdAt: Date(), updatedAt: Date()))
                }
                Issue.record("a duplicate key was accepted")
            } catch {
                #expect(database.classify(error) == .uniqueViolation)
            }
            do {
                try await database.write { sql in
                    try await TeamStore(sql).insert(Team(id: RecordID(trusted: "team_orphan"), key: "orphan", name: "Orphan", parentID: RecordID(trusted: "team_missing"), path: "/x/", version: 1, createdAt: Date(), updatedAt: Date()))
                }
                Issue.record("a dangling parent was accepted")
            } catch {
                #expect(database.classify(error) == .foreignKeyViolation)
            }
            #expect(try await harness.count("teams") == 1)
        }
    }
}
