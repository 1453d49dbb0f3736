extension RapportMigrations {
    /// Dues cancelled with no money moving (`receivable_cancellations`): the unconsumed part of a
    /// partly paid order whose entitlements a refund revoked, a concession, a debt written off.
    /// The instalments' `waived_minor` keeps what they cancelled, as for refunds that cancel dues.
    static let receivableCancellations0019 = Migration("0019_receivable_cancellations", sql: [
        """
        CREATE TABLE receivable_cancellations (
            id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders (id),
            amount_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            cancelled_on TEXT NOT NULL,
            reason TEXT NOT NULL,
            revoked TEXT NOT NULL,
            recorded_by TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX receivable_cancellations_order ON receivable_cancellations (order_id, id)",
    ])
}
