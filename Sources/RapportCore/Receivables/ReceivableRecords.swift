import Foundation

/// A payment received (回款) as stored: the ledger's part plus how it came and who recorded it.
public struct PaymentRecord: Sendable, Equatable {
    public var payment: ReceivablesLedger.Payment
    public var orderID: RecordID
    public var currency: String
    /// How it came: `bank_transfer`, `wechat_pay`, `alipay`, `cash`, `card`, `other`.
    public var method: String?
    /// The bank's or the payment service's reference.
    public var reference: String?
    public var note: String?
    public var recordedBy: RecordID?
    public var createdAt: Date

    public init(payment: ReceivablesLedger.Payment, orderID: RecordID, currency: String, method: String?, reference: String?, note: String?,
                recordedBy: RecordID?, createdAt: Date) {
        self.payment = payment
        self.orderID = orderID
        self.currency = currency
        self.method = method
        self.reference = reference
        self.note = note
        self.recordedBy = recordedBy
        self.createdAt = createdAt
    }

    /// The ways money comes in.
    public static let methods: Set<String> = ["bank_transfer", "wechat_pay", "alipay", "cash", "card", "cheque", "other"]
}

/// A refund as stored: the ledger's part, why, when, and the entitlements it revoked.
public struct RefundRecord: Sendable, Equatable {
    public var refund: ReceivablesLedger.Refund
    public var orderID: RecordID
    public var currency: String
    public var refundedOn: CalendarDate
    public var reason: String
    /// Per entitlement revoked with the refund: how much of its balance was revoked.
    public var revoked: [Revoked]
    public var recordedBy: RecordID?
    public var createdAt: Date

    public struct Revoked: Sendable, Equatable, Codable {
        public var entitlementID: RecordID
        public var orderLineID: RecordID
        public var quantity: Int64

        public init(entitlementID: RecordID, orderLineID: RecordID, quantity: Int64) {
            self.entitlementID = entitlementID
            self.orderLineID = orderLineID
            self.quantity = quantity
        }

        enum CodingKeys: String, CodingKey {
            case entitlementID = "entitlement_id"
            case orderLineID = "order_line_id"
            case quantity
        }
    }

    public init(refund: ReceivablesLedger.Refund, orderID: RecordID, currency: String, refundedOn: CalendarDate, reason: String,
                revoked: [Revoked], recordedBy: RecordID?, createdAt: Date) {
        self.refund = refund
        self.orderID = orderID
        self.currency = currency
        self.refundedOn = refundedOn
        self.reason = reason
        self.revoked = revoked
        self.recordedBy = recordedBy
        self.createdAt = createdAt
    }
}

/// Dues cancelled as stored: the ledger's part, why, when, and the entitlements revoked with it.
public struct CancellationRecord: Sendable, Equatable {
    public var cancellation: ReceivablesLedger.Cancellation
    public var orderID: RecordID
    public var currency: String
    public var cancelledOn: CalendarDate
    public var reason: String
    public var revoked: [RefundRecord.Revoked]
    public var recordedBy: RecordID?
    public var createdAt: Date

    public init(cancellation: ReceivablesLedger.Cancellation, orderID: RecordID, currency: String, cancelledOn: CalendarDate, reason: String,
                revoked: [RefundRecord.Revoked], recordedBy: RecordID?, createdAt: Date) {
        self.cancellation = cancellation
        self.orderID = orderID
        self.currency = currency
        self.cancelledOn = cancelledOn
        self.reason = reason
        self.revoked = revoked
        self.recordedBy = recordedBy
        self.createdAt = createdAt
    }
}

/// An invoice issued for an order (a record of it; tax filing happens elsewhere).
public struct Invoice: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case issued
        case void
    }

    public var id: RecordID
    public var orderID: RecordID
    /// Unique across the company, e.g. the tax authority's invoice number.
    public var number: String
    public var amount: Money
    public var issuedOn: CalendarDate
    public var buyerName: String
    /// The buyer's taxpayer id (纳税人识别号), when the invoice names one.
    public var taxID: String?
    public var status: Status
    public var voidReason: String?
    public var createdBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: RecordID, orderID: RecordID, number: String, amount: Money, issuedOn: CalendarDate, buyerName: String, taxID: String?,
                status: Status = .issued, voidReason: String? = nil, createdBy: RecordID?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.orderID = orderID
        self.number = number
        self.amount = amount
        self.issuedOn = issuedOn
        self.buyerName = buyerName
        self.taxID = taxID
        self.status = status
        self.voidReason = voidReason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One instalment across orders, as the receivables (collections) list shows it.
public struct ReceivableRow: Sendable, Equatable {
    public var orderID: RecordID
    public var orderTitle: String
    public var customerID: RecordID
    public var ownerID: RecordID
    public var currency: String
    public var installment: Installment
    public var paidMinor: Int64
    public var waivedMinor: Int64
    public var outstandingMinor: Int64 { installment.amountMinor - paidMinor - waivedMinor }

    public init(orderID: RecordID, orderTitle: String, customerID: RecordID, ownerID: RecordID, currency: String, installment: Installment,
                paidMinor: Int64, waivedMinor: Int64) {
        self.orderID = orderID
        self.orderTitle = orderTitle
        self.customerID = customerID
        self.ownerID = ownerID
        self.currency = currency
        self.installment = installment
        self.paidMinor = paidMinor
        self.waivedMinor = waivedMinor
    }
}

extension IDPrefix {
    public static let payment = IDPrefix(rawValue: "pay")
    public static let refund = IDPrefix(rawValue: "rfd")
    public static let invoice = IDPrefix(rawValue: "inv")
    public static let cancellation = IDPrefix(rawValue: "cnl")
}
