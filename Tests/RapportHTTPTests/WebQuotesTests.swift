import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The printable quote: everything the customer needs on one page, in both languages, every name
/// escaped, and nothing outside the reader's scope.
@Suite struct WebQuotesTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func theQuotePrintsEscapedInBothLanguagesAndOnlyInScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let manager = try await harness.signedIn(.manager, team: east)
            let stranger = try await harness.signedIn(.rep, team: west)
            let rapport = harness.rapport
            _ = try await rapport.products.create(.init(sku: "EVIL", name: Self.script, unit: "lesson", prices: [.init(currency: "CNY", amountMinor: 123_456)]),
                                                  by: harness.system)
            _ = try await rapport.salesPolicies.create(.init(name: "Spring \(Self.script)", effect: PolicyEffect(kind: "percent_off", basisPoints: 1_000)),
                                                       by: harness.system)
            let customer = try await rapport.customers.create(CustomerInput(kind: "person", name: "王 \(Self.script)"), by: rep.caller).0
            let opportunity = try await rapport.opportunities.create(OpportunityInput(name: "Deal", customer: customer.id.rawValue), by: rep.caller).opportunity
            let quote = try await rapport.quotes.create(for: opportunity.id.rawValue, QuoteInput(
                name: "Offer \(Self.script)", currency: "CNY", validUntil: "2026-02-01", notes: .some("Pay within 7 days.\n\(Self.script)"),
                lines: [QuoteInput.Line(sku: "EVIL", quantity: 2, discount: .basisPoints(500))]), by: rep.caller).quote
            let theirs = try await rapport.customers.create(CustomerInput(kind: "person", name: "West customer"), by: stranger.caller).0
            let theirOpportunity = try await rapport.opportunities.create(OpportunityInput(name: "West deal", customer: theirs.id.rawValue), by: stranger.caller)
            let theirQuote = try await rapport.quotes.create(for: theirOpportunity.opportunity.id.rawValue, QuoteInput(
                currency: "CNY", lines: [QuoteInput.Line(sku: "EVIL", quantity: 1)]), by: stranger.caller).quote

            try await harness.http { client in
                let path = "/quotes/\(quote.id)/print"
                let page = try await client.page(path, session: rep.secret)
                #expect(page.status == .ok && !page.text.contains(Self.script))
                #expect(page.text.components(separatedBy: Self.escaped).count - 1 == 6)  // product, policy, customer, notes, the quote's name (title, heading)
                // 246 912 − 10 % = 222 220.8 → 222 221 (half up) − 5 % = 211 110 (211 109.95).
                #expect(page.text.contains("¥2,469.12") && page.text.contains("¥2,111.10") && page.text.contains("2026-02-01"))
                #expect(page.text.contains("Valid until") && page.text.contains("Draft") && page.text.contains("14.5%"))
                #expect(page.body.readableBytes < 100_000)
                let chinese = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("报价单") && chinese.text.contains("有效期至") && chinese.text.contains("应付金额"))
                #expect(try await client.page(path, session: manager.secret).status == .ok)

                // Another team's quote is not there at all; nor is a quote for a stranger.
                #expect(try await client.page("/quotes/\(theirQuote.id)/print", session: rep.secret).status == .notFound)
                #expect(try await client.page(path, session: stranger.secret).status == .notFound)
                #expect(try await client.page("/quotes/quo_nothing/print", session: rep.secret).status == .notFound)
                // Signed out: to the sign-in page.
                let signedOut = try await client.send(.get, path, headers: [:])
                #expect(signedOut.status == .seeOther || signedOut.status == .found)
            }
        }
    }
}
