extension RapportMigrations {
    /// Durable jobs: work due at a time, claimed by one worker at a time under a lease, retried
    /// with back-off. A dedup key is unique among jobs not yet finished (a partial unique index,
    /// the same on both engines), so enqueuing the same idempotent job twice does nothing.
    static let jobs0004 = Migration("0004_jobs", sql: [
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            dedup_key TEXT,
            status TEXT NOT NULL,
            due_at BIGINT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            max_attempts BIGINT NOT NULL DEFAULT 8,
            last_error TEXT,
            locked_by TEXT,
            locked_until BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            finished_at BIGINT
        )
        """,
        "CREATE INDEX jobs_due ON jobs (status, due_at)",
        "CREATE INDEX jobs_kind ON jobs (kind, id)",
        "CREATE UNIQUE INDEX jobs_dedup_key ON jobs (dedup_key) WHERE dedup_key IS NOT NULL AND status IN ('queued', 'running')",
    ])
}
