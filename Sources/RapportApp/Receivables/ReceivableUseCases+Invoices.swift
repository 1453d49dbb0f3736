import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReceivableUseCases {
    /// An invoice as sent.
    public struct InvoiceInput: Sendable {
        public var number: String?
        public var amount: Money?
        public var issuedOn: String?
        public var buyerName: String?
        public var taxID: String?

        public init(number: String?, amount: Money?, issuedOn: String? = nil, buyerName: String?, taxID: String? = nil) {
            self.number = number
            self.amount = amount
            self.issuedOn = issuedOn
            self.buyerName = buyerName
            self.taxID = taxID
        }
    }

    /// Records an invoice issued for a signed order. Its number is unique; the issued invoices of
    /// an order never add up to more than its total less what refunds cancelled.
    public func issueInvoice(_ orderID: String, _ input: InvoiceInput, by caller: Caller) async throws -> Invoice {
        let scope = try await orderScope(caller, .update)
        let now = rapport.clock.now()
        let today = self.today
        return try await rapport.transaction { sql in
            let order = try await order(orderID, scope, sql)
            try requireBillable(order)
            var check = Validator()
            let number = check.require(input.number, field: "number", maxLength: 64)
            let buyer = check.require(input.buyerName, field: "buyer_name", maxLength: 200)
            let taxID = input.taxID.map { check.text($0, field: "tax_id", maxLength: 32) }.flatMap { $0.isEmpty ? nil : $0 }
            let issued = Self.day(input.issuedOn, field: "issued_on", today: today, check: &check)
            Self.checkAmount(input.amount, currency: order.currency, check: &check)
            try check.finish()
            let store = InvoiceStore(sql)
            if try await store.numberTaken(number) { throw RapportError(.duplicate, "An invoice numbered \(number) already exists.") }
            let cancelled = try await ReceivableStore(sql).books(of: order.id)?.waivedMinor ?? 0
            let invoiced = try await store.invoices(of: order.id).filter { $0.status == .issued }.reduce(Int64(0)) { $0 + $1.amount.amountMinor }
            let amount = input.amount?.amountMinor ?? 0
            let room = order.total.amountMinor - cancelled - invoiced
            guard amount <= room else {
                throw RapportError.validation([FieldError(field: "amount.amount_minor", code: "exceeds_invoiceable",
                                                          message: "Only \(max(room, 0)) of the order is left to invoice.")])
            }
            let invoice = Invoice(id: rapport.ids.next(.invoice, at: now), orderID: order.id, number: number, amount: Money(amount, order.currency),
                                  issuedOn: issued, buyerName: buyer, taxID: taxID, createdBy: caller.actorID, createdAt: now, updatedAt: now)
            try await store.insert(invoice)
            try await rapport.record(rapport.event("invoice.issued", by: caller, kind: .order, object: order.id.rawValue, details: [
                "invoice_id": invoice.id.rawValue, "number": number, "amount_minor": String(amount), "currency": order.currency,
            ]), in: sql)
            return invoice
        }
    }

    /// Voids an issued invoice with a reason (a void invoice stays on record).
    public func voidInvoice(_ id: String, reason: String?, by caller: Caller) async throws -> Invoice {
        let scope = try await orderScope(caller, .update)
        var check = Validator()
        let reason = check.require(reason, field: "reason", maxLength: 500)
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = InvoiceStore(sql)
            guard let invoiceID = RecordID(parsing: id, prefix: .invoice), let invoice = try await store.find(invoiceID),
                  try await OrderStore(sql).find(invoice.orderID, in: scope) != nil
            else { throw RapportError.notFound("invoice") }
            guard try await store.void(invoice.id, reason: reason, at: now) else { throw RapportError(.conflict, "The invoice is already void.") }
            try await rapport.record(rapport.event("invoice.voided", by: caller, kind: .order, object: invoice.orderID.rawValue, details: [
                "invoice_id": invoice.id.rawValue, "number": invoice.number, "reason": reason,
            ]), in: sql)
            guard let voided = try await store.find(invoice.id) else { throw RapportError.notFound("invoice") }
            return voided
        }
    }
}
