import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The approval inbox: a quote waiting for approval is in the inbox of whoever may decide it (the
/// owner's manager, an administrator) and of no one else (not the owner, not another team's
/// manager), and leaves it once decided.
@Suite struct QuoteInboxTests {
    @Test(arguments: TestBackend.available)
    func pendingQuotesWaitForTheirApproversOnly(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let manager = try await harness.signedIn(.manager, team: east)
            let otherManager = try await harness.signedIn(.manager, team: west)
            let admin = try await harness.signedIn(.admin)
            try await QuoteTests.catalog(harness)
            let quotes = harness.rapport.quotes
            let opportunity = try await QuoteTests.opportunity(harness, by: rep)
            let quote = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(
                currency: "CNY", lines: QuoteTests.lines([("A", 2, .basisPoints(3_000))])), by: rep.caller).quote
            // A draft waits for no one.
            #expect(try await quotes.approvalInbox(page: PageRequest(), by: manager.caller).items.isEmpty)
            let pending = try await quotes.submit(quote.id.rawValue, by: rep.caller)
            #expect(pending.quote.status == .pendingApproval)

            func inbox(_ person: TestHarness.SignedIn) async throws -> [RecordID] {
                try await quotes.approvalInbox(page: PageRequest(), by: person.caller).items.map(\.quote.id)
            }
            #expect(try await inbox(manager) == [quote.id])
            #expect(try await inbox(admin) == [quote.id])
            #expect(try await inbox(rep).isEmpty)
            #expect(try await inbox(otherManager).isEmpty)
            let listed = try #require(try await quotes.approvalInbox(page: PageRequest(), by: manager.caller).items.first)
            #expect(listed.approvals.count == 1 && listed.approvals.first?.decision == .pending)
            #expect(try await quotes.mayDecide(pending, by: manager.caller))
            #expect(try await quotes.mayDecide(pending, by: admin.caller))
            #expect(!(try await quotes.mayDecide(pending, by: rep.caller)))
            #expect(!(try await quotes.mayDecide(pending, by: otherManager.caller)))

            // The rep cannot read the manager's profile, but sees who is asked to approve, by name.
            let names = try await quotes.names(in: pending, history: try await quotes.history(quote.id.rawValue, by: rep.caller))
            #expect(names[manager.user.id] == manager.user.name && names[rep.user.id] == rep.user.name && names.count == 2)
            _ = try await quotes.decide(quote.id.rawValue, approve: true, comment: nil, by: manager.caller)
            #expect(try await inbox(manager).isEmpty)
            #expect(try await inbox(admin).isEmpty)
            let approved = try await quotes.get(quote.id.rawValue, by: rep.caller)
            #expect(!(try await quotes.mayDecide(approved, by: manager.caller)))
        }
    }
}
