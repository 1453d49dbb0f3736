import Foundation

/// A quote (报价单): priced product lines for one opportunity (and so its customer), valid until a
/// date, moving draft → pending approval → approved → sent → accepted | declined | expired. The
/// prices, discounts and the explanation of the sales policies are a snapshot taken when the quote
/// was priced: later catalog or policy changes do not change it.
public struct Quote: Sendable, Equatable {
    public var id: RecordID
    public var name: String
    public var opportunityID: RecordID
    /// The opportunity's customer (read with the quote).
    public var customerID: RecordID?
    public var ownerID: RecordID
    public var teamID: RecordID?
    public var status: QuoteStatus
    public var statusChangedAt: Date
    public var currency: String
    /// The price book the lines were priced from (nil: list prices).
    public var priceBookID: RecordID?
    public var priceBookKey: String?
    /// The last day (`YYYY-MM-DD`, UTC) the offer holds; a sent quote expires the day after.
    public var validUntil: String
    /// The channel the policies' eligibility was read for, and whether the buyer counted as new.
    public var channel: String?
    public var isNewCustomer: Bool
    /// Terms or a note for the customer, printed on the quote.
    public var notes: String?
    /// The priced lines and totals, as priced at ``pricedAt``.
    public var lines: [QuoteLine]
    public var totals: QuoteTotals
    public var applied: [QuotePolicyApplied]
    public var skipped: [QuotePolicySkipped]
    public var rounding: Rounding
    public var pricedAt: Date
    public var submittedAt: Date?
    public var approvedAt: Date?
    /// Who approved: an approver, or nil when the discount was within the threshold.
    public var approvedBy: RecordID?
    public var sentAt: Date?
    /// When the customer accepted or declined, and the reason they gave for declining.
    public var acceptedAt: Date?
    public var declinedAt: Date?
    public var declineReason: String?
    public var expiredAt: Date?
    public var version: Int64
    public var createdBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecordID, name: String, opportunityID: RecordID, customerID: RecordID?, ownerID: RecordID, teamID: RecordID?, status: QuoteStatus = .draft,
        statusChangedAt: Date, currency: String, priceBookID: RecordID? = nil, priceBookKey: String? = nil, validUntil: String, channel: String? = nil,
        isNewCustomer: Bool = true, notes: String? = nil, lines: [QuoteLine] = [], totals: QuoteTotals = QuoteTotals(), applied: [QuotePolicyApplied] = [],
        skipped: [QuotePolicySkipped] = [], rounding: Rounding = .halfUp, pricedAt: Date, version: Int64 = 1, createdBy: RecordID?,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.opportunityID = opportunityID
        self.customerID = customerID
        self.ownerID = ownerID
        self.teamID = teamID
        self.status = status
        self.statusChangedAt = statusChangedAt
        self.currency = currency
        self.priceBookID = priceBookID
        self.priceBookKey = priceBookKey
        self.validUntil = validUntil
        self.channel = channel
        self.isNewCustomer = isNewCustomer
        self.notes = notes
        self.lines = lines
        self.totals = totals
        self.applied = applied
        self.skipped = skipped
        self.rounding = rounding
        self.pricedAt = pricedAt
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where a quote is in its life.
public enum QuoteStatus: String, Sendable, Codable, CaseIterable {
    /// Being prepared; may be revised.
    case draft
    /// Its discount is above the threshold: waiting for a manager's decision.
    case pendingApproval = "pending_approval"
    /// Approved (or within the threshold): may be sent.
    case approved
    /// Given to the customer; the offer holds until ``Quote/validUntil``.
    case sent
    /// The customer accepted.
    case accepted
    /// The customer declined.
    case declined
    /// The customer did not answer before the validity date passed.
    case expired

    /// Accepted, declined and expired quotes never change again.
    public var isFinal: Bool { self == .accepted || self == .declined || self == .expired }
}

/// A manual discount on one line, on top of the sales policies: basis points of what the line
/// comes to after the policies, or an amount (never more than the line).
public enum QuoteLineDiscount: Sendable, Equatable, Hashable {
    case basisPoints(Int64)
    case amount(Int64)
}

/// One priced line of a quote, as priced.
public struct QuoteLine: Sendable, Equatable {
    public var sku: String
    public var productID: RecordID
    /// The product's name and unit when priced (printed as they were).
    public var name: String
    public var unit: String
    public var quantity: Int
    /// `list` or `price_book`.
    public var priceSource: String
    public var unitPriceMinor: Int64
    /// quantity × unit price.
    public var listMinor: Int64
    /// Taken off by the sales policies.
    public var policyDiscountMinor: Int64
    public var manualDiscount: QuoteLineDiscount?
    /// Taken off by the manual discount.
    public var manualDiscountMinor: Int64
    /// What is left to pay for the line.
    public var totalMinor: Int64

