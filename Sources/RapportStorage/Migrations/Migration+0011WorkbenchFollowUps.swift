extension RapportMigrations {
    /// The workbench's "due for follow-up" list: a rep's leads and customers by their last touch,
    /// longest untouched first, read from an index rather than sorted per request.
    static let workbenchFollowUps0011 = Migration("0011_workbench_follow_ups", sql: [
        "CREATE INDEX leads_owner_touched ON leads (owner_id, last_follow_up_at) WHERE last_follow_up_at IS NOT NULL",
        "CREATE INDEX customers_owner_touched ON customers (owner_id, last_follow_up_at) WHERE last_follow_up_at IS NOT NULL",
    ])
}
