import Foundation

/// A product of the catalog (产品): what is sold, under a unique SKU, with a list price per
/// currency. Products are archived (made inactive), never deleted: orders and quotes name them.
public struct Product: Sendable, Equatable {
    public var id: RecordID
    /// The stock-keeping unit: 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
    public var sku: String
    public var name: String
    public var category: String?
    /// What one unit is (`each`, `lesson`, `month`, `seat`).
    public var unit: String
    public var active: Bool
    /// List prices in minor units, by ISO 4217 currency.
    public var listPrices: [String: Int64]
    /// What one unit sold grants the customer once the order is effective (48 lessons valid 12
    /// months, 12 months of service); nil grants nothing.
    public var grant: EntitlementGrant?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, sku: String, name: String, category: String? = nil, unit: String = Product.defaultUnit, active: Bool = true,
                listPrices: [String: Int64] = [:], grant: EntitlementGrant? = nil, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.sku = sku
        self.grant = grant
        self.name = name
        self.category = category
        self.unit = unit
        self.active = active
        self.listPrices = listPrices
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The unit a product gets when none is named.
    public static let defaultUnit = "each"
}

/// A price book (价格表): prices in one currency for some products (a channel's, a region's or a
/// season's), valid in a window. A quote that names a book takes a product's price from it when
/// the book has one, and the product's list price otherwise.
public struct PriceBook: Sendable, Equatable {
    /// One product's price in the book.
    public struct Entry: Sendable, Equatable {
        public var productID: RecordID
        public var sku: String
        public var amountMinor: Int64

        public init(productID: RecordID, sku: String, amountMinor: Int64) {
            self.productID = productID
            self.sku = sku
            self.amountMinor = amountMinor
        }
    }

    public var id: RecordID
    /// A short unique key (`partners-2026`), as quotes name the book.
    public var key: String
    public var name: String
    public var currency: String
    public var active: Bool
    public var validFrom: Date?
    /// The first instant the book no longer applies.
    public var validUntil: Date?
    /// The book's prices, by SKU.
    public var entries: [Entry]
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, key: String, name: String, currency: String, active: Bool = true, validFrom: Date? = nil, validUntil: Date? = nil,
                entries: [Entry] = [], version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.key = key
        self.name = name
        self.currency = currency
        self.active = active
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.entries = entries
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether the book's window holds `instant` (from inclusive, until exclusive).
    public func isValid(at instant: Date) -> Bool {
        if let validFrom, instant < validFrom { return false }
        if let validUntil, instant >= validUntil { return false }
        return true
    }

    /// The most prices one book holds.
    public static let maximumEntries = 5_000
}

/// A sales policy as kept: the policy the pricing function evaluates, whether it is in force,
/// and its version.
public struct SalesPolicyRecord: Sendable, Equatable {
    public var id: RecordID
    /// The policy (its `id` is ``id``'s text).
    public var policy: SalesPolicy
    /// Inactive (archived) policies are never evaluated.
    public var active: Bool
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, policy: SalesPolicy, active: Bool = true, version: Int64 = 1, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.policy = policy
        self.active = active
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension IDPrefix {
    public static let product = IDPrefix(rawValue: "prd")
    public static let priceBook = IDPrefix(rawValue: "pbk")
    public static let policy = IDPrefix(rawValue: "pol")
}

extension ObjectKind {
    /// The catalog, price books and sales policies, as readers see them (everyone reads).
    public static let product = ObjectKind(rawValue: "product")
    /// Configuring the catalog, price books and sales policies: administrators, and any role an
    /// administrator grants a scope on it (managers' sales operations, say).
    public static let pricing = ObjectKind(rawValue: "pricing")
}
