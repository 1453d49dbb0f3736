import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReceivableUseCases {
    /// A payment as sent.
    public struct PaymentInput: Sendable {
        public var amount: Money?
        /// The day it arrived (`YYYY-MM-DD`); today when absent; never in the future.
        public var receivedOn: String?
        public var method: String?
        public var reference: String?
        public var note: String?

        public init(amount: Money?, receivedOn: String? = nil, method: String? = nil, reference: String? = nil, note: String? = nil) {
            self.amount = amount
            self.receivedOn = receivedOn
            self.method = method
            self.reference = reference
            self.note = note
        }
    }

    /// Records a payment received (回款) on a signed order and spreads it over the earliest unpaid
    /// instalments. An order without a plan gets one first: the whole total, due on the day the
    /// order was signed. More than is outstanding is refused; nothing changes then.
    public func recordPayment(_ orderID: String, _ input: PaymentInput, by caller: Caller) async throws -> (payment: PaymentRecord, books: Books) {
        let scope = try await orderScope(caller, .update)
        let now = rapport.clock.now()
        let today = self.today
        return try await rapport.transaction { sql in
            let order = try await order(orderID, scope, sql)
            try requireBillable(order)
            var check = Validator()
            let received = Self.day(input.receivedOn, field: "received_on", today: today, check: &check)
            if let method = input.method, !PaymentRecord.methods.contains(method) {
                check.add("method", "invalid", "method is one of: \(PaymentRecord.methods.sorted().joined(separator: ", ")).")
            }
            let reference = input.reference.map { check.text($0, field: "reference", maxLength: 100) }
            let note = input.note.map { check.text($0, field: "note", maxLength: 1_000, multiline: true) }
            Self.checkAmount(input.amount, currency: order.currency, check: &check)
            try check.finish()
            let store = ReceivableStore(sql)
            var books = try await booksOrDefaultPlan(order, by: caller, now: now, sql)
            let payment = ReceivablesLedger.Payment(id: rapport.ids.next(.payment, at: now), amountMinor: input.amount?.amountMinor ?? 0, receivedOn: received)
            try books.receive(payment)
            let record = PaymentRecord(payment: payment, orderID: order.id, currency: order.currency, method: input.method,
                                       reference: reference.flatMap { $0.isEmpty ? nil : $0 }, note: note.flatMap { $0.isEmpty ? nil : $0 },
                                       recordedBy: caller.actorID, createdAt: now)
            try await store.insert(record)
            try await store.writeAllocations(books, of: order.id)
            try await rapport.record(rapport.event("payment.recorded", by: caller, kind: .order, object: order.id.rawValue, details: [
                "payment_id": payment.id.rawValue, "amount_minor": String(payment.amountMinor), "currency": order.currency,
                "received_on": received.description,
            ]), in: sql)
            return (record, try await self.books(order, sql))
        }
    }

    /// The order's books; an order without a plan gets one first: the whole total, due on the day
    /// the order was signed.
    func booksOrDefaultPlan(_ order: Order, by caller: Caller, now: Date, _ sql: any SQLDatabase) async throws -> ReceivablesLedger {
        let store = ReceivableStore(sql)
        if let existing = try await store.books(of: order.id) { return existing }
        guard order.total.amountMinor > 0 else { throw RapportError(.conflict, "The order's total is zero: nothing is owed.") }
        let signed = order.signedAt.map { CalendarDate($0, in: rapport.settings.businessTimeZone) } ?? today
        let books = ReceivablesLedger(plan: PaymentPlan(currency: order.currency, installments: [
            Installment(number: 1, dueDate: signed, amountMinor: order.total.amountMinor),
        ]))
        try await store.savePlan(books, of: order.id, version: 1, by: caller.actorID, at: now)
        return books
    }

    /// A calendar day sent as text: today when absent; refused when malformed or in the future.
    static func day(_ text: String?, field: String, today: CalendarDate, check: inout Validator) -> CalendarDate {
        guard let text else { return today }
        guard let day = CalendarDate(text) else {
            check.add(field, "invalid", "\(field) is a date YYYY-MM-DD.")
            return today
        }
        if day > today { check.add(field, "in_future", "\(field) cannot be after today (\(today)).") }
        return day
    }

    /// A positive amount in the order's currency.
    static func checkAmount(_ amount: Money?, currency: String, check: inout Validator) {
        guard let amount else {
            check.add("amount", "required", "amount is required.")
            return
        }
        if amount.currency != currency { check.add("amount.currency", "currency_mismatch", "The order is in \(currency).") }
        if amount.amountMinor <= 0 { check.add("amount.amount_minor", "out_of_range", "amount_minor is positive.") }
    }
}