    public init(
        sku: String, productID: RecordID, name: String, unit: String, quantity: Int, priceSource: String, unitPriceMinor: Int64, listMinor: Int64,
        policyDiscountMinor: Int64, manualDiscount: QuoteLineDiscount?, manualDiscountMinor: Int64, totalMinor: Int64
    ) {
        self.sku = sku
        self.productID = productID
        self.name = name
        self.unit = unit
        self.quantity = quantity
        self.priceSource = priceSource
        self.unitPriceMinor = unitPriceMinor
        self.listMinor = listMinor
        self.policyDiscountMinor = policyDiscountMinor
        self.manualDiscount = manualDiscount
        self.manualDiscountMinor = manualDiscountMinor
        self.totalMinor = totalMinor
    }
}

/// A quote's sums, in minor units of its currency.
public struct QuoteTotals: Sendable, Equatable {
    /// At list (or price-book) prices.
    public var subtotalMinor: Int64
    public var policyDiscountMinor: Int64
    public var manualDiscountMinor: Int64
    /// Policies and manual discounts together.
    public var discountMinor: Int64
    public var totalMinor: Int64
    /// The discount off the subtotal in basis points, rounded half-up (for display; the threshold
    /// test is exact).
    public var discountBasisPoints: Int64

    public init(subtotalMinor: Int64 = 0, policyDiscountMinor: Int64 = 0, manualDiscountMinor: Int64 = 0, discountMinor: Int64 = 0, totalMinor: Int64 = 0,
                discountBasisPoints: Int64 = 0) {
        self.subtotalMinor = subtotalMinor
        self.policyDiscountMinor = policyDiscountMinor
        self.manualDiscountMinor = manualDiscountMinor
        self.discountMinor = discountMinor
        self.totalMinor = totalMinor
        self.discountBasisPoints = discountBasisPoints
    }
}

/// A sales policy that applied to the quote, by name as it was then.
public struct QuotePolicyApplied: Sendable, Equatable, Codable {
    public var policyID: String
    public var name: String
    public var discountMinor: Int64

    public init(policyID: String, name: String, discountMinor: Int64) {
        self.policyID = policyID
        self.name = name
        self.discountMinor = discountMinor
    }

    enum CodingKeys: String, CodingKey {
        case name, policyID = "policy_id", discountMinor = "discount_minor"
    }
}

/// A sales policy that did not apply, and why.
public struct QuotePolicySkipped: Sendable, Equatable, Codable {
    public var policyID: String
    public var name: String
    public var reason: String

    public init(policyID: String, name: String, reason: String) {
        self.policyID = policyID
        self.name = name
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case name, reason, policyID = "policy_id"
    }
}

/// A request for a manager's approval of a quote's discount, and the decision.
public struct QuoteApproval: Sendable, Equatable {
    public enum Decision: String, Sendable, Codable, CaseIterable {
        case pending, approved, rejected
        /// The quote was revised while waiting: the request lapsed.
        case withdrawn
    }

    public var id: RecordID
    public var quoteID: RecordID
    public var requestedBy: RecordID?
    public var requestedAt: Date
    /// The quote's discount and the threshold it exceeded, in basis points.
    public var discountBasisPoints: Int64
    public var thresholdBasisPoints: Int64
    /// Who was asked (the owner's team managers, else administrators).
    public var approverIDs: [RecordID]
    public var decision: Decision
    public var decidedBy: RecordID?
    public var decidedAt: Date?
    public var comment: String?

    public init(
        id: RecordID, quoteID: RecordID, requestedBy: RecordID?, requestedAt: Date, discountBasisPoints: Int64, thresholdBasisPoints: Int64,
        approverIDs: [RecordID], decision: Decision = .pending, decidedBy: RecordID? = nil, decidedAt: Date? = nil, comment: String? = nil
    ) {
        self.id = id
        self.quoteID = quoteID
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.discountBasisPoints = discountBasisPoints
        self.thresholdBasisPoints = thresholdBasisPoints
        self.approverIDs = approverIDs
        self.decision = decision
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.comment = comment
    }
}

extension IDPrefix {
    public static let quote = IDPrefix(rawValue: "quo")
    public static let quoteApproval = IDPrefix(rawValue: "qap")
}

extension ObjectKind {
    public static let quote = ObjectKind(rawValue: "quote")
}
