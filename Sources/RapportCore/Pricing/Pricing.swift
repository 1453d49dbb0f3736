import Foundation

/// The pricing function: order lines and sales policies in, prices out — which policies applied,
/// by how much, and why each other one did not. Pure (time comes in the context), integers only,
/// and the rounding rule is an explicit argument.
public enum Pricing {
    /// One product line of an order, at its list price.
    public struct Line: Sendable, Hashable {
        public var sku: String
        public var quantity: Int
        public var unitPriceMinor: Int64

        public init(sku: String, quantity: Int, unitPriceMinor: Int64) {
            self.sku = sku
            self.quantity = quantity
            self.unitPriceMinor = unitPriceMinor
        }
    }

    /// Who buys, when, in which currency and through which channel.
    public struct Context: Sendable, Hashable {
        public var currency: String
        public var at: Date
        public var customerTags: Set<String>
        public var isNewCustomer: Bool
        public var channel: String?

        public init(currency: String, at: Date, customerTags: Set<String> = [], isNewCustomer: Bool = true, channel: String? = nil) {
            self.currency = currency.uppercased()
            self.at = at
            self.customerTags = customerTags
            self.isNewCustomer = isNewCustomer
            self.channel = channel
        }
    }

    /// A line as priced: its list amount, the discount on it and what is left to pay.
    public struct PricedLine: Sendable, Hashable {
        public var sku: String
        public var quantity: Int
        public var unitPriceMinor: Int64
        public var listMinor: Int64
        public var discountMinor: Int64
        public var totalMinor: Int64
    }

    /// A policy that applied, and how much it took off.
    public struct Applied: Sendable, Hashable {
        public var policyID: String
        public var name: String
        public var discountMinor: Int64
    }

    /// Why a policy did not apply.
    public enum Reason: String, Sendable, Hashable, Codable {
        case notYetValid = "not_yet_valid"
        case expired
        case tagNotHeld = "tag_not_held"
        case newCustomersOnly = "new_customers_only"
        case existingCustomersOnly = "existing_customers_only"
        case channelNotEligible = "channel_not_eligible"
        case currencyMismatch = "currency_mismatch"
        case minimumNotMet = "minimum_not_met"
        case noMatchingLines = "no_matching_lines"
        case noSaving = "no_saving"
        /// It could apply, but another offer (an exclusive one, or the stack of others) was better.
        case betterOfferApplied = "better_offer_applied"
    }

    public struct Skipped: Sendable, Hashable {
        public var policyID: String
        public var reason: Reason
    }

    /// The priced order, with the explanation.
    public struct Result: Sendable, Hashable {
        public var currency: String
        public var rounding: Rounding
        public var lines: [PricedLine]
        public var subtotalMinor: Int64
        public var discountMinor: Int64
        public var totalMinor: Int64
        public var applied: [Applied]
        public var skipped: [Skipped]
    }

    /// Prices `lines` under `policies`. Eligible stackable policies apply together (bundles and
    /// special prices first, then percentages, then amounts; higher priority first); an
    /// exclusive policy applies alone. The customer gets the option with the lowest total (on a
    /// tie, the one holding the highest-priority policy, then the stack).
    public static func price(_ lines: [Line], policies: [SalesPolicy], context: Context, rounding: Rounding = .halfUp) -> Result {
        let subtotal = lines.reduce(Int64(0)) { $0.addingClamped(Int64($1.quantity).multipliedClamped(by: $1.unitPriceMinor)) }
        var skipped: [Skipped] = []
        var eligible: [SalesPolicy] = []
        for policy in policies {
            if let reason = ineligibility(policy, context: context, subtotal: subtotal) {
                skipped.append(Skipped(policyID: policy.id, reason: reason))
            } else {
                eligible.append(policy)
            }
        }
        let stack = eligible.filter { $0.stacking == .stackable }
        var options: [[SalesPolicy]] = [stack]
        options += eligible.filter { $0.stacking == .exclusive }.map { [$0] }
        let evaluated = options.map { evaluate(lines, $0, rounding: rounding) }
        let best = evaluated.indices.min { a, b in
            let (ta, tb) = (evaluated[a].total, evaluated[b].total)
            if ta != tb { return ta < tb }
            let (pa, pb) = (options[a].map(\.priority).max() ?? Int.min, options[b].map(\.priority).max() ?? Int.min)
            if pa != pb { return pa > pb }
            return a < b
        } ?? 0
        let chosen = evaluated[best]
        let appliedIDs = Set(chosen.applied.map(\.policyID))
        for policy in options[best] where !appliedIDs.contains(policy.id) {
            skipped.append(Skipped(policyID: policy.id, reason: chosen.noEffect[policy.id] ?? .noSaving))
        }
        for (index, option) in options.enumerated() where index != best {
            for policy in option { skipped.append(Skipped(policyID: policy.id, reason: .betterOfferApplied)) }
        }
        let order = Dictionary(policies.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        skipped.sort { (order[$0.policyID] ?? 0) < (order[$1.policyID] ?? 0) }
        let discount = chosen.lines.reduce(Int64(0)) { $0 + $1.discountMinor }
        return Result(currency: context.currency, rounding: rounding, lines: chosen.lines, subtotalMinor: subtotal, discountMinor: discount,
                      totalMinor: subtotal - discount, applied: chosen.applied, skipped: skipped)
    }

    /// Why `policy` cannot apply to this order at all, or nil when it may.
    static func ineligibility(_ policy: SalesPolicy, context: Context, subtotal: Int64) -> Reason? {
        if let from = policy.validFrom, context.at < from { return .notYetValid }
        if let until = policy.validUntil, context.at >= until { return .expired }
        if let currency = policy.currency, currency != context.currency { return .currencyMismatch }
        if policy.currency == nil, policy.effect.isAmount { return .currencyMismatch }  // an amount means nothing without its currency
        if !policy.tagsAny.isEmpty, policy.tagsAny.isDisjoint(with: context.customerTags) { return .tagNotHeld }
        if policy.customers == .new, !context.isNewCustomer { return .newCustomersOnly }
        if policy.customers == .existing, context.isNewCustomer { return .existingCustomersOnly }
        if !policy.channels.isEmpty, !(context.channel.map(policy.channels.contains) ?? false) { return .channelNotEligible }
        if let minimum = policy.minimumSubtotalMinor, subtotal < minimum { return .minimumNotMet }
        return nil
    }
}
