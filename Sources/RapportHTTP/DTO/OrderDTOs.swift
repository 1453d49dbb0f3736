import Foundation
import RapportApp
import RapportCore

/// An order as the API shows it: money as `{"amount_minor", "currency"}`, times in RFC 3339.
public struct OrderDTO: Encodable, Sendable {
    public var id: String
    public var title: String
    public var customerId: String
    @Nullable public var opportunityId: String?
    @Nullable public var quoteId: String?
    public var currency: String
    public var lines: [OrderLineDTO]
    public var total: Money
    public var status: String
    public var statusEnteredAt: Date
    @Nullable public var statusReason: String?
    @Nullable public var signedAt: Date?
    @Nullable public var approvedBy: String?
    @Nullable public var effectiveFrom: Date?
    @Nullable public var effectiveTo: Date?
    public var ownerId: String
    @Nullable public var teamId: String?
    public var version: Int64
    @Nullable public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, title, currency, lines, total, status, version
        case customerId = "customer_id", opportunityId = "opportunity_id", quoteId = "quote_id", statusEnteredAt = "status_entered_at"
        case statusReason = "status_reason", signedAt = "signed_at", approvedBy = "approved_by", effectiveFrom = "effective_from"
        case effectiveTo = "effective_to", ownerId = "owner_id", teamId = "team_id", createdBy = "created_by", createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(_ order: Order) {
        id = order.id.rawValue
        title = order.title
        customerId = order.customerID.rawValue
        opportunityId = order.opportunityID?.rawValue
        quoteId = order.quoteID
        currency = order.currency
        lines = order.lines.map(OrderLineDTO.init)
        total = order.total
        status = order.status.rawValue
        statusEnteredAt = order.statusEnteredAt
        statusReason = order.statusReason
        signedAt = order.signedAt
        approvedBy = order.approvedBy?.rawValue
        effectiveFrom = order.effectiveFrom
        effectiveTo = order.effectiveTo
        ownerId = order.ownerID.rawValue
        teamId = order.teamID?.rawValue
        version = order.version
        createdBy = order.createdBy?.rawValue
        createdAt = order.createdAt
        updatedAt = order.updatedAt
    }
}

/// One line of an order.
public struct OrderLineDTO: Encodable, Sendable {
    public var id: String
    public var productId: String
    public var sku: String
    public var productName: String
    public var quantity: Int64
    public var unitPrice: Money
    public var discount: Money
    public var total: Money

    enum CodingKeys: String, CodingKey {
        case id, sku, quantity, discount, total
        case productId = "product_id", productName = "product_name", unitPrice = "unit_price"
    }

    init(_ line: OrderLine) {
        id = line.id.rawValue
        productId = line.productID.rawValue
        sku = line.sku
        productName = line.productName
        quantity = line.quantity
        unitPrice = line.unitPrice
        discount = line.discount
        total = line.total
    }
}

/// An entitlement: granted = consumed + balance + revoked.
public struct EntitlementDTO: Encodable, Sendable {
    public var id: String
    public var customerId: String
    public var orderId: String
    public var orderLineId: String
    public var productId: String
    public var sku: String
    public var unit: String
    public var granted: Int64
    public var consumed: Int64
    public var revoked: Int64
    public var balance: Int64
    public var status: String
    public var startsAt: Date
    @Nullable public var expiresAt: Date?
    @Nullable public var renewalOpportunityId: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, sku, unit, granted, consumed, revoked, balance, status, version
        case customerId = "customer_id", orderId = "order_id", orderLineId = "order_line_id", productId = "product_id", startsAt = "starts_at"
        case expiresAt = "expires_at", renewalOpportunityId = "renewal_opportunity_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ entitlement: Entitlement) {
        id = entitlement.id.rawValue
        customerId = entitlement.customerID.rawValue
        orderId = entitlement.orderID.rawValue
        orderLineId = entitlement.orderLineID.rawValue
        productId = entitlement.productID.rawValue
        sku = entitlement.sku
        unit = entitlement.unit
        granted = entitlement.granted
        consumed = entitlement.consumed
        revoked = entitlement.revoked
        balance = entitlement.balance
        status = entitlement.status.rawValue
        startsAt = entitlement.startsAt
        expiresAt = entitlement.expiresAt
        renewalOpportunityId = entitlement.renewalOpportunityID?.rawValue
        version = entitlement.version
        createdAt = entitlement.createdAt
        updatedAt = entitlement.updatedAt
    }
}

/// One consumption of an entitlement.
public struct ConsumptionDTO: Encodable, Sendable {
    public var id: String
    public var entitlementId: String
    public var quantity: Int64
    @Nullable public var note: String?
    public var occurredAt: Date
    public var recordedAt: Date
    @Nullable public var recordedBy: String?
    public var idempotencyKey: String

    enum CodingKeys: String, CodingKey {
        case id, quantity, note
        case entitlementId = "entitlement_id", occurredAt = "occurred_at", recordedAt = "recorded_at", recordedBy = "recorded_by"
        case idempotencyKey = "idempotency_key"
    }

    public init(_ consumption: EntitlementConsumption) {
        id = consumption.id.rawValue
        entitlementId = consumption.entitlementID.rawValue
        quantity = consumption.quantity
        note = consumption.note
        occurredAt = consumption.occurredAt
        recordedAt = consumption.recordedAt
        recordedBy = consumption.recordedBy?.rawValue
        idempotencyKey = consumption.idempotencyKey
    }
}

/// What a consumption did: the entitlement after it, the consumption, and whether it was a replay.
public struct ConsumeResultDTO: Encodable, Sendable {
    public var entitlement: EntitlementDTO
    public var consumption: ConsumptionDTO
    public var replayed: Bool

    public init(_ result: EntitlementUseCases.ConsumeResult) {
        entitlement = EntitlementDTO(result.entitlement)
        consumption = ConsumptionDTO(result.consumption)
        replayed = result.replayed
    }
}
