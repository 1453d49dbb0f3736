import Foundation
import RapportCore
import SQLKit

/// Every stage change of every lifecycle object (customers now; leads, opportunities and orders
/// later), for history and time-in-stage analytics.
public struct StageHistoryStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Appends changes of one or more records (`id` makes each row's id).
    public func append(_ changes: [(object: DictionaryObject, record: RecordID, change: StageChange, id: RecordID)]) async throws {
        try await append(kinds: changes.map { (ObjectKind(rawValue: $0.object.rawValue), $0.record, $0.change, $0.id) })
    }

    /// Appends changes of records of any object kind, including those with a fixed state machine
    /// rather than a dictionary (quotes).
    public func append(kinds changes: [(kind: ObjectKind, record: RecordID, change: StageChange, id: RecordID)]) async throws {
        try await sql.insertRows(
            into: "stage_history", columns: ["id", "object", "record_id", "from_stage", "to_stage", "at", "by_id", "reason"],
            rows: changes.map { entry in
                [.text(entry.id.rawValue), .text(entry.kind.rawValue), .text(entry.record.rawValue), BulkValue(entry.change.from),
                 .text(entry.change.to), .integer(entry.change.at.microsSinceEpoch), BulkValue(entry.change.by?.rawValue),
                 BulkValue(entry.change.reason)]
            })
    }

    /// The history of one record, oldest first.
    public func history(_ object: DictionaryObject, of record: RecordID) async throws -> [StageChange] {
        try await history(kind: ObjectKind(rawValue: object.rawValue), of: record)
    }

    /// The history of one record of any object kind, oldest first.
    public func history(kind: ObjectKind, of record: RecordID) async throws -> [StageChange] {
        try await sql.select().columns("from_stage", "to_stage", "at", "by_id", "reason").from("stage_history")
            .where("object", .equal, kind.rawValue).where("record_id", .equal, record.rawValue)
            .orderBy("at").orderBy("id").all()
            .map { row in
                StageChange(from: try row.optionalText("from_stage"), to: try row.text("to_stage"), at: try row.date("at"),
                            by: try row.optionalID("by_id"), reason: try row.optionalText("reason"))
            }
    }

    /// Moves history rows from one record to another (a merge) and back (its undo), by row id.
    public func rowIDs(_ object: DictionaryObject, of record: RecordID) async throws -> [String] {
        try await sql.select().column("id").from("stage_history").where("object", .equal, object.rawValue)
            .where("record_id", .equal, record.rawValue).all().map { try $0.text("id") }
    }

    public func reassign(_ ids: [String], to record: RecordID) async throws {
        for chunk in ids.chunked(into: 500) where !chunk.isEmpty {
            try await sql.update("stage_history").set("record_id", to: SQLBind(record.rawValue))
                .where("id", .in, SQLGroupExpression(chunk.map { SQLBind($0) })).run()
        }
    }
}
