import Foundation

/// An order or contract (订单/合同): what a customer bought, line by line, in one currency, with
/// its contract term. It moves through ``OrderStatus`` on the lifecycle engine (see
/// ``OrderLifecycle``); it may be changed only while it is a draft.
public struct Order: Sendable, Equatable {
    public var id: RecordID
    /// A human reference, e.g. the contract's title.
    public var title: String
    public var customerID: RecordID
    /// The won opportunity it came from, if any.
    public var opportunityID: RecordID?
    /// The accepted quote it came from, if any (kept as text: quotes live in their own area).
    public var quoteID: String?
    public var currency: String
    public var lines: [OrderLine]
    /// The sum of the line totals.
    public var total: Money
    public var status: OrderStatus
    public var statusEnteredAt: Date
    /// When it was approved (signed); nil before.
    public var signedAt: Date?
    /// The contract term: from (inclusive) and to (exclusive); either may be open.
    public var effectiveFrom: Date?
    public var effectiveTo: Date?
    public var ownerID: RecordID
    public var teamID: RecordID?
    /// Why it was last rejected, terminated or cancelled.
    public var statusReason: String?
    /// Who approved it.
    public var approvedBy: RecordID?
    public var version: Int64
    public var createdBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecordID, title: String, customerID: RecordID, opportunityID: RecordID? = nil, quoteID: String? = nil, currency: String,
        lines: [OrderLine] = [], total: Money, status: OrderStatus = .draft, statusEnteredAt: Date, signedAt: Date? = nil,
        effectiveFrom: Date? = nil, effectiveTo: Date? = nil, ownerID: RecordID, teamID: RecordID? = nil, statusReason: String? = nil,
        approvedBy: RecordID? = nil, version: Int64 = 1, createdBy: RecordID? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.title = title
        self.customerID = customerID
        self.opportunityID = opportunityID
        self.quoteID = quoteID
        self.currency = currency
        self.lines = lines
        self.total = total
        self.status = status
        self.statusEnteredAt = statusEnteredAt
        self.signedAt = signedAt
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
        self.ownerID = ownerID
        self.teamID = teamID
        self.statusReason = statusReason
        self.approvedBy = approvedBy
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The most lines one order holds.
    public static let maximumLines = 200
}

/// One line of an order: a catalog product (SKU and the name it had when ordered), a quantity,
/// a unit price, an amount discount on the line, and the line total. Lines keep their id once
/// the order leaves draft: entitlements and refunds name them.
public struct OrderLine: Sendable, Equatable {
    public var id: RecordID
    public var productID: RecordID
    public var sku: String
    /// The product's name when the order was made (the catalog may rename it later).
    public var productName: String
    public var quantity: Int64
    public var unitPrice: Money
    /// An amount off this line, in the order's currency.
    public var discount: Money
    /// quantity × unit price − discount.
    public var total: Money

    public init(id: RecordID, productID: RecordID, sku: String, productName: String, quantity: Int64, unitPrice: Money, discount: Money, total: Money) {
        self.id = id
        self.productID = productID
        self.sku = sku
        self.productName = productName
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discount = discount
        self.total = total
    }
}

/// Where an order is in its life. `completed`, `expired`, `terminated` and `cancelled` end it.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    case draft
    case pendingApproval = "pending_approval"
    case signed
    case effective
    case completed
    case expired
    case terminated
    case cancelled

    /// Whether nothing moves it any more.
    public var isFinal: Bool { self == .completed || self == .expired || self == .terminated || self == .cancelled }
}

/// Line totals and the order total in integer minor units: every product and sum is checked
/// for overflow, so an order too large for 64 bits is refused, never wrapped.
public enum OrderArithmetic {
    /// Why a line or an order could not be totalled.
    public enum Failure: Error, Equatable, Sendable {
        /// quantity × unit price (or the sum of lines) does not fit in 64 bits.
        case overflow
        /// The discount is larger than quantity × unit price.
        case discountExceedsAmount
        /// A price or discount is not in the order's currency.
        case currencyMismatch
    }

    /// quantity × unit price − discount.
    public static func lineTotal(quantity: Int64, unitPrice: Money, discount: Money) -> Result<Money, Failure> {
        guard unitPrice.currency == discount.currency else { return .failure(.currencyMismatch) }
        let (gross, overflow) = unitPrice.amountMinor.multipliedReportingOverflow(by: quantity)
        if overflow { return .failure(.overflow) }
        if discount.amountMinor > gross { return .failure(.discountExceedsAmount) }
        return .success(Money(gross - discount.amountMinor, unitPrice.currency))
    }

    /// The sum of line totals in `currency`.
    public static func total(_ totals: [Money], currency: String) -> Result<Money, Failure> {
        var sum: Int64 = 0
        for total in totals {
            guard total.currency == currency.uppercased() else { return .failure(.currencyMismatch) }
            let (next, overflow) = sum.addingReportingOverflow(total.amountMinor)
            if overflow { return .failure(.overflow) }
            sum = next
        }
        return .success(Money(sum, currency))
    }
}

extension IDPrefix {
    public static let order = IDPrefix(rawValue: "ord")
    public static let orderLine = IDPrefix(rawValue: "orl")
}

extension ObjectKind {
    /// Orders and contracts: scoped like opportunities (owner, team subtree, all).
    public static let order = ObjectKind(rawValue: "order")
}
