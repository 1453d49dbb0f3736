import Foundation
import RapportApp
import RapportCore

/// A quote as the API shows it: money as `{"amount_minor", "currency"}`, the priced lines with
/// their policy and manual discounts, the totals, the policies applied and skipped (as priced),
/// the status with its times, the approval requests, and the actions the status allows.
public struct QuoteDTO: Encodable, Sendable {
    public struct Discount: Encodable, Sendable {
        @Nullable public var basisPoints: Int64?
        @Nullable public var amountMinor: Int64?

        enum CodingKeys: String, CodingKey {
            case basisPoints = "basis_points", amountMinor = "amount_minor"
        }
    }

    public struct Line: Encodable, Sendable {
        public var sku: String
        public var productId: String
        public var name: String
        public var unit: String
        public var quantity: Int
        public var priceSource: String
        public var unitPrice: Money
        public var list: Money
        public var policyDiscount: Money
        @Nullable public var discount: Discount?
        public var manualDiscount: Money
        public var total: Money

        enum CodingKeys: String, CodingKey {
            case sku, name, unit, quantity, list, discount, total
            case productId = "product_id", priceSource = "price_source", unitPrice = "unit_price", policyDiscount = "policy_discount"
            case manualDiscount = "manual_discount"
        }
    }

    /// A policy that applied or did not, as in a price check.
    public typealias Applied = PriceQuoteDTO.Applied
    public typealias Skipped = PriceQuoteDTO.Skipped

    public struct Approval: Encodable, Sendable {
        public var id: String
        @Nullable public var requestedBy: String?
        public var requestedAt: Date
        public var discountBp: Int64
        public var thresholdBp: Int64
        public var approverIds: [String]
        public var decision: String
        @Nullable public var decidedBy: String?
        @Nullable public var decidedAt: Date?
        @Nullable public var comment: String?

        enum CodingKeys: String, CodingKey {
            case id, decision, comment
            case requestedBy = "requested_by", requestedAt = "requested_at", discountBp = "discount_bp", thresholdBp = "threshold_bp"
            case approverIds = "approver_ids", decidedBy = "decided_by", decidedAt = "decided_at"
        }
    }

