import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension CustomerUseCases {
    /// The full contact details of one customer, and what is left of the caller's quota.
    public struct Revealed: Sendable {
        public var customerID: RecordID
        public var contacts: [ContactPoint]
        public var idNumber: String?
        /// Custom fields of type phone or email, in full.
        public var customFields: [String: JSONValue]
        /// Nil when the role has no quota.
        public var quota: Int?
        public var used: Int64
        public var resetsAt: Date
    }

    /// Reveals a customer's contact details to a caller whose role may (per the reveal policy),
    /// counted against the hourly quota (`rate_limited` beyond it) and written to the audit log.
    /// Records in a pool are never revealed.
    public func reveal(_ id: String, by caller: Caller) async throws -> Revealed {
        let customer = try await load(id, by: caller, .read)
        let now = rapport.clock.now()
        let window = RevealPolicy.windowStart(now.microsSinceEpoch)
        let resetsAt = Date(microsSinceEpoch: window + 3_600_000_000)
        return try await rapport.transaction { sql in
            let settings = try await CustomerSettings.load(sql)
            let principal = caller.effectivePrincipal
            guard customer.ownerID != nil else {
                throw RapportError(.forbidden, "Contact details of a customer in a pool are never revealed; claim it first.")
            }
            guard caller.principal == nil || settings.reveal.mayReveal(principal, owner: customer.ownerID) else {
                throw RapportError(.forbidden, "Your role may not reveal this customer's contact details.")
            }
            let rule = settings.reveal.rule(for: principal.role)
            var used: Int64 = 0
            if let user = caller.principal?.userID {
                used = try await RevealCounterStore(sql).increment(user, windowStart: window)
                if let quota = rule.hourlyQuota, used > Int64(quota) {
                    let retry = max(1, Int((resetsAt.timeIntervalSince(now)).rounded(.up)))
                    throw RapportError(.rateLimited, "You have used your \(quota) reveals for this hour.", retryAfterSeconds: retry)
                }
            }
            try await rapport.record(rapport.event("customer.revealed", by: caller, kind: .customer, object: customer.id.rawValue,
                                                   details: ["fields": Set(customer.contacts.filter(\.kind.isSensitive).map(\.kind.rawValue)).sorted().joined(separator: ",")]), in: sql)
            return Revealed(customerID: customer.id, contacts: customer.contacts, idNumber: customer.idNumber,
                            customFields: customer.sensitiveCustomFields,
                            quota: caller.principal == nil ? nil : rule.hourlyQuota, used: used, resetsAt: resetsAt)
        }
    }

    /// The caller's reveal quota now, without using any.
    public func revealQuota(by caller: Caller) async throws -> (quota: Int?, used: Int64, resetsAt: Date) {
        let now = rapport.clock.now()
        let window = RevealPolicy.windowStart(now.microsSinceEpoch)
        return try await rapport.database.read { sql in
            let settings = try await CustomerSettings.load(sql)
            let rule = settings.reveal.rule(for: caller.effectivePrincipal.role)
            let used = try await caller.principal.asyncMap { try await RevealCounterStore(sql).count($0.userID, windowStart: window) } ?? 0
            return (rule.reach == .none ? 0 : rule.hourlyQuota, used, Date(microsSinceEpoch: window + 3_600_000_000))
        }
    }
}
