extension RapportMigrations {
    /// Pipeline imports (teams, products, accounts, opportunities): an import's warnings — what it
    /// did to values that the importer should know, counted (fuzzy matches, corrected options,
    /// opportunities without an account) — kept with the import as JSON.
    static let pipelineImport0017 = Migration("0017_pipeline_import", sql: [
        "ALTER TABLE imports ADD COLUMN warnings TEXT",
    ])
}
