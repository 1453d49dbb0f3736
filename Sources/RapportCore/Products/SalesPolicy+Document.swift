import Foundation

/// A sales policy's effect as the API and storage write it: `{"kind": "percent_off",
/// "basis_points": 1500}`, `{"kind": "amount_off", "amount_minor": 10000}`, `{"kind": "bundle",
/// "items": [{"sku": "A", "quantity": 1}], "price_minor": 99900}`, `{"kind":
/// "fixed_unit_price", "sku": "TRIAL", "price_minor": 990, "max_quantity": 1}`.
public struct PolicyEffect: Sendable, Equatable, Codable {
    /// One product of a bundle and how many of it a set holds.
    public struct Item: Sendable, Equatable, Codable {
        public var sku: String
        public var quantity: Int

        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// `percent_off`, `amount_off`, `bundle` or `fixed_unit_price`.
    public var kind: String
    public var basisPoints: Int64?
    public var amountMinor: Int64?
    public var items: [Item]?
    public var priceMinor: Int64?
    public var sku: String?
    public var maxQuantity: Int?

    enum CodingKeys: String, CodingKey {
        case kind, items, sku, basisPoints = "basis_points", amountMinor = "amount_minor", priceMinor = "price_minor", maxQuantity = "max_quantity"
    }

    public static let kinds = ["percent_off", "amount_off", "bundle", "fixed_unit_price"]
    /// The most products one bundle names.
    public static let maximumBundleItems = 50

    public init(kind: String, basisPoints: Int64? = nil, amountMinor: Int64? = nil, items: [Item]? = nil, priceMinor: Int64? = nil,
                sku: String? = nil, maxQuantity: Int? = nil) {
        self.kind = kind
        self.basisPoints = basisPoints
        self.amountMinor = amountMinor
        self.items = items
        self.priceMinor = priceMinor
        self.sku = sku
        self.maxQuantity = maxQuantity
    }

    /// The written form of an effect (bundle items by SKU).
    public init(_ effect: SalesPolicy.Effect) {
        switch effect {
        case .percentOff(let basisPoints): self.init(kind: "percent_off", basisPoints: basisPoints)
        case .amountOff(let minor): self.init(kind: "amount_off", amountMinor: minor)
        case .bundle(let items, let price):
            self.init(kind: "bundle", items: items.sorted { $0.key < $1.key }.map { Item(sku: $0.key, quantity: $0.value) }, priceMinor: price)
        case .fixedUnitPrice(let sku, let price, let maxQuantity): self.init(kind: "fixed_unit_price", priceMinor: price, sku: sku, maxQuantity: maxQuantity)
        }
    }

