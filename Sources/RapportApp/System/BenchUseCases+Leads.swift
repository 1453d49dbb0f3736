import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension BenchUseCases {
    /// Creates (or reuses) the lead pool `key` with reclaim rules (no follow-up for 30 days, not
    /// converted in 90) and adds `count` leads owned round-robin by the active reps, received over
    /// the past 35 days and mostly touched lately, so that a night's share is due. Returns the pool.
    public func seedLeads(count: Int, pool key: String, by caller: Caller, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Pool {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may seed benchmark data.") }
        guard (1...10_000_000).contains(count) else {
            throw RapportError.validation([FieldError(field: "count", code: "out_of_range", message: "count must be from 1 to 10000000.")])
        }
        let now = rapport.clock.now()
        var rules = PoolRules(holdingLimit: LevelLimits(nil), claimsPerDay: LevelLimits(nil))
        rules.reclaim = ReclaimRules(noFollowUpDays: 30, noProgressDays: nil, notConvertedDays: 90, ownerDisabled: true, warningDays: 3)
        let pool: Pool
        if let existing = try await rapport.database.read({ sql in try await PoolStore(sql).find(key: key) }) {
            pool = existing
        } else {
            pool = try await rapport.pools.create(.init(key: key, name: "Benchmark leads", object: "lead", rules: rules), by: caller)
        }
        let reps = try await rapport.database.read { sql in
            try await sql.select().columns("id", "team_id").from("users").where("status", .equal, "active").where("role", .equal, "rep")
                .orderBy("id").all().map { (RecordID(trusted: try $0.decode(column: "id", as: String.self)), try $0.decode(column: "team_id", as: String?.self).map(RecordID.init(trusted:))) }
        }
        guard !reps.isEmpty else { throw RapportError(.conflict, "Create some active reps first: leads are seeded owned by them.") }
        var written = 0
        while written < count {
            let size = min(20_000, count - written)
            var batch: [(Lead, StageCategory)] = []
            batch.reserveCapacity(size)
            for offset in 0..<size {
                let index = written + offset
                let (owner, team) = reps[index % reps.count]
                // Received over the past 35 days; four in five touched within the past 25 days: a
                // night's share is due (the untouched ones past 30 days), a few more are warned.
                let assigned = now.addingTimeInterval(-Double((index &* 7_919) % (35 * 86_400)))
                let touched = index % 5 == 0 ? nil : max(assigned, now.addingTimeInterval(-Double((index &* 104_729) % (25 * 86_400))))
                var lead = Lead(id: rapport.ids.next(.lead, at: now), name: "Lead \(index)", phone: "+861380\(String(format: "%07d", index % 10_000_000))",
                                source: ["web_form", "ads", "referral", "event"][index % 4], status: index % 2 == 0 ? "new" : "contacting",
                                statusEnteredAt: assigned, ownerID: owner, teamID: team, poolID: pool.id, assignedAt: assigned,
                                protectedUntil: assigned.addingTimeInterval(3 * 86_400), lastFollowUpAt: touched, lastProgressAt: assigned,
                                createdAt: assigned, updatedAt: assigned)
                lead.version = 1
                batch.append((lead, .open))
            }
            try await rapport.transaction { sql in try await LeadStore(sql).insert(batch) }
            written += size
            progress(written)
        }
        try await rapport.database.write { sql in try await sql.refreshStatistics() }
        return pool
    }
}
