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

/// The quote pages: a new quote from an opportunity's page, the quote's page with its actions as
/// forms (revise, submit, approve or reject, send, accept, decline, create the order), the list
/// and the manager's approval inbox — every form refusing a wrong CSRF token and changing
/// nothing, every typed name escaped, nothing outside the reader's scope, no one approving their
/// own quote, and both languages.
@Suite struct WebQuotePagesTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    struct World {
        var rep: TestHarness.SignedIn
        var manager: TestHarness.SignedIn
        var outsider: TestHarness.SignedIn
        var opportunity: Opportunity
        var theirQuote: Quote
    }

    /// East (a rep and their manager) with an opportunity for a customer, both named with a
    /// script; west (a rep) with a quote of their own; a product and a 10 % policy, also so named.
    static func world(_ harness: TestHarness) async throws -> World {
        let sales = try await harness.team("sales")
        let east = try await harness.team("east", parent: sales)
        let west = try await harness.team("west", parent: sales)
        let rep = try await harness.signedIn(.rep, team: east)
        let manager = try await harness.signedIn(.manager, team: east)
        let outsider = try await harness.signedIn(.rep, team: west)
        let rapport = harness.rapport
        _ = try await rapport.products.create(.init(sku: "EVIL", name: script, unit: "lesson", prices: [.init(currency: "CNY", amountMinor: 100_000)]),
                                              by: harness.system)
        _ = try await rapport.salesPolicies.create(.init(name: "Spring \(script)", effect: PolicyEffect(kind: "percent_off", basisPoints: 1_000)),
                                                   by: harness.system)
        let customer = try await rapport.customers.create(CustomerInput(kind: "person", name: script), by: rep.caller).0
        let opportunity = try await rapport.opportunities.create(OpportunityInput(name: "Deal \(script)", customer: customer.id.rawValue), by: rep.caller)
        let theirs = try await rapport.customers.create(CustomerInput(kind: "person", name: "SECRET-WEST customer"), by: outsider.caller).0
        let theirOpportunity = try await rapport.opportunities.create(OpportunityInput(name: "West deal", customer: theirs.id.rawValue), by: outsider.caller)
        let theirQuote = try await rapport.quotes.create(for: theirOpportunity.opportunity.id.rawValue, QuoteInput(
            name: "SECRET-WEST offer", currency: "CNY", lines: [QuoteInput.Line(sku: "EVIL", quantity: 1)]), by: outsider.caller).quote
        return World(rep: rep, manager: manager, outsider: outsider, opportunity: opportunity.opportunity, theirQuote: theirQuote)
    }

    /// The quote id a redirect to its page names.
    static func quoteID(_ response: TestResponse) -> String? {
        guard let location = response.headers[.location], location.hasPrefix("/quotes/quo_") else { return nil }
        return String(location.dropFirst("/quotes/".count).prefix { $0 != "?" })
    }

    @Test(arguments: TestBackend.available)
    func aQuoteGoesFromTheOpportunityThroughApprovalToTheOrder(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let (rep, manager) = (world.rep, world.manager)
            let quotes = harness.rapport.quotes
            let opportunityPath = "/opportunities/\(world.opportunity.id)"
            try await harness.http { client in
                // From the opportunity's page to the new-quote form, escaped, its lines offered.
                let opportunityPage = try await client.page(opportunityPath, session: rep.secret)
                #expect(opportunityPage.text.contains("href=\"\(opportunityPath)/quotes/new\""))
                let form = try await client.page("\(opportunityPath)/quotes/new", session: rep.secret)
                #expect(form.status == .ok && form.text.contains(Self.escaped) && !form.text.contains(Self.script))
                #expect(form.text.contains("action=\"\(opportunityPath)/quotes\"") && form.text.contains("15.0%"))

                // A forged form, then a bad row: nothing is stored; the row says what is wrong.
                let fields: [(String, String)] = [("name", "Offer \(Self.script)"), ("currency", "CNY"), ("price_book", ""), ("notes", "Terms \(Self.script)"),
                                                  ("sku", "EVIL"), ("quantity", "2"), ("discount", "20%"), ("sku", ""), ("quantity", ""), ("discount", "")]
                #expect(try await client.submit("\(opportunityPath)/quotes", session: rep.secret, fields, csrf: "forged").status == .forbidden)
                let bad = try await client.submit("\(opportunityPath)/quotes", session: rep.secret, [
                    ("currency", "CNY"), ("sku", ""), ("quantity", ""), ("discount", ""), ("sku", "EVIL"), ("quantity", "0"), ("discount", "x%"),
                ])
                #expect(bad.status == .unprocessableContent && bad.text.contains("id=\"new-line-2-error\"") && bad.text.contains("Quantity is out of range."))
                #expect(try await quotes.list(.init(), page: PageRequest(), by: rep.caller).items.isEmpty)

                // Created: priced with the policy (applied, with its amount) and the 20 % by hand.
                let created = try await client.submit("\(opportunityPath)/quotes", session: rep.secret, fields)
                let id = try #require(Self.quoteID(created), "\(created.status) \(created.text)")
                let path = "/quotes/\(id)"
                let current: @Sendable () async throws -> Quote = { try await quotes.get(id, by: rep.caller).quote }
                let draft = try await current()
                // 2 × 1 000.00 = 2 000.00 − 10 % = 1 800.00 − 20 % = 1 440.00: 28 % off, above 15 %.
                #expect(draft.totals.totalMinor == 144_000 && draft.totals.discountBasisPoints == 2_800 && draft.name == "Offer \(Self.script)")
                let page = try await client.page(path, session: rep.secret)
                #expect(page.status == .ok && !page.text.contains(Self.script) && page.body.readableBytes < 100_000)
                #expect(page.text.components(separatedBy: Self.escaped).count - 1 >= 5)  // name, customer, product, policy, notes
                #expect(page.text.contains("¥1,440.00") && page.text.contains("¥200.00") && page.text.contains("20.0% (¥360.00)") && page.text.contains("28.0%"))
                #expect(page.text.contains("is above the approval threshold of 15.0%") && page.text.contains("action=\"\(path)/submit\""))
                #expect(!page.text.contains("action=\"\(path)/approve\""))

                // Submit: forged changes nothing; then it waits for the manager.
                let version = String(draft.version)
                #expect(try await client.submit("\(path)/submit", session: rep.secret, [("version", version)], csrf: "forged").status == .forbidden)
                #expect(try await current() == draft)
                #expect(try await client.submit("\(path)/submit", session: rep.secret, [("version", version)]).status == .seeOther)
                let pending = try await current()
                #expect(pending.status == .pendingApproval)

                // The rep cannot approve their own quote: a clear message, nothing changed.
                let own = try await client.submit("\(path)/approve", session: rep.secret, [("version", String(pending.version))])
                #expect(own.status == .forbidden && own.text.contains("You cannot approve or reject your own quote"))
                #expect(try await current() == pending)
                let waiting = try await client.page(path, session: rep.secret)
                #expect(waiting.text.contains("Waiting for approval by") && !waiting.text.contains("action=\"\(path)/approve\""))
                let repInbox = try await client.page("/quotes/approvals", session: rep.secret)
                #expect(repInbox.status == .ok && !repInbox.text.contains(id))

                // The manager's inbox (from the workbench and /manage): approve with a comment there.
                #expect(try await client.page("/workbench", session: manager.secret).text.contains("href=\"/quotes/approvals\""))
                #expect(try await client.page("/manage", session: manager.secret).text.contains("href=\"/quotes/approvals\""))
                let inbox = try await client.page("/quotes/approvals", session: manager.secret)
                #expect(inbox.status == .ok && inbox.text.contains("href=\"\(path)\"") && inbox.text.contains(Self.escaped) && !inbox.text.contains(Self.script))
                #expect(inbox.text.contains("28.0%") && !inbox.text.contains("SECRET-WEST"))
                let decision = [("version", String(pending.version)), ("return_to", "/quotes/approvals")]
                #expect(try await client.submit("\(path)/approve", session: manager.secret, decision, csrf: "forged").status == .forbidden)
                let noComment = try await client.submit("\(path)/reject", session: manager.secret, decision)
                #expect(noComment.status == .unprocessableContent && noComment.text.contains("Comment is required."))
                #expect(try await current() == pending)
                let approved = try await client.submit("\(path)/approve", session: manager.secret, decision + [("comment", "OK \(Self.script)")])
                #expect(approved.status == .seeOther && approved.headers[.location] == "/quotes/approvals?notice=quote_approved")
                #expect(try await current().status == .approved)
                #expect(!(try await client.page("/quotes/approvals", session: manager.secret).text.contains(id)))

                // Send and accept, each refusing a forged form; then the order, forged first.
                for (action, status) in [("send", QuoteStatus.sent), ("accept", .accepted)] {
                    let before = try await current()
                    #expect(try await client.submit("\(path)/\(action)", session: rep.secret, [("version", String(before.version))], csrf: "forged").status == .forbidden)
                    #expect(try await current() == before)
                    #expect(try await client.submit("\(path)/\(action)", session: rep.secret, [("version", String(before.version))]).status == .seeOther)
                    #expect(try await current().status == status)
                }
                #expect(try await client.page(path, session: rep.secret).text.contains("action=\"\(path)/orders\""))
                #expect(try await client.submit("\(path)/orders", session: rep.secret, [("title", "Order")], csrf: "forged").status == .forbidden)
                #expect(try await harness.count("orders") == 0)
                let ordered = try await client.submit("\(path)/orders", session: rep.secret, [("title", "Order \(Self.script)")])
                let location = try #require(ordered.headers[.location])
                #expect(ordered.status == .seeOther && location.hasPrefix("/orders/ord_"))
                let order = try await harness.rapport.orders.list(.init(), page: PageRequest(), by: rep.caller).items
                #expect(order.count == 1 && order.first?.quoteID == id && order.first?.total.amountMinor == 144_000)
                let done = try await client.page(path, session: rep.secret)
                #expect(done.text.contains("href=\"/orders/\(order.first?.id.rawValue ?? "")\"") && !done.text.contains("action=\"\(path)/orders\""))
                #expect(done.text.contains("OK \(Self.escaped)") && !done.text.contains(Self.script))
                let twice = try await client.submit("\(path)/orders", session: rep.secret, [("title", "Again")])
                #expect(twice.status == .conflict && twice.text.contains("An order was already created from this quote."))
                #expect(try await harness.count("orders") == 1)

                // In Chinese.
                let chinese = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("报价") && chinese.text.contains("审批记录") && chinese.text.contains("已接受"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func revisingListsAndScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let rep = world.rep
            let quotes = harness.rapport.quotes
            let quote = try await quotes.create(for: world.opportunity.id.rawValue, QuoteInput(
                name: "Mine \(Self.script)", currency: "CNY", lines: [QuoteInput.Line(sku: "EVIL", quantity: 1)]), by: rep.caller).quote
            let path = "/quotes/\(quote.id)"
            let current: @Sendable () async throws -> Quote = { try await quotes.get(quote.id.rawValue, by: rep.caller).quote }
            let theirPath = "/quotes/\(world.theirQuote.id)"
            try await harness.http { client in
                // The list: the nav entry, the rep's quote escaped, nothing of the west; the filters.
                let list = try await client.page("/quotes", session: rep.secret)
                #expect(list.status == .ok && list.text.contains("href=\"/quotes\"") && list.text.contains("href=\"\(path)\""))
                #expect(list.text.contains(Self.escaped) && !list.text.contains(Self.script) && !list.text.contains("SECRET-WEST"))
                #expect(!(try await client.page("/quotes?status=accepted", session: rep.secret).text.contains(path)))
                #expect(try await client.page("/quotes?status=draft&whose=all", session: rep.secret).text.contains(path))
                #expect(try await client.page("/quotes?opportunity=\(world.opportunity.id)", session: rep.secret).text.contains(path))
                #expect(try await client.page("/quotes?status=bogus", session: rep.secret).status == .ok)
                let managerList = try await client.page("/quotes?whose=all", session: world.manager.secret)
                #expect(managerList.text.contains(path) && !managerList.text.contains("SECRET-WEST"))
                let chinese = try await client.page("/quotes", session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("报价") && chinese.text.contains("草稿"))

                // Another team's quote: not listed, its page and forms 404, nothing changed.
                #expect(try await client.page(theirPath, session: rep.secret).status == .notFound)
                #expect(try await client.page("/quotes?whose=all", session: world.manager.secret).status == .ok)
                for action in ["submit", "send", "approve"] {
                    #expect(try await client.submit("\(theirPath)/\(action)", session: rep.secret, [("version", "1")]).status == .notFound)
                }
                #expect(try await client.page("/opportunities/\(world.theirQuote.opportunityID)/quotes/new", session: rep.secret).status == .notFound)
                #expect(try await quotes.get(world.theirQuote.id.rawValue, by: world.outsider.caller).quote == world.theirQuote)
                #expect(try await client.page(path, session: world.outsider.secret).status == .notFound)

                // Revise: forged and stale forms change nothing; a good one re-prices.
                let revise: [(String, String)] = [("version", String(quote.version)), ("name", "Revised \(Self.script)"), ("valid_until", quote.validUntil),
                                                  ("price_book", ""), ("new_customer", "yes"), ("rounding", "half_up"), ("notes", ""),
                                                  ("sku", "EVIL"), ("quantity", "3"), ("discount", "100.00")]
                #expect(try await client.submit("\(path)/revise", session: rep.secret, revise, csrf: "forged").status == .forbidden)
                var stale = revise
                stale[0] = ("version", String(quote.version + 5))
                let staleResponse = try await client.submit("\(path)/revise", session: rep.secret, stale)
                #expect(staleResponse.status == .preconditionFailed)
                #expect(try await current() == quote)
                let revised = try await client.submit("\(path)/revise", session: rep.secret, revise)
                #expect(revised.status == .seeOther, "\(revised.text)")
                let now = try await current()
                // 3 000.00 − 10 % = 2 700.00 − 100.00 = 2 600.00.
                #expect(now.name == "Revised \(Self.script)" && now.totals.totalMinor == 260_000 && now.lines.first?.manualDiscount == .amount(10_000))
                let page = try await client.page(path, session: rep.secret)
                #expect(page.text.contains("¥2,600.00") && page.text.contains("value=\"100.00\"") && page.text.contains("is within the approval threshold"))
            }
        }
    }
}
