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
