import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The team's holding levels: per person of the caller's scope, open leads against the pool's
/// limit, claims today, open customers, leads never followed up and leads the next reclaim run
/// takes back — from real claims, follow-ups and rules, and scoped (a manager sees their subtree).
@Suite struct TeamHoldingsTests {
    @Test(arguments: TestBackend.available)
    func holdingsCountWhatEachPersonHoldsWithinTheCallersScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let admin = try await harness.signedIn(.admin)
            let manager = try await harness.signedIn(.manager, team: east)
            let rep1 = try await harness.signedIn(.rep, team: east, level: "senior")
            let rep2 = try await harness.signedIn(.rep, team: west)
            var rules = PoolRules(holdingLimit: LevelLimits(5, byLevel: ["senior": 8]), claimsPerDay: LevelLimits(10), protectionDays: 0, timeZone: "UTC")
            rules.reclaim = ReclaimRules(noFollowUpDays: 3, warningDays: 2)
            _ = try await harness.rapport.pools.create(.init(key: "default", name: "Default", object: "lead", rules: rules), by: harness.system)
            var waiting: [Lead] = []
            for index in 0..<4 {
                waiting.append(try await harness.rapport.leads.create(
                    LeadInput(name: "Lead \(index)", phone: .some("1390000010\(index)"), owner: .some(nil), pool: .some("default")), by: harness.system).0)
            }
            _ = try await harness.rapport.pools.claim("default", leads: [waiting[0].id.rawValue, waiting[1].id.rawValue], by: rep1.caller)
            _ = try await harness.rapport.pools.claim("default", leads: [waiting[2].id.rawValue], by: rep2.caller)
            _ = try await harness.rapport.customers.create(
                CustomerInput(kind: "person", name: "Customer of rep 1", contacts: [.init(kind: "phone", value: "13900002000")]), by: rep1.caller)
            // Two days later rep 1 calls one lead; the leads never called are due back soon (warned or reclaimed at the next run).
            harness.clock.advance(by: 2 * 86_400 + 3_600)
            _ = try await harness.rapport.leads.logFollowUp(waiting[0].id.rawValue, .init(type: "call", outcome: "connected"), by: rep1.caller)

            let analytics = harness.rapport.leadAnalytics
            let all = try await analytics.holdings(page: PageRequest(limit: 50), by: admin.caller)
            #expect(all.pool?.key == "default" && all.pools.map(\.key) == ["default"])
            let byUser = Dictionary(uniqueKeysWithValues: all.people.items.map { ($0.user.id, $0) })
            let one = try #require(byUser[rep1.user.id])
            #expect(one.openLeads == 2 && one.holding == 2 && one.holdingLimit == 8 && one.claimedToday == 0 && one.claimsPerDay == 10)
            #expect(one.openCustomers == 1 && one.awaitingFirstTouch == 1)
            let two = try #require(byUser[rep2.user.id])
            #expect(two.holding == 1 && two.holdingLimit == 5 && two.openCustomers == 0 && two.awaitingFirstTouch == 1)
            // Reclaim numbers are the pool's own preview of the next run, per owner.
            let preview = try await harness.rapport.pools.reclaimPreview("default", by: admin.caller)
            for person in [one, two] {
                #expect(person.reclaimDue == preview.reclaimed.filter { $0.ownerID == person.user.id }.count)
                #expect(person.reclaimWarned == preview.warned.filter { $0.ownerID == person.user.id }.count)
            }
            #expect(one.aboutToBeReclaimed == 1 && two.aboutToBeReclaimed == 1, "the leads never called are about to go back; the called one is not")

            // Claims today count from the pool's day start.
            _ = try await harness.rapport.pools.claim("default", leads: [waiting[3].id.rawValue], by: rep1.caller)
            let later = try await analytics.holdings(pool: "default", page: PageRequest(limit: 50), by: admin.caller)
            let again = try #require(later.people.items.first { $0.user.id == rep1.user.id })
            #expect(again.claimedToday == 1 && again.holding == 3 && again.openLeads == 3)

            // A manager of east sees east's people only; a rep themselves only; a team filter narrows.
            // By default a pool of the caller's own team is shown, before the default pool.
            _ = try await harness.rapport.pools.create(.init(key: "east-pool", name: "East", object: "lead", memberTeams: [east.id.rawValue]), by: harness.system)
            let managed = try await analytics.holdings(page: PageRequest(limit: 50), by: manager.caller)
            #expect(Set(managed.people.items.map(\.user.id)) == [manager.user.id, rep1.user.id])
            #expect(managed.pool?.key == "east-pool" && managed.pools.count == 2)
            #expect(try await analytics.holdings(page: PageRequest(limit: 50), by: admin.caller).pool?.key == "default")
            let mine = try await analytics.holdings(page: PageRequest(limit: 50), by: rep2.caller)
            #expect(mine.people.items.map(\.user.id) == [rep2.user.id])
            let west2 = try await analytics.holdings(team: west.id.rawValue, page: PageRequest(limit: 50), by: manager.caller)
            #expect(west2.people.items.isEmpty, "another team's people stay out of scope even when asked for")
            // Paged in id order.
            let first = try await analytics.holdings(page: PageRequest(limit: 2), by: admin.caller)
            #expect(first.people.nextCursor != nil)
            let next = try await analytics.holdings(page: PageRequest(limit: 50, cursor: first.people.nextCursor), by: admin.caller)
            #expect(first.people.items.count == 2 && Set(first.people.items.map(\.user.id)).isDisjoint(with: next.people.items.map(\.user.id)))
            #expect(first.people.items.count + next.people.items.count == all.people.items.count)

            // Bad input: a customer pool or a bad team id is refused.
            let refused = try await #require(throws: RapportError.self) { try await analytics.holdings(pool: "nope", page: PageRequest(), by: admin.caller) }
            #expect(refused.code == .validationFailed)
            let badTeam = try await #require(throws: RapportError.self) { try await analytics.holdings(team: "x", page: PageRequest(), by: admin.caller) }
            #expect(badTeam.fieldErrors.map(\.field) == ["team_id"])
        }
    }
}
