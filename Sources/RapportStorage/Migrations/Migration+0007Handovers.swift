extension RapportMigrations {
    /// Handovers (离职交接): the report of each (`handovers`, with a JSON summary per kind) and one
    /// row per record it moved (`handover_items`, paged by object id), and the customers' owner-change
    /// log (`customer_assignments`, shaped like `lead_assignments`; customer pools write it too).
    /// User ids are plain text, as in the lead log: a report outlives the people it names.
    static let handovers0007 = Migration("0007_handovers", sql: [
        """
        CREATE TABLE customer_assignments (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers (id),
            kind TEXT NOT NULL,
            pool_id TEXT,
            from_user_id TEXT,
            to_user_id TEXT,
            rule_id TEXT,
            reason TEXT,
            by_user_id TEXT,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX customer_assignments_customer ON customer_assignments (customer_id, at)",
        "CREATE INDEX customer_assignments_claims ON customer_assignments (to_user_id, pool_id, kind, at)",
        "CREATE INDEX customer_assignments_at ON customer_assignments (at)",
        """
        CREATE TABLE handovers (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            by_user_id TEXT,
            reason TEXT NOT NULL,
            at BIGINT NOT NULL,
            summary TEXT NOT NULL
        )
        """,
        "CREATE INDEX handovers_user ON handovers (user_id, id)",
        """
        CREATE TABLE handover_items (
            handover_id TEXT NOT NULL REFERENCES handovers (id),
            object_kind TEXT NOT NULL,
            object_id TEXT NOT NULL,
            from_user_id TEXT,
            to_user_id TEXT,
            pool_id TEXT,
            PRIMARY KEY (handover_id, object_id)
        )
        """,
        "CREATE INDEX handover_items_kind ON handover_items (handover_id, object_kind, object_id)",
    ])
}
