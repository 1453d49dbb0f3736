extension RapportMigrations {
    /// Work reports (`reports`, 日报/月报): one per author, kind and period, with the figures
    /// snapshot taken at submission (JSON text) and the free text; their comments
    /// (`report_comments`). The figures read the indexes activities, leads, opportunities, orders,
    /// payments and tasks already have (0005, 0008, 0021, 0022).
    static let reports0024 = Migration("0024_reports", sql: [
        """
        CREATE TABLE reports (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            period TEXT NOT NULL,
            period_start TEXT NOT NULL,
            author_id TEXT NOT NULL REFERENCES users (id),
            status TEXT NOT NULL,
            summary TEXT,
            plan TEXT,
            problems TEXT,
            figures TEXT,
            submitted_at BIGINT,
            returned_at BIGINT,
            reviewed_at BIGINT,
            reviewed_by TEXT,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX reports_author_period ON reports (author_id, kind, period)",
        "CREATE INDEX reports_period ON reports (kind, period, status)",
        "CREATE INDEX reports_start ON reports (period_start, id)",
        """
        CREATE TABLE report_comments (
            id TEXT PRIMARY KEY,
            report_id TEXT NOT NULL REFERENCES reports (id),
            author_id TEXT NOT NULL REFERENCES users (id),
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX report_comments_report ON report_comments (report_id, created_at, id)",
    ])
}
