import Foundation

/// The books of one order's receivables (应收): its payment plan, the payments received (回款)
/// spread over the instalments, and the refunds that reverse them. Pure and exact: integer minor
/// units of the plan's currency, no clock (dates are passed in).
///
/// Invariants, kept by every change (tested as properties):
/// - each instalment's allocated amount is between 0 and its amount less any waived part;
/// - a payment is allocated in full (the ledger refuses more than is outstanding), so the
///   allocations add up to what was collected: payments − refunds = collected = Σ allocated;
/// - a refund returns at most what is left of its payment.
public struct ReceivablesLedger: Sendable, Equatable {
    public private(set) var plan: PaymentPlan
    public private(set) var payments: [Payment] = []
    public private(set) var refunds: [Refund] = []
    /// Signed: positive when a payment pays an instalment, negative when a refund takes it back.
    public private(set) var allocations: [Allocation] = []
    /// Dues cancelled without money moving (the unconsumed part of a partly paid order, a concession).
    public private(set) var cancellations: [Cancellation] = []
    /// Per instalment number, the part no longer due because a refund or a cancellation cancelled it.
    public private(set) var waived: [Int: Int64] = [:]

    public init(plan: PaymentPlan) {
        self.plan = plan
    }

    /// Rebuilds the books from stored rows (in the order they happened).
    public init(plan: PaymentPlan, payments: [Payment], refunds: [Refund], cancellations: [Cancellation] = [], allocations: [Allocation],
                waived: [Int: Int64]) {
        self.plan = plan
        self.payments = payments
        self.refunds = refunds
        self.cancellations = cancellations
        self.allocations = allocations
        self.waived = waived
    }

    /// Money received, by an id from outside.
    public struct Payment: Sendable, Equatable {
        public var id: RecordID
        public var amountMinor: Int64
        public var receivedOn: CalendarDate

        public init(id: RecordID, amountMinor: Int64, receivedOn: CalendarDate) {
            self.id = id
            self.amountMinor = amountMinor
            self.receivedOn = receivedOn
        }
    }

    /// Money returned from one payment. `cancelsDue`: the returned part is no longer owed (the
    /// order was partly cancelled, e.g. the unconsumed lessons); otherwise it is owed again (money
    /// returned by mistake).
    public struct Refund: Sendable, Equatable {
        public var id: RecordID
        public var paymentID: RecordID
        public var amountMinor: Int64
        public var cancelsDue: Bool

        public init(id: RecordID, paymentID: RecordID, amountMinor: Int64, cancelsDue: Bool) {
            self.id = id
            self.paymentID = paymentID
            self.amountMinor = amountMinor
            self.cancelsDue = cancelsDue
        }
    }

    /// Dues cancelled with no money moving: what the customer no longer owes although it was never
    /// paid — the unconsumed part of a partly paid order whose entitlements were revoked, a
    /// concession, a debt written off.
    public struct Cancellation: Sendable, Equatable {
        public var id: RecordID
        public var amountMinor: Int64

        public init(id: RecordID, amountMinor: Int64) {
            self.id = id
            self.amountMinor = amountMinor
        }
    }

    /// Part of a payment on one instalment (negative: taken back by `refundID`).
    public struct Allocation: Sendable, Equatable {
        public var paymentID: RecordID
        public var installment: Int
        public var amountMinor: Int64
        public var refundID: RecordID?

        public init(paymentID: RecordID, installment: Int, amountMinor: Int64, refundID: RecordID? = nil) {
            self.paymentID = paymentID
            self.installment = installment
            self.amountMinor = amountMinor
            self.refundID = refundID
        }
    }

    // MARK: Reading

    /// What the instalment has received, net of refunds.
    public func allocated(to installment: Int) -> Int64 {
        allocations.lazy.filter { $0.installment == installment }.reduce(0) { $0 + $1.amountMinor }
    }

    /// What is still owed on the instalment.
    public func outstanding(on installment: Installment) -> Int64 {
        installment.amountMinor - (waived[installment.number] ?? 0) - allocated(to: installment.number)
    }

    /// What is still owed on the whole plan.
    public var outstandingMinor: Int64 { plan.installments.reduce(0) { $0 + outstanding(on: $1) } }
    public var receivedMinor: Int64 { payments.reduce(0) { $0 + $1.amountMinor } }
    public var refundedMinor: Int64 { refunds.reduce(0) { $0 + $1.amountMinor } }
    /// Payments less refunds.
    public var collectedMinor: Int64 { receivedMinor - refundedMinor }
    /// What refunds cancelled.
    public var waivedMinor: Int64 { waived.values.reduce(0, +) }

    /// What is left of a payment to refund.
    public func refundable(_ payment: RecordID) -> Int64 {
        let paid = payments.first { $0.id == payment }?.amountMinor ?? 0
        return paid - refunds.lazy.filter { $0.paymentID == payment }.reduce(0) { $0 + $1.amountMinor }
    }

