import Foundation
import RapportCore
import SQLKit

/// Invoices issued for orders (`invoices`).
public struct InvoiceStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "order_id", "number", "amount_minor", "currency", "issued_on", "buyer_name", "tax_id", "status", "void_reason",
                          "created_by", "created_at", "updated_at"]

    public func insert(_ invoice: Invoice) async throws {
        try await sql.insertRows(into: "invoices", columns: Self.columns, rows: [[
            .text(invoice.id.rawValue), .text(invoice.orderID.rawValue), .text(invoice.number), .integer(invoice.amount.amountMinor),
            .text(invoice.amount.currency), .text(invoice.issuedOn.description), .text(invoice.buyerName), BulkValue(invoice.taxID),
            .text(invoice.status.rawValue), BulkValue(invoice.voidReason), BulkValue(invoice.createdBy?.rawValue),
            .integer(invoice.createdAt.microsSinceEpoch), .integer(invoice.updatedAt.microsSinceEpoch),
        ]])
    }

    /// Voids an issued invoice; false when it was not issued (already void).
    public func void(_ id: RecordID, reason: String, at now: Date) async throws -> Bool {
        try await sql.raw("""
            UPDATE invoices SET status = \(bind: Invoice.Status.void.rawValue), void_reason = \(bind: reason), updated_at = \(bind: now.microsSinceEpoch) \
            WHERE id = \(bind: id.rawValue) AND status = \(bind: Invoice.Status.issued.rawValue) RETURNING id
            """).all().count == 1
    }

    public func find(_ id: RecordID) async throws -> Invoice? {
        try await sql.select().columns(Self.columns).from("invoices").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// Whether an invoice already has this number.
    public func numberTaken(_ number: String) async throws -> Bool {
        try await sql.select().column("id").from("invoices").where("number", .equal, number).first() != nil
    }

    /// The order's invoices, oldest first.
    public func invoices(of order: RecordID) async throws -> [Invoice] {
        try await sql.select().columns(Self.columns).from("invoices").where("order_id", .equal, order.rawValue).orderBy("id").all().map(Self.decode)
    }

    static func decode(_ row: any SQLRow) throws -> Invoice {
        guard let issued = CalendarDate(try row.text("issued_on")) else { throw CorruptRow(table: "invoices", column: "issued_on") }
        guard let status = Invoice.Status(rawValue: try row.text("status")) else { throw CorruptRow(table: "invoices", column: "status") }
        return Invoice(id: try row.id("id"), orderID: try row.id("order_id"), number: try row.text("number"),
                       amount: Money(try row.int("amount_minor"), try row.text("currency")), issuedOn: issued, buyerName: try row.text("buyer_name"),
                       taxID: try row.optionalText("tax_id"), status: status, voidReason: try row.optionalText("void_reason"),
                       createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
