import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// An order from an accepted quote, on every backend: the quote's customer (through its
/// opportunity), currency, owner, team and lines at the quote's final prices, so the totals
/// match; the quote recorded on the order; refusals (not accepted, already ordered, no customer,
/// out of scope) that change nothing; the history and audit entry of the new order.
@Suite struct OrderFromQuoteTests {
    /// A quote of `rep`'s opportunity priced A × 3 (5 % by hand) and B × 1 (0.99 off) under a 10 %
    /// policy: 26 450 of 30 999, within the 15 % threshold, so it is approved on submission.
    static func quote(_ harness: TestHarness, rep: TestHarness.SignedIn, customer: Bool = true) async throws -> Quote {
        let rapport = harness.rapport
        let opportunity: Opportunity
        if customer {
            opportunity = try await QuoteTests.opportunity(harness, by: rep)
        } else {
            opportunity = try await rapport.opportunities.create(OpportunityInput(name: "No account yet"), by: rep.caller).opportunity
        }
        return try await rapport.quotes.create(for: opportunity.id.rawValue, QuoteInput(
            currency: "CNY", lines: QuoteTests.lines([("A", 3, .basisPoints(500)), ("B", 1, .amount(99))])), by: rep.caller).quote
    }

    static func accept(_ harness: TestHarness, _ quote: Quote, by rep: TestHarness.SignedIn) async throws -> Quote {
        let quotes = harness.rapport.quotes
        let approved = try await quotes.submit(quote.id.rawValue, by: rep.caller).quote
        #expect(approved.status == .approved)
        _ = try await quotes.send(quote.id.rawValue, by: rep.caller)
        return try await quotes.accept(quote.id.rawValue, by: rep.caller).quote
    }