    public var id: String
    public var name: String
    public var opportunityId: String
    @Nullable public var customerId: String?
    public var ownerId: String
    @Nullable public var teamId: String?
    public var status: String
    public var statusChangedAt: Date
    public var currency: String
    @Nullable public var priceBook: String?
    public var validUntil: String
    @Nullable public var channel: String?
    public var isNewCustomer: Bool
    @Nullable public var notes: String?
    public var rounding: String
    public var pricedAt: Date
    public var lines: [Line]
    public var subtotal: Money
    public var policyDiscount: Money
    public var manualDiscount: Money
    public var discount: Money
    public var discountBp: Int64
    public var total: Money
    public var applied: [Applied]
    public var skipped: [Skipped]
    @Nullable public var submittedAt: Date?
    @Nullable public var approvedAt: Date?
    @Nullable public var approvedBy: String?
    @Nullable public var sentAt: Date?
    @Nullable public var acceptedAt: Date?
    @Nullable public var declinedAt: Date?
    @Nullable public var declineReason: String?
    @Nullable public var expiredAt: Date?
    public var approvals: [Approval]
    public var actions: [String]
    public var version: Int64
    @Nullable public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, status, currency, channel, notes, rounding, lines, subtotal, discount, total, applied, skipped, approvals, actions, version
        case opportunityId = "opportunity_id", customerId = "customer_id", ownerId = "owner_id", teamId = "team_id"
        case statusChangedAt = "status_changed_at", priceBook = "price_book", validUntil = "valid_until", isNewCustomer = "is_new_customer"
        case pricedAt = "priced_at", policyDiscount = "policy_discount", manualDiscount = "manual_discount", discountBp = "discount_bp"
        case submittedAt = "submitted_at", approvedAt = "approved_at", approvedBy = "approved_by", sentAt = "sent_at", acceptedAt = "accepted_at"
        case declinedAt = "declined_at", declineReason = "decline_reason", expiredAt = "expired_at"
        case createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ item: QuoteUseCases.Item) {
        let quote = item.quote
        let currency = quote.currency
        func money(_ minor: Int64) -> Money { Money(minor, currency) }
        id = quote.id.rawValue
        name = quote.name
        opportunityId = quote.opportunityID.rawValue
        customerId = quote.customerID?.rawValue
        ownerId = quote.ownerID.rawValue
        teamId = quote.teamID?.rawValue
        status = quote.status.rawValue
        statusChangedAt = quote.statusChangedAt
        self.currency = currency
        priceBook = quote.priceBookKey
        validUntil = quote.validUntil
        channel = quote.channel
        isNewCustomer = quote.isNewCustomer
        notes = quote.notes
        rounding = quote.rounding.rawValue
        pricedAt = quote.pricedAt
        lines = quote.lines.map { line in
            var discount: Discount?
            switch line.manualDiscount {
            case .basisPoints(let points)?: discount = Discount(basisPoints: points, amountMinor: nil)
            case .amount(let minor)?: discount = Discount(basisPoints: nil, amountMinor: minor)
            case nil: discount = nil
            }
            return Line(sku: line.sku, productId: line.productID.rawValue, name: line.name, unit: line.unit, quantity: line.quantity,
                        priceSource: line.priceSource, unitPrice: money(line.unitPriceMinor), list: money(line.listMinor),
                        policyDiscount: money(line.policyDiscountMinor), discount: discount, manualDiscount: money(line.manualDiscountMinor),
                        total: money(line.totalMinor))
        }
        subtotal = money(quote.totals.subtotalMinor)
        policyDiscount = money(quote.totals.policyDiscountMinor)
        manualDiscount = money(quote.totals.manualDiscountMinor)
        discount = money(quote.totals.discountMinor)
        discountBp = quote.totals.discountBasisPoints
        total = money(quote.totals.totalMinor)
        applied = quote.applied.map { Applied(policyId: $0.policyID, name: $0.name, discount: money($0.discountMinor)) }
        skipped = quote.skipped.map { Skipped(policyId: $0.policyID, name: $0.name, reason: $0.reason) }
        submittedAt = quote.submittedAt
        approvedAt = quote.approvedAt
        approvedBy = quote.approvedBy?.rawValue
        sentAt = quote.sentAt
        acceptedAt = quote.acceptedAt
        declinedAt = quote.declinedAt
        declineReason = quote.declineReason
        expiredAt = quote.expiredAt
        approvals = item.approvals.map { approval in
            Approval(id: approval.id.rawValue, requestedBy: approval.requestedBy?.rawValue, requestedAt: approval.requestedAt,
                     discountBp: approval.discountBasisPoints, thresholdBp: approval.thresholdBasisPoints, approverIds: approval.approverIDs.map(\.rawValue),
                     decision: approval.decision.rawValue, decidedBy: approval.decidedBy?.rawValue, decidedAt: approval.decidedAt, comment: approval.comment)
        }
        actions = item.actions.map(\.rawValue)
        version = quote.version
        createdBy = quote.createdBy?.rawValue
        createdAt = quote.createdAt
        updatedAt = quote.updatedAt
    }
}

/// The quote settings: the approval threshold and the default validity.
public struct QuoteSettingsDTO: Encodable, Sendable {
    public var approvalThresholdBp: Int64
    public var defaultValidityDays: Int

    enum CodingKeys: String, CodingKey {
        case approvalThresholdBp = "approval_threshold_bp", defaultValidityDays = "default_validity_days"
    }

    init(_ settings: QuoteSettings) {
        approvalThresholdBp = settings.approvalThresholdBasisPoints
        defaultValidityDays = settings.defaultValidityDays
    }
}
