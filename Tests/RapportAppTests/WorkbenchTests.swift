import Foundation
import RapportApp
import RapportCore
import RapportTestSupport
import Testing

/// The workbench's lists, with a moving clock: what waits for a first call, and what is due for
/// a follow-up (longest untouched first, the caller's own only).
@Suite struct WorkbenchTests {
    @Test(arguments: TestBackend.available)
    func dueForFollowUpListsTheCallersOwnLongestUntouchedFirst(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let other = try await harness.signedIn(.rep, team: team)
            let old = try await harness.rapport.leads.create(LeadInput(name: "Old lead", phone: .some("13800000011")), by: rep.caller).0
            let fresh = try await harness.rapport.leads.create(LeadInput(name: "Fresh lead", phone: .some("13800000012")), by: rep.caller).0
            let untouched = try await harness.rapport.leads.create(LeadInput(name: "Untouched", phone: .some("13800000013")), by: rep.caller).0
            let theirs = try await harness.rapport.leads.create(LeadInput(name: "Theirs", phone: .some("13800000014")), by: other.caller).0
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Middle customer"), by: rep.caller).0

            _ = try await harness.rapport.leads.logFollowUp(old.id.rawValue, .init(type: "call", outcome: "connected"), by: rep.caller)
            _ = try await harness.rapport.leads.logFollowUp(theirs.id.rawValue, .init(type: "call"), by: other.caller)
            harness.clock.advance(by: 3 * 86_400)
            _ = try await harness.rapport.activities.log(.init(customerID: customer.id.rawValue, type: "call", direction: "outbound"), by: rep.caller)
            harness.clock.advance(by: 2 * 86_400)
            _ = try await harness.rapport.leads.logFollowUp(fresh.id.rawValue, .init(type: "wechat"), by: rep.caller)
            harness.clock.advance(by: 3_600)

            let today = try await harness.rapport.workbench.today(by: rep.caller)
            #expect(today.dueForFollowUp.map(\.name) == ["Old lead", "Middle customer", "Fresh lead"])
            #expect(today.dueForFollowUp.map(\.daysSince) == [5, 2, 0])
            #expect(today.dueForFollowUp.map(\.kind) == [.lead, .customer, .lead])
            #expect(today.awaitingFirstTouch.map(\.id) == [untouched.id])
            #expect(try await harness.rapport.workbench.today(by: other.caller).dueForFollowUp.map(\.name) == ["Theirs"])
        }
    }
}
