import Foundation

/// A sales policy (销售政策): a discount, bundle price or trial offer, when it is valid, who may
/// have it, and whether it stacks with others. Policies are data; ``Pricing`` evaluates them.
public struct SalesPolicy: Sendable, Hashable, Codable {
    /// What the policy does to the lines it applies to.
    public enum Effect: Sendable, Hashable, Codable {
        /// A percentage off, in basis points (1,500 = 15 %).
        case percentOff(basisPoints: Int64)
        /// A fixed amount off the lines it applies to (never below zero), in the policy's currency.
        case amountOff(minor: Int64)
        /// A set of products sold together for one price (per complete set in the order).
        case bundle(items: [String: Int], priceMinor: Int64)
        /// A product at a special unit price, for at most `maxQuantity` units (a 9.9 trial class).
        case fixedUnitPrice(sku: String, priceMinor: Int64, maxQuantity: Int)
    }

    /// Which customers may have it.
    public enum CustomerRule: String, Sendable, Hashable, Codable {
        case any, new, existing
    }

    /// How it combines with others.
    public enum Stacking: String, Sendable, Hashable, Codable {
        /// Applies together with every other stackable policy.
        case stackable
        /// Applies alone: the customer gets whichever is better, it or the stack of the others.
        case exclusive
    }

    public var id: String
    public var name: String
    public var effect: Effect
    /// The products it applies to (empty: every line). Bundles and fixed prices name their own.
    public var skus: Set<String>
    /// The currency its amounts are in (nil for a percentage, which fits any currency).
    public var currency: String?
    public var validFrom: Date?
    /// The first instant it no longer applies.
    public var validUntil: Date?
    /// The customer must carry at least one of these tags (empty: no tag needed).
    public var tagsAny: Set<String>
    public var customers: CustomerRule
    /// The order must come through one of these channels (empty: any channel).
    public var channels: Set<String>
    /// The order's subtotal before policies must reach this (in the policy's currency).
    public var minimumSubtotalMinor: Int64?
    public var stacking: Stacking
    /// Among stackable policies, higher applies first; among equally good options, higher wins.
    public var priority: Int

    public init(id: String, name: String, effect: Effect, skus: Set<String> = [], currency: String? = nil, validFrom: Date? = nil,
                validUntil: Date? = nil, tagsAny: Set<String> = [], customers: CustomerRule = .any, channels: Set<String> = [],
                minimumSubtotalMinor: Int64? = nil, stacking: Stacking = .stackable, priority: Int = 0) {
        self.id = id
        self.name = name
        self.effect = effect
        self.skus = skus
        self.currency = currency?.uppercased()
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.tagsAny = tagsAny
        self.customers = customers
        self.channels = channels
        self.minimumSubtotalMinor = minimumSubtotalMinor
        self.stacking = stacking
        self.priority = priority
    }
}
