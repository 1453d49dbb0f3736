extension RapportMigrations {
    /// Customer pools (公海客户): a customer can wait in a customer pool unowned, be claimed within
    /// the pool's limits, released and reclaimed — the same columns leads have for it. The last
    /// follow-up time is kept on the customer (backfilled from its timeline's touches) so reclaim
    /// scans read an index, not the activities.
    static let customerPools0009 = Migration("0009_customer_pools", sql: [
        "ALTER TABLE customers ADD COLUMN pool_id TEXT REFERENCES pools (id)",
        "ALTER TABLE customers ADD COLUMN assigned_at BIGINT",
        "ALTER TABLE customers ADD COLUMN protected_until BIGINT",
        "ALTER TABLE customers ADD COLUMN last_follow_up_at BIGINT",
        "ALTER TABLE customers ADD COLUMN previous_owner_id TEXT",
        "ALTER TABLE customers ADD COLUMN released_at BIGINT",
        """
        UPDATE customers SET last_follow_up_at = (SELECT max(a.occurred_at) FROM activities a
            WHERE a.customer_id = customers.id AND a.direction IN ('outbound', 'inbound'))
        """,
        "CREATE INDEX customers_pool_waiting ON customers (pool_id, id) WHERE owner_id IS NULL",
        "CREATE INDEX customers_owner_pool ON customers (owner_id, pool_id)",
    ])
}
