import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension BenchUseCases {
    /// Adds `count` opportunities on the first pipeline, owned round-robin by the active reps, for
    /// 1,000 benchmark customers (created when there are none), created over the past three years,
    /// each with its stage history: it passed one to all of the open stages a few days apart, then
    /// two in five were won and three in ten lost; the rest are open, with an amount, an expected
    /// close month in the coming year and now and then the owner's own probability. `progress`
    /// gets the number written so far.
    public func seedOpportunities(count: Int, by caller: Caller, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may seed benchmark data.") }
        guard (1...10_000_000).contains(count) else {
            throw RapportError.validation([FieldError(field: "count", code: "out_of_range", message: "count must be from 1 to 10000000.")])
        }
        let now = rapport.clock.now()
        let template = rapport.settings.dictionaryTemplate
        let (reps, pipeline, customers) = try await rapport.transaction { sql in
            let reps = try await sql.select().columns("id", "team_id").from("users").where("status", .equal, "active").where("role", .equal, "rep")
                .orderBy("id").all().map { (RecordID(trusted: try $0.decode(column: "id", as: String.self)), try $0.decode(column: "team_id", as: String?.self).map(RecordID.init(trusted:))) }
            guard !reps.isEmpty else { throw RapportError(.conflict, "Create some active reps first: opportunities are seeded owned by them.") }
            guard let pipeline = try await DictionaryUseCases.load(.opportunity, sql, template: template).pipelinesOrDefault.first else {
                throw RapportError(.conflict, "The opportunity dictionary has no pipeline.")
            }
            var customers = try await sql.select().column("id").from("customers").orderBy("id").limit(1_000).all().map { RecordID(trusted: try $0.decode(column: "id", as: String.self)) }
            if customers.isEmpty {
                let stage = try await DictionaryUseCases.load(.customer, sql, template: template).initialStage
                let created = (0..<1_000).map { index in
                    let (owner, team) = reps[index % reps.count]
                    return Customer(id: rapport.ids.next(.customer, at: now), kind: .organisation, name: "Bench account \(index)", ownerID: owner,
                                    teamID: team, stage: stage, stageEnteredAt: now, createdAt: now, updatedAt: now)
                }
                try await CustomerStore(sql).insertRows(created)
                customers = created.map(\.id)
            }
            return (reps, pipeline, customers)
        }
        let stages = OpportunityStages(pipeline)
        guard !stages.open.isEmpty, let won = stages.won.first, let lost = stages.lost.first else {
            throw RapportError(.conflict, "The first pipeline needs open, won and lost stages.")
        }
        let day: Int64 = 86_400_000_000
        let sources = ["referral", "web_form", "event", "ads"]
        var written = 0
        while written < count {
            let size = min(10_000, count - written)
            var opportunities: [Opportunity] = []
            var history: [(object: DictionaryObject, record: RecordID, change: StageChange, id: RecordID)] = []
            opportunities.reserveCapacity(size)
            for offset in 0..<size {
                let index = written + offset
                let (owner, team) = reps[index % reps.count]
                let hash = (index &* 2_654_435_761) & 0x7fff_ffff
                let created = now.microsSinceEpoch - 1_095 * day + Int64(hash % 900) * day + Int64(hash % 86_400) * 1_000_000
                let id = rapport.ids.next(.opportunity, at: now)
                let furthest = (hash / 7) % stages.open.count
                let outcome = (hash / 13) % 10
                var at = created
                var previous: String?
                for stage in stages.open.prefix(furthest + 1) {
                    history.append((.opportunity, id, StageChange(from: previous, to: stage, at: Date(microsSinceEpoch: at)), rapport.ids.next(.stageChange, at: now)))
                    previous = stage
                    at += Int64(1 + (hash / 17 + index) % 30) * day + Int64(hash % 3_600) * 1_000_000
                }
                var stage = previous!
                var closedAt: Date?
                if outcome < 7, at < now.microsSinceEpoch {
                    stage = outcome < 4 ? won : lost
                    closedAt = Date(microsSinceEpoch: at)
                    history.append((.opportunity, id, StageChange(from: previous, to: stage, at: closedAt!), rapport.ids.next(.stageChange, at: now)))
                }
                let entered = history.last!.change.at
                let month = 1 + (hash / 31) % 12
                opportunities.append(Opportunity(
                    id: id, name: "Bench deal \(index)", customerID: customers[index % customers.count], pipeline: pipeline.key, stage: stage,
                    statusCategory: stages.category(stage), stageEnteredAt: entered, amount: Money(Int64(100_000 + (hash % 5_000) * 1_000), "USD"),
                    expectedCloseDate: String(format: "2027-%02d-15", month), ownerID: owner, teamID: team, source: sources[index % sources.count],
                    lossReason: stage == lost ? "price" : nil, probabilityOverride: index % 10 == 0 ? 50 : nil, closedAt: closedAt,
                    createdAt: Date(microsSinceEpoch: created), updatedAt: entered))
            }
            try await rapport.transaction { sql in
                try await OpportunityStore(sql).insert(opportunities)
                try await StageHistoryStore(sql).append(history)
            }
            written += size
            progress(written)
        }
        try await rapport.database.write { sql in try await sql.refreshStatistics() }
        try await rapport.database.read { sql in try await sql.vacuumAfterBulkLoad(["opportunities", "stage_history", "opportunity_stage_visits"]) }
        return written
    }
}
