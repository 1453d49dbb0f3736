import Foundation
import RapportApp
import RapportCore

/// An order's receivables: plan (instalments with their status today), payments, refunds,
/// invoices and the totals, every amount in minor units of the order's currency.
public struct ReceivablesDTO: Encodable, Sendable {
    public var orderId: String
    public var currency: String
    public var totalMinor: Int64
    @Nullable public var planVersion: Int64?
    public var today: CalendarDate
    public var installments: [InstallmentDTO]
    public var payments: [PaymentDTO]
    public var refunds: [RefundDTO]
    public var cancellations: [CancellationDTO]
    public var invoices: [InvoiceDTO]
    public var receivedMinor: Int64
    public var refundedMinor: Int64
    public var collectedMinor: Int64
    public var cancelledMinor: Int64
    public var outstandingMinor: Int64
    public var overdueMinor: Int64
    public var invoicedMinor: Int64

    enum CodingKeys: String, CodingKey {
        case currency, today, installments, payments, refunds, cancellations, invoices
        case orderId = "order_id", totalMinor = "total_minor", planVersion = "plan_version", receivedMinor = "received_minor"
        case refundedMinor = "refunded_minor", collectedMinor = "collected_minor", cancelledMinor = "cancelled_minor"
        case outstandingMinor = "outstanding_minor", overdueMinor = "overdue_minor", invoicedMinor = "invoiced_minor"
    }

    public init(_ books: ReceivableUseCases.Books) {
        orderId = books.order.id.rawValue
        currency = books.order.currency
        totalMinor = books.order.total.amountMinor
        planVersion = books.planVersion
        today = books.today
        installments = books.installments.map(InstallmentDTO.init)
        payments = books.payments.map(PaymentDTO.init)
        refunds = books.refunds.map(RefundDTO.init)
        cancellations = books.cancellations.map(CancellationDTO.init)
        invoices = books.invoices.map(InvoiceDTO.init)
        receivedMinor = books.receivedMinor
        refundedMinor = books.refundedMinor
        collectedMinor = books.collectedMinor
        cancelledMinor = books.cancelledMinor
        outstandingMinor = books.outstandingMinor
        overdueMinor = books.overdueMinor
        invoicedMinor = books.invoicedMinor
    }
}

public struct InstallmentDTO: Encodable, Sendable {
    public var number: Int
    public var dueDate: CalendarDate
    public var amountMinor: Int64
    public var paidMinor: Int64
    public var cancelledMinor: Int64
    public var outstandingMinor: Int64
    public var status: String

    enum CodingKeys: String, CodingKey {
        case number, status
        case dueDate = "due_date", amountMinor = "amount_minor", paidMinor = "paid_minor", cancelledMinor = "cancelled_minor"
        case outstandingMinor = "outstanding_minor"
    }

    init(_ state: ReceivableUseCases.InstallmentState) {
        number = state.installment.number
        dueDate = state.installment.dueDate
        amountMinor = state.installment.amountMinor
        paidMinor = state.paidMinor
        cancelledMinor = state.cancelledMinor
        outstandingMinor = state.outstandingMinor
        status = state.status.rawValue
    }
}

public struct PaymentDTO: Encodable, Sendable {
    public var id: String
    public var amount: Money
    public var receivedOn: CalendarDate
    @Nullable public var method: String?
    @Nullable public var reference: String?
    @Nullable public var note: String?
    @Nullable public var recordedBy: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, amount, method, reference, note
        case receivedOn = "received_on", recordedBy = "recorded_by", createdAt = "created_at"
    }

    init(_ record: PaymentRecord) {
        id = record.payment.id.rawValue
        amount = Money(record.payment.amountMinor, record.currency)
        receivedOn = record.payment.receivedOn
        method = record.method
        reference = record.reference
        note = record.note
        recordedBy = record.recordedBy?.rawValue
        createdAt = record.createdAt
    }
}