    @Test(arguments: TestBackend.available)
    func anAcceptedQuoteBecomesADraftOrderWithTheQuotesTotal(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let outsider = try await harness.signedIn(.rep, team: west)
            try await QuoteTests.catalog(harness)
            _ = try await harness.rapport.salesPolicies.create(.init(name: "Spring 10%", effect: PolicyEffect(kind: "percent_off", basisPoints: 1_000)),
                                                               by: harness.system)
            let orders = harness.rapport.orders
            let draft = try await Self.quote(harness, rep: rep)

            // Not accepted yet: 409 with the quote's status, and no order.
            let early = try #require(await QuoteTests.error { _ = try await orders.create(fromQuote: draft.id.rawValue, .init(), by: rep.caller) })
            #expect(early.code == .conflict && early.extra["reason"] == "quote_status" && early.extra["quote_status"] == "draft")
            #expect(try await harness.count("orders") == 0)

            let quote = try await Self.accept(harness, draft, by: rep)
            // Someone who cannot see the quote: not found.
            let hidden = try #require(await QuoteTests.error { _ = try await orders.create(fromQuote: quote.id.rawValue, .init(), by: outsider.caller) })
            #expect(hidden.code == .notFound)
            #expect(try await harness.count("orders") == 0)

            let order = try await orders.create(fromQuote: quote.id.rawValue, .init(), by: rep.caller)
            #expect(order.quoteID == quote.id.rawValue && order.opportunityID == quote.opportunityID && order.customerID == quote.customerID)
            #expect(order.ownerID == rep.user.id && order.teamID == quote.teamID && order.currency == "CNY" && order.title == quote.name)
            #expect(order.status == .draft)
            // A: 3 × 100.00 − (30.00 policy + 13.50 by hand); B: 9.99 − (1.00 policy + 0.99 by hand).
            #expect(order.lines.map(\.sku) == ["A", "B"] && order.lines.map(\.quantity) == [3, 1])
            #expect(order.lines.map(\.unitPrice) == [Money(10_000, "CNY"), Money(999, "CNY")])
            #expect(order.lines.map(\.discount) == [Money(4_350, "CNY"), Money(199, "CNY")])
            #expect(order.lines.map(\.total.amountMinor) == quote.lines.map(\.totalMinor))
            #expect(order.total == Money(quote.totals.totalMinor, "CNY") && order.total.amountMinor == 26_450)
            #expect(try await orders.get(order.id.rawValue, by: rep.caller) == order)
            #expect(try await orders.history(order.id.rawValue, by: rep.caller).map(\.to) == ["draft"])
            let audit = try await harness.rapport.database.read { sql in
                try await sql.select().column("details").from("audit_log").where("object_id", .equal, order.id.rawValue).where("action", .equal, "order.created")
                    .all().map { try $0.decode(column: "details", as: String.self) }
            }
            #expect(audit.count == 1 && audit.first?.contains(quote.id.rawValue) == true)

            // Ordered once: a second is refused (naming the order) unless forced; a cancelled one does not count.
            let twice = try #require(await QuoteTests.error { _ = try await orders.create(fromQuote: quote.id.rawValue, .init(), by: rep.caller) })
            #expect(twice.code == .conflict && twice.extra["reason"] == "quote_ordered" && twice.extra["order_id"] == order.id.rawValue)
            #expect(try await harness.count("orders") == 1)
            let forced = try await orders.create(fromQuote: quote.id.rawValue, .init(force: true, title: "Second copy"), by: rep.caller)
            #expect(forced.id != order.id && forced.title == "Second copy" && forced.total == order.total)
            for id in [order.id, forced.id] { _ = try await orders.act(.cancel, on: id.rawValue, reason: nil, by: rep.caller) }
            let again = try await orders.create(fromQuote: quote.id.rawValue, .init(), by: rep.caller)
            #expect(again.quoteID == quote.id.rawValue && again.status == .draft)
        }
    }

    @Test(arguments: TestBackend.available)
    func aQuoteWhoseOpportunityHasNoCustomerIsNotOrdered(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, team: try await harness.team("east"))
            try await QuoteTests.catalog(harness)
            let quote = try await Self.accept(harness, try await Self.quote(harness, rep: rep, customer: false), by: rep)
            #expect(quote.customerID == nil && quote.status == .accepted)
            let refused = try #require(await QuoteTests.error {
                _ = try await harness.rapport.orders.create(fromQuote: quote.id.rawValue, .init(), by: rep.caller)
            })
            #expect(refused.code == .validationFailed && refused.fieldErrors.map(\.field) == ["customer_id"])
            let blank = try #require(await QuoteTests.error {
                _ = try await harness.rapport.orders.create(fromQuote: quote.id.rawValue, .init(title: " "), by: rep.caller)
            })
            #expect(Set(blank.fieldErrors.map(\.field)) == ["customer_id", "title"])
            #expect(try await harness.count("orders") == 0)
        }
    }

    /// The lines of a quote become order lines whose totals are the quote's, line by line.
    @Test func orderLinesKeepTheQuotesLineTotals() {
        let at = Date(timeIntervalSince1970: 1_767_225_600)
        var quote = Quote(id: RecordID(trusted: "quo_1"), name: "Q", opportunityID: RecordID(trusted: "opp_1"), customerID: nil,
                          ownerID: RecordID(trusted: "usr_1"), teamID: nil, statusChangedAt: at, currency: "USD", validUntil: "2026-01-31",
                          pricedAt: at, createdBy: nil, createdAt: at, updatedAt: at)
        quote.lines = [QuoteLine(sku: "X", productID: RecordID(trusted: "prd_1"), name: "X", unit: "each", quantity: 7, priceSource: "list",
                                 unitPriceMinor: 333, listMinor: 2_331, policyDiscountMinor: 233, manualDiscount: .basisPoints(1_000),
                                 manualDiscountMinor: 210, totalMinor: 1_888)]
        let lines = OrderUseCases.lines(of: quote)
        #expect(lines == [OrderDraft.Line(sku: "X", quantity: 7, unitPrice: Money(333, "USD"), discount: Money(443, "USD"))])
        #expect(lines.map { $0.unitPrice.amountMinor * $0.quantity - $0.discount.amountMinor } == [1_888])
    }
}
