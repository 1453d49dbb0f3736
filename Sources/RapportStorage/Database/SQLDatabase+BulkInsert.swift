import RapportCore
import SQLKit

/// A value of a bulk-inserted row, already in the form the engines store.
public enum BulkValue: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case null

    public init(_ text: String?) { self = text.map(BulkValue.text) ?? .null }
    public init(_ integer: Int64?) { self = integer.map(BulkValue.integer) ?? .null }
}

/// An engine that inserts many rows faster than SQLKit's general path (which encodes every bound
/// value through `Encodable`): the SQLite engine's writer binds `BulkValue`s directly.
public protocol BulkInserting: Sendable {
    /// Inserts `rows`; with `ignoringConflicts`, a row that breaks a unique constraint is skipped.
    func bulkInsert(into table: String, columns: [String], rows: [[BulkValue]], ignoringConflicts: Bool) async throws
}

extension SQLDatabase {
    /// Inserts rows with multi-row statements: the engine's fast path when it has one, otherwise
    /// SQLKit's builder (the same SQL either way). With `ignoringConflicts`, rows that break a
    /// unique constraint are skipped (`ON CONFLICT DO NOTHING`).
    public func insertRows(into table: String, columns: [String], rows: [[BulkValue]], ignoringConflicts: Bool = false) async throws {
        guard !rows.isEmpty else { return }
        if let bulk = self as? any BulkInserting {
            try await bulk.bulkInsert(into: table, columns: columns, rows: rows, ignoringConflicts: ignoringConflicts)
            return
        }
        if dialect.name == "postgresql", try await insertUnnesting(into: table, columns: columns, rows: rows, ignoringConflicts: ignoringConflicts) {
            return
        }
        for chunk in rows.chunked(into: 500) {
            let insert = self.insert(into: table).columns(columns)
            for row in chunk {
                insert.values(row.map(\.sqlExpression))
            }
            if ignoringConflicts { insert.ignoringConflicts() }
            try await insert.run()
        }
    }
}

extension BulkValue {
    /// The value as a bound SQL expression (for UPDATEs built from the same rows as inserts).
    public var sqlExpression: any SQLExpression {
        switch self {
        case .text(let text): SQLBind(text)
        case .integer(let integer): SQLBind(integer)
        case .null: SQLLiteral.null
        }
    }
}

/// One column of an unnested insert: its values as one array.
private enum UnnestedColumn {
    case text([String?]), integer([Int64?])
}

extension SQLDatabase {
    /// PostgreSQL: one statement per 10,000 rows with one array bind per column —
    /// `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)` — instead of a bind per value
    /// (each of which SQLKit encodes on its own). A column null in every row of a statement is left
    /// out (our columns default to null). False, with nothing written, when a column mixes text and
    /// integers: the builder path handles that.
    func insertUnnesting(into table: String, columns: [String], rows: [[BulkValue]], ignoringConflicts: Bool) async throws -> Bool {
        var integer = [Bool](repeating: false, count: columns.count)
        var text = [Bool](repeating: false, count: columns.count)
        for row in rows {
            for (index, value) in row.enumerated() {
                switch value {
                case .text: text[index] = true
                case .integer: integer[index] = true
                case .null: break
                }
            }
        }
        if zip(text, integer).contains(where: { $0 && $1 }) { return false }
        for chunk in rows.chunked(into: 10_000) {
            var names: [String] = []
            var arrays: [UnnestedColumn] = []
            for (index, name) in columns.enumerated() where chunk.contains(where: { $0[index] != .null }) {
                names.append(name)
                if integer[index] {
                    arrays.append(.integer(chunk.map { if case .integer(let value) = $0[index] { value } else { nil } }))
                } else {
                    arrays.append(.text(chunk.map { if case .text(let value) = $0[index] { value } else { nil } }))
                }
            }
            var query: SQLQueryString = "INSERT INTO \(ident: table) ("
            for (index, name) in names.enumerated() { query.appendInterpolation((index == 0 ? "\(ident: name)" : ", \(ident: name)") as SQLQueryString) }
            query.appendLiteral(") SELECT * FROM unnest(")
            for (index, array) in arrays.enumerated() {
                if index > 0 { query.appendLiteral(", ") }
                switch array {
                case .text(let values): query.appendInterpolation("\(bind: values)::text[]" as SQLQueryString)
                case .integer(let values): query.appendInterpolation("\(bind: values)::bigint[]" as SQLQueryString)
                }
            }
            query.appendLiteral(")")
            if ignoringConflicts { query.appendLiteral(" ON CONFLICT DO NOTHING") }
            try await raw(query).run()
        }
        return true
    }
}

extension SQLDatabase {
    /// `column` is one of `ids`: one array bind (`= ANY($1::text[])`) on PostgreSQL, where a long
    /// IN list of binds costs more to plan than to run; an IN list on SQLite. `ids` must not be empty.
    public func idIn(_ column: SQLColumn, _ ids: [RecordID]) -> SQLQueryString {
        if dialect.name == "postgresql" {
            return "\(column) = ANY(\(bind: ids.map(\.rawValue))::text[])"
        }
        var list: SQLQueryString = "\(column) IN ("
        for (index, id) in ids.enumerated() { list.appendInterpolation((index == 0 ? "\(bind: id.rawValue)" : ", \(bind: id.rawValue)") as SQLQueryString) }
        list.appendLiteral(")")
        return list
    }
}
