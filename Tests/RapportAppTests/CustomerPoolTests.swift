import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Customer pools (公海客户) on both engines with a moving clock: release, masked waiting list,
/// claims within the holding limit (open customers only, won ones excluded), the daily cap, the
/// ex-owner cooldown, protection, the no-follow-up reclaim that a logged call holds off, and
/// handover into a customer pool.
@Suite struct CustomerPoolTests {
    static func customer(_ harness: TestHarness, _ name: String, phone: String, stage: String? = nil, by caller: Caller) async throws -> Customer {
        try await harness.rapport.customers.create(
            CustomerInput(kind: "person", name: name, stage: stage, customFields: stage == nil ? [:] : ["grade": .string("primary_1"), "parent_phone": .string("13900001234")],
                          contacts: [.init(kind: "phone", value: phone)]), by: caller).0
    }

    @Test(arguments: TestBackend.available)
    func customersTurnOverThroughAPoolUnderEveryRule(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            var rules = PoolRules(holdingLimit: LevelLimits(2), claimsPerDay: LevelLimits(3), excludeWon: true, protectionDays: 2, cooldownDays: 5,
                                  timeZone: "UTC")
            rules.reclaim = ReclaimRules(noFollowUpDays: 10, noProgressDays: nil, notConvertedDays: nil, ownerDisabled: true, warningDays: 2)
            let pool = try await harness.rapport.pools.create(.init(key: "sea", name: "公海", object: "customer", memberTeams: [team.id.rawValue], rules: rules),
                                                              by: harness.system)
            let leadPool = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: PoolRules())
            let first = try await LeadPoolTests.rep(harness, 1, team: team)
            let second = try await LeadPoolTests.rep(harness, 2, team: team)
            let won = try await Self.customer(harness, "Won", phone: "13700000001", stage: "enrolled", by: first)
            var open: [Customer] = []
            for index in 0..<3 { open.append(try await Self.customer(harness, "Open \(index)", phone: "1370000001\(index)", by: first)) }

            // Release needs a reason and a customer pool; then the customers wait, masked, out of the ex-owner's sight.
            let noReason = try await #require(throws: RapportError.self) { try await harness.rapport.customers.release(won.id.rawValue, reason: " ", by: first) }
            #expect(noReason.fieldErrors.map(\.field) == ["reason"])
            let noPool = try await #require(throws: RapportError.self) { try await harness.rapport.customers.release(won.id.rawValue, reason: "x", by: first) }
            #expect(noPool.fieldErrors.map(\.field) == ["pool_id"])
            let leadsOnly = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.release(won.id.rawValue, into: leadPool.key, reason: "x", by: first)
            }
            #expect(leadsOnly.fieldErrors.map(\.code) == ["invalid"])
            for customer in [won] + open { _ = try await harness.rapport.customers.release(customer.id.rawValue, into: pool.key, reason: "Moving on", by: first) }
            let waiting = try await harness.rapport.pools.waitingCustomers(pool.key, page: PageRequest(), by: second)
            #expect(Set(waiting.items.map(\.id)) == Set(([won] + open).map(\.id)))
            #expect(waiting.items.allSatisfy { $0.ownerID == nil && $0.contacts.allSatisfy { $0.value.contains("****") } })
            let gone = try await #require(throws: RapportError.self) { try await harness.rapport.customers.get(open[0].id.rawValue, by: first) }
            #expect(gone.code == .notFound)

            // The holding limit (2) counts open customers only: the won one is excluded.
            _ = try await harness.rapport.pools.claimCustomers(pool.key, customers: [won.id.rawValue, open[0].id.rawValue], by: second)
            _ = try await harness.rapport.pools.claimCustomers(pool.key, customers: [open[1].id.rawValue], by: second)
            let full = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claimCustomers(pool.key, customers: [open[2].id.rawValue], by: second)
            }
            #expect(full.code == .holdingLimitReached && full.extra["holding"] == "2")
            // A lost customer no longer counts — but three claims today reach the daily cap.
            _ = try await harness.rapport.customers.move(open[0].id.rawValue, to: "lost", reason: "Moved away", by: second)
            let capped = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claimCustomers(pool.key, customers: [open[2].id.rawValue], by: second)
            }
            #expect(capped.code == .claimLimitReached)
            // The ex-owner's cooldown: 5 days after letting them go.
            let cooling = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claimCustomers(pool.key, customers: [open[2].id.rawValue], by: first)
            }
            #expect(cooling.code == .cooldownActive)
            harness.clock.advance(by: 86_400)
            let claimed = try await harness.rapport.pools.claimCustomers(pool.key, customers: [open[2].id.rawValue], by: second)
            #expect(claimed.map(\.ownerID) == [second.principal?.userID])
            #expect(try await harness.rapport.pools.standing(pool.key, by: second).holding == 2)

            // Day 9: a call on open[2] resets its clock; the preview warns about open[1] (due day 10).
            harness.clock.advance(by: 8 * 86_400)
            _ = try await harness.rapport.activities.log(.init(customerID: open[2].id.rawValue, type: "call", durationSeconds: 60), by: second)
            let preview = try await harness.rapport.pools.reclaimPreview(pool.key, by: harness.system)
            #expect(preview.object == .customer && preview.reclaimed.isEmpty && preview.warned.map(\.recordID) == [open[1].id])
            let early = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            #expect(early.reclaimed.isEmpty && early.warned.map(\.recordID) == [open[1].id])
            // Day 11: the run takes open[1] back — once — with its reason; the won and the lost stay.
            harness.clock.advance(by: 2 * 86_400)
            let run = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            #expect(run.reclaimed.map(\.recordID) == [open[1].id] && run.reclaimed[0].reason == .noFollowUp)
            #expect(try await harness.rapport.pools.reclaim(pool.key, by: harness.system).reclaimed.isEmpty)
            let log = try await harness.rapport.customers.assignments(open[1].id.rawValue, by: harness.system)
            #expect(log.map(\.kind) == [.release, .claim, .reclaim] && log[2].from == second.principal?.userID && log[2].reason == "no_follow_up")
            let told = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: second).items
            #expect(told.contains { $0.kind == "customer.reclaimed" && $0.objectID == open[1].id.rawValue })
            #expect(told.contains { $0.kind == "customer.reclaim_warning" && $0.objectID == open[1].id.rawValue })
            let again = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claimCustomers(pool.key, customers: [open[1].id.rawValue], by: second)
            }
            #expect(again.code == .cooldownActive)

            // A manager assigns it to the first rep (past their cooldown on it, which only governs claims).
            let manager = try await harness.signedIn(.manager, team: team)
            let assigned = try await harness.rapport.pools.assignCustomers(pool.key, customers: [open[1].id.rawValue], to: first.principal!.userID.rawValue,
                                                                         reason: "Knows the family", by: manager.caller)
            #expect(assigned.map(\.ownerID) == [first.principal?.userID])

            // A handover sends the second rep's customers into the pool; their stages stay.
            let admin = try await harness.signedIn(.admin)
            _ = try await harness.rapport.handovers.handOver(.init(user: second.principal!.userID.rawValue, reason: "Left",
                                                                   targets: [.customers: .init(to: "pool", pool: pool.key)]), by: admin.caller)
            let after = try await harness.rapport.pools.waitingCustomers(pool.key, page: PageRequest(), by: admin.caller).items
            #expect(Set(after.map(\.id)) == [won.id, open[0].id, open[2].id])
            #expect(after.first { $0.id == won.id }?.stage == "enrolled" && after.first { $0.id == open[0].id }?.stage == "lost")
        }
    }
}
