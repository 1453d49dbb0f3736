import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// What administrators configure about quotes: the discount above which a manager must approve,
/// and how long a new quote is valid by default. Stored as the `quotes` settings document.
public struct QuoteSettings: Sendable, Equatable, Codable {
    /// A quote whose discount off list (policies and manual discounts together) is above this many
    /// basis points needs a manager's approval (1 500 = 15 %).
    public var approvalThresholdBasisPoints: Int64
    /// A quote created without `valid_until` is valid this many days (through the last one).
    public var defaultValidityDays: Int

    public init(approvalThresholdBasisPoints: Int64 = 1_500, defaultValidityDays: Int = 30) {
        self.approvalThresholdBasisPoints = approvalThresholdBasisPoints
        self.defaultValidityDays = defaultValidityDays
    }

    enum CodingKeys: String, CodingKey {
        case approvalThresholdBasisPoints = "approval_threshold_bp"
        case defaultValidityDays = "default_validity_days"
    }

    static let key = "quotes"

    /// The stored settings, or the defaults.
    static func load(_ sql: any SQLDatabase) async throws -> QuoteSettings {
        try await SettingsStore(sql).get(key, as: QuoteSettings.self) ?? QuoteSettings()
    }
}

extension QuoteUseCases {
    /// The quote settings; everyone who may read quotes may read them.
    public func settings(by caller: Caller) async throws -> QuoteSettings {
        _ = try await scope(caller, .read)
        return try await rapport.database.read { sql in try await QuoteSettings.load(sql) }
    }

    /// Replaces the quote settings (administrators, with a token that may write). Audited as
    /// `settings.changed` with the new threshold.
    public func setSettings(_ settings: QuoteSettings, by caller: Caller) async throws -> QuoteSettings {
        guard caller.principal == nil || (caller.principal?.role == .admin && caller.principal?.tokenScopes.contains(.write) == true) else {
            throw RapportError(.forbidden, "Only administrators, with a token that may write, change settings.")
        }
        var check = Validator()
        if !(0...10_000).contains(settings.approvalThresholdBasisPoints) {
            check.add("approval_threshold_bp", "out_of_range", "approval_threshold_bp is from 0 to 10000 (basis points of the list price).")
        }
        if !(1...3_650).contains(settings.defaultValidityDays) {
            check.add("default_validity_days", "out_of_range", "default_validity_days is from 1 to 3650.")
        }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await SettingsStore(sql).set(QuoteSettings.key, to: settings, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("settings.changed", by: caller, details: [
                "key": QuoteSettings.key, "approval_threshold_bp": String(settings.approvalThresholdBasisPoints),
            ]), in: sql)
            return settings
        }
    }
}
