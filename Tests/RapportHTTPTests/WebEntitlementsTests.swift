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

/// An order's receivables and its entitlements through the pages: a plan, a payment (more than is
/// owed refused), lessons consumed (a double submit consumed once, more than the balance refused),
/// a refund revoking the unconsumed lessons, invoices, the collections list with its overdue badge
/// and the manager's count — every form refusing a wrong CSRF token and changing nothing.
@Suite struct WebEntitlementsTests {
    static let script = WebOrdersTests.script
    static let escaped = WebOrdersTests.escaped

    /// An effective order of the rep's (2 × 48 lessons, ¥3,998.00).
    static func effectiveOrder(_ harness: TestHarness, _ world: WebOrdersTests.World) async throws -> Order {
        let orders = harness.rapport.orders
        let order = try await orders.create(OrderInput(title: "Annual " + script, customer: world.customer.id.rawValue, currency: "CNY",
                                                       lines: [.init(sku: "MATH-48", quantity: 2)]), by: world.rep.caller)
        _ = try await orders.act(.submit, on: order.id.rawValue, reason: nil, by: world.rep.caller)
        return try await orders.act(.approve, on: order.id.rawValue, reason: nil, by: world.manager.caller)
    }

    @Test(arguments: TestBackend.available)
    func theBooksAndTheLessonsOfAnOrder(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await WebOrdersTests.world(harness)
            let (rep, manager) = (world.rep, world.manager)
            let order = try await Self.effectiveOrder(harness, world)
            let (theirs, _) = try await WebOrdersTests.theirOrder(harness, world)
            let id = order.id.rawValue
            let path = "/orders/\(id)"
            let receivables = harness.rapport.receivables
            let books: @Sendable () async throws -> ReceivableUseCases.Books = { try await receivables.books(id, by: rep.caller) }
            let entitlementID = try #require(try await harness.rapport.entitlements.list(.init(order: id), page: PageRequest(), by: rep.caller).items.first).id
            let lessons: @Sendable () async throws -> Entitlement = { try await harness.rapport.entitlements.get(entitlementID.rawValue, by: rep.caller) }
            try await harness.http { client in
                // A plan of three (forged first), then replaced without the version: refused.
                let plan = [("mode", "even"), ("count", "3"), ("first_due", "2025-11-30"), ("interval_months", "1")]
                #expect(try await client.submit("\(path)/plan", session: rep.secret, plan, csrf: "forged").status == .forbidden)
                #expect(try await books().planVersion == nil)
                #expect(try await client.submit("\(path)/plan", session: rep.secret, plan).status == .seeOther)
                #expect(try await books().installments.count == 3)
                let unversioned = try await client.submit("\(path)/plan", session: rep.secret, [("mode", "explicit"), ("installments", "2026-01-31 3998.00")])
                #expect(unversioned.status == .preconditionRequired && unversioned.text.contains("id=\"plan-explicit\""))
                let mismatch = try await client.submit("\(path)/plan", session: rep.secret, [("mode", "explicit"), ("plan_version", "1"), ("installments", "2026-01-31 1.00")])
                #expect(mismatch.status == .unprocessableContent && mismatch.text.contains("do not add up to the order"))
                #expect(try await books().planVersion == 1)

                // A payment: more than is owed is refused in words, nothing recorded; then one.
                let over = try await client.submit("\(path)/payments", session: rep.secret, [("amount", "5,000.00"), ("method", "wechat_pay")])
                #expect(over.status == .unprocessableContent && over.text.contains("more than is still owed"))
                #expect(try await client.submit("\(path)/payments", session: rep.secret, [("amount", "1,000.00")], csrf: "forged").status == .forbidden)
                #expect(try await harness.count("payments") == 0)
                let paid = try await client.submit("\(path)/payments", session: rep.secret, [("amount", "1,000.00"), ("method", "wechat_pay"),
                                                                                               ("reference", Self.script), ("note", Self.script)])
                #expect(paid.status == .seeOther && paid.headers[.location] == "\(path)?notice=payment_recorded")
                #expect(try await books().collectedMinor == 100_000)

                // Lessons: the page's form carries a key; the same key twice consumes once.
                let entitlementPath = "/entitlements/\(entitlementID)"
                let entitlementPage = try await client.page(entitlementPath, session: rep.secret)
                #expect(entitlementPage.status == .ok && entitlementPage.text.contains("96 lessons") && entitlementPage.text.contains(Self.escaped))
                #expect(entitlementPage.text.contains("name=\"idempotency_key\"") && !entitlementPage.text.contains(Self.script))
                let consume = [("quantity", "5"), ("note", Self.script), ("idempotency_key", "web-form-1")]
                #expect(try await client.submit("\(entitlementPath)/consume", session: rep.secret, consume, csrf: "forged").status == .forbidden)
                #expect(try await lessons().consumed == 0)
                #expect(try await client.submit("\(entitlementPath)/consume", session: rep.secret, consume).headers[.location] == "\(entitlementPath)?notice=consumed")
                let twice = try await client.submit("\(entitlementPath)/consume", session: rep.secret, consume)
                #expect(twice.headers[.location] == "\(entitlementPath)?notice=consumption_replayed")
                #expect(try await lessons().consumed == 5)
                let tooMany = try await client.submit("\(entitlementPath)/consume", session: rep.secret, [("quantity", "500"), ("idempotency_key", "web-form-2")])
                #expect(tooMany.status == .conflict && tooMany.text.contains("more than the balance"))
                #expect(try await lessons().consumed == 5)
                let history = try await client.page(entitlementPath, session: rep.secret, language: "zh-CN")
                #expect(history.text.contains("91 课时") && history.text.contains("消耗记录") && history.text.contains(Self.escaped) && !history.text.contains(Self.script))

                // Dues cancelled (forged first; more than is owed refused in words): ¥100.00 off, no money moving.
                let cancel = [("amount", "100.00"), ("reason", "Goodwill " + Self.script)]
                #expect(try await client.submit("\(path)/cancellations", session: rep.secret, cancel, csrf: "forged").status == .forbidden)
                let overCancel = try await client.submit("\(path)/cancellations", session: rep.secret, [("amount", "3,000.00"), ("reason", "No")])
                #expect(overCancel.status == .unprocessableContent && overCancel.text.contains("id=\"cancel\"") && overCancel.text.contains("more than is still owed"))
                #expect(try await books().cancellations.isEmpty)
                #expect(try await client.submit("\(path)/cancellations", session: rep.secret, cancel).headers[.location] == "\(path)?notice=dues_cancelled")
                #expect(try await books().outstandingMinor == 289_800)

                // A refund revoking the unconsumed lessons (forged first): their value (399 800 × 91 ÷ 96 = 378 977) first cancels
                // the 289 800 still owed, and the other 89 177 is refunded; the order's page tells it all.
                let refund = [("revoke_unconsumed", "1"), ("cancels_due", "1"), ("reason", "Moving " + Self.script)]
                #expect(try await client.submit("\(path)/refunds", session: rep.secret, refund, csrf: "forged").status == .forbidden)
                #expect(try await books().refunds.isEmpty)
                let tooMuch = try await client.submit("\(path)/refunds", session: rep.secret, [("amount", "2,000.00"), ("reason", "No")])
                #expect(tooMuch.status == .unprocessableContent && tooMuch.text.contains("more than is left to refund"))
                #expect(try await client.submit("\(path)/refunds", session: rep.secret, refund).status == .seeOther)
                let after = try await books()
                #expect(after.refunds.count == 1 && after.refundedMinor == 89_177 && after.collectedMinor == 10_823 && after.outstandingMinor == 0)
                #expect(after.cancellations.map(\.cancellation.amountMinor) == [10_000, 289_800])
                let revoked = try await lessons()
                #expect(revoked.status == .revoked && revoked.revoked == 91 && revoked.consumed == 5)

                // Invoices: issue (forged first), void needs a reason, then voids.
                let invoice = [("number", "INV-0001"), ("amount", "100.00"), ("buyer_name", Self.script)]
                #expect(try await client.submit("\(path)/invoices", session: rep.secret, invoice, csrf: "forged").status == .forbidden)
                #expect(try await client.submit("\(path)/invoices", session: rep.secret, invoice).status == .seeOther)
                let issued = try #require(try await books().invoices.first)
                let voidPath = "\(path)/invoices/\(issued.id)/void"
                #expect(try await client.submit(voidPath, session: rep.secret, [("invoice_id", issued.id.rawValue), ("reason", "Typo")], csrf: "forged").status == .forbidden)
                let noReason = try await client.submit(voidPath, session: rep.secret, [("invoice_id", issued.id.rawValue)])
                #expect(noReason.status == .unprocessableContent && noReason.text.contains("id=\"void-\(issued.id)\""))
                #expect(try await books().invoices.first?.status == .issued)
                #expect(try await client.submit(voidPath, session: rep.secret, [("invoice_id", issued.id.rawValue), ("reason", "Typo")]).status == .seeOther)
                #expect(try await books().invoices.first?.status == .void)
                let theirInvoice = try await client.submit("/orders/\(theirs.id)/invoices", session: rep.secret, invoice)
                #expect(theirInvoice.status == .notFound)

                // Money the bank sent back: refunded without cancelling, so it is owed again (and overdue, the plan began in the past).
                #expect(try await client.submit("\(path)/refunds", session: rep.secret, [("amount", "50.00"), ("reason", "Returned by the bank")]).status == .seeOther)
                #expect(try await books().overdueMinor == 5_000)
                let page = try await client.page(path, session: rep.secret)
                #expect(page.status == .ok && page.text.contains("Collected") && page.text.contains("Refunded") && page.text.contains("¥1,000.00"))
                #expect(page.text.contains("INV-0001") && page.text.contains("MATH-48: 91 lessons") && page.text.contains(Self.escaped) && !page.text.contains(Self.script))
                #expect(page.body.readableBytes < 100_000)

                // The plan began in the past: the collections list badges what is overdue; the manager's page counts it.
                let overdue = try await client.page("/receivables?status=overdue", session: rep.secret)
                #expect(overdue.status == .ok && overdue.text.contains("inst-overdue") && overdue.text.contains(Self.escaped))
                #expect(!overdue.text.contains("SECRET-WEST") && !overdue.text.contains(Self.script))
                let managerList = try await client.page("/receivables?status=all&owner=\(rep.user.id)", session: manager.secret, language: "zh-CN")
                #expect(managerList.status == .ok && managerList.text.contains("逾期") && managerList.text.contains(Self.escaped))
                let manage = try await client.page("/manage", session: manager.secret)
                #expect(manage.text.contains("href=\"/receivables?status=overdue\"") && manage.text.contains("Overdue payments: "))

                // The customer's page lists the entitlement; the lists keep to the rep's scope.
                let page360 = try await client.page("/customers/\(world.customer.id)", session: rep.secret)
                #expect(page360.text.contains("href=\"/entitlements/\(entitlementID)\"") && page360.text.contains("href=\"/orders/\(id)\""))
                let chinese = try await client.page("/entitlements?status=revoked", session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("已撤销") && chinese.text.contains(Self.escaped) && !chinese.text.contains("SECRET-WEST"))
            }
        }
    }
}
