import Foundation
import RapportCore
import SQLKit

/// Each user's secret iCalendar feed token, kept only as a SHA-256 hash (one per user).
public struct CalendarFeedStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Sets (or replaces: the old token stops working) a user's feed token hash.
    public func set(_ user: RecordID, tokenHash: String, at now: Date) async throws {
        try await sql.delete(from: "calendar_feeds").where("user_id", .equal, user.rawValue).run()
        try await sql.insert(into: "calendar_feeds").columns("user_id", "token_hash", "created_at")
            .values(SQLBind(user.rawValue), SQLBind(tokenHash), SQLBind(now.microsSinceEpoch)).run()
    }

    /// Removes a user's feed token (the feed stops working).
    public func remove(_ user: RecordID) async throws {
        try await sql.delete(from: "calendar_feeds").where("user_id", .equal, user.rawValue).run()
    }

    /// The user whose token has this hash.
    public func user(tokenHash: String) async throws -> RecordID? {
        try await sql.select().column("user_id").from("calendar_feeds").where("token_hash", .equal, tokenHash).first()?.id("user_id")
    }

    /// When the user's current token was made (nil when they have none).
    public func createdAt(of user: RecordID) async throws -> Date? {
        try await sql.select().column("created_at").from("calendar_feeds").where("user_id", .equal, user.rawValue).first()?.date("created_at")
    }
}
