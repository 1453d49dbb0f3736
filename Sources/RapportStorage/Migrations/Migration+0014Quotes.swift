extension RapportMigrations {
    /// Quotes (报价单) for opportunities (the customer is the opportunity's, so a merge that moves the
    /// opportunity moves its quotes): the priced snapshot (totals, the sales policies applied and
    /// skipped as JSON), the status of the quote's lifecycle and its times, the priced lines, and
    /// the approval requests of discounts above the threshold (who was asked, who decided, when,
    /// with what comment). At most one quote of an opportunity is accepted (a partial unique index).
    /// Status changes go to `stage_history` with `object = 'quote'`. The approval threshold is the
    /// `quotes` document of `settings`.
    static let quotes0014 = Migration("0014_quotes", sql: [
        """
        CREATE TABLE quotes (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
            owner_id TEXT NOT NULL REFERENCES users (id),
            team_id TEXT REFERENCES teams (id),
            status TEXT NOT NULL,
            status_changed_at BIGINT NOT NULL,
            currency TEXT NOT NULL,
            price_book_id TEXT REFERENCES price_books (id),
            price_book_key TEXT,
            valid_until TEXT NOT NULL,
            channel TEXT,
            is_new_customer INTEGER NOT NULL,
            notes TEXT,
            subtotal_minor BIGINT NOT NULL,
            policy_discount_minor BIGINT NOT NULL,
            manual_discount_minor BIGINT NOT NULL,
            discount_minor BIGINT NOT NULL,
            total_minor BIGINT NOT NULL,
            discount_bp BIGINT NOT NULL,
            applied_policies TEXT NOT NULL,
            skipped_policies TEXT NOT NULL,
            rounding TEXT NOT NULL,
            priced_at BIGINT NOT NULL,
            submitted_at BIGINT,
            approved_at BIGINT,
            approved_by TEXT,
            sent_at BIGINT,
            accepted_at BIGINT,
            declined_at BIGINT,
            decline_reason TEXT,
            expired_at BIGINT,
            version BIGINT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX quotes_opportunity ON quotes (opportunity_id, id)",
        "CREATE INDEX quotes_owner ON quotes (owner_id, id)",
        "CREATE INDEX quotes_status ON quotes (status, valid_until)",
        "CREATE UNIQUE INDEX quotes_accepted ON quotes (opportunity_id) WHERE status = 'accepted'",
        """
        CREATE TABLE quote_lines (
            quote_id TEXT NOT NULL REFERENCES quotes (id),
            position INTEGER NOT NULL,
            sku TEXT NOT NULL,
            product_id TEXT NOT NULL REFERENCES products (id),
            name TEXT NOT NULL,
            unit TEXT NOT NULL,
            quantity BIGINT NOT NULL,
            price_source TEXT NOT NULL,
            unit_price_minor BIGINT NOT NULL,
            list_minor BIGINT NOT NULL,
            policy_discount_minor BIGINT NOT NULL,
            manual_discount_kind TEXT,
            manual_discount_value BIGINT,
            manual_discount_minor BIGINT NOT NULL,
            total_minor BIGINT NOT NULL,
            PRIMARY KEY (quote_id, position)
        )
        """,
        """
        CREATE TABLE quote_approvals (
            id TEXT PRIMARY KEY,
            quote_id TEXT NOT NULL REFERENCES quotes (id),
            requested_by TEXT,
            requested_at BIGINT NOT NULL,
            discount_bp BIGINT NOT NULL,
            threshold_bp BIGINT NOT NULL,
            approver_ids TEXT NOT NULL,
            decision TEXT NOT NULL,
            decided_by TEXT,
            decided_at BIGINT,
            comment TEXT
        )
        """,
        "CREATE INDEX quote_approvals_quote ON quote_approvals (quote_id, requested_at)",
    ])
}
