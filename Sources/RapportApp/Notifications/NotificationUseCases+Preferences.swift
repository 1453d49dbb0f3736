import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Where each user's notices go: their own preferences, or the administrators' defaults (the
/// `notifications` settings document).
extension NotificationUseCases {
    static let defaultsKey = "notifications"

    /// The caller's preferences (their own, or the defaults) and whether they set their own.
    public func preferences(by caller: Caller) async throws -> (preferences: NotificationPreferences, customized: Bool) {
        let user = try me(caller)
        return try await rapport.database.read { sql in
            if let own = try await NotificationDeliveryStore(sql).preferences(of: [user])[user] { return (own, true) }
            return (try await Self.defaults(sql), false)
        }
    }

    /// Replaces the caller's preferences (nil: back to the defaults). A token that may write.
    public func setPreferences(_ preferences: NotificationPreferences?, by caller: Caller) async throws -> (preferences: NotificationPreferences, customized: Bool) {
        let user = try me(caller)
        guard caller.principal?.tokenScopes.contains(.write) ?? true else { throw RapportError(.forbidden, "Changing preferences needs a token that may write.") }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await NotificationDeliveryStore(sql).setPreferences(preferences, of: user, at: now)
            if let preferences { return (preferences, true) }
            return (try await Self.defaults(sql), false)
        }
    }

    /// The administrators' defaults (everyone may read them).
    public func defaultPreferences(by caller: Caller) async throws -> NotificationPreferences {
        try await rapport.database.read { sql in try await Self.defaults(sql) }
    }

    /// Replaces the defaults (administrators, with a token that may write); audited.
    public func setDefaultPreferences(_ preferences: NotificationPreferences, by caller: Caller) async throws -> NotificationPreferences {
        guard caller.principal == nil || (caller.principal?.isAdmin == true && caller.principal?.tokenScopes.contains(.write) == true) else {
            throw RapportError(.forbidden, "Only administrators, with a token that may write, change settings.")
        }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await SettingsStore(sql).set(Self.defaultsKey, to: preferences, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("settings.changed", by: caller, details: ["key": Self.defaultsKey, "email": preferences.email.rawValue]), in: sql)
            return preferences
        }
    }

    static func defaults(_ sql: any SQLDatabase) async throws -> NotificationPreferences {
        try await SettingsStore(sql).get(defaultsKey, as: NotificationPreferences.self) ?? NotificationPreferences()
    }

    /// The preferences in force for each of `users`.
    static func effective(for users: [RecordID], _ sql: any SQLDatabase) async throws -> [RecordID: NotificationPreferences] {
        let own = try await NotificationDeliveryStore(sql).preferences(of: users)
        let fallback = own.count == users.count ? NotificationPreferences() : try await defaults(sql)
        return Dictionary(uniqueKeysWithValues: users.map { ($0, own[$0] ?? fallback) })
    }
}

extension NotificationPreferences {
    /// Preferences from their wire form: `email` (immediate, daily_digest, off) and `groups`
    /// (group → channels: email, webhook); what is left out keeps its value in `base`.
    public static func parse(email: String?, groups: [String: [String]]?, base: NotificationPreferences) throws -> NotificationPreferences {
        var check = Validator()
        var result = base
        if let email {
            if let cadence = check.choice(email, field: "email", of: EmailCadence.self) { result.email = cadence }
        }
        for (name, channels) in (groups ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let group = NoticeGroup(rawValue: name) else {
                check.add("groups.\(name)", "invalid", "The groups are \(NoticeGroup.allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            var chosen: Set<NoticeChannel> = []
            for channel in channels {
                if let parsed = NoticeChannel(rawValue: channel) { chosen.insert(parsed) } else {
                    check.add("groups.\(name)", "invalid", "The channels are email and webhook (the inbox always gets every notice).")
                }
            }
            result.groups[group] = chosen
        }
        try check.finish()
        return result
    }
}
