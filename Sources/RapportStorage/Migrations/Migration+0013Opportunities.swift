extension RapportMigrations {
    /// Opportunities on the pipelines of the business dictionary, and their product lines (SKUs as
    /// text until the catalogue links them). Collaborators are the opportunity's `record_grants` rows
    /// (`object_kind = 'opportunity'`, `access` read or edit), which the data scope already reads.
    /// The customer is optional (an open B2B deal may have no account yet); a pipeline that needs one
    /// guards a stage with `customer_id`. `external_ref` is the id in the system an opportunity was
    /// imported from (unique, so importing a file again matches rows to what it created). Indexes serve the kanban (pipeline, stage, owner), an owner's list, a team's list, the
    /// expected-close calendar and a customer's opportunities.
    static let opportunities0013 = Migration("0013_opportunities", sql: [
        """
        CREATE TABLE opportunities (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            customer_id TEXT REFERENCES customers (id),
            pipeline TEXT NOT NULL,
            stage TEXT NOT NULL,
            status_category TEXT NOT NULL,
            stage_entered_at BIGINT NOT NULL,
            amount_minor BIGINT,
            currency TEXT,
            expected_close_date TEXT,
            owner_id TEXT NOT NULL REFERENCES users (id),
            team_id TEXT REFERENCES teams (id),
            source TEXT,
            loss_reason TEXT,
            competitors TEXT NOT NULL,
            custom_fields TEXT NOT NULL,
            probability INTEGER,
            closed_at BIGINT,
            version BIGINT NOT NULL,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            external_ref TEXT
        )
        """,
        "CREATE UNIQUE INDEX opportunities_external_ref ON opportunities (external_ref)",
        "CREATE INDEX opportunities_board ON opportunities (pipeline, stage, owner_id)",
        "CREATE INDEX opportunities_owner ON opportunities (owner_id, id)",
        "CREATE INDEX opportunities_team ON opportunities (team_id, id)",
        "CREATE INDEX opportunities_close ON opportunities (expected_close_date, id)",
        "CREATE INDEX opportunities_customer ON opportunities (customer_id, id)",
        """
        CREATE TABLE opportunity_lines (
            opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
            position INTEGER NOT NULL,
            sku TEXT NOT NULL,
            quantity BIGINT NOT NULL,
            unit_price_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            PRIMARY KEY (opportunity_id, position)
        )
        """,
    ])
}
