import Foundation
import RapportApp
import RapportCore

/// A product of the catalog with its list prices (by currency).
public struct ProductDTO: Encodable, Sendable {
    public var id: String
    public var sku: String
    public var name: String
    @Nullable public var category: String?
    public var unit: String
    public var active: Bool
    public var prices: [Money]
    /// What one unit sold grants once the order is effective, or null.
    @Nullable public var grant: GrantDTO?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, sku, name, category, unit, active, prices, grant, version, createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ product: Product) {
        id = product.id.rawValue
        sku = product.sku
        name = product.name
        category = product.category
        unit = product.unit
        active = product.active
        prices = product.listPrices.sorted { $0.key < $1.key }.map { Money($0.value, $0.key) }
        grant = product.grant.map(GrantDTO.init)
        version = product.version
        createdAt = product.createdAt
        updatedAt = product.updatedAt
    }
}

/// A price book with its prices.
public struct PriceBookDTO: Encodable, Sendable {
    public struct Entry: Encodable, Sendable {
        public var productId: String
        public var sku: String
        public var amountMinor: Int64

        enum CodingKeys: String, CodingKey {
            case sku, productId = "product_id", amountMinor = "amount_minor"
        }
    }

    public var id: String
    public var key: String
    public var name: String
    public var currency: String
    public var active: Bool
    @Nullable public var validFrom: Date?
    @Nullable public var validUntil: Date?
    public var prices: [Entry]
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, key, name, currency, active, prices, version, validFrom = "valid_from", validUntil = "valid_until"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ book: PriceBook) {
        id = book.id.rawValue
        key = book.key
        name = book.name
        currency = book.currency
        active = book.active
        validFrom = book.validFrom
        validUntil = book.validUntil
        prices = book.entries.map { Entry(productId: $0.productID.rawValue, sku: $0.sku, amountMinor: $0.amountMinor) }
        version = book.version
        createdAt = book.createdAt
        updatedAt = book.updatedAt
    }
}

/// A sales policy: its effect, the products it covers, when it is valid and who may have it.
public struct SalesPolicyDTO: Encodable, Sendable {
    public struct Eligibility: Encodable, Sendable {
        public var tagsAny: [String]
        public var customers: String
        public var channels: [String]
        @Nullable public var minimumSubtotalMinor: Int64?

        enum CodingKeys: String, CodingKey {
            case customers, channels, tagsAny = "tags_any", minimumSubtotalMinor = "minimum_subtotal_minor"
        }
    }

    public var id: String
    public var name: String
    public var effect: PolicyEffect
    public var skus: [String]
    @Nullable public var currency: String?
    @Nullable public var validFrom: Date?
    @Nullable public var validUntil: Date?
    public var eligibility: Eligibility
    public var stacking: String
    public var priority: Int
    public var active: Bool
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, effect, skus, currency, eligibility, stacking, priority, active, version
        case validFrom = "valid_from", validUntil = "valid_until", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ record: SalesPolicyRecord) {
        let policy = record.policy
        id = record.id.rawValue
        name = policy.name
        effect = PolicyEffect(policy.effect)
        skus = policy.skus.sorted()
        currency = policy.currency
        validFrom = policy.validFrom
        validUntil = policy.validUntil
        eligibility = Eligibility(tagsAny: policy.tagsAny.sorted(), customers: policy.customers.rawValue, channels: policy.channels.sorted(),
                                  minimumSubtotalMinor: policy.minimumSubtotalMinor)
        stacking = policy.stacking.rawValue
        priority = policy.priority
        active = record.active
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }
}

/// A priced order: each line's price and discount, the totals, and every policy's fate.
public struct PriceQuoteDTO: Encodable, Sendable {
    public struct Line: Encodable, Sendable {
        public var sku: String
        public var productId: String
        public var name: String
        public var unit: String
        public var quantity: Int
        public var priceSource: String
        public var unitPrice: Money
        public var list: Money
        public var discount: Money
        public var total: Money

        enum CodingKeys: String, CodingKey {
            case sku, name, unit, quantity, list, discount, total, productId = "product_id", priceSource = "price_source", unitPrice = "unit_price"
        }
    }

    public struct Applied: Encodable, Sendable {
        public var policyId: String
        public var name: String
        public var discount: Money

        enum CodingKeys: String, CodingKey {
            case name, discount, policyId = "policy_id"
        }
    }

    public struct Skipped: Encodable, Sendable {
        public var policyId: String
        public var name: String
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case name, reason, policyId = "policy_id"
        }
    }

    public var currency: String
    public var rounding: String
    public var at: Date
    @Nullable public var priceBook: String?
    @Nullable public var customerId: String?
    public var customerTags: [String]
    public var isNewCustomer: Bool
    @Nullable public var channel: String?
    public var lines: [Line]
    public var subtotal: Money
    public var discount: Money
    public var total: Money
    public var applied: [Applied]
    public var skipped: [Skipped]

    enum CodingKeys: String, CodingKey {
        case currency, rounding, at, channel, lines, subtotal, discount, total, applied, skipped
        case priceBook = "price_book", customerId = "customer_id", customerTags = "customer_tags", isNewCustomer = "is_new_customer"
    }

    init(_ quote: PricingUseCases.Quote) {
        let result = quote.result
        let currency = result.currency
        self.currency = currency
        rounding = result.rounding.rawValue
        at = quote.at
        priceBook = quote.priceBook?.key
        customerId = quote.customerID?.rawValue
        customerTags = quote.customerTags
        isNewCustomer = quote.isNewCustomer
        channel = quote.channel
        lines = quote.lines.map { line in
            Line(sku: line.product.sku, productId: line.product.id.rawValue, name: line.product.name, unit: line.product.unit, quantity: line.priced.quantity,
                 priceSource: line.source.rawValue, unitPrice: Money(line.priced.unitPriceMinor, currency), list: Money(line.priced.listMinor, currency),
                 discount: Money(line.priced.discountMinor, currency), total: Money(line.priced.totalMinor, currency))
        }
        subtotal = Money(result.subtotalMinor, currency)
        discount = Money(result.discountMinor, currency)
        total = Money(result.totalMinor, currency)
        applied = result.applied.map { Applied(policyId: $0.policyID, name: $0.name, discount: Money($0.discountMinor, currency)) }
        skipped = result.skipped.map { Skipped(policyId: $0.policyID, name: quote.policyNames[$0.policyID] ?? "", reason: $0.reason.rawValue) }
    }
}

/// What one unit of a product grants: a unit, a quantity per unit sold, a validity (days or months).
public struct GrantDTO: Encodable, Sendable {
    public var unit: String
    public var quantity: Int64
    @Nullable public var validityDays: Int?
    @Nullable public var validityMonths: Int?

    enum CodingKeys: String, CodingKey {
        case unit, quantity, validityDays = "validity_days", validityMonths = "validity_months"
    }

    init(_ grant: EntitlementGrant) {
        unit = grant.unit
        quantity = grant.quantity
        validityDays = grant.validityDays
        validityMonths = grant.validityMonths
    }
}
