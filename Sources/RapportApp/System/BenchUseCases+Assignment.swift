import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension BenchUseCases {
    /// Seeds `count` incoming leads (never assigned) into the pool `bench-incoming` and four
    /// assignment rules over the team `team` — hot leads weighted by level, two sources in turn,
    /// one region to the least loaded, the rest to an overflow pool — for timing the rules.
    public func seedIncoming(count: Int, team key: String, by caller: Caller) async throws -> Pool {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may seed benchmark data.") }
        guard (1...10_000_000).contains(count) else {
            throw RapportError.validation([FieldError(field: "count", code: "out_of_range", message: "count must be from 1 to 10000000.")])
        }
        let now = rapport.clock.now()
        guard let team = try await rapport.database.read({ sql in try await TeamStore(sql).find(key: key) }) else {
            throw RapportError(.conflict, "Create the team \(key) and its reps first.")
        }
        let pool = try await rapport.pools.create(.init(key: "bench-incoming", name: "Incoming", object: "lead",
                                                        rules: PoolRules(holdingLimit: LevelLimits(1_000_000), claimsPerDay: LevelLimits(nil))), by: caller)
        let overflow = try await rapport.pools.create(.init(key: "bench-overflow", name: "Overflow", object: "lead"), by: caller)
        let rules: [AssignmentUseCases.Input] = [
            .init(name: "Hot leads, by level", conditions: [AssignmentCondition(field: .score, op: .greaterOrEqual, value: .integer(80))],
                  target: .team(team.id, strategy: .weighted, weights: ["senior": 3, "junior": 1])),
            .init(name: "Ads and events in turn", conditions: [AssignmentCondition(field: .source, op: .oneOf, value: .array([.string("ads"), .string("event")]))],
                  target: .team(team.id, strategy: .roundRobin, weights: [:])),
            .init(name: "Shanghai to the least loaded", conditions: [AssignmentCondition(field: .region, op: .equals, value: .string("上海"))],
                  target: .team(team.id, strategy: .leastLoaded, weights: [:])),
            .init(name: "The rest waits", conditions: [AssignmentCondition(field: .custom("grade"), op: .present)], target: .pool(overflow.id)),
        ]
        for rule in rules { _ = try await rapport.assignment.create(rule, by: caller) }
        var written = 0
        let regions = ["上海", "北京", "广州", "深圳", "杭州"]
        while written < count {
            let size = min(20_000, count - written)
            var batch: [(Lead, StageCategory)] = []
            batch.reserveCapacity(size)
            for offset in 0..<size {
                let index = written + offset
                var lead = Lead(id: rapport.ids.next(.lead, at: now), name: "Incoming \(index)", phone: "+861390\(String(format: "%07d", index % 10_000_000))",
                                source: ["web_form", "ads", "referral", "event", "baidu"][index % 5], status: "new", statusEnteredAt: now, poolID: pool.id,
                                lastProgressAt: now, createdAt: now, updatedAt: now)
                lead.region = regions[(index / 5) % regions.count]
                lead.score = Int64((index &* 7_919) % 100)
                lead.customFields = ["grade": .string("g\(index % 12)")]
                batch.append((lead, .open))
            }
            try await rapport.transaction { sql in try await LeadStore(sql).insert(batch) }
            written += size
        }
        try await rapport.database.write { sql in try await sql.refreshStatistics() }
        return pool
    }
}
