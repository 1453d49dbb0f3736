import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The no-progress and not-converted reclaim rules end to end, with a moving clock, on both
/// engines (the no-follow-up rule, the disabled owner and the warning have their own tests).
@Suite struct ReclaimTriggerTests {
    @Test(arguments: TestBackend.available)
    func leadsWithoutProgressOrNotConvertedInTimeGoBack(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            var rules = PoolRules(protectionDays: 0)
            rules.reclaim = ReclaimRules(noFollowUpDays: nil, noProgressDays: 6, notConvertedDays: 10, ownerDisabled: false, warningDays: 1)
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: rules)
            let rep = try await LeadPoolTests.rep(harness, 1, team: team)
            let start = harness.clock.now()
            func day(_ value: Double) { harness.clock.advance(by: start.addingTimeInterval(value * 86_400).timeIntervalSince(harness.clock.now())) }
            var leads: [Lead] = []
            for (index, name) in ["Moves once", "Never moves", "Keeps moving"].enumerated() {
                leads.append(try await harness.rapport.leads.create(LeadInput(name: name, phone: .some("1331111000\(index)"), customFields: ["grade": .string("adult"), "subject_interest": .array([.string("math")])]), by: rep).0)
            }
            let (once, never, moving) = (leads[0].id, leads[1].id, leads[2].id)
            func reclaim() async throws -> [RecordID: ReclaimReason] {
                Dictionary(uniqueKeysWithValues: try await harness.rapport.pools.reclaim(pool.key, by: harness.system).reclaimed.map { ($0.recordID, $0.reason) })
            }

            day(3)
            _ = try await harness.rapport.leads.move(once.rawValue, to: "contacting", reason: nil, by: rep)
            _ = try await harness.rapport.leads.move(moving.rawValue, to: "contacting", reason: nil, by: rep)
            // A follow-up is not progress.
            _ = try await harness.rapport.leads.logFollowUp(never.rawValue, .init(type: "call"), by: rep)
            day(5)
            _ = try await harness.rapport.leads.move(moving.rawValue, to: "qualified", reason: nil, by: rep)
            day(6)
            #expect(try await reclaim() == [never: .noProgress])
            day(9)
            #expect(try await reclaim() == [once: .noProgress])
            // Progress on day 5 would last to day 11, but it had to convert by day 10: warned, then back.
            day(9.5)
            let preview = try await harness.rapport.pools.reclaimPreview(pool.key, by: harness.system)
            #expect(preview.warned.map(\.recordID) == [moving] && preview.warned[0].reason == .notConverted
                    && preview.warned[0].due == start.addingTimeInterval(10 * 86_400))
            #expect(try await reclaim().isEmpty)
            day(10)
            #expect(try await reclaim() == [moving: .notConverted])
            let log = try await harness.rapport.leads.assignments(moving.rawValue, by: harness.system)
            #expect(log.map(\.kind) == [.create, .reclaim] && log[1].reason == "not_converted" && log[1].from == rep.principal?.userID)
            let lead = try await harness.rapport.database.read { sql in try await LeadStore(sql).find(moving) }
            #expect(lead?.status == "qualified" && lead?.ownerID == nil && lead?.previousOwnerID == rep.principal?.userID)
        }
    }
}
