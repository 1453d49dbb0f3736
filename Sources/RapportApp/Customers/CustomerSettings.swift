import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// What administrators configure about customers: the default phone region, the dedup policy
/// per entry channel, the contact-frequency cap and who may reveal contact details.
public struct CustomerSettings: Sendable, Equatable, Codable {
    /// The region national phone numbers are read in (ISO 3166 alpha-2).
    public var defaultRegion: String
    public var dedup: DedupSettings
    public var frequencyCap: ContactFrequencyCap
    public var reveal: RevealPolicy
    /// Exports of more rows than this wait for an administrator's approval.
    public var exportApprovalThreshold: Int

    public init(defaultRegion: String = "CN", dedup: DedupSettings = .standard, frequencyCap: ContactFrequencyCap = .standard,
                reveal: RevealPolicy = .standard, exportApprovalThreshold: Int = 10_000) {
        self.defaultRegion = defaultRegion
        self.dedup = dedup
        self.frequencyCap = frequencyCap
        self.reveal = reveal
        self.exportApprovalThreshold = exportApprovalThreshold
    }

    enum CodingKeys: String, CodingKey {
        case dedup, reveal
        case defaultRegion = "default_region"
        case frequencyCap = "frequency_cap"
        case exportApprovalThreshold = "export_approval_threshold"
    }

    static let key = "customers"

    /// The stored settings, or the defaults.
    static func load(_ sql: any SQLDatabase) async throws -> CustomerSettings {
        try await SettingsStore(sql).get(key, as: CustomerSettings.self) ?? CustomerSettings()
    }
}

/// Reading and changing the customer settings (administrators change them; everyone may read them).
public struct SettingsUseCases: Sendable {
    let rapport: Rapport

    public func customers(by caller: Caller) async throws -> CustomerSettings {
        _ = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        return try await rapport.database.read { sql in try await CustomerSettings.load(sql) }
    }

    /// Replaces the customer settings after checking every value.
    public func setCustomers(_ settings: CustomerSettings, by caller: Caller) async throws -> CustomerSettings {
        guard caller.principal == nil || (caller.principal?.role == .admin && caller.principal?.tokenScopes.contains(.write) == true) else {
            throw RapportError(.forbidden, "Only administrators, with a token that may write, change settings.")
        }
        var check = Validator()
        if !PhoneNumber.isKnownRegion(settings.defaultRegion) {
            check.add("default_region", "invalid", "default_region must be a region code such as CN, HK, TW, US, GB, SG or JP.")
        }
        do { try settings.frequencyCap.validate() } catch {
            for field in error.fieldErrors { check.add("frequency_cap.\(field.field)", field.code, field.message) }
        }
        for (role, rule) in settings.reveal.rules where (rule.hourlyQuota ?? 0) < 0 || (rule.hourlyQuota ?? 0) > 100_000 {
            check.add("reveal.\(role.rawValue).hourly_quota", "out_of_range", "hourly_quota must be from 0 to 100000, or null for no quota.")
        }
        if !(1...10_000_000).contains(settings.exportApprovalThreshold) {
            check.add("export_approval_threshold", "out_of_range", "export_approval_threshold must be from 1 to 10000000.")
        }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await SettingsStore(sql).set(CustomerSettings.key, to: settings, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("settings.changed", by: caller, details: ["key": CustomerSettings.key]), in: sql)
            return settings
        }
    }
}
