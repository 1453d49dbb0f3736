import Foundation
import RapportCore
import SQLKit

/// Administrators' settings as JSON documents under stable keys (`customers.frequency_cap`, …).
public struct SettingsStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The stored value of `key` decoded as `T`, or nil when never set.
    public func get<T: Decodable>(_ key: String, as type: T.Type) async throws -> T? {
        guard let row = try await sql.select().column("value").from("settings").where("key", .equal, key).first() else { return nil }
        return try JSONText.decode(type, from: try row.text("value"))
    }

    /// Stores `value` under `key`.
    public func set(_ key: String, to value: some Encodable, at now: Date, by actor: RecordID?) async throws {
        try await sql.raw("""
            INSERT INTO settings (key, value, version, updated_at, updated_by)
            VALUES (\(bind: key), \(bind: JSONText.encode(value)), 1, \(bind: now.microsSinceEpoch), \(bind: actor?.rawValue))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = settings.version + 1,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """).run()
    }
}