public struct RefundDTO: Encodable, Sendable {
    public var id: String
    public var paymentId: String
    public var amount: Money
    public var cancelsDue: Bool
    public var refundedOn: CalendarDate
    public var reason: String
    public var revoked: [RefundRecord.Revoked]
    @Nullable public var recordedBy: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, amount, reason, revoked
        case paymentId = "payment_id", cancelsDue = "cancels_due", refundedOn = "refunded_on", recordedBy = "recorded_by", createdAt = "created_at"
    }

    init(_ record: RefundRecord) {
        id = record.refund.id.rawValue
        paymentId = record.refund.paymentID.rawValue
        amount = Money(record.refund.amountMinor, record.currency)
        cancelsDue = record.refund.cancelsDue
        refundedOn = record.refundedOn
        reason = record.reason
        revoked = record.revoked
        recordedBy = record.recordedBy?.rawValue
        createdAt = record.createdAt
    }
}

/// Dues cancelled with no money moving, and the entitlements revoked with them.
public struct CancellationDTO: Encodable, Sendable {
    public var id: String
    public var amount: Money
    public var cancelledOn: CalendarDate
    public var reason: String
    public var revoked: [RefundRecord.Revoked]
    @Nullable public var recordedBy: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, amount, reason, revoked
        case cancelledOn = "cancelled_on", recordedBy = "recorded_by", createdAt = "created_at"
    }

    init(_ record: CancellationRecord) {
        id = record.cancellation.id.rawValue
        amount = Money(record.cancellation.amountMinor, record.currency)
        cancelledOn = record.cancelledOn
        reason = record.reason
        revoked = record.revoked
        recordedBy = record.recordedBy?.rawValue
        createdAt = record.createdAt
    }
}

public struct InvoiceDTO: Encodable, Sendable {
    public var id: String
    public var orderId: String
    public var number: String
    public var amount: Money
    public var issuedOn: CalendarDate
    public var buyerName: String
    @Nullable public var taxId: String?
    public var status: String
    @Nullable public var voidReason: String?
    @Nullable public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, number, amount, status
        case orderId = "order_id", issuedOn = "issued_on", buyerName = "buyer_name", taxId = "tax_id", voidReason = "void_reason"
        case createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ invoice: Invoice) {
        id = invoice.id.rawValue
        orderId = invoice.orderID.rawValue
        number = invoice.number
        amount = invoice.amount
        issuedOn = invoice.issuedOn
        buyerName = invoice.buyerName
        taxId = invoice.taxID
        status = invoice.status.rawValue
        voidReason = invoice.voidReason
        createdBy = invoice.createdBy?.rawValue
        createdAt = invoice.createdAt
        updatedAt = invoice.updatedAt
    }
}

/// One instalment in the receivables list.
public struct ReceivableRowDTO: Encodable, Sendable {
    public var orderId: String
    public var orderTitle: String
    public var customerId: String
    public var ownerId: String
    public var currency: String
    public var number: Int
    public var dueDate: CalendarDate
    public var amountMinor: Int64
    public var paidMinor: Int64
    public var cancelledMinor: Int64
    public var outstandingMinor: Int64

    enum CodingKeys: String, CodingKey {
        case currency, number
        case orderId = "order_id", orderTitle = "order_title", customerId = "customer_id", ownerId = "owner_id", dueDate = "due_date"
        case amountMinor = "amount_minor", paidMinor = "paid_minor", cancelledMinor = "cancelled_minor", outstandingMinor = "outstanding_minor"
    }

    init(_ row: ReceivableRow) {
        orderId = row.orderID.rawValue
        orderTitle = row.orderTitle
        customerId = row.customerID.rawValue
        ownerId = row.ownerID.rawValue
        currency = row.currency
        number = row.installment.number
        dueDate = row.installment.dueDate
        amountMinor = row.installment.amountMinor
        paidMinor = row.paidMinor
        cancelledMinor = row.waivedMinor
        outstandingMinor = row.outstandingMinor
    }
}
