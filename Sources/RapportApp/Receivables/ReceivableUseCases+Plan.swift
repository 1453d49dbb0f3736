import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReceivableUseCases {
    /// A payment plan as sent: either explicit instalments or an even split.
    public struct PlanInput: Sendable {
        public struct Line: Sendable {
            public var dueDate: String?
            public var amountMinor: Int64?

            public init(dueDate: String?, amountMinor: Int64?) {
                self.dueDate = dueDate
                self.amountMinor = amountMinor
            }
        }

        public var installments: [Line]?
        /// An even split of the order's total: how many, the first due date, months between.
        public var count: Int?
        public var firstDue: String?
        public var intervalMonths: Int?

        public init(installments: [Line]? = nil, count: Int? = nil, firstDue: String? = nil, intervalMonths: Int? = nil) {
            self.installments = installments
            self.count = count
            self.firstDue = firstDue
            self.intervalMonths = intervalMonths
        }
    }

    /// Sets or replaces an order's payment plan. The instalments must add up to the order's total
    /// in its currency, in increasing due-date order. Payments and refunds already recorded are
    /// replayed onto the new plan (earliest instalments first), so nothing received is lost.
    /// Replacing a plan needs its version (`expectedVersion`, 428 without, 412 when stale).
    public func setPlan(_ orderID: String, _ input: PlanInput, expectedVersion: Int64?, by caller: Caller) async throws -> Books {
        let scope = try await orderScope(caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let order = try await order(orderID, scope, sql)
            try requireBillable(order)
            let plan = try Self.plan(input, for: order)
            let store = ReceivableStore(sql)
            let current = try await store.planVersion(of: order.id)
            if let current {
                guard let expectedVersion else {
                    throw RapportError(.preconditionRequired, "Replacing a payment plan needs its version (If-Match).")
                }
                guard expectedVersion == current else { throw RapportError(.preconditionFailed, "The payment plan was changed meanwhile.") }
            }
            var books = ReceivablesLedger(plan: plan)
            if let existing = try await store.books(of: order.id) { books = try Self.replay(existing, onto: plan) }
            try await store.savePlan(books, of: order.id, version: (current ?? 0) + 1, by: caller.actorID, at: now)
            try await rapport.record(rapport.event(current == nil ? "payment_plan.created" : "payment_plan.replaced", by: caller, kind: .order,
                                                   object: order.id.rawValue, details: [
                                                       "installments": String(plan.installments.count), "total_minor": String(plan.totalMinor),
                                                       "currency": plan.currency,
                                                   ]), in: sql)
            return try await self.books(order, sql)
        }
    }

    /// The plan an input asks for, checked against the order (all problems at once).
    static func plan(_ input: PlanInput, for order: Order) throws -> PaymentPlan {
        var check = Validator()
        let split = input.count != nil || input.firstDue != nil || input.intervalMonths != nil
        let plan: PaymentPlan
        switch (input.installments, split) {
        case (let lines?, false):
            plan = PaymentPlan(currency: order.currency, installments: lines.enumerated().map { index, line in
                let due = line.dueDate.flatMap(CalendarDate.init)
                if line.dueDate == nil { check.add("installments[\(index)].due_date", "required", "Each instalment needs a due date.") }
                else if due == nil { check.add("installments[\(index)].due_date", "invalid", "A due date is YYYY-MM-DD.") }
                if line.amountMinor == nil { check.add("installments[\(index)].amount_minor", "required", "Each instalment needs an amount.") }
                return Installment(number: index + 1, dueDate: due ?? CalendarDate(dayNumber: 0), amountMinor: line.amountMinor ?? 1)
            })
        case (nil, true):
            let count = input.count ?? 0
            if !(1...PaymentPlan.maximumInstallments).contains(count) {
                check.add("count", input.count == nil ? "required" : "out_of_range", "count is 1 to \(PaymentPlan.maximumInstallments).")
            }
            let interval = input.intervalMonths ?? 1
            if !(1...12).contains(interval) { check.add("interval_months", "out_of_range", "interval_months is 1 to 12.") }
            let first = input.firstDue.flatMap(CalendarDate.init)
            if first == nil { check.add("first_due", input.firstDue == nil ? "required" : "invalid", "first_due is a date YYYY-MM-DD.") }
            try check.finish()
            guard let first else { throw RapportError.validation(check.errors) }
            plan = PaymentPlan.even(order.total, count: count, firstDue: first, intervalMonths: interval)
        default:
            throw RapportError.validation([FieldError(field: "installments", code: "required",
                                                      message: "Send either installments or an even split (count, first_due, interval_months), not both.")])
        }
        try check.finish()
        let problems = plan.problems(forTotal: order.total)
        if !problems.isEmpty { throw RapportError.validation(problems) }
        return plan
    }

    /// The same payments, refunds and cancellations, in the order they happened, on another plan.
    static func replay(_ books: ReceivablesLedger, onto plan: PaymentPlan) throws -> ReceivablesLedger {
        var replayed = ReceivablesLedger(plan: plan)
        enum Event { case payment(ReceivablesLedger.Payment), refund(ReceivablesLedger.Refund), cancellation(ReceivablesLedger.Cancellation) }
        let events = (books.payments.map { (id: $0.id, event: Event.payment($0)) } + books.refunds.map { (id: $0.id, event: Event.refund($0)) }
            + books.cancellations.map { (id: $0.id, event: Event.cancellation($0)) })
            .sorted { $0.id.rawValue.dropFirst(4) < $1.id.rawValue.dropFirst(4) }  // ULID bodies sort by time across prefixes
        for (_, event) in events {
            switch event {
            case .payment(let payment): try replayed.receive(payment)
            case .refund(let refund): try replayed.refund(refund)
            case .cancellation(let cancellation): try replayed.cancel(cancellation)
            }
        }
        return replayed
    }
}
