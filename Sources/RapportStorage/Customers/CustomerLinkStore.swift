import Foundation
import RapportCore
import SQLKit

/// What belongs to a customer through a `customer_id` column of its own and so follows the
/// customer through a merge (and back on its undo). Quotes follow their opportunity; payment
/// plans, payments, refunds and invoices follow their order; consumptions their entitlement.
public enum CustomerLinkedRecord: String, Sendable, CaseIterable, Codable {
    case opportunities, orders, entitlements
}

/// Reads and moves the records of ``CustomerLinkedRecord`` by customer.
public struct CustomerLinkStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Ids of a customer's records of `kind`, in id order.
    public func ids(_ kind: CustomerLinkedRecord, ofCustomer customer: RecordID) async throws -> [String] {
        try await sql.select().column("id").from(kind.rawValue).where("customer_id", .equal, customer.rawValue).orderBy("id")
            .all().map { try $0.text("id") }
    }

    /// How many records of each kind a customer has.
    public func counts(ofCustomer customer: RecordID) async throws -> [CustomerLinkedRecord: Int] {
        var counts: [CustomerLinkedRecord: Int] = [:]
        for kind in CustomerLinkedRecord.allCases {
            let row = try await sql.raw("SELECT count(*) AS n FROM \(ident: kind.rawValue) WHERE customer_id = \(bind: customer.rawValue)").first()
            counts[kind] = try row.map { Int(try $0.int("n")) } ?? 0
        }
        return counts
    }

    /// Points records of `kind` at another customer, bumping their version (a form or an
    /// `If-Match` read before the move is refused rather than writing the old customer back).
    public func reassign(_ ids: [String], _ kind: CustomerLinkedRecord, toCustomer customer: RecordID, at now: Date) async throws {
        for chunk in ids.chunked(into: 500) where !chunk.isEmpty {
            try await sql.update(kind.rawValue).set("customer_id", to: SQLBind(customer.rawValue))
                .set("version", to: SQLRaw("version + 1")).set("updated_at", to: SQLBind(now.microsSinceEpoch))
                .where("id", .in, SQLGroupExpression(chunk.map { SQLBind($0) })).run()
        }
    }
}
