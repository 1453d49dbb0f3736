import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// What administrators configure about leaderboards: whether reps see their team's board at all.
/// Stored as the `leaderboards` settings document. Managers, administrators and analysts always
/// see the boards of the people in their scope.
public struct LeaderboardSettings: Sendable, Equatable, Codable {
    /// Reps see their own team's board (names, values, ranks); when false they are refused
    /// (`leaderboard_hidden`).
    public var visibleToReps: Bool

    public init(visibleToReps: Bool = true) {
        self.visibleToReps = visibleToReps
    }

    enum CodingKeys: String, CodingKey {
        case visibleToReps = "visible_to_reps"
    }

    static let key = "leaderboards"

    /// The stored settings, or the defaults.
    static func load(_ sql: any SQLDatabase) async throws -> LeaderboardSettings {
        try await SettingsStore(sql).get(key, as: LeaderboardSettings.self) ?? LeaderboardSettings()
    }
}

extension PerformanceUseCases {
    /// The leaderboard settings; every signed-in user may read them.
    public func settings(by caller: Caller) async throws -> LeaderboardSettings {
        _ = try await rapport.scope(caller, .read, .target, anchor: .userTable, table: "scope_rep")
        return try await rapport.database.read { sql in try await LeaderboardSettings.load(sql) }
    }

    /// Replaces the leaderboard settings (administrators, with a token that may write). Audited as `settings.changed`.
    public func setSettings(_ settings: LeaderboardSettings, by caller: Caller) async throws -> LeaderboardSettings {
        guard caller.principal == nil || (caller.principal?.role == .admin && caller.principal?.tokenScopes.contains(.write) == true) else {
            throw RapportError(.forbidden, "Only administrators, with a token that may write, change settings.")
        }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await SettingsStore(sql).set(LeaderboardSettings.key, to: settings, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("settings.changed", by: caller, details: [
                "key": LeaderboardSettings.key, "visible_to_reps": String(settings.visibleToReps),
            ]), in: sql)
            return settings
        }
    }
}
