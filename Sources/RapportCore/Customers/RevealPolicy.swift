/// Who may reveal masked contact details, on which records, and how often.
///
/// Every read shows sensitive values masked (``ContactMask``); a reveal is one explicit action,
/// counted against a per-user hourly quota and written to the audit log. Records in a pool
/// (without an owner) are never revealed.
public struct RevealPolicy: Sendable, Equatable, Codable {
    /// Which records a role may reveal.
    public enum Reach: String, Sendable, Codable, CaseIterable {
        /// Never.
        case none
        /// Records the user owns.
        case own
        /// Records within the user's data scope.
        case scope
    }

    public struct Rule: Sendable, Equatable, Codable {
        public var reach: Reach
        /// Reveals per user per clock hour; nil = no quota (still audited).
        public var hourlyQuota: Int?

        public init(reach: Reach, hourlyQuota: Int?) {
            self.reach = reach
            self.hourlyQuota = hourlyQuota
        }

        enum CodingKeys: String, CodingKey {
            case reach
            case hourlyQuota = "hourly_quota"
        }
    }

    public var rules: [Role: Rule]

    public init(rules: [Role: Rule]) { self.rules = rules }

    /// The rule for a role (`none` when the policy does not name it).
    public func rule(for role: Role) -> Rule { rules[role] ?? Rule(reach: .none, hourlyQuota: 0) }

    /// Reps reveal records they own (30 an hour); managers within their scope (100 an hour);
    /// admins anything in scope without a quota; every other role never.
    public static let standard = RevealPolicy(rules: [
        .admin: Rule(reach: .scope, hourlyQuota: nil),
        .manager: Rule(reach: .scope, hourlyQuota: 100),
        .rep: Rule(reach: .own, hourlyQuota: 30),
        .service: Rule(reach: .none, hourlyQuota: 0),
        .marketer: Rule(reach: .none, hourlyQuota: 0),
        .partner: Rule(reach: .none, hourlyQuota: 0),
        .analyst: Rule(reach: .none, hourlyQuota: 0),
        .readOnly: Rule(reach: .none, hourlyQuota: 0),
    ])

    /// Whether `principal` may reveal a record owned by `owner` (already known to be in scope).
    public func mayReveal(_ principal: Principal, owner: RecordID?) -> Bool {
        guard let owner else { return false }
        switch rule(for: principal.role).reach {
        case .none: return false
        case .own: return owner == principal.userID
        case .scope: return true
        }
    }

    /// The start of the clock hour containing `micros` (the quota's window), in microseconds.
    public static func windowStart(_ micros: Int64) -> Int64 {
        let hour: Int64 = 3_600_000_000
        return micros - ((micros % hour) + hour) % hour
    }
}

/// Roles key JSON objects by their raw value (`{"rep": …}`), not as arrays of pairs.
extension Role: CodingKeyRepresentable {}