    /// The effect this describes, or nil with field errors under `field` for what is missing,
    /// out of range or does not belong to the kind. A fixed unit price without `max_quantity` is
    /// for one unit.
    public func effect(field: String = "effect", into check: inout Validator) -> SalesPolicy.Effect? {
        let before = check.errors.count
        let allowed: Set<String>
        switch kind {
        case "percent_off": allowed = ["basis_points"]
        case "amount_off": allowed = ["amount_minor"]
        case "bundle": allowed = ["items", "price_minor"]
        case "fixed_unit_price": allowed = ["sku", "price_minor", "max_quantity"]
        default:
            check.add("\(field).kind", "invalid", "\(field).kind is one of \(Self.kinds.joined(separator: ", ")).")
            return nil
        }
        let present: [(String, Bool)] = [("basis_points", basisPoints != nil), ("amount_minor", amountMinor != nil), ("items", items != nil),
                                         ("price_minor", priceMinor != nil), ("sku", sku != nil), ("max_quantity", maxQuantity != nil)]
        for (name, isSet) in present where isSet && !allowed.contains(name) {
            check.add("\(field).\(name)", "unknown_field", "\(name) is not part of a \(kind) effect.")
        }
        func required<T>(_ value: T?, _ name: String) -> T? {
            if value == nil { check.add("\(field).\(name)", "required", "\(field).\(name) is required for \(kind).") }
            return value
        }
        let effect: SalesPolicy.Effect?
        switch kind {
        case "percent_off":
            let points = required(basisPoints, "basis_points")
            if let points, !(0...10_000).contains(points) {
                check.add("\(field).basis_points", "out_of_range", "basis_points is from 0 to 10000 (10000 = 100 %).")
            }
            effect = points.map { .percentOff(basisPoints: $0) }
        case "amount_off":
            let amount = required(amountMinor, "amount_minor")
            if let amount { Catalog.checkAmount(amount, field: "\(field).amount_minor", into: &check) }
            effect = amount.map { .amountOff(minor: $0) }
        case "bundle":
            let price = required(priceMinor, "price_minor")
            if let price { Catalog.checkAmount(price, field: "\(field).price_minor", into: &check) }
            var counts: [String: Int] = [:]
            if let items = required(items, "items") {
                if items.isEmpty || items.count > Self.maximumBundleItems {
                    check.add("\(field).items", "invalid", "A bundle names 1 to \(Self.maximumBundleItems) products.")
                }
                for (index, item) in items.enumerated() {
                    if !Catalog.isSKU(item.sku) { check.add("\(field).items[\(index)].sku", "invalid", "sku is not a SKU.") }
                    if !(1...10_000).contains(item.quantity) {
                        check.add("\(field).items[\(index)].quantity", "out_of_range", "quantity is from 1 to 10000.")
                    }
                    if counts[item.sku] != nil { check.add("\(field).items[\(index)].sku", "duplicate", "\(item.sku) is named twice.") }
                    counts[item.sku] = item.quantity
                }
            }
            effect = price.map { .bundle(items: counts, priceMinor: $0) }
        default:
            let price = required(priceMinor, "price_minor")
            if let price { Catalog.checkAmount(price, field: "\(field).price_minor", into: &check) }
            let sku = required(sku, "sku")
            if let sku, !Catalog.isSKU(sku) { check.add("\(field).sku", "invalid", "sku is not a SKU.") }
            let most = maxQuantity ?? 1
            if !(1...1_000_000).contains(most) { check.add("\(field).max_quantity", "out_of_range", "max_quantity is from 1 to 1000000.") }
            effect = price.flatMap { price in sku.map { .fixedUnitPrice(sku: $0, priceMinor: price, maxQuantity: most) } }
        }
        return check.errors.count == before ? effect : nil
    }

    /// Whether the effect names amounts (so its policy needs a currency): all but a percentage.
    public var namesAmounts: Bool { Self.kinds.contains(kind) && kind != "percent_off" }

    /// The SKUs the effect names (a bundle's items, a fixed price's product).
    public var skus: [String] {
        (items ?? []).map(\.sku) + (sku.map { [$0] } ?? [])
    }
}

extension SalesPolicy {
    /// The most SKUs, tags and channels a policy names.
    public static let maximumSKUs = 500
    public static let maximumTags = 50
    public static let maximumChannels = 20

    /// Every problem with the policy's fields besides its name and effect: SKUs, currency (an
    /// amount, a bundle, a special price or a minimum needs one), window, eligibility, priority.
    public func check(into check: inout Validator) {
        if skus.count > Self.maximumSKUs { check.add("skus", "too_many", "A policy names at most \(Self.maximumSKUs) SKUs.") }
        for (index, sku) in skus.sorted().enumerated() where !Catalog.isSKU(sku) {
            check.add("skus[\(index)]", "invalid", "\(sku) is not a SKU.")
        }
        if let currency {
            Catalog.checkCurrency(currency, field: "currency", into: &check)
        } else if effect.isAmount {
            check.add("currency", "required", "currency is required: the effect names amounts.")
        } else if minimumSubtotalMinor != nil {
            check.add("currency", "required", "currency is required: the minimum is an amount.")
        }
        Catalog.checkWindow(from: validFrom, until: validUntil, into: &check)
        if tagsAny.count > Self.maximumTags { check.add("eligibility.tags_any", "too_many", "At most \(Self.maximumTags) tags.") }
        for tag in tagsAny.sorted() where tag.isEmpty || tag.count > 50 || tag.trimmingWhitespace() != tag {
            check.add("eligibility.tags_any", "invalid", "A tag is 1 to 50 characters without surrounding spaces.")
        }
        if channels.count > Self.maximumChannels { check.add("eligibility.channels", "too_many", "At most \(Self.maximumChannels) channels.") }
        for channel in channels.sorted() where channel.isEmpty || channel.count > 50 || channel.trimmingWhitespace() != channel {
            check.add("eligibility.channels", "invalid", "A channel is 1 to 50 characters without surrounding spaces.")
        }
        if let minimumSubtotalMinor { Catalog.checkAmount(minimumSubtotalMinor, field: "eligibility.minimum_subtotal_minor", into: &check) }
        if !(-1_000...1_000).contains(priority) { check.add("priority", "out_of_range", "priority is from -1000 to 1000.") }
    }
}
