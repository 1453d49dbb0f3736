import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Receivables (应收) of orders: the payment plan (分期), payments received (回款) spread over the
/// earliest instalments, refunds that take them back (and revoke the unconsumed entitlements they
/// pay for), invoices issued, and the daily overdue alert. Whoever may read an order reads its
/// books; whoever may change it records payments, refunds and invoices. The books are the pure
/// ``ReceivablesLedger``: every change is replayed through it, so payments − refunds = collected.
public struct ReceivableUseCases: Sendable {
    let rapport: Rapport

    /// An order's books as of today.
    public struct Books: Sendable {
        public var order: Order
        /// The plan's version (nil: no plan yet).
        public var planVersion: Int64?
        public var installments: [InstallmentState]
        public var payments: [PaymentRecord]
        public var refunds: [RefundRecord]
        /// Dues cancelled with no money moving.
        public var cancellations: [CancellationRecord]
        public var invoices: [Invoice]
        public var today: CalendarDate
        public var receivedMinor: Int64
        public var refundedMinor: Int64
        public var collectedMinor: Int64
        public var cancelledMinor: Int64
        public var outstandingMinor: Int64
        public var overdueMinor: Int64
        /// What issued (not void) invoices add up to.
        public var invoicedMinor: Int64
    }

    /// One instalment with what it received, what a refund cancelled, and where it stands today.
    public struct InstallmentState: Sendable, Equatable {
        public var installment: Installment
        public var paidMinor: Int64
        public var cancelledMinor: Int64
        public var outstandingMinor: Int64
        public var status: ReceivablesLedger.Status
    }

    func orderScope(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .order, anchor: .owner(column: "owner_id"), table: "orders")
    }

    /// The order in the caller's scope for `action`, read in `sql` (`not_found` otherwise).
    func order(_ id: String, _ scope: ScopeFilter, _ sql: any SQLDatabase) async throws -> Order {
        guard let orderID = RecordID(parsing: id, prefix: .order), let order = try await OrderStore(sql).find(orderID, in: scope) else {
            throw RapportError.notFound("order")
        }
        return order
    }

    /// Today in the business's calendar.
    var today: CalendarDate { CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone) }

    /// An order's books: plan, instalments with their status today, payments, refunds, invoices, totals.
    public func books(_ orderID: String, by caller: Caller) async throws -> Books {
        let scope = try await orderScope(caller, .read)
        return try await rapport.database.read { sql in try await books(try await order(orderID, scope, sql), sql) }
    }

    func books(_ order: Order, _ sql: any SQLDatabase) async throws -> Books {
        let store = ReceivableStore(sql)
        let payments = try await store.payments(of: order.id)
        let refunds = try await store.refunds(of: order.id)
        let cancellations = try await store.cancellations(of: order.id)
        let ledger = try await store.books(of: order.id, payments: payments, refunds: refunds, cancellations: cancellations) ?? ReceivablesLedger(plan: PaymentPlan(currency: order.currency, installments: []))
        let today = self.today
        let states = ledger.plan.installments.map { installment in
            InstallmentState(installment: installment, paidMinor: ledger.allocated(to: installment.number),
                             cancelledMinor: ledger.waived[installment.number] ?? 0, outstandingMinor: ledger.outstanding(on: installment),
                             status: ledger.status(of: installment, on: today))
        }
        let invoices = try await InvoiceStore(sql).invoices(of: order.id)
        return Books(order: order, planVersion: try await store.planVersion(of: order.id), installments: states,
                     payments: payments, refunds: refunds, cancellations: cancellations, invoices: invoices,
                     today: today, receivedMinor: ledger.receivedMinor, refundedMinor: ledger.refundedMinor, collectedMinor: ledger.collectedMinor,
                     cancelledMinor: ledger.waivedMinor, outstandingMinor: ledger.outstandingMinor,
                     overdueMinor: states.filter { $0.status == .overdue }.reduce(0) { $0 + $1.outstandingMinor },
                     invoicedMinor: invoices.filter { $0.status == .issued }.reduce(0) { $0 + $1.amount.amountMinor })
    }

    /// Orders that can owe money: signed and later (not drafts, not cancelled).
    static let billable: Set<OrderStatus> = [.signed, .effective, .completed, .expired, .terminated]

    func requireBillable(_ order: Order) throws {
        guard Self.billable.contains(order.status) else {
            throw RapportError(.conflict, "The order is \(order.status.rawValue); payment plans, payments and invoices start once it is signed.")
        }
    }
}
