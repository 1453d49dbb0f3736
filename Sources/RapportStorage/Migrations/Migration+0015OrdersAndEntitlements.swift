extension RapportMigrations {
    /// Orders and contracts with their lines (product name snapshot, price, discount, total; a
    /// line keeps its id once the order leaves draft), entitlements granted by order lines (one per
    /// line: granted = consumed + balance + revoked), their consumptions (unique per entitlement
    /// and idempotency key, with the request's fingerprint), and what a catalog product grants
    /// (nullable columns: products without a grant grant nothing). Indexes serve an owner's and a
    /// team's lists, a customer's orders and entitlements, the daily job's scans (status and
    /// dates) and one-order-per-opportunity checks.
    static let ordersAndEntitlements0015 = Migration("0015_orders_and_entitlements", sql: [
        "ALTER TABLE products ADD COLUMN grant_unit TEXT",
        "ALTER TABLE products ADD COLUMN grant_quantity BIGINT",
        "ALTER TABLE products ADD COLUMN grant_validity_days INTEGER",
        "ALTER TABLE products ADD COLUMN grant_validity_months INTEGER",
        """
        CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            customer_id TEXT NOT NULL REFERENCES customers (id),
            opportunity_id TEXT REFERENCES opportunities (id),
            quote_id TEXT,
            currency TEXT NOT NULL,
            total_minor BIGINT NOT NULL,
            status TEXT NOT NULL,
            status_entered_at BIGINT NOT NULL,
            signed_at BIGINT,
            effective_from BIGINT,
            effective_to BIGINT,
            owner_id TEXT NOT NULL REFERENCES users (id),
            team_id TEXT REFERENCES teams (id),
            status_reason TEXT,
            approved_by TEXT,
            version BIGINT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX orders_owner ON orders (owner_id, id)",
        "CREATE INDEX orders_team ON orders (team_id, id)",
        "CREATE INDEX orders_customer ON orders (customer_id, id)",
        "CREATE INDEX orders_opportunity ON orders (opportunity_id)",
        "CREATE INDEX orders_starting ON orders (status, effective_from)",
        "CREATE INDEX orders_ending ON orders (status, effective_to)",
        """
        CREATE TABLE order_lines (
            id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders (id),
            position INTEGER NOT NULL,
            product_id TEXT NOT NULL REFERENCES products (id),
            sku TEXT NOT NULL,
            product_name TEXT NOT NULL,
            quantity BIGINT NOT NULL,
            unit_price_minor BIGINT NOT NULL,
            discount_minor BIGINT NOT NULL,
            total_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            UNIQUE (order_id, position)
        )
        """,
        """
        CREATE TABLE entitlements (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers (id),
            order_id TEXT NOT NULL REFERENCES orders (id),
            order_line_id TEXT NOT NULL UNIQUE REFERENCES order_lines (id),
            product_id TEXT NOT NULL REFERENCES products (id),
            sku TEXT NOT NULL,
            unit TEXT NOT NULL,
            granted BIGINT NOT NULL,
            consumed BIGINT NOT NULL,
            revoked BIGINT NOT NULL,
            balance BIGINT NOT NULL,
            status TEXT NOT NULL,
            starts_at BIGINT NOT NULL,
            expires_at BIGINT,
            renewal_opportunity_id TEXT REFERENCES opportunities (id),
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            CHECK (granted = consumed + balance + revoked)
        )
        """,
        "CREATE INDEX entitlements_customer ON entitlements (customer_id, id)",
        "CREATE INDEX entitlements_order ON entitlements (order_id)",
        "CREATE INDEX entitlements_expiring ON entitlements (status, expires_at)",
        """
        CREATE TABLE entitlement_consumptions (
            id TEXT PRIMARY KEY,
            entitlement_id TEXT NOT NULL REFERENCES entitlements (id),
            quantity BIGINT NOT NULL,
            note TEXT,
            occurred_at BIGINT NOT NULL,
            recorded_at BIGINT NOT NULL,
            recorded_by TEXT,
            idempotency_key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            UNIQUE (entitlement_id, idempotency_key)
        )
        """,
    ])
}
