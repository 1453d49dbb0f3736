import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReceivableUseCases {
    /// A refund as sent. With `revokeUnconsumed`, the unconsumed entitlements of the order's lines
    /// (all, or `lines`) are revoked in the same transaction; their value (each line's total ×
    /// unconsumed ÷ granted, rounded down) first cancels what is still owed, and the rest (or
    /// `amount`, when given) is refunded.
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

    /// What a refund did: the refunds recorded (one per payment touched), the dues it cancelled
    /// (when it revoked entitlements of a partly paid order), and the order's books after it.
    public struct RefundOutcome: Sendable {
        public var refunds: [RefundRecord]
        public var cancellation: CancellationRecord?
        public var books: Books
    }

    /// Records a refund, all in one transaction: revokes the unconsumed entitlements asked for and
    /// cancels what is still owed up to their value (a customer does not pay for lessons taken
    /// back), then takes the rest — or `amount` — back from one payment (or from the latest
    /// payments first when none is named: one refund per payment touched), reversing their
    /// allocations latest instalment first. Refused, with nothing changed, when it exceeds what is
    /// left to refund.
    public func refund(_ orderID: String, _ input: RefundInput, by caller: Caller) async throws -> RefundOutcome {
        let scope = try await orderScope(caller, .update)
        let now = rapport.clock.now()
        let today = self.today
        return try await rapport.transaction { sql in
            let order = try await order(orderID, scope, sql)
            var check = Validator()
            let reason = check.require(input.reason, field: "reason", maxLength: 500)
            let refundedOn = Self.day(input.refundedOn, field: "refunded_on", today: today, check: &check)
            if input.amount != nil { Self.checkAmount(input.amount, currency: order.currency, check: &check) }
            let lines = try Self.lines(input.lines, of: order, revoking: input.revokeUnconsumed == true, check: &check)
            let store = ReceivableStore(sql)
            let revoking = input.revokeUnconsumed == true
            guard var books = try await store.books(of: order.id), !books.payments.isEmpty || revoking else {
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
            if input.amount == nil && !revoking { check.add("amount", "required", "amount is required unless revoke_unconsumed is true.") }
            try check.finish()

            let (revoked, value) = revoking ? try await revoke(lines, reason: reason, by: caller, sql) : ([], 0)
            if revoking && value == 0 && input.amount == nil {
                throw RapportError(.conflict, "Nothing is left unconsumed on these lines: there is nothing to refund.")
            }
            var cancellation: CancellationRecord?
            let dues = min(value, books.outstandingMinor)
            if dues > 0 {
                let cancelled = ReceivablesLedger.Cancellation(id: rapport.ids.next(.cancellation, at: now), amountMinor: dues)
                try books.cancel(cancelled)
                cancellation = CancellationRecord(cancellation: cancelled, orderID: order.id, currency: order.currency, cancelledOn: refundedOn,
                                                  reason: reason, revoked: revoked, recordedBy: caller.actorID, createdAt: now)
            }
            var left = input.amount?.amountMinor ?? (value - dues)
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
                                            revoked: records.isEmpty && cancellation == nil ? revoked : [], recordedBy: caller.actorID, createdAt: now))
                left -= share
            }
            if let cancellation { try await insert(cancellation, of: order, by: caller, sql) }
            for record in records {
                try await store.insert(record)
                try await rapport.record(rapport.event("refund.recorded", by: caller, kind: .order, object: order.id.rawValue, details: [
                    "refund_id": record.refund.id.rawValue, "payment_id": record.refund.paymentID.rawValue, "amount_minor": String(record.refund.amountMinor),
                    "currency": order.currency, "cancels_due": String(record.refund.cancelsDue), "revoked_entitlements": String(record.revoked.count),
                ]), in: sql)
            }
            try await store.writeAllocations(books, of: order.id)
            return RefundOutcome(refunds: records, cancellation: cancellation, books: try await self.books(order, sql))
        }
    }

    /// Dues to cancel, as sent: an amount, or (with `revokeUnconsumed`) the value of the order
    /// lines' unconsumed entitlements, revoked with it.
    public struct CancellationInput: Sendable {
        public var amount: Money?
        public var reason: String?
        public var cancelledOn: String?
        public var revokeUnconsumed: Bool?
        public var lines: [String]?

        public init(amount: Money? = nil, reason: String?, cancelledOn: String? = nil, revokeUnconsumed: Bool? = nil, lines: [String]? = nil) {
            self.amount = amount
            self.reason = reason
            self.cancelledOn = cancelledOn
            self.revokeUnconsumed = revokeUnconsumed
            self.lines = lines
        }
    }

    /// Cancels part of what an order still owes, with no money moving (减免: a concession, a debt
    /// written off, or — with `revokeUnconsumed` — the unconsumed lessons of an order the customer
    /// stops before paying for them), latest instalments first. An order without a plan gets the
    /// default one first (the whole total, due when signed). More than is outstanding is refused;
    /// nothing changes then.
    public func cancelDues(_ orderID: String, _ input: CancellationInput, by caller: Caller) async throws -> (cancellation: CancellationRecord, books: Books) {
        let scope = try await orderScope(caller, .update)
        let now = rapport.clock.now()
        let today = self.today
        return try await rapport.transaction { sql in
            let order = try await order(orderID, scope, sql)
            try requireBillable(order)
            var check = Validator()
            let reason = check.require(input.reason, field: "reason", maxLength: 500)
            let cancelledOn = Self.day(input.cancelledOn, field: "cancelled_on", today: today, check: &check)
            let revoking = input.revokeUnconsumed == true
            if input.amount != nil || !revoking { Self.checkAmount(input.amount, currency: order.currency, check: &check) }
            let lines = try Self.lines(input.lines, of: order, revoking: revoking, check: &check)
            try check.finish()
            var books = try await booksOrDefaultPlan(order, by: caller, now: now, sql)
            let (revoked, value) = revoking ? try await revoke(lines, reason: reason, by: caller, sql) : ([], 0)
            let amount = input.amount?.amountMinor ?? value
            guard amount > 0 else { throw RapportError(.conflict, "Nothing is left unconsumed on these lines: there is nothing to cancel.") }
            let cancelled = ReceivablesLedger.Cancellation(id: rapport.ids.next(.cancellation, at: now), amountMinor: amount)
            try books.cancel(cancelled)
            let record = CancellationRecord(cancellation: cancelled, orderID: order.id, currency: order.currency, cancelledOn: cancelledOn,
                                            reason: reason, revoked: revoked, recordedBy: caller.actorID, createdAt: now)
            try await insert(record, of: order, by: caller, sql)
            try await ReceivableStore(sql).writeAllocations(books, of: order.id)
            return (record, try await self.books(order, sql))
        }
    }

    /// The order lines a refund or cancellation revokes: all, or those named (only with `revoking`).
    static func lines(_ wanted: [String]?, of order: Order, revoking: Bool, check: inout Validator) throws -> [OrderLine] {
        guard let wanted else { return order.lines }
        guard revoking else {
            throw RapportError.validation([FieldError(field: "lines", code: "invalid", message: "lines names what to revoke: send it with revoke_unconsumed.")])
        }
        for (index, line) in wanted.enumerated() where !order.lines.contains(where: { $0.id.rawValue == line }) {
            check.add("lines[\(index)]", "invalid", "lines[\(index)] is not a line of this order.")
        }
        return order.lines.filter { wanted.contains($0.id.rawValue) }
    }

    /// Revokes the lines' unconsumed entitlements; returns them and their value.
    func revoke(_ lines: [OrderLine], reason: String, by caller: Caller, _ sql: any SQLDatabase) async throws -> ([RefundRecord.Revoked], Int64) {
        var revoked: [RefundRecord.Revoked] = []
        var value: Int64 = 0
        for line in lines {
            guard let revocation = try await rapport.entitlements.revokeUnconsumed(orderLine: line.id, reason: reason, by: caller, in: sql),
                  revocation.revoked > 0 else { continue }
            revoked.append(.init(entitlementID: revocation.entitlement.id, orderLineID: line.id, quantity: revocation.revoked))
            value += Rounding.down.scale(line.total.amountMinor, by: revocation.revoked, over: max(revocation.entitlement.granted, 1))
        }
        return (revoked, value)
    }

    func insert(_ record: CancellationRecord, of order: Order, by caller: Caller, _ sql: any SQLDatabase) async throws {
        try await ReceivableStore(sql).insert(record)
        try await rapport.record(rapport.event("dues.cancelled", by: caller, kind: .order, object: order.id.rawValue, details: [
            "cancellation_id": record.cancellation.id.rawValue, "amount_minor": String(record.cancellation.amountMinor), "currency": order.currency,
            "revoked_entitlements": String(record.revoked.count),
        ]), in: sql)
    }
}
