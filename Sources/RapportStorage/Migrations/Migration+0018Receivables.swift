extension RapportMigrations {
    /// Receivables (应收): an order's payment plan and instalments (with what was paid and what a
    /// refund cancelled, kept in step with the books for the overdue scan and the receivables
    /// list), payments received (回款), their allocations to instalments (negative rows: taken
    /// back by a refund), refunds, and invoices issued (records, not tax filing). Amounts are
    /// integer minor units of the order's currency; dates are calendar dates `YYYY-MM-DD`.
    static let receivables0018 = Migration("0018_receivables", sql: [
        """
        CREATE TABLE payment_plans (
            order_id TEXT PRIMARY KEY REFERENCES orders (id),
            currency TEXT NOT NULL,
            version BIGINT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE installments (
            order_id TEXT NOT NULL REFERENCES orders (id),
            number INTEGER NOT NULL,
            due_date TEXT NOT NULL,
            amount_minor BIGINT NOT NULL,
            paid_minor BIGINT NOT NULL,
            waived_minor BIGINT NOT NULL,
            settled INTEGER NOT NULL,
            alerted_on TEXT,
            PRIMARY KEY (order_id, number)
        )
        """,
        "CREATE INDEX installments_open_due ON installments (settled, due_date)",
        """
        CREATE TABLE payments (
            id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders (id),
            amount_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            received_on TEXT NOT NULL,
            method TEXT,
            reference TEXT,
            note TEXT,
            recorded_by TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX payments_order ON payments (order_id, id)",
        """
        CREATE TABLE refunds (
            id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders (id),
            payment_id TEXT NOT NULL REFERENCES payments (id),
            amount_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            cancels_due INTEGER NOT NULL,
            refunded_on TEXT NOT NULL,
            reason TEXT NOT NULL,
            revoked TEXT NOT NULL,
            recorded_by TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX refunds_order ON refunds (order_id, id)",
        """
        CREATE TABLE payment_allocations (
            order_id TEXT NOT NULL REFERENCES orders (id),
            position INTEGER NOT NULL,
            payment_id TEXT NOT NULL REFERENCES payments (id),
            installment INTEGER NOT NULL,
            amount_minor BIGINT NOT NULL,
            refund_id TEXT REFERENCES refunds (id),
            PRIMARY KEY (order_id, position)
        )
        """,
        """
        CREATE TABLE invoices (
            id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL REFERENCES orders (id),
            number TEXT NOT NULL UNIQUE,
            amount_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            buyer_name TEXT NOT NULL,
            tax_id TEXT,
            status TEXT NOT NULL,
            void_reason TEXT,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX invoices_order ON invoices (order_id, id)",
    ])
}
