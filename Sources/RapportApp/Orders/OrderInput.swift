import Foundation
import RapportCore

/// What creating or changing an order takes, as the caller sent it (not yet checked). For a
/// change, `nil` leaves a field alone, `.some(nil)` clears it, and `lines` replaces every line.
public struct OrderInput: Sendable {
    /// One line as sent: a catalog SKU, a quantity, and optionally a unit price (the product's
    /// list price in the order's currency by default) and an amount discount.
    public struct Line: Sendable, Equatable {
        public var sku: String?
        public var quantity: Int?
        public var unitPrice: Money?
        public var discount: Money?

        public init(sku: String?, quantity: Int?, unitPrice: Money? = nil, discount: Money? = nil) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.discount = discount
        }
    }

    public var title: String?
    /// Create only: the customer (`cus_…`), which the caller must be able to see.
    public var customer: String?
    /// Create only: an ISO 4217 currency.
    public var currency: String?
    public var lines: [Line]?
    public var effectiveFrom: Date??
    public var effectiveTo: Date??
    /// A user id: the owner (the caller by default; managers and administrators may name another).
    public var owner: String?

    public init(title: String? = nil, customer: String? = nil, currency: String? = nil, lines: [Line]? = nil, effectiveFrom: Date?? = nil,
                effectiveTo: Date?? = nil, owner: String? = nil) {
        self.title = title
        self.customer = customer
        self.currency = currency
        self.lines = lines
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
        self.owner = owner
    }
}

/// An order to create, already decided by another use case (an opportunity won, a quote
/// accepted): ``OrderUseCases/create(from:by:)`` prices nothing itself, it checks the lines
/// against the catalog, totals them and stores the draft with its history and audit entry.
public struct OrderDraft: Sendable, Equatable {
    /// One line: a catalog SKU, quantity, unit price and amount discount in the order's currency.
    public typealias Line = OrderPricing.Line

    public var title: String
    public var customerID: RecordID
    public var opportunityID: RecordID?
    /// The accepted quote it comes from (`quo_…`), if any.
    public var quoteID: String?
    public var currency: String
    public var lines: [Line]
    public var ownerID: RecordID
    public var effectiveFrom: Date?
    public var effectiveTo: Date?

    public init(title: String, customerID: RecordID, opportunityID: RecordID? = nil, quoteID: String? = nil, currency: String, lines: [Line],
                ownerID: RecordID, effectiveFrom: Date? = nil, effectiveTo: Date? = nil) {
        self.title = title
        self.customerID = customerID
        self.opportunityID = opportunityID
        self.quoteID = quoteID
        self.currency = currency
        self.lines = lines
        self.ownerID = ownerID
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
    }
}
