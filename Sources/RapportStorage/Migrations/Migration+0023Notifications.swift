extension RapportMigrations {
    /// Notice delivery beyond the inbox: each user's channel choices (`notification_preferences`),
    /// the webhook endpoints administrators register (`webhook_endpoints`, with the signing secret),
    /// a log of every delivery by email or webhook (`notification_deliveries`: status, attempts,
    /// last error code — never a body), and the daily digests sent (`notification_digests`).
    static let notifications0023 = Migration("0023_notifications", sql: [
        """
        CREATE TABLE notification_preferences (
            user_id TEXT PRIMARY KEY REFERENCES users (id),
            email TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE webhook_endpoints (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            user_id TEXT REFERENCES users (id),
            description TEXT NOT NULL,
            kinds TEXT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            disabled_at BIGINT
        )
        """,
        "CREATE INDEX webhook_endpoints_user ON webhook_endpoints (user_id)",
        """
        CREATE TABLE notification_deliveries (
            id TEXT PRIMARY KEY,
            notification_id TEXT NOT NULL REFERENCES notifications (id),
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_status_code INTEGER,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            delivered_at BIGINT
        )
        """,
        "CREATE UNIQUE INDEX notification_deliveries_once ON notification_deliveries (notification_id, target)",
        "CREATE INDEX notification_deliveries_target ON notification_deliveries (target, id)",
        """
        CREATE TABLE notification_digests (
            user_id TEXT NOT NULL REFERENCES users (id),
            day TEXT NOT NULL,
            notices INTEGER NOT NULL,
            sent_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, day)
        )
        """,
    ])
}
