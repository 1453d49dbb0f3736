import Foundation
import RapportCore
import SQLKit

/// An order's receivables: the payment plan and instalments, payments, refunds and allocations
/// (`payment_plans`, `installments`, `payments`, `refunds`, `payment_allocations`). The books are
/// rebuilt from the rows; every change writes the allocations and the instalments' paid and
/// cancelled amounts back from the books, in the caller's transaction.
public struct ReceivableStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// The plan's version, when the order has a plan.
    public func planVersion(of order: RecordID) async throws -> Int64? {
        try await sql.select().column("version").from("payment_plans").where("order_id", .equal, order.rawValue).first()?.int("version")
    }

    /// The order's books (nil without a plan).
    public func books(of order: RecordID) async throws -> ReceivablesLedger? {
        try await books(of: order, payments: try await payments(of: order), refunds: try await refunds(of: order),
                        cancellations: try await cancellations(of: order))
    }

    /// The order's books from its already read payments, refunds and cancellations (nil without a plan).
    public func books(of order: RecordID, payments: [PaymentRecord], refunds: [RefundRecord],
                      cancellations: [CancellationRecord]) async throws -> ReceivablesLedger? {
        guard let planRow = try await sql.select().columns("currency").from("payment_plans").where("order_id", .equal, order.rawValue).first() else {
            return nil
        }
        let installments = try await sql.select().columns("number", "due_date", "amount_minor", "waived_minor").from("installments")
            .where("order_id", .equal, order.rawValue).orderBy("number").all()
        var waived: [Int: Int64] = [:]
        let plan = PaymentPlan(currency: try planRow.text("currency"), installments: try installments.map { row in
            let number = Int(try row.int("number"))
            let cancelled = try row.int("waived_minor")
            if cancelled != 0 { waived[number] = cancelled }
            guard let due = CalendarDate(try row.text("due_date")) else { throw CorruptRow(table: "installments", column: "due_date") }
            return Installment(number: number, dueDate: due, amountMinor: try row.int("amount_minor"))
        })
        let allocations = try await sql.select().columns("payment_id", "installment", "amount_minor", "refund_id").from("payment_allocations")
            .where("order_id", .equal, order.rawValue).orderBy("position").all().map { row in
                ReceivablesLedger.Allocation(paymentID: try row.id("payment_id"), installment: Int(try row.int("installment")),
                                             amountMinor: try row.int("amount_minor"), refundID: try row.optionalID("refund_id"))
            }
        return ReceivablesLedger(plan: plan, payments: payments.map(\.payment), refunds: refunds.map(\.refund),
                                 cancellations: cancellations.map(\.cancellation), allocations: allocations, waived: waived)
    }

    /// Replaces the order's plan (instalments, allocations and all) by `books`, at `version`.
    public func savePlan(_ books: ReceivablesLedger, of order: RecordID, version: Int64, by user: RecordID?, at now: Date) async throws {
        let at = now.microsSinceEpoch
        if version == 1 {
            try await sql.insertRows(into: "payment_plans", columns: ["order_id", "currency", "version", "created_by", "created_at", "updated_at"], rows: [[
                .text(order.rawValue), .text(books.plan.currency), .integer(version), BulkValue(user?.rawValue), .integer(at), .integer(at),
            ]])
        } else {
            try await sql.update("payment_plans").set("version", to: SQLBind(version)).set("updated_at", to: SQLBind(at))
                .where("order_id", .equal, order.rawValue).run()
        }
        try await sql.delete(from: "installments").where("order_id", .equal, order.rawValue).run()
        try await sql.insertRows(into: "installments", columns: ["order_id", "number", "due_date", "amount_minor", "paid_minor", "waived_minor", "settled"],
                                 rows: books.plan.installments.map { installment in
                                     [.text(order.rawValue), .integer(Int64(installment.number)), .text(installment.dueDate.description),
                                      .integer(installment.amountMinor), .integer(0), .integer(0), .integer(0)]
                                 })
        try await writeAllocations(books, of: order)
    }

    /// Writes the books' allocations and each instalment's paid and cancelled amounts.
    public func writeAllocations(_ books: ReceivablesLedger, of order: RecordID) async throws {
        try await sql.delete(from: "payment_allocations").where("order_id", .equal, order.rawValue).run()
        if !books.allocations.isEmpty {
            try await sql.insertRows(into: "payment_allocations", columns: ["order_id", "position", "payment_id", "installment", "amount_minor", "refund_id"],
                                     rows: books.allocations.enumerated().map { position, allocation in
                                         [.text(order.rawValue), .integer(Int64(position)), .text(allocation.paymentID.rawValue),
                                          .integer(Int64(allocation.installment)), .integer(allocation.amountMinor), BulkValue(allocation.refundID?.rawValue)]
                                     })
        }
        for installment in books.plan.installments {
            let paid = books.allocated(to: installment.number)
            let waived = books.waived[installment.number] ?? 0
            try await sql.update("installments").set("paid_minor", to: SQLBind(paid)).set("waived_minor", to: SQLBind(waived))
                .set("settled", to: SQLBind(books.outstanding(on: installment) == 0 ? 1 : 0))
                .where("order_id", .equal, order.rawValue).where("number", .equal, installment.number).run()
        }
    }

    // MARK: Payments and refunds

    public func insert(_ record: PaymentRecord) async throws {
        try await sql.insertRows(into: "payments", columns: ["id", "order_id", "amount_minor", "currency", "received_on", "method", "reference", "note",
                                                             "recorded_by", "created_at"], rows: [[
            .text(record.payment.id.rawValue), .text(record.orderID.rawValue), .integer(record.payment.amountMinor), .text(record.currency),
            .text(record.payment.receivedOn.description), BulkValue(record.method), BulkValue(record.reference), BulkValue(record.note),
            BulkValue(record.recordedBy?.rawValue), .integer(record.createdAt.microsSinceEpoch),
        ]])
    }

    public func insert(_ record: RefundRecord) async throws {
        let revoked = String(decoding: try JSONEncoder().encode(record.revoked), as: UTF8.self)
        try await sql.insertRows(into: "refunds", columns: ["id", "order_id", "payment_id", "amount_minor", "currency", "cancels_due", "refunded_on",
                                                            "reason", "revoked", "recorded_by", "created_at"], rows: [[
            .text(record.refund.id.rawValue), .text(record.orderID.rawValue), .text(record.refund.paymentID.rawValue), .integer(record.refund.amountMinor),
            .text(record.currency), .integer(record.refund.cancelsDue ? 1 : 0), .text(record.refundedOn.description), .text(record.reason),
            .text(revoked), BulkValue(record.recordedBy?.rawValue), .integer(record.createdAt.microsSinceEpoch),
        ]])
    }

    public func insert(_ record: CancellationRecord) async throws {
        let revoked = String(decoding: try JSONEncoder().encode(record.revoked), as: UTF8.self)
        try await sql.insertRows(into: "receivable_cancellations", columns: ["id", "order_id", "amount_minor", "currency", "cancelled_on", "reason",
                                                                             "revoked", "recorded_by", "created_at"], rows: [[
            .text(record.cancellation.id.rawValue), .text(record.orderID.rawValue), .integer(record.cancellation.amountMinor), .text(record.currency),
            .text(record.cancelledOn.description), .text(record.reason), .text(revoked), BulkValue(record.recordedBy?.rawValue),
            .integer(record.createdAt.microsSinceEpoch),
        ]])
    }

    /// The order's cancelled dues, oldest first.
    public func cancellations(of order: RecordID) async throws -> [CancellationRecord] {
        try await sql.select().columns("id", "amount_minor", "currency", "cancelled_on", "reason", "revoked", "recorded_by", "created_at")
            .from("receivable_cancellations").where("order_id", .equal, order.rawValue).orderBy("id").all().map { row in
                guard let day = CalendarDate(try row.text("cancelled_on")) else { throw CorruptRow(table: "receivable_cancellations", column: "cancelled_on") }
                let revoked = try JSONDecoder().decode([RefundRecord.Revoked].self, from: Data(try row.text("revoked").utf8))
                return CancellationRecord(cancellation: .init(id: try row.id("id"), amountMinor: try row.int("amount_minor")), orderID: order,
                                          currency: try row.text("currency"), cancelledOn: day, reason: try row.text("reason"), revoked: revoked,
                                          recordedBy: try row.optionalID("recorded_by"), createdAt: try row.date("created_at"))
            }
    }

    /// The order's payments, oldest first.
    public func payments(of order: RecordID) async throws -> [PaymentRecord] {
        try await sql.select().columns("id", "amount_minor", "currency", "received_on", "method", "reference", "note", "recorded_by", "created_at")
            .from("payments").where("order_id", .equal, order.rawValue).orderBy("id").all().map { row in
                guard let received = CalendarDate(try row.text("received_on")) else { throw CorruptRow(table: "payments", column: "received_on") }
                return PaymentRecord(payment: .init(id: try row.id("id"), amountMinor: try row.int("amount_minor"), receivedOn: received), orderID: order,
                                     currency: try row.text("currency"), method: try row.optionalText("method"), reference: try row.optionalText("reference"),
                                     note: try row.optionalText("note"), recordedBy: try row.optionalID("recorded_by"), createdAt: try row.date("created_at"))
            }
    }

    /// The order's refunds, oldest first.
    public func refunds(of order: RecordID) async throws -> [RefundRecord] {
        try await sql.select().columns("id", "payment_id", "amount_minor", "currency", "cancels_due", "refunded_on", "reason", "revoked", "recorded_by",
                                       "created_at")
            .from("refunds").where("order_id", .equal, order.rawValue).orderBy("id").all().map { row in
                guard let refunded = CalendarDate(try row.text("refunded_on")) else { throw CorruptRow(table: "refunds", column: "refunded_on") }
                let revoked = try JSONDecoder().decode([RefundRecord.Revoked].self, from: Data(try row.text("revoked").utf8))
                return RefundRecord(refund: .init(id: try row.id("id"), paymentID: try row.id("payment_id"), amountMinor: try row.int("amount_minor"),
                                                  cancelsDue: try row.int("cancels_due") != 0),
                                    orderID: order, currency: try row.text("currency"), refundedOn: refunded, reason: try row.text("reason"),
                                    revoked: revoked, recordedBy: try row.optionalID("recorded_by"), createdAt: try row.date("created_at"))
            }
    }
}
