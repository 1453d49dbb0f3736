import Foundation
import RapportCore
import SQLKit

extension LeadStore {
    /// A lead matching an import row on one dedup column.
    public struct KeyMatch: Sendable, Equatable {
        public var column: String
        public var value: String
        public var leadID: RecordID
    }

    /// Leads (any owner, any pool) having any of the given values in their dedup columns
    /// (`phone`, `email`, `wechat_unionid`, `external_id`): one query per column and 500 values.
    public func matches(_ keys: [(column: String, value: String)]) async throws -> [KeyMatch] {
        var byColumn: [String: Set<String>] = [:]
        for key in keys where ["phone", "email", "wechat_unionid", "external_id"].contains(key.column) { byColumn[key.column, default: []].insert(key.value) }
        var result: [KeyMatch] = []
        for column in byColumn.keys.sorted() {
            for chunk in byColumn[column]!.sorted().chunked(into: 500) where !chunk.isEmpty {
                let rows = try await sql.select().column("id").column(SQLIdentifier(column), as: "value").from("leads")
                    .where(SQLIdentifier(column), .in, SQLGroupExpression(chunk.map { SQLBind($0) })).orderBy("id").all()
                for row in rows { result.append(KeyMatch(column: column, value: try row.text("value"), leadID: try row.id("id"))) }
            }
        }
        return result
    }

    /// Which of `ids` the scope lets the caller see.
    public func visible(_ ids: [RecordID], in scope: ScopeFilter) async throws -> Set<RecordID> {
        var result: Set<RecordID> = []
        for chunk in ids.chunked(into: 500) where !chunk.isEmpty {
            let query = sql.select().column(SQLColumn("id", table: "leads")).from("leads")
                .where(SQLColumn("id", table: "leads"), .in, SQLGroupExpression(chunk.map { SQLBind($0.rawValue) }))
            for row in try await scope.apply(to: query).all() { result.insert(try row.id("id")) }
        }
        return result
    }

    /// Records source channels with the label each first came with (a known key keeps its label).
    public func recordSources(_ labels: [String: String], at now: Date) async throws {
        try await sql.insertRows(into: "lead_sources", columns: ["key", "label", "created_at"],
                                 rows: labels.sorted { $0.key < $1.key }.map { [.text($0.key), .text($0.value), .integer(now.microsSinceEpoch)] },
                                 ignoringConflicts: true)
    }

    /// The labels of the source channels, by key.
    public func sourceLabels() async throws -> [String: String] {
        var labels: [String: String] = [:]
        for row in try await sql.select().columns("key", "label").from("lead_sources").all() { labels[try row.text("key")] = try row.text("label") }
        return labels
    }
}
