import Foundation
import RapportCore
import SQLKit

/// An owner-change log table (`lead_assignments`, `customer_assignments`): the same columns but
/// the record's, written and read by one piece of code for every kind of record.
struct AssignmentLog<Entry: OwnershipLogEntry>: Sendable {
    let sql: any SQLDatabase
    let table: String
    /// The column naming the record (`lead_id`, `customer_id`).
    let recordColumn: String

    var columns: [String] { ["id", recordColumn, "kind", "pool_id", "from_user_id", "to_user_id", "rule_id", "reason", "by_user_id", "at"] }

    /// Appends entries (multi-row statements).
    func append(_ entries: [Entry]) async throws {
        try await sql.insertRows(into: table, columns: columns, rows: entries.map { entry in
            [.text(entry.id.rawValue), .text(entry.recordID.rawValue), .text(entry.kind.rawValue), BulkValue(entry.poolID?.rawValue),
             BulkValue(entry.from?.rawValue), BulkValue(entry.to?.rawValue), BulkValue(entry.ruleID), BulkValue(entry.reason),
             BulkValue(entry.by?.rawValue), .integer(entry.at.microsSinceEpoch)]
        })
    }

    /// The log of one record, oldest first.
    func entries(of record: RecordID) async throws -> [Entry] {
        try await sql.select().columns(columns.map { SQLIdentifier($0) }).from(table).where(SQLIdentifier(recordColumn), .equal, SQLBind(record.rawValue))
            .orderBy("at").orderBy("id").all().map { row in
                guard let kind = OwnershipChange(rawValue: try row.text("kind")) else { throw CorruptRow(table: table, column: "kind") }
                return Entry(id: try row.id("id"), record: try row.id(recordColumn), kind: kind, poolID: try row.optionalID("pool_id"),
                             from: try row.optionalID("from_user_id"), to: try row.optionalID("to_user_id"), ruleID: try row.optionalText("rule_id"),
                             reason: try row.optionalText("reason"), by: try row.optionalID("by_user_id"), at: try row.date("at"))
            }
    }
}
