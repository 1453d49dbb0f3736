import SQLKit

extension SQLDatabase {
    /// Runs `body` between `begin` and `COMMIT` on this connection, and `ROLLBACK`s if it throws.
    /// Each engine supplies its own `begin` (`BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL).
    nonisolated(nonsending) public func inTransaction<T>(begin: String, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(self)
            try await raw("COMMIT").run()
            return result
        } catch {
            try? await raw("ROLLBACK").run()
            throw error
        }
    }
}
