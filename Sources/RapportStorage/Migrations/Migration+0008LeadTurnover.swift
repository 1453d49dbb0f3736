extension RapportMigrations {
    /// The source system's id on leads (so re-importing a file matches its rows even without
    /// contact details; unique), and the lead source channels seen, each with the label it first
    /// came with (`google` ← "Google"), for reports by source; saved import mappings keep their
    /// options (a name template, the values that mean empty) beside their columns.
    static let leadTurnover0008 = Migration("0008_lead_turnover", sql: [
        "ALTER TABLE leads ADD COLUMN external_id TEXT",
        "CREATE UNIQUE INDEX leads_external_id ON leads (external_id)",
        """
        CREATE TABLE lead_sources (
            key TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "ALTER TABLE import_mappings ADD COLUMN options TEXT",
        "CREATE INDEX leads_created ON leads (created_at)",
        "CREATE INDEX leads_converted ON leads (converted_at) WHERE converted_at IS NOT NULL",
    ])
}
