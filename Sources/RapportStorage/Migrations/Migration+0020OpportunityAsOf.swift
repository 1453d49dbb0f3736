extension RapportMigrations {
    /// The forecast's back-test finds the few opportunities that changed since `as_of` (their
    /// current stage entered after it) by range instead of scanning them all.
    static let opportunityAsOf0020 = Migration("0020_opportunity_as_of", sql: [
        "CREATE INDEX opportunities_stage_entered ON opportunities (pipeline, stage_entered_at)",
    ])
}
