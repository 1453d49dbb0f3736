import SQLKit

extension SQLDatabase {
    /// Serialises writers that check-then-insert on the same business keys (dedup on a phone or
    /// email) until the current transaction ends. On PostgreSQL a transaction-scoped advisory lock
    /// per key, taken in sorted order so two writers never deadlock; on SQLite the single writer
    /// already serialises every write transaction.
    public func lockKeys(_ keys: [String]) async throws {
        guard dialect.name == "postgresql" else { return }
        for key in Set(keys).sorted() {
            try await raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: key)))").run()
        }
    }
}