    /// Where an instalment stands on `today`.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Nothing paid yet, not yet due.
        case upcoming
        /// Part paid, the rest not yet due.
        case partiallyPaid = "partially_paid"
        /// Fully paid (or the unpaid rest cancelled by a refund).
        case paid
        /// Entirely cancelled by refunds.
        case cancelled
        /// Due before `today` and not fully paid.
        case overdue
    }

    public func status(of installment: Installment, on today: CalendarDate) -> Status {
        let due = installment.amountMinor - (waived[installment.number] ?? 0)
        if due == 0 { return .cancelled }
        let left = outstanding(on: installment)
        if left == 0 { return .paid }
        if installment.dueDate < today { return .overdue }
        return left < due ? .partiallyPaid : .upcoming
    }

    /// The instalments overdue on `today`, earliest first.
    public func overdue(on today: CalendarDate) -> [Installment] {
        plan.installments.filter { status(of: $0, on: today) == .overdue }
    }

    // MARK: Changing

    /// Records a payment and spreads it over the instalments, earliest due first. A payment must be
    /// positive and at most what is outstanding (an overpayment is refused, not kept as credit).
    /// Returns the allocations it made; on a refusal nothing changes.
    @discardableResult
    public mutating func receive(_ payment: Payment) throws -> [Allocation] {
        guard payment.amountMinor > 0 else { throw Self.refused("amount_minor", "out_of_range", "A payment is a positive amount.") }
        let outstanding = outstandingMinor
        guard payment.amountMinor <= outstanding else {
            throw Self.refused("amount_minor", "exceeds_outstanding", "Only \(outstanding) is outstanding on this order.")
        }
        var left = payment.amountMinor
        var made: [Allocation] = []
        for installment in plan.installments where left > 0 {
            let share = min(left, self.outstanding(on: installment))
            guard share > 0 else { continue }
            made.append(Allocation(paymentID: payment.id, installment: installment.number, amountMinor: share))
            left -= share
        }
        payments.append(payment)
        allocations += made
        return made
    }

    /// Returns `refund.amountMinor` of a payment: takes its allocations back latest instalment
    /// first, and — when the refund cancels what it returns — cancels that much of those
    /// instalments. Refused (nothing changed) when not positive, for an unknown payment, or more
    /// than is left of the payment.
    @discardableResult
    public mutating func refund(_ refund: Refund) throws -> [Allocation] {
        guard refund.amountMinor > 0 else { throw Self.refused("amount_minor", "out_of_range", "A refund is a positive amount.") }
        guard payments.contains(where: { $0.id == refund.paymentID }) else {
            throw Self.refused("payment_id", "invalid", "payment_id must be a payment of this order.")
        }
        let available = refundable(refund.paymentID)
        guard refund.amountMinor <= available else {
            throw Self.refused("amount_minor", "exceeds_refundable", "Only \(available) of that payment is left to refund.")
        }
        var net: [Int: Int64] = [:]
        for allocation in allocations where allocation.paymentID == refund.paymentID { net[allocation.installment, default: 0] += allocation.amountMinor }
        var left = refund.amountMinor
        var made: [Allocation] = []
        for installment in plan.installments.reversed() where left > 0 {
            let share = min(left, net[installment.number] ?? 0)
            guard share > 0 else { continue }
            made.append(Allocation(paymentID: refund.paymentID, installment: installment.number, amountMinor: -share, refundID: refund.id))
            if refund.cancelsDue { waived[installment.number, default: 0] += share }
            left -= share
        }
        refunds.append(refund)
        allocations += made
        return made
    }

    /// Cancels `cancellation.amountMinor` of what is still owed, latest instalment first (the
    /// earliest stay due). Refused (nothing changed) when not positive or more than is outstanding.
    /// Returns what it cancelled per instalment number.
    @discardableResult
    public mutating func cancel(_ cancellation: Cancellation) throws -> [Int: Int64] {
        guard cancellation.amountMinor > 0 else { throw Self.refused("amount_minor", "out_of_range", "A cancellation is a positive amount.") }
        let outstanding = outstandingMinor
        guard cancellation.amountMinor <= outstanding else {
            throw Self.refused("amount_minor", "exceeds_outstanding", "Only \(outstanding) is outstanding on this order.")
        }
        var left = cancellation.amountMinor
        var made: [Int: Int64] = [:]
        for installment in plan.installments.reversed() where left > 0 {
            let share = min(left, self.outstanding(on: installment))
            guard share > 0 else { continue }
            made[installment.number] = share
            waived[installment.number, default: 0] += share
            left -= share
        }
        cancellations.append(cancellation)
        return made
    }

    static func refused(_ field: String, _ code: String, _ message: String) -> RapportError {
        RapportError.validation([FieldError(field: field, code: code, message: message)])
    }
}
