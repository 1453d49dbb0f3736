import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Follow-ups on leads: they keep a lead from the no-follow-up reclaim, and join the customer's
/// timeline at conversion.
@Suite struct LeadFollowUpTests {
    @Test(arguments: TestBackend.available)
    func followUpsHoldOffTheReclaimAndMoveToTheCustomerTimeline(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            var rules = PoolRules(protectionDays: 0)
            rules.reclaim = ReclaimRules(noFollowUpDays: 5, noProgressDays: nil, notConvertedDays: nil, ownerDisabled: false, warningDays: 0)
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: rules)
            let rep = try await LeadPoolTests.rep(harness, 1, team: team)
            let other = try await LeadPoolTests.rep(harness, 2, team: team)
            let (kept, _) = try await harness.rapport.leads.create(LeadInput(name: "Called", phone: .some("13500000001"), customFields: ["grade": .string("adult"), "subject_interest": .array([.string("math")])]), by: rep)
            let (dropped, _) = try await harness.rapport.leads.create(LeadInput(name: "Forgotten", phone: .some("13500000002")), by: rep)

            // Bad input names each field and stores nothing; someone else's lead is not found.
            let bad = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.logFollowUp(kept.id.rawValue, .init(type: "fax", durationSeconds: -1), by: rep)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["type", "duration_seconds"])
            let hidden = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.logFollowUp(kept.id.rawValue, .init(type: "call"), by: other)
            }
            #expect(hidden.code == .notFound)
            #expect(try await harness.count("lead_activities") == 0)

            // Day 3: a call on one lead; a note (not a touch) on the other.
            harness.clock.advance(by: 3 * 86_400)
            let call = try await harness.rapport.leads.logFollowUp(kept.id.rawValue, .init(type: "call", subject: "Trial class", durationSeconds: 180,
                                                                                            outcome: "connected"), by: rep)
            #expect(call.direction == .outbound && call.actorID == rep.principal?.userID)
            _ = try await harness.rapport.leads.logFollowUp(dropped.id.rawValue, .init(type: "note", body: "Try again next week"), by: rep)
            #expect(try await harness.rapport.leads.get(kept.id.rawValue, by: rep).lastFollowUpAt == harness.clock.now())
            #expect(try await harness.rapport.leads.get(dropped.id.rawValue, by: rep).lastFollowUpAt == nil)
            // A touch logged late (for yesterday) never moves the time back.
            _ = try await harness.rapport.leads.logFollowUp(kept.id.rawValue, .init(type: "sms", occurredAt: harness.clock.now().addingTimeInterval(-86_400)), by: rep)
            #expect(try await harness.rapport.leads.get(kept.id.rawValue, by: rep).lastFollowUpAt == harness.clock.now())

            // Day 6: the lead without a touch for 5 days goes back to the pool; the called one stays.
            harness.clock.advance(by: 3 * 86_400)
            let report = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            #expect(report.reclaimed.map(\.recordID) == [dropped.id])
            let page = try await harness.rapport.leads.followUps(kept.id.rawValue, page: PageRequest(limit: 1), by: rep)
            #expect(page.items.map(\.type) == [.call] && page.nextCursor != nil)
            let rest = try await harness.rapport.leads.followUps(kept.id.rawValue, page: PageRequest(limit: 5, cursor: page.nextCursor), by: rep)
            #expect(rest.items.map(\.type) == [.sms] && rest.nextCursor == nil)

            // Conversion: the calls join the customer's timeline, related to the lead.
            _ = try await harness.rapport.leads.move(kept.id.rawValue, to: "contacting", reason: nil, by: rep)
            _ = try await harness.rapport.leads.move(kept.id.rawValue, to: "qualified", reason: nil, by: rep)
            let conversion = try await harness.rapport.leads.convert(kept.id.rawValue, by: rep)
            let timeline = try await harness.rapport.activities.timeline(conversion.customer.id.rawValue, page: PageRequest(), by: rep).items
            #expect(timeline.map(\.type) == [.call, .sms])
            #expect(timeline.allSatisfy { $0.relatedKind == "lead" && $0.relatedID == kept.id.rawValue && $0.actorID == rep.principal?.userID })
            #expect(timeline[0].durationSeconds == 180 && timeline[0].outcome == "connected")
        }
    }
}
