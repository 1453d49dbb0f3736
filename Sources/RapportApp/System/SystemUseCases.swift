import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Health, readiness and housekeeping.
public struct SystemUseCases: Sendable {
    let rapport: Rapport

    /// What `/readyz` reports.
    public struct Readiness: Sendable, Equatable {
        public var databaseReachable: Bool
        public var migrationsCurrent: Bool
        public var isReady: Bool { databaseReachable && migrationsCurrent }

        public init(databaseReachable: Bool, migrationsCurrent: Bool) {
            self.databaseReachable = databaseReachable
            self.migrationsCurrent = migrationsCurrent
        }
    }

    public func readiness() async -> Readiness {
        do {
            _ = try await rapport.database.read { sql in try await sql.raw("SELECT 1 AS one").first() }
        } catch {
            return Readiness(databaseReachable: false, migrationsCurrent: false)
        }
        let current = (try? await rapport.migrator.isCurrent(on: rapport.database)) ?? false
        return Readiness(databaseReachable: true, migrationsCurrent: current)
    }

    /// Applies pending migrations; returns the names applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        let clock = rapport.clock
        return try await rapport.migrator.migrate(on: rapport.database, at: { clock.now() })
    }

    public func migrationStatus() async throws -> [Migrator.Status] {
        try await rapport.migrator.status(on: rapport.database)
    }

    /// Removes expired idempotency keys, long-dead tokens, and uploads never mapped (after a day).
    public func purgeExpired() async throws {
        let now = rapport.clock.now()
        try await rapport.database.write { sql in
            try await IdempotencyStore(sql).purge(before: now)
            try await TokenStore(sql).purge(before: now.addingTimeInterval(-90 * 86_400))
            try await ImportStore(sql).cancelStaged(before: now.addingTimeInterval(-ImportUseCases.stagedFor), at: now)
            try await RevealCounterStore(sql).prune(before: RevealPolicy.windowStart(now.microsSinceEpoch) - 86_400_000_000)
        }
        try await rapport.database.write { sql in try await sql.refreshStatistics() }
    }

    /// Sets or moves the test clock (only when the server runs with `--test-clock`).
    public func moveTestClock(advanceSeconds: Double?, to date: Date?, by caller: Caller) async throws -> Date {
        guard let clock = rapport.testClock else { throw RapportError.notFound("route") }
        guard caller.principal?.isAdmin == true else { throw RapportError(.forbidden, "Only administrators may move the test clock.") }
        var check = Validator()
        if advanceSeconds == nil && date == nil { check.add("advance_seconds", "required", "give advance_seconds or now.") }
        if advanceSeconds != nil && date != nil { check.add("now", "conflict", "give either advance_seconds or now, not both.") }
        if let seconds = advanceSeconds, !(0...(10 * 365 * 86_400)).contains(seconds) { check.add("advance_seconds", "out_of_range", "advance_seconds must be from 0 to ten years.") }
        try check.finish()
        let moved = if let date { clock.set(date) } else { clock.advance(by: advanceSeconds ?? 0) }
        try await rapport.transaction(changesAccess: true) { sql in
            try await rapport.record(rapport.event("test_clock.moved", by: caller, details: ["now": ISO8601DateFormatter().string(from: moved)]), in: sql)
        }
        return moved
    }
}
