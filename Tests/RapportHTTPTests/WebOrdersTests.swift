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

/// The order pages: create, submit, approve (never one's own), edit only a draft, and the
/// receivables on the order's page (plan, payment, refund revoking what was not consumed,
/// invoices) — each form refusing a wrong CSRF token and changing nothing, every name escaped,
/// refusals said in the reader's words, nothing outside the rep's scope, both languages.
@Suite struct WebOrdersTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    struct World: Sendable {
        var rep: TestHarness.SignedIn
        var manager: TestHarness.SignedIn
        var admin: TestHarness.SignedIn
        var outsider: TestHarness.SignedIn
        var customer: Customer
        var theirCustomer: Customer
    }

    /// East (a rep and their manager) and west (an outsider); a product granting 48 lessons; a
    /// customer named with a script in the east and a secret one in the west.
    static func world(_ harness: TestHarness) async throws -> World {
        let sales = try await harness.team("sales")
        let east = try await harness.team("east", parent: sales)
        let west = try await harness.team("west", parent: sales)
        let rep = try await harness.signedIn(.rep, team: east)
        let manager = try await harness.signedIn(.manager, team: east)
        let admin = try await harness.signedIn(.admin)
        let outsider = try await harness.signedIn(.rep, team: west)
        _ = try await harness.rapport.products.create(
            ProductUseCases.Input(sku: "MATH-48", name: "Maths 48 " + script, unit: "package", prices: [.init(currency: "CNY", amountMinor: 199_900)],
                                  grant: .some(EntitlementGrant(unit: "lesson", quantity: 48, validityMonths: 12))),
            by: admin.caller)
        let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: script), by: rep.caller).0
        let theirs = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "SECRET-WEST buyer"), by: outsider.caller).0
        return World(rep: rep, manager: manager, admin: admin, outsider: outsider, customer: customer, theirCustomer: theirs)
    }

    /// An effective order of the west, with its entitlement (approved by an administrator).
    static func theirOrder(_ harness: TestHarness, _ world: World) async throws -> (Order, Entitlement) {
        let orders = harness.rapport.orders
        let order = try await orders.create(OrderInput(title: "SECRET-WEST order", customer: world.theirCustomer.id.rawValue, currency: "CNY",
                                                       lines: [.init(sku: "MATH-48", quantity: 1)]), by: world.outsider.caller)
        _ = try await orders.act(.submit, on: order.id.rawValue, reason: nil, by: world.outsider.caller)
        _ = try await orders.act(.approve, on: order.id.rawValue, reason: nil, by: world.admin.caller)
        let entitlement = try #require(try await harness.rapport.entitlements.list(.init(order: order.id.rawValue), page: PageRequest(), by: world.admin.caller).items.first)
        return (order, entitlement)
    }

    @Test(arguments: TestBackend.available)
    func anOrderIsCreatedSubmittedApprovedAndRefusesWhatItMust(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let (rep, manager) = (world.rep, world.manager)
            let (theirs, theirEntitlement) = try await Self.theirOrder(harness, world)
            let orders = harness.rapport.orders
            try await harness.http { client in
                // The header links to the orders; the list shows none of the west's.
                let list = try await client.page("/orders", session: rep.secret)
                #expect(list.status == .ok && list.text.contains("href=\"/orders\"") && !list.text.contains("SECRET-WEST"))
                #expect(try await client.page("/orders/\(theirs.id)", session: rep.secret).status == .notFound)
                #expect(try await client.submit("/orders/\(theirs.id)/act", session: rep.secret, [("action", "terminate"), ("reason", "x")]).status == .notFound)
                #expect(try await client.submit("/orders/\(theirs.id)/payments", session: rep.secret, [("amount", "1")]).status == .notFound)

                // From the customer's page: the new-order form with the customer filled in.
                let page360 = try await client.page("/customers/\(world.customer.id)", session: rep.secret)
                #expect(page360.text.contains("href=\"/orders/new?customer=\(world.customer.id)\""))
                let form = try await client.page("/orders/new?customer=\(world.customer.id)", session: rep.secret)
                #expect(form.status == .ok && form.text.contains(Self.escaped) && !form.text.contains(Self.script))
                let fields = [("customer_id", world.customer.id.rawValue), ("title", Self.script), ("currency", "CNY"), ("lines", "MATH-48 2")]
                #expect(try await client.submit("/orders", session: rep.secret, fields, csrf: "forged").status == .forbidden)
                let blank = try await client.submit("/orders", session: rep.secret, [("customer_id", world.customer.id.rawValue), ("lines", "NOPE 1")])
                #expect(blank.status == .unprocessableContent && blank.text.contains("Title is required.") && blank.text.contains("aria-invalid"))
                #expect(try await harness.count("orders") == 1)
                let created = try await client.submit("/orders", session: rep.secret, fields)
                #expect(created.status == .seeOther)
                let location = try #require(created.headers[.location])
                #expect(location.hasPrefix("/orders/ord_") && location.hasSuffix("?notice=order_created"))
                let id = String(location.dropFirst("/orders/".count).prefix { $0 != "?" })
                let path = "/orders/\(id)"
                let current: @Sendable () async throws -> Order = { try await orders.get(id, by: rep.caller) }
                #expect(try await current().total == Money(399_800, "CNY"))

                // Its page: escaped, the draft's moves and edit form.
                let draft = try await client.page(path, session: rep.secret)
                #expect(draft.status == .ok && draft.text.contains(Self.escaped) && !draft.text.contains(Self.script))
                #expect(draft.text.contains("id=\"act-submit\"") && draft.text.contains("id=\"edit\"") && draft.text.contains("¥3,998.00"))
                #expect(draft.body.readableBytes < 100_000)

                // Edit with the version: stale refused, nothing changed; a good one saved.
                let version = try await current().version
                let stale = try await client.submit("\(path)/edit", session: rep.secret, [("version", String(version - 1)), ("title", "Renamed"), ("lines", "MATH-48 1")])
                #expect(stale.status == .preconditionFailed && stale.text.contains("Someone changed it meanwhile"))
                #expect(try await client.submit("\(path)/edit", session: rep.secret, [("version", String(version)), ("title", "X"), ("lines", "MATH-48 1")],
                                                csrf: "forged").status == .forbidden)
                #expect(try await current().title == Self.script)
                let edited = try await client.submit("\(path)/edit", session: rep.secret, [
                    ("version", String(version)), ("title", "Annual " + Self.script), ("lines", "MATH-48 2 1999.00 100"), ("effective_to", "2027-01-31"),
                ])
                #expect(edited.status == .seeOther, "\(edited.text)")
                let saved = try await current()
                #expect(saved.total == Money(389_800, "CNY") && saved.title == "Annual " + Self.script)

                // Submit (a forged one changes nothing); the rep cannot approve their own.
                #expect(try await client.submit("\(path)/act", session: rep.secret, [("action", "submit")], csrf: "forged").status == .forbidden)
                #expect(try await current().status == .draft)
                #expect(try await client.submit("\(path)/act", session: rep.secret, [("action", "submit"), ("version", String(version + 1))]).status == .seeOther)
                #expect(try await current().status == .pendingApproval)
                let waiting = try await client.page(path, session: rep.secret)
                #expect(!waiting.text.contains("id=\"act-approve\"") && waiting.text.contains("Waiting for approval"))
                let own = try await client.submit("\(path)/act", session: rep.secret, [("action", "approve")])
                #expect(own.status == .forbidden && own.text.contains("You cannot approve or reject your own order"))
                #expect(try await current().status == .pendingApproval)
                let noEdit = try await client.submit("\(path)/edit", session: rep.secret, [("version", "3"), ("title", "Late")])
                #expect(noEdit.status == .conflict && noEdit.text.contains(Self.escaped))
                #expect(try await current().title == "Annual " + Self.script)

                // The manager: reject needs a reason; approve (forged first) makes it effective with its lessons.
                let managerPage = try await client.page(path, session: manager.secret)
                #expect(managerPage.text.contains("id=\"act-approve\"") && managerPage.text.contains("id=\"act-reject\""))
                let noReason = try await client.submit("\(path)/act", session: manager.secret, [("action", "reject")])
                #expect(noReason.status == .unprocessableContent && noReason.text.contains("Reason is required."))
                #expect(try await client.submit("\(path)/act", session: manager.secret, [("action", "approve")], csrf: "forged").status == .forbidden)
                #expect(try await current().status == .pendingApproval)
                #expect(try await client.submit("\(path)/act", session: manager.secret, [("action", "approve")]).status == .seeOther)
                #expect(try await current().status == .effective)
                let effective = try await client.page(path, session: rep.secret)
                #expect(effective.text.contains("id=\"record-payment\"") && effective.text.contains("id=\"act-terminate\"") && !effective.text.contains("id=\"edit\""))
                #expect(effective.text.contains("96 lessons") && effective.text.contains(Self.escaped) && !effective.text.contains(Self.script))

                // Both languages.
                let chinese = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("订单") && chinese.text.contains("回款") && chinese.text.contains("分期")
                        && chinese.text.contains("96 课时") && chinese.text.contains("生效中"))
                let chineseList = try await client.page("/orders?status=effective", session: rep.secret, language: "zh-CN")
                #expect(chineseList.status == .ok && chineseList.text.contains(Self.escaped) && !chineseList.text.contains("SECRET-WEST"))

                // The west's entitlement is not the rep's either.
                #expect(try await client.page("/entitlements/\(theirEntitlement.id)", session: rep.secret).status == .notFound)
                let entitlements = try await client.page("/entitlements", session: rep.secret)
                #expect(entitlements.status == .ok && entitlements.text.contains(Self.escaped) && !entitlements.text.contains("SECRET-WEST"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aWonOpportunityIsOrderedOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let rep = world.rep
            let opportunities = harness.rapport.opportunities
            let deal = try await opportunities.create(
                OpportunityInput(name: Self.script, customer: world.customer.id.rawValue, amount: .some(Money(199_900, "CNY")),
                                 customFields: ["course_package": .string("lessons_48")],
                                 lines: [.init(sku: "MATH-48", quantity: 1, unitPrice: Money(199_900, "CNY"))]),
                by: rep.caller).opportunity
            let path = "/opportunities/\(deal.id)"
            try await harness.http { client in
                #expect(!(try await client.page(path, session: rep.secret).text.contains("id=\"create-order\"")), "only a won opportunity is ordered")
                for stage in ["proposal", "negotiation", "won"] { _ = try await opportunities.move(deal.id.rawValue, to: stage, reason: nil, by: rep.caller) }
                let won = try await client.page(path, session: rep.secret)
                #expect(won.text.contains("id=\"create-order\"") && won.text.contains(Self.escaped) && !won.text.contains(Self.script))
                #expect(try await client.submit("\(path)/order", session: rep.secret, [("title", "From the deal")], csrf: "forged").status == .forbidden)
                #expect(try await harness.count("orders") == 0)
                let made = try await client.submit("\(path)/order", session: rep.secret, [("title", "From the deal")])
                #expect(made.status == .seeOther && made.headers[.location]?.hasSuffix("?notice=order_created") == true)
                let order = try #require(try await harness.rapport.orders.list(.init(opportunity: deal.id.rawValue), page: PageRequest(), by: rep.caller).items.first)
                #expect(order.title == "From the deal" && order.customerID == world.customer.id && order.total == Money(199_900, "CNY"))
                // Twice: the existing order is opened, no second one made.
                let again = try await client.submit("\(path)/order", session: rep.secret, [])
                #expect(again.status == .seeOther && again.headers[.location] == "/orders/\(order.id)?notice=order_exists")
                #expect(try await harness.count("orders") == 1)
                let after = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(after.text.contains("href=\"/orders/\(order.id)\"") && !after.text.contains("id=\"create-order\"") && after.text.contains("草稿"))
            }
        }
    }
}
