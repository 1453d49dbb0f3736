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
            var books: ReceivablesLedger
            if let existing = try await store.books(of: order.id) {
                books = existing
            } else {
                let signed = order.signedAt.map { CalendarDate($0, in: rapport.settings.businessTimeZone) } ?? today
                books = ReceivablesLedger(plan: PaymentPlan(currency: order.currency, installments: [
                    Installment(number: 1, dueDate: signed, amountMinor: order.total.amountMinor),
                ]))
                guard order.total.amountMinor > 0 else { throw RapportError(.conflict, "The order's total is zero: nothing is owed.") }
                try await store.savePlan(books, of: order.id, version: 1, by: caller.actorID, at: now)
            }
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

    /// A refund as sent. With `revokeUnconsumed`, the unconsumed entitlements of the order's lines
    /// (all, or `lines`) are revoked in the same transaction and, when no amount is given, the
    /// refund is their value (each line's total × unconsumed ÷ granted, rounded down).
    public struct RefundInput: Sendable {
        public var paymentID: String?
        public var amount: Money?
        public var reason: String?
        public var refundedOn: String?
        /// Whether what is returned is no longer owed (default) or owed again (money returned by mistake).
        public var cancelsDue: Bool?
        public var revokeUnconsumed: Bool?
        public var lines: [String]?

        public init(paymentID: String? = nil, amount: Money? = nil, reason: String?, refundedOn: String? = nil, cancelsDue: Bool? = nil,
                    revokeUnconsumed: Bool? = nil, lines: [String]? = nil) {
            self.paymentID = paymentID
            self.amount = amount
            self.reason = reason
            self.refundedOn = refundedOn
            self.cancelsDue = cancelsDue
            self.revokeUnconsumed = revokeUnconsumed
            self.lines = lines
        }
    }

    /// Records a refund, all in one transaction: revokes the unconsumed entitlements asked for,
    /// then takes the amount back from one payment (or from the latest payments first when none is
    /// named: one refund per payment touched), reversing their allocations latest instalment
    /// first. Refused, with nothing changed, when it exceeds what is left to refund.
    public func refund(_ orderID: String, _ input: RefundInput, by caller: Caller) async throws -> (refunds: [RefundRecord], books: Books) {
        let scope = try await orderScope(caller, .update)
        let now = rapport.clock.now()
        let today = self.today
        return try await rapport.transaction { sql in
            let order = try await order(orderID, scope, sql)
            var check = Validator()
            let reason = check.require(input.reason, field: "reason", maxLength: 500)
            let refundedOn = Self.day(input.refundedOn, field: "refunded_on", today: today, check: &check)
            if input.amount != nil { Self.checkAmount(input.amount, currency: order.currency, check: &check) }
            var lines = order.lines
            if let wanted = input.lines {
                guard input.revokeUnconsumed == true else {
                    throw RapportError.validation([FieldError(field: "lines", code: "invalid", message: "lines names what to revoke: send it with revoke_unconsumed.")])
                }
                for (index, line) in wanted.enumerated() where !order.lines.contains(where: { $0.id.rawValue == line }) {
                    check.add("lines[\(index)]", "invalid", "lines[\(index)] is not a line of this order.")
                }
                lines = order.lines.filter { wanted.contains($0.id.rawValue) }
            }
            let store = ReceivableStore(sql)
            guard var books = try await store.books(of: order.id), !books.payments.isEmpty else {
                try check.finish()
                throw RapportError(.conflict, "Nothing was received on this order: there is nothing to refund.")
            }
            var payments = books.payments.reversed().map(\.id)
            if let named = input.paymentID {
                guard let id = books.payments.first(where: { $0.id.rawValue == named })?.id else {
                    check.add("payment_id", "invalid", "payment_id must be a payment of this order.")
                    throw RapportError.validation(check.errors)
                }
                payments = [id]
            }
            if input.amount == nil && input.revokeUnconsumed != true { check.add("amount", "required", "amount is required unless revoke_unconsumed is true.") }
            try check.finish()

            var revoked: [RefundRecord.Revoked] = []
            var value: Int64 = 0
            if input.revokeUnconsumed == true {
                for line in lines {
                    guard let revocation = try await rapport.entitlements.revokeUnconsumed(orderLine: line.id, reason: reason, by: caller, in: sql),
                          revocation.revoked > 0 else { continue }
                    revoked.append(.init(entitlementID: revocation.entitlement.id, orderLineID: line.id, quantity: revocation.revoked))
                    value += Rounding.down.scale(line.total.amountMinor, by: revocation.revoked, over: max(revocation.entitlement.granted, 1))
                }
            }
            var left = input.amount?.amountMinor ?? value
            guard left > 0 else { throw RapportError(.conflict, "Nothing is left unconsumed on these lines: there is nothing to refund.") }
            let available = payments.reduce(Int64(0)) { $0 + books.refundable($1) }
            guard left <= available else {
                throw RapportError.validation([FieldError(field: "amount", code: "exceeds_refundable",
                                                          message: "Only \(available) is left to refund on \(input.paymentID == nil ? "this order" : "that payment").")])
            }
            var records: [RefundRecord] = []
            for payment in payments where left > 0 {
                let share = min(left, books.refundable(payment))
                guard share > 0 else { continue }
                let refund = ReceivablesLedger.Refund(id: rapport.ids.next(.refund, at: now), paymentID: payment, amountMinor: share,
                                                      cancelsDue: input.cancelsDue ?? true)
                try books.refund(refund)
                records.append(RefundRecord(refund: refund, orderID: order.id, currency: order.currency, refundedOn: refundedOn, reason: reason,
                                            revoked: records.isEmpty ? revoked : [], recordedBy: caller.actorID, createdAt: now))
                left -= share
            }
            for record in records {
                try await store.insert(record)
                try await rapport.record(rapport.event("refund.recorded", by: caller, kind: .order, object: order.id.rawValue, details: [
                    "refund_id": record.refund.id.rawValue, "payment_id": record.refund.paymentID.rawValue, "amount_minor": String(record.refund.amountMinor),
                    "currency": order.currency, "cancels_due": String(record.refund.cancelsDue), "revoked_entitlements": String(record.revoked.count),
                ]), in: sql)
            }
            try await store.writeAllocations(books, of: order.id)
            return (records, try await self.books(order, sql))
        }
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
