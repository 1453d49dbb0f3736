/// Every migration Rapport ships, in order. Append only: never edit or reorder a landed entry.
public enum RapportMigrations {
    public static let all: [Migration] = [
        foundation0001,
        customers0002,
        imports0003,
        jobs0004,
        leads0005,
        assignment0006,
        handovers0007,
        leadTurnover0008,
        customerPools0009,
        savedViews0010,
        workbenchFollowUps0011,
        productsAndPolicies0012,
        opportunities0013,
        quotes0014,
        ordersAndEntitlements0015,
        opportunityAnalytics0016,
        pipelineImport0017,
        receivables0018,
        receivableCancellations0019,
        playbooks0020,
        tasks0021,
        targets0022,
        notifications0023,
        reports0024,
    ]

    /// A migrator over ``all`` plus any extra migrations (tests add a test-only record table).
    public static func migrator(adding extra: [Migration] = []) -> Migrator { Migrator(all + extra) }
}
