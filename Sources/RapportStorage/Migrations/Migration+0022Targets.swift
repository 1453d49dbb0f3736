extension RapportMigrations {
    /// Monthly sales targets (`targets`) per user or team, metric and currency ('' for counts),
    /// and the indexes a month's actuals and leaderboard read: activities (on customers and on
    /// leads) by type and time, deals won by close time, orders by signing time, customers by
    /// creation time, payments and refunds by day — each covering the owner, so a month is one range scan.
    static let targets0022 = Migration("0022_targets", sql: [
        """
        CREATE TABLE targets (
            id TEXT PRIMARY KEY,
            month TEXT NOT NULL,
            subject_kind TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            metric TEXT NOT NULL,
            currency TEXT NOT NULL,
            amount BIGINT NOT NULL,
            version BIGINT NOT NULL,
            set_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX targets_subject ON targets (month, subject_id, metric, currency)",
        "CREATE INDEX targets_subject_id ON targets (subject_id, month)",
        "CREATE INDEX activities_performance ON activities (type, occurred_at, actor_id)",
        "CREATE INDEX lead_activities_performance ON lead_activities (type, occurred_at, actor_id)",
        "CREATE INDEX opportunities_performance ON opportunities (status_category, closed_at, owner_id, currency, amount_minor)",
        "CREATE INDEX orders_performance ON orders (signed_at, owner_id, status, currency, total_minor)",
        "CREATE INDEX customers_performance ON customers (created_at, owner_id)",
        "CREATE INDEX payments_received_on ON payments (received_on, order_id)",
        "CREATE INDEX refunds_refunded_on ON refunds (refunded_on, order_id)",
    ])
}
