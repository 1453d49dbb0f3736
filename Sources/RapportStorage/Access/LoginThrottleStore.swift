import Foundation
import RapportCore
import SQLKit

/// Failed sign-in counters per bucket (an account or a network address), shared by every instance.
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
        return State(failures: try row.int("failures"), windowStart: try row.date("window_start"), lockedUntil: try row.optionalDate("locked_until"))
    }

    public func save(_ bucket: String, _ state: State) async throws {
        try await sql.delete(from: "login_throttle").where("bucket", .equal, bucket).run()
        try await sql.insert(into: "login_throttle").columns("bucket", "failures", "window_start", "locked_until")
            .values(SQLBind(bucket), SQLBind(state.failures), SQLBind(state.windowStart.microsSinceEpoch), SQLBind(state.lockedUntil?.microsSinceEpoch))
            .run()
    }

    public func clear(_ bucket: String) async throws {
        try await sql.delete(from: "login_throttle").where("bucket", .equal, bucket).run()
    }
}
