extension RapportMigrations {
    /// Access, tokens, audit, idempotency and login throttling.
    ///
    /// Times are BIGINT microseconds since the Unix epoch (UTC) on both engines; ids are TEXT.
    static let foundation0001 = Migration("0001_foundation", sql: [
        """
        CREATE TABLE teams (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            parent_id TEXT REFERENCES teams (id),
            path TEXT NOT NULL UNIQUE,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX teams_parent_id ON teams (parent_id)",
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            rep_level TEXT,
            team_id TEXT REFERENCES teams (id),
            status TEXT NOT NULL,
            locale TEXT,
            password_hash TEXT,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            last_login_at BIGINT,
            disabled_at BIGINT
        )
        """,
        "CREATE INDEX users_team_id ON users (team_id)",
        """
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            display_prefix TEXT NOT NULL,
            scopes TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            last_used_at BIGINT,
            revoked_at BIGINT
        )
        """,
        "CREATE INDEX api_tokens_user_id ON api_tokens (user_id)",
        """
        CREATE TABLE record_grants (
            object_kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            access TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (object_kind, record_id, user_id)
        )
        """,
        "CREATE INDEX record_grants_user ON record_grants (user_id, object_kind)",
        """
        CREATE TABLE role_scopes (
            role TEXT NOT NULL,
            object_kind TEXT NOT NULL,
            scope TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (role, object_kind)
        )
        """,
        """
        CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            at BIGINT NOT NULL,
            actor_id TEXT,
            action TEXT NOT NULL,
            object_kind TEXT,
            object_id TEXT,
            address TEXT,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """,
        "CREATE INDEX audit_log_object ON audit_log (object_kind, object_id)",
        "CREATE INDEX audit_log_actor ON audit_log (actor_id)",
        """
        CREATE TABLE audit_head (
            id INTEGER PRIMARY KEY,
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )
        """,
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')",
        """
        CREATE TABLE idempotency_keys (
            principal_id TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            state TEXT NOT NULL,
            response_status INTEGER,
            response_headers TEXT,
            response_body TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (principal_id, key)
        )
        """,
        "CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)",
        """
        CREATE TABLE login_throttle (
            bucket TEXT PRIMARY KEY,
            failures BIGINT NOT NULL,
            window_start BIGINT NOT NULL,
            locked_until BIGINT
        )
        """,
    ])
}
