import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// One batch of import rows for one kind of record (customers, leads): ``prepare(_:)`` reads and
/// checks rows without a query (so the next batch is prepared while this one is written);
/// ``apply(_:write:seen:_:)`` deduplicates against the database and the file so far and —
/// unless only validating — writes, in the caller's transaction.
protocol ImportBatch: Sendable {
    associatedtype Prepared: Sendable
    func prepare(_ records: [CSVReader.Record]) -> Prepared
    func apply(_ prepared: Prepared, write: Bool, seen: inout ImportSeenKeys, _ sql: any SQLDatabase) async throws -> ImportBatchResult
}

/// What one batch did.
struct ImportBatchResult {
    var created: Int64 = 0
    var merged: Int64 = 0
    var flagged: Int64 = 0
    var errors: [ImportStore.RowError] = []
    var erroneousLines: Set<Int> = []
    /// What was done to values that the importer should know (pipeline imports).
    var warnings: [ImportWarning] = []

    /// Reports a bad row.
    mutating func fail(_ line: Int, code: String, _ message: String, field: String = "") {
        erroneousLines.insert(line)
        errors.append(.init(line: Int64(line), field: field, code: code, message: message))
    }
}

/// Dedup keys seen earlier in the file (validation passes keep them across batches).
struct ImportSeenKeys: Sendable {
    var keys: [String: Int] = [:]
}

/// Resolving a mapping against a file's header: what customer and lead row mappers share.
enum ImportRowMapping {
    /// Column index, header and field of every mapped (not ignored) column; a header the file
    /// lacks is an error on `columns[i].header`.
    static func resolve(_ columns: [ImportColumn], header: [String]) throws(RapportError) -> [(index: Int, header: String, field: String)] {
        var resolved: [(Int, String, String)] = []
        var used: Set<Int> = []
        var check = Validator()
        for (position, column) in columns.enumerated() where column.field != ImportColumn.ignore {
            guard let index = header.indices.first(where: { header[$0].trimmingWhitespace() == column.header.trimmingWhitespace() && !used.contains($0) }) else {
                check.add("columns[\(position)].header", "not_found", "The file has no column \"\(column.header)\".")
                continue
            }
            used.insert(index)
            resolved.append((index, column.header, column.field))
        }
        try check.finish()
        return resolved
    }
}
