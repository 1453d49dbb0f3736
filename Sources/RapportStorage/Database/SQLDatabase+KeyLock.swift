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

extension SQLDatabase {
    /// After a bulk load outside any transaction, on PostgreSQL: vacuums and analyses `tables`, as
    /// autovacuum would soon after, so that index-only scans need no heap visits (the visibility
    /// map is set). Nothing on SQLite.
    public func vacuumAfterBulkLoad(_ tables: [String]) async throws {
        guard dialect.name == "postgresql" else { return }
        for table in tables { try await raw("VACUUM (ANALYZE) \(ident: table)").run() }
    }

    /// Refreshes the query planner's statistics after bulk changes (an import) and hourly, so plans
    /// stay right as tables grow: `PRAGMA optimize` on SQLite (cheap; it analyses only what needs it),
    /// `ANALYZE` of the schema's tables on PostgreSQL (a sample of each table; autovacuum would, later — a reclaim scan
    /// over a million fresh leads took 18 s with no statistics).
    public func refreshStatistics() async throws {
        if dialect.name == "postgresql" {
            // Only this schema's tables: a database-wide ANALYZE also analyses the shared catalogs, and two
            // of them at once (other schemas, other instances) fail with "tuple concurrently updated".
            let tables = try await raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").all()
                .map { try $0.decode(column: "tablename", as: String.self) }
            guard !tables.isEmpty else { return }
            var analyze: SQLQueryString = "ANALYZE "
            for (index, table) in tables.enumerated() { analyze += index == 0 ? "\(ident: table)" as SQLQueryString : ", \(ident: table)" as SQLQueryString }
            try await raw(analyze).run()
        } else {
            try await raw("PRAGMA optimize").run()
        }
    }
}
