import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportTestSupport
import RapportWeb
import Testing

/// Every page, as each role reaches it by following links from the workbench: no page leaks a
/// record outside the reader's scope, no page lets a script through unescaped, every page
/// answers 200 in both languages and stays well under 100 KB.
@Suite struct WebCrawlTests {
    static let script = "<script>alert(1)</script>"
    static let secret = "SECRET-WEST"

    /// Pages reachable from the workbench by same-site links (GET only; sign-out, static files,
    /// downloads and the API left out), up to `limit` pages, with their responses.
    static func crawl(_ client: any TestClientProtocol, session: String, language: String, limit: Int = 120) async throws -> [(String, TestResponse)] {
        var queue = ["/workbench"], seen: Set<String> = ["/workbench"], pages: [(String, TestResponse)] = []
        let link = try Regex(##"href="(/[^"#]*)""##)
        while !queue.isEmpty, pages.count < limit {
            let path = queue.removeFirst()
            let response = try await client.page(path, session: session, language: language)
            pages.append((path, response))
            guard response.headers[.contentType]?.hasPrefix("text/html") == true else { continue }
            for match in response.text.matches(of: link) {
                let target = String(response.text[match.output[1].range!]).replacingOccurrences(of: "&amp;", with: "&")
                if seen.contains(target) || target.hasPrefix("/static/") || target.hasPrefix("/api/") || target.hasPrefix("/logout")
                    || target.hasSuffix(".csv") || target.hasPrefix("/openapi") { continue }
                seen.insert(target)
                queue.append(target)
            }
        }
        return pages
    }

    @Test(arguments: TestBackend.available)
    func everyPageKeepsToTheReadersScopeAndEscapesWhatUsersTyped(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let sales = try await harness.team("sales")
            let east = try await harness.team("east", parent: sales)
            let west = try await harness.team("west", parent: sales)
            let rep = try await harness.signedIn(.rep, team: east)
            let manager = try await harness.signedIn(.manager, team: east)
            let admin = try await harness.signedIn(.admin)
            let outsider = try await harness.signedIn(.rep, team: west)
            let rapport = harness.rapport

            // East: records whose names and notes carry a script.
            let customer = try await rapport.customers.create(
                CustomerInput(kind: "person", name: Self.script, contacts: [.init(kind: "phone", value: "13900000042")], tags: ["vip"]), by: rep.caller).0
            _ = try await rapport.activities.log(.init(customerID: customer.id.rawValue, type: "note", subject: Self.script, body: Self.script), by: rep.caller)
            _ = try await rapport.activities.log(.init(customerID: customer.id.rawValue, type: "call", subject: Self.script, outcome: "connected"), by: rep.caller)
            let lead = try await rapport.leads.create(LeadInput(name: Self.script, company: .some("<b>web</b>"), phone: .some("13800000042")), by: rep.caller).0
            _ = try await rapport.leads.logFollowUp(lead.id.rawValue, .init(type: "call", subject: Self.script, outcome: "connected"), by: rep.caller)
            _ = try await rapport.leads.create(LeadInput(name: "\(Self.script) fresh", phone: .some("13800000043")), by: rep.caller)
            // West: records no one in the east may see.
            let hidden = try await rapport.customers.create(CustomerInput(kind: "person", name: "\(Self.secret) customer"), by: outsider.caller).0
            _ = try await rapport.activities.log(.init(customerID: hidden.id.rawValue, type: "call", subject: "\(Self.secret) call"), by: outsider.caller)
            let hiddenLead = try await rapport.leads.create(LeadInput(name: "\(Self.secret) lead", phone: .some("13800000044")), by: outsider.caller).0
            _ = try await rapport.leads.logFollowUp(hiddenLead.id.rawValue, .init(type: "call", subject: "\(Self.secret) follow-up"), by: outsider.caller)
            // Opportunities: the east's named with a script, the west's secret.
            let deal = try await rapport.opportunities.create(
                OpportunityInput(name: Self.script, customer: customer.id.rawValue, amount: .some(Money(990, "CNY")), competitors: [Self.script]), by: rep.caller)
            let hiddenDeal = try await rapport.opportunities.create(OpportunityInput(name: "\(Self.secret) deal", customer: hidden.id.rawValue), by: outsider.caller)
            _ = try await rapport.products.create(.init(sku: "CRAWL-1", name: Self.script, prices: [.init(currency: "CNY", amountMinor: 100)],
                                                        grant: .some(EntitlementGrant(unit: "lesson", quantity: 4))), by: admin.caller)
            // Orders: the east's named with a script (effective, with a plan, a payment and its lessons), the west's secret.
            let order = try await rapport.orders.create(OrderInput(title: Self.script, customer: customer.id.rawValue, currency: "CNY",
                                                                   lines: [.init(sku: "CRAWL-1", quantity: 2)]), by: rep.caller)
            _ = try await rapport.orders.act(.submit, on: order.id.rawValue, reason: nil, by: rep.caller)
            _ = try await rapport.orders.act(.approve, on: order.id.rawValue, reason: nil, by: manager.caller)
            _ = try await rapport.receivables.setPlan(order.id.rawValue, .init(count: 2, firstDue: "2026-01-01"), expectedVersion: nil, by: rep.caller)
            _ = try await rapport.receivables.recordPayment(order.id.rawValue, .init(amount: Money(50, "CNY"), note: Self.script), by: rep.caller)
            let hiddenOrder = try await rapport.orders.create(OrderInput(title: "\(Self.secret) order", customer: hidden.id.rawValue, currency: "CNY",
                                                                         lines: [.init(sku: "CRAWL-1", quantity: 1)]), by: outsider.caller)
            _ = try await rapport.orders.act(.submit, on: hiddenOrder.id.rawValue, reason: nil, by: outsider.caller)
            _ = try await rapport.orders.act(.approve, on: hiddenOrder.id.rawValue, reason: nil, by: admin.caller)
            let hiddenLessons = try #require(try await rapport.entitlements.list(.init(order: hiddenOrder.id.rawValue), page: PageRequest(), by: admin.caller).items.first)
            // Quotes: the east's named with a script and waiting for approval, the west's secret.
            let quote = try await rapport.quotes.create(for: deal.opportunity.id.rawValue, QuoteInput(
                name: Self.script, currency: "CNY", notes: .some(Self.script), lines: [.init(sku: "CRAWL-1", quantity: 1, discount: .basisPoints(5_000))]), by: rep.caller)
            _ = try await rapport.quotes.submit(quote.quote.id.rawValue, by: rep.caller)
            let hiddenQuote = try await rapport.quotes.create(for: hiddenDeal.opportunity.id.rawValue, QuoteInput(
                name: "\(Self.secret) quote", currency: "CNY", lines: [.init(sku: "CRAWL-1", quantity: 1)]), by: outsider.caller)

            try await harness.http { client in
                for (person, mayManage) in [(rep, false), (manager, true)] {
                    for language in ["en", "zh-CN"] {
                        let pages = try await Self.crawl(client, session: person.secret, language: language)
                        #expect(pages.count >= 4, "the crawl reached the pages")
                        for linked in ["/analytics/pipeline", "/analytics/forecast", "/analytics/planner"] {
                            #expect(pages.contains { $0.0.hasPrefix(linked) }, "the crawl reached \(linked)")
                        }
                        for (path, page) in pages {
                            #expect(page.status == .ok, "\(person.user.role) \(language) \(path): \(page.status)")
                            #expect(!page.text.contains(Self.secret), "\(path) shows a record outside the reader's scope")
                            #expect(!page.text.contains("<script>") && !page.text.contains("<b>web"), "\(path) lets typed markup through")
                            #expect(page.body.readableBytes < 100_000, "\(path) weighs \(page.body.readableBytes) bytes")
                            if !mayManage { #expect(!path.hasPrefix("/manage") && !path.hasPrefix("/admin"), "a rep reached \(path)") }
                        }
                    }
                    // Direct addresses of the west's records are not found.
                    #expect(try await client.page("/customers/\(hidden.id)", session: person.secret).status == .notFound)
                    #expect(try await client.page("/leads/\(hiddenLead.id)", session: person.secret).status == .notFound)
                    #expect(try await client.page("/opportunities/\(hiddenDeal.opportunity.id)", session: person.secret).status == .notFound)
                    #expect(try await client.page("/orders/\(hiddenOrder.id)", session: person.secret).status == .notFound)
                    #expect(try await client.page("/entitlements/\(hiddenLessons.id)", session: person.secret).status == .notFound)
                    #expect(try await client.page("/quotes/\(hiddenQuote.quote.id)", session: person.secret).status == .notFound)
                }
                // The administrator sees everything, and every typed script stays text there too.
                for (path, page) in try await Self.crawl(client, session: admin.secret, language: "en", limit: 200) {
                    #expect(page.status == .ok, "admin \(path): \(page.status)")
                    #expect(!page.text.contains("<script>") && !page.text.contains("<b>web"), "\(path) lets typed markup through")
                }
                let escaped = try await client.page("/customers/\(customer.id)", session: rep.secret)
                #expect(escaped.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            }
        }
    }
}
