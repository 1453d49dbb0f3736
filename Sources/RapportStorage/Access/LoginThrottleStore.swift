import Foundation
import RapportCore
import SQLKit

/// Failed sign-in counters per bucket (an account or a network address), shared by every instance.
///
/// Counting is one atomic upsert, so concurrent failures (a parallel guessing attack) are all
/// counted and never collide, on either engine.
public struct LoginThrottleStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The state of one bucket.
    public struct State: Sendable, Equatable {
        public var failures: Int64
        public var windowStart: Date
        public var lockedUntil: Date?

        public init(failures: Int64, windowStart: Date, lockedUntil: Date?) {
            self.failures = failures
            self.windowStart = windowStart
            self.lockedUntil = lockedUntil
        }
    }

    public func state(_ bucket: String) async throws -> State? {
        guard let row = try await sql.select().columns("failures", "window_start", "locked_until").from("login_throttle")
            .where("bucket", .equal, bucket).first()
        else { return nil }
        return try Self.decode(row)
    }

    /// Counts one failure at `now` (starting a new window when the last began before
    /// `now - window`) and returns the bucket's state after it.
    public func recordFailure(_ bucket: String, at now: Date, window: TimeInterval) async throws -> State {
        let current = now.microsSinceEpoch
        let cutoff = now.addingTimeInterval(-window).microsSinceEpoch
        guard let row = try await sql.raw("""
            INSERT INTO login_throttle (bucket, failures, window_start, locked_until) VALUES (\(bind: bucket), 1, \(bind: current), NULL)
            ON CONFLICT (bucket) DO UPDATE SET
                failures = CASE WHEN login_throttle.window_start < \(bind: cutoff) THEN 1 ELSE login_throttle.failures + 1 END,
                window_start = CASE WHEN login_throttle.window_start < \(bind: cutoff) THEN \(bind: current) ELSE login_throttle.window_start END
            RETURNING failures, window_start, locked_until
            """).first()
        else { throw CorruptRow(table: "login_throttle", column: "failures") }
        return try Self.decode(row)
    }

    /// Locks the bucket until `until` and starts counting afresh.
    public func lock(_ bucket: String, until: Date, at now: Date) async throws {
        try await sql.update("login_throttle")
            .set("locked_until", to: SQLBind(until.microsSinceEpoch))
            .set("failures", to: SQLBind(Int64(0)))
            .set("window_start", to: SQLBind(now.microsSinceEpoch))
            .where("bucket", .equal, bucket).run()
    }

    public func clear(_ bucket: String) async throws {
        try await sql.delete(from: "login_throttle").where("bucket", .equal, bucket).run()
    }

    static func decode(_ row: any SQLRow) throws -> State {
        State(failures: try row.int("failures"), windowStart: try row.date("window_start"), lockedUntil: try row.optionalDate("locked_until"))
    }
}
