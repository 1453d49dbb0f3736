extension RapportMigrations {
    /// Imports (saved column mappings, runs with progress and per-row errors, the uploaded file in
    /// chunks so any instance can resume it), exports with their approval queue, and the source
    /// system's reference on customers (so re-importing a file matches rows without contact details).
    static let imports0003 = Migration("0003_imports", sql: [
        "ALTER TABLE customers ADD COLUMN external_ref TEXT",
        "CREATE INDEX customers_external_ref ON customers (external_ref)",
        """
        CREATE TABLE import_mappings (
            id TEXT PRIMARY KEY,
            object TEXT NOT NULL,
            name TEXT NOT NULL,
            columns TEXT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            version BIGINT NOT NULL,
            UNIQUE (object, name)
        )
        """,
        """
        CREATE TABLE imports (
            id TEXT PRIMARY KEY,
            object TEXT NOT NULL,
            status TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            file_bytes BIGINT NOT NULL,
            columns TEXT NOT NULL,
            options TEXT NOT NULL,
            total_rows BIGINT,
            processed_rows BIGINT NOT NULL,
            created_rows BIGINT NOT NULL,
            merged_rows BIGINT NOT NULL,
            flagged_rows BIGINT NOT NULL,
            error_rows BIGINT NOT NULL,
            claimed_by TEXT,
            heartbeat_at BIGINT,
            failure TEXT,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            finished_at BIGINT
        )
        """,
        "CREATE INDEX imports_status ON imports (status, created_at)",
        "CREATE INDEX imports_file ON imports (object, file_sha256)",
        """
        CREATE TABLE import_chunks (
            import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
            seq BIGINT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (import_id, seq)
        )
        """,
        """
        CREATE TABLE import_errors (
            import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
            line BIGINT NOT NULL,
            field TEXT NOT NULL,
            code TEXT NOT NULL,
            message TEXT NOT NULL,
            PRIMARY KEY (import_id, line, field)
        )
        """,
        """
        CREATE TABLE exports (
            id TEXT PRIMARY KEY,
            object TEXT NOT NULL,
            status TEXT NOT NULL,
            format TEXT NOT NULL,
            filters TEXT NOT NULL,
            columns TEXT NOT NULL,
            row_count BIGINT NOT NULL,
            requested_by TEXT NOT NULL REFERENCES users (id),
            requested_at BIGINT NOT NULL,
            decided_by TEXT,
            decided_at BIGINT,
            decision_note TEXT,
            downloaded_at BIGINT,
            expires_at BIGINT NOT NULL,
            version BIGINT NOT NULL
        )
        """,
        "CREATE INDEX exports_status ON exports (status, requested_at)",
        "CREATE INDEX exports_requested_by ON exports (requested_by, requested_at)",
    ])
}
