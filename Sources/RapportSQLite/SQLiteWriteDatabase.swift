import Logging
import NIOCore
import RapportStorage
import SQLKit
import SQLiteKit
import SQLiteNIO

/// The writer connection as stores see it: SQLiteKit's `SQLDatabase` for everything, plus a bulk
/// insert that binds values directly (no `Encodable` round trip), used by imports and seeding.
struct SQLiteWriteDatabase: SQLDatabase, BulkInserting {
    let connection: SQLiteConnection
    let base: any SQLDatabase

    init(_ connection: SQLiteConnection) {
        self.connection = connection
        self.base = connection.sql(queryLogLevel: nil)
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await base.execute(sql: query, onRow)
    }

    /// Rows per statement: 500 rows of up to 30 columns stays far below SQLite's bind limit.
    static let rowsPerStatement = 500

    func bulkInsert(into table: String, columns: [String], rows: [[BulkValue]], ignoringConflicts: Bool) async throws {
        let head = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var start = 0
        while start < rows.count {
            let end = min(start + Self.rowsPerStatement, rows.count)
            let sql = head + Array(repeating: tuple, count: end - start).joined(separator: ", ") + (ignoringConflicts ? " ON CONFLICT DO NOTHING" : "")
            var binds: [SQLiteData] = []
            binds.reserveCapacity((end - start) * columns.count)
            for row in rows[start..<end] {
                precondition(row.count == columns.count, "a bulk row must have a value for every column")
                for value in row {
                    switch value {
                    case .text(let text): binds.append(.text(text))
                    case .integer(let integer): binds.append(.integer(Int(integer)))
                    case .null: binds.append(.null)
                    }
                }
            }
            _ = try await connection.query(sql, binds)
            start = end
        }
    }
}
