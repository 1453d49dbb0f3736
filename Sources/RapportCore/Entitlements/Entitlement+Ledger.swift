import Foundation

/// Why a consumption is refused.
public enum ConsumptionRefusal: Error, Equatable, Sendable {
    /// The quantity is not a positive whole number.
    case invalidQuantity
    /// The entitlement is expired, revoked or exhausted (or past its expiry, not yet marked).
    case notActive(EntitlementStatus)
    /// More than the balance was asked for.
    case insufficientBalance(balance: Int64)

    /// The API's form: a stable code for each refusal.
    public var rapportError: RapportError {
        switch self {
        case .invalidQuantity:
            return .validation([FieldError(field: "quantity", code: "out_of_range", message: "quantity is a whole number of at least 1.")])
        case .notActive(let status):
            return RapportError(.entitlementNotActive, "The entitlement is \(status.rawValue); only an active entitlement is consumed.",
                                extra: ["entitlement_status": status.rawValue])
        case .insufficientBalance(let balance):
            return RapportError(.insufficientBalance, "The entitlement has \(balance) left; consume at most that.", extra: ["balance": String(balance)])
        }
    }
}

extension Entitlement {
    /// The status it has at `now`: an active or exhausted entitlement past its expiry is expired.
    public func status(at now: Date) -> EntitlementStatus {
        if status == .active || status == .exhausted, let expiresAt, expiresAt <= now { return .expired }
        return status
    }

    /// The entitlement after consuming `quantity` at `now`: only while active and not past its
    /// expiry, never more than the balance. At a balance of 0 it is exhausted.
    public func consuming(_ quantity: Int64, at now: Date) -> Result<Entitlement, ConsumptionRefusal> {
        guard quantity >= 1 else { return .failure(.invalidQuantity) }
        let current = status(at: now)
        guard current == .active else { return .failure(.notActive(current)) }
        guard quantity <= balance else { return .failure(.insufficientBalance(balance: balance)) }
        var next = self
        next.consumed += quantity
        next.status = next.balance == 0 ? .exhausted : .active
        next.updatedAt = now
        return .success(next)
    }

    /// The entitlement with its whole unconsumed balance revoked (consumed unchanged), and how
    /// much that was. Revoking a revoked entitlement changes nothing (0).
    public func revokingUnconsumed(at now: Date) -> (entitlement: Entitlement, revoked: Int64) {
        guard status != .revoked else { return (self, 0) }
        var next = self
        let amount = balance
        next.revoked += amount
        next.status = .revoked
        next.updatedAt = now
        return (next, amount)
    }

    /// The entitlement marked expired at `now`, or nil when it is not due (or not active).
    public func expiring(at now: Date) -> Entitlement? {
        guard status == .active || status == .exhausted, status(at: now) == .expired else { return nil }
        var next = self
        next.status = .expired
        next.updatedAt = now
        return next
    }

    /// Why a renewal opportunity is due at `now` under `settings`, or nil: active or exhausted,
    /// none made yet, and either expiring within the window or with the balance below the
    /// threshold share of what was granted.
    public func renewalReason(at now: Date, settings: EntitlementSettings) -> String? {
        guard renewalOpportunityID == nil, status(at: now) == .active || status(at: now) == .exhausted else { return nil }
        if let expiresAt, expiresAt.timeIntervalSince(now) <= TimeInterval(settings.renewalDaysBeforeExpiry) * 86_400 { return "expiring" }
        // balance / granted < percent / 100, in integers at double width.
        let left = balance.magnitude.multipliedFullWidth(by: 100)
        let threshold = granted.magnitude.multipliedFullWidth(by: UInt64(settings.renewalBalancePercent))
        if granted > 0, left.high < threshold.high || (left.high == threshold.high && left.low < threshold.low) { return "low_balance" }
        return nil
    }
}

/// When the renewal job proposes a renewal: N days before expiry, or when the balance falls below
/// a share of what was granted; in which pipeline of the opportunity dictionary.
public struct EntitlementSettings: Sendable, Equatable, Codable {
    public var renewalDaysBeforeExpiry: Int
    public var renewalBalancePercent: Int
    public var renewalPipeline: String

    public init(renewalDaysBeforeExpiry: Int = 30, renewalBalancePercent: Int = 20, renewalPipeline: String = "renewal") {
        self.renewalDaysBeforeExpiry = renewalDaysBeforeExpiry
        self.renewalBalancePercent = renewalBalancePercent
        self.renewalPipeline = renewalPipeline
    }

    enum CodingKeys: String, CodingKey {
        case renewalDaysBeforeExpiry = "renewal_days_before_expiry"
        case renewalBalancePercent = "renewal_balance_percent"
        case renewalPipeline = "renewal_pipeline"
    }

    /// Field errors for these settings.
    public func check(into check: inout Validator) {
        if !(0...3_650).contains(renewalDaysBeforeExpiry) {
            check.add("renewal_days_before_expiry", "out_of_range", "renewal_days_before_expiry is from 0 to 3650.")
        }
        if !(0...100).contains(renewalBalancePercent) {
            check.add("renewal_balance_percent", "out_of_range", "renewal_balance_percent is from 0 to 100.")
        }
        if !DictionaryKey.isValid(renewalPipeline) { check.add("renewal_pipeline", "invalid", "renewal_pipeline is a pipeline key.") }
    }
}
