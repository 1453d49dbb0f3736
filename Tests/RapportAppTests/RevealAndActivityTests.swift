import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Reveal quotas and audit, the shared timeline and the contact-frequency cap, with a moving clock.
@Suite struct RevealAndActivityTests {
    @Test(arguments: TestBackend.available)
    func revealIsCountedPerHourAndAudited(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let manager = try await harness.signedIn(.manager, team: team)
            let service = try await harness.signedIn(.service, team: team)
            let (customer, _) = try await harness.rapport.customers.create(
                CustomerUseCaseTests.person("Reveal Me", phone: "13800138000", email: "reveal@example.com"), by: rep.caller)
            let customers = harness.rapport.customers
            let auditBefore = try await harness.count("audit_log")
            let revealed = try await customers.reveal(customer.id.rawValue, by: rep.caller)
            #expect(Set(revealed.contacts.map(\.value)) == ["+8613800138000", "reveal@example.com"])
            #expect(revealed.quota == 30 && revealed.used == 1)
            #expect(try await harness.count("audit_log") == auditBefore + 1)
            for _ in 2...30 { _ = try await customers.reveal(customer.id.rawValue, by: rep.caller) }
            let limited = try await #require(throws: RapportError.self) { try await customers.reveal(customer.id.rawValue, by: rep.caller) }
            #expect(limited.code == .rateLimited && (limited.retryAfterSeconds ?? 0) > 0)
            #expect(try await harness.count("audit_log") == auditBefore + 30)  // the refused one is not a reveal
            // The manager has a quota of their own, and reveals within scope.
            #expect(try await customers.reveal(customer.id.rawValue, by: manager.caller).quota == 100)
            // Roles without reveal permission never see the values.
            let refused = try await #require(throws: RapportError.self) { try await customers.reveal(customer.id.rawValue, by: service.caller) }
            #expect(refused.code == .forbidden || refused.code == .notFound)
            // Next hour, the rep may reveal again.
            harness.clock.advance(by: 3_600)
            #expect(try await customers.reveal(customer.id.rawValue, by: rep.caller).used == 1)
            // Nobody reveals a pool record (a customer without an owner), not even an admin.
            let admin = try await harness.signedIn(.admin)
            let pooled = try await customers.update(customer.id.rawValue, CustomerInput(owner: .some(nil)), expectedVersion: nil, by: admin.caller)
            #expect(pooled.ownerID == nil)
            let pool = try await #require(throws: RapportError.self) { try await customers.reveal(customer.id.rawValue, by: admin.caller) }
            #expect(pool.code == .forbidden)
        }
    }

    @Test(arguments: TestBackend.available)
    func parallelRevealsNeverExceedTheQuota(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let (customer, _) = try await harness.rapport.customers.create(CustomerUseCaseTests.person("P", phone: "13800138001"), by: rep.caller)
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        do {
                            _ = try await harness.rapport.customers.reveal(customer.id.rawValue, by: rep.caller)
                            return true
                        } catch let error as RapportError where error.code == .rateLimited || error.code == .unavailable {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count <= 30)
            #expect(results.filter { $0 }.count >= 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func oneTimelineAcrossRolesWithTheFrequencyCap(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let repA = try await harness.signedIn(.rep, team: team)
            let manager = try await harness.signedIn(.manager, team: team)
            let admin = try await harness.signedIn(.admin)
            let (customer, _) = try await harness.rapport.customers.create(CustomerUseCaseTests.person("Touched", phone: "13800138002"), by: repA.caller)
            let activities = harness.rapport.activities
            let id = customer.id.rawValue
            // Three outbound touches by two people are within the cap; inbound and notes never count.
            _ = try await activities.log(.init(customerID: id, type: "call", durationSeconds: 120, outcome: "connected"), by: repA.caller)
            harness.clock.advance(by: 60)
            _ = try await activities.log(.init(customerID: id, type: "wechat", direction: "inbound", body: "Hi"), by: repA.caller)
            _ = try await activities.log(.init(customerID: id, type: "note", body: "Prefers evenings"), by: manager.caller)
            harness.clock.advance(by: 60)
            _ = try await activities.log(.init(customerID: id, type: "sms"), by: manager.caller)
            harness.clock.advance(by: 60)
            let third = try await activities.log(.init(customerID: id, type: "visit", place: "Shanghai office"), by: repA.caller)
            #expect(third.outboundInWindow == 3 && !third.activity.capWarning)
            harness.clock.advance(by: 60)
            let fourth = try await activities.log(.init(customerID: id, type: "email"), by: repA.caller)
            #expect(fourth.outboundInWindow == 4 && fourth.activity.capWarning)
            // Block mode refuses the next outbound touch, but not an inbound one.
            var settings = try await harness.rapport.settingsUseCases.customers(by: admin.caller)
            settings.frequencyCap = ContactFrequencyCap(limit: 3, periodDays: 7, mode: .block)
            _ = try await harness.rapport.settingsUseCases.setCustomers(settings, by: admin.caller)
            let before = try await harness.count("activities")
            let blocked = try await #require(throws: RapportError.self) { try await activities.log(.init(customerID: id, type: "call"), by: manager.caller) }
            #expect(blocked.code == .rateLimited && blocked.extra["reason"] == "contact_frequency_cap")
            #expect(try await harness.count("activities") == before)
            _ = try await activities.log(.init(customerID: id, type: "call", direction: "inbound"), by: repA.caller)
            // A week after the first touches, the window has room again.
            harness.clock.advance(by: 7 * 86_400 - 100)
            _ = try await activities.log(.init(customerID: id, type: "call"), by: repA.caller)

            // One timeline, newest first, shared by every role, paginated.
            let page1 = try await activities.timeline(id, page: PageRequest(limit: 3), by: repA.caller)
            #expect(page1.items.count == 3 && page1.nextCursor != nil)
            let page2 = try await activities.timeline(id, page: PageRequest(limit: 50, cursor: page1.nextCursor), by: manager.caller)
            let all = page1.items + page2.items
            #expect(all.count == 8)
            #expect(all.map(\.occurredAt) == all.map(\.occurredAt).sorted(by: >))
            #expect(Set(all.compactMap(\.actorID)) == [repA.user.id, manager.user.id])

            // Withdrawn consent to sales contact on a channel stops outbound touches there.
            _ = try await harness.rapport.customers.update(id, CustomerInput(consents: [.init(channel: "email", purpose: "sales", status: "withdrawn")]),
                                                           expectedVersion: nil, by: repA.caller)
            let withdrawn = try await #require(throws: RapportError.self) { try await activities.log(.init(customerID: id, type: "email"), by: repA.caller) }
            #expect(withdrawn.extra["reason"] == "consent_withdrawn")
            // Do-not-contact stops outbound touches altogether.
            _ = try await harness.rapport.customers.update(id, CustomerInput(doNotContact: true), expectedVersion: nil, by: repA.caller)
            let dnc = try await #require(throws: RapportError.self) { try await activities.log(.init(customerID: id, type: "sms", direction: "outbound"), by: repA.caller) }
            #expect(dnc.extra["reason"] == "do_not_contact")

            let view = try await harness.rapport.customers.view360(id, by: manager.caller)
            #expect(view.timeline.items.count == 8 && view.stageHistory.map(\.to) == ["new"] && view.customer.doNotContact)
            #expect(view.customer.contacts.allSatisfy { !$0.value.contains("13800138002") })
        }
    }
}
