import Foundation
import RapportCore
import SQLKit

/// Reveals per user per clock hour, counted with one atomic upsert, so parallel reveals are all
/// counted and none slips past the quota, on either engine.
public struct RevealCounterStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Counts one reveal in the window starting at `windowStart` and returns the count after it.
    public func increment(_ user: RecordID, windowStart: Int64) async throws -> Int64 {
        guard let row = try await sql.raw("""
            INSERT INTO reveal_counters (user_id, window_start, count) VALUES (\(bind: user.rawValue), \(bind: windowStart), 1)
            ON CONFLICT (user_id, window_start) DO UPDATE SET count = reveal_counters.count + 1
            RETURNING count
            """).first()
        else { throw CorruptRow(table: "reveal_counters", column: "count") }
        return try row.int("count")
    }

    /// Reveals counted so far in the window.
    public func count(_ user: RecordID, windowStart: Int64) async throws -> Int64 {
        try await sql.select().column("count").from("reveal_counters").where("user_id", .equal, user.rawValue)
            .where("window_start", .equal, windowStart).first()?.int("count") ?? 0
    }

    /// Drops windows that ended before `cutoff` (housekeeping).
    public func prune(before cutoff: Int64) async throws {
        try await sql.delete(from: "reveal_counters").where("window_start", .lessThan, cutoff).run()
    }
}
