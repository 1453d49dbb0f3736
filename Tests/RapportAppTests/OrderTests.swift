import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Orders through their use cases, on every backend: the lifecycle with approval (four eyes),
/// refusals that change nothing, drafts-only edits, orders from won opportunities (one per
/// opportunity unless forced), overflow refused, the daily job's effective and expired moves,
/// and every change in the stage history and the audit log.
@Suite struct OrderTests {
    /// A team with a manager and a rep, a customer of the rep's, and a product granting 48 lessons
    /// for 12 months (list price 1 999.00 CNY).
    struct World: Sendable {
        var manager: TestHarness.SignedIn
        var rep: TestHarness.SignedIn
        var admin: TestHarness.SignedIn
        var customer: Customer
        var product: Product
    }

    static func world(_ harness: TestHarness, grant: EntitlementGrant? = EntitlementGrant(unit: "lesson", quantity: 48, validityMonths: 12)) async throws -> World {
        let team = try await harness.team("east")
        let manager = try await harness.signedIn(.manager, team: team)
        let rep = try await harness.signedIn(.rep, team: team)
        let admin = try await harness.signedIn(.admin)
        let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "王小明"), by: rep.caller).0
        let product = try await harness.rapport.products.create(
            ProductUseCases.Input(sku: "MATH-48", name: "数学 48 课时", unit: "package", prices: [.init(currency: "CNY", amountMinor: 199_900)], grant: .some(grant)),
            by: admin.caller)
        return World(manager: manager, rep: rep, admin: admin, customer: customer, product: product)
    }

    static func draft(_ harness: TestHarness, _ world: World, quantity: Int = 2, from: Date?? = nil, to: Date?? = nil) async throws -> Order {
        try await harness.rapport.orders.create(
            OrderInput(title: "数学年课", customer: world.customer.id.rawValue, currency: "CNY",
                       lines: [.init(sku: "MATH-48", quantity: quantity, discount: Money(10_000, "CNY"))], effectiveFrom: from, effectiveTo: to),
            by: world.rep.caller)
    }

    /// The audit actions recorded for one record, in order.
    static func audited(_ harness: TestHarness, _ id: RecordID) async throws -> [String] {
        try await OpportunityTests.audited(harness, id)
    }

    @Test(arguments: TestBackend.available)
    func lifecycleWithApprovalHistoryAndAudit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let orders = harness.rapport.orders
            let start = harness.clock.now()
            let created = try await Self.draft(harness, world, from: .some(start.addingTimeInterval(86_400)), to: .some(start.addingTimeInterval(400 * 86_400)))
            let id = created.id.rawValue
            #expect(created.status == .draft && created.ownerID == world.rep.user.id && created.teamID == world.rep.user.teamID)
            #expect(created.lines.map(\.productName) == ["数学 48 课时"] && created.lines[0].unitPrice == Money(199_900, "CNY"))
            #expect(created.lines[0].total == Money(389_800, "CNY") && created.total == Money(389_800, "CNY"))  // 2 × 1 999.00 − 100.00

            // Drafts change (If-Match); a stale version changes nothing.
            let retitled = try await orders.update(id, OrderInput(title: "数学年课 (2 人)"), expectedVersion: 1, by: world.rep.caller)
            #expect(retitled.version == 2)
            let stale = try await #require(throws: RapportError.self) { try await orders.update(id, OrderInput(title: "x"), expectedVersion: 1, by: world.rep.caller) }
            #expect(stale.code == .preconditionFailed)

            // Submit; the rep cannot approve their own order, nor change it while it waits.
            _ = try await orders.act(.submit, on: id, reason: nil, by: world.rep.caller)
            let selfApproval = try await #require(throws: RapportError.self) { try await orders.act(.approve, on: id, reason: nil, by: world.rep.caller) }
            #expect(selfApproval.code == .forbidden)
            let locked = try await #require(throws: RapportError.self) { try await orders.update(id, OrderInput(title: "y"), expectedVersion: nil, by: world.rep.caller) }
            #expect(locked.code == .conflict)
            let silent = try await #require(throws: RapportError.self) { try await orders.act(.reject, on: id, reason: nil, by: world.manager.caller) }
            #expect(silent.fieldErrors.map(\.field) == ["reason"])
            #expect(try await orders.get(id, by: world.rep.caller).status == .pendingApproval)

            // The manager rejects (reason kept), the rep fixes and resubmits, the manager approves.
            harness.clock.advance(by: 60)
            let rejected = try await orders.act(.reject, on: id, reason: "Discount too high", by: world.manager.caller)
            #expect(rejected.status == .draft && rejected.statusReason == "Discount too high")
            _ = try await orders.update(id, OrderInput(lines: [.init(sku: "MATH-48", quantity: 2)]), expectedVersion: nil, by: world.rep.caller)
            _ = try await orders.act(.submit, on: id, reason: nil, by: world.rep.caller)
            let signed = try await orders.act(.approve, on: id, reason: nil, by: world.manager.caller)
            #expect(signed.status == .signed && signed.signedAt == harness.clock.now() && signed.approvedBy == world.manager.user.id)
            #expect(signed.total == Money(399_800, "CNY"))

            // Illegal moves are conflicts and change nothing.
            let before = try await orders.get(id, by: world.rep.caller)
            for action in [OrderUseCases.Action.complete, .submit, .cancel] {
                let refused = try await #require(throws: RapportError.self) { try await orders.act(action, on: id, reason: nil, by: world.rep.caller) }
                #expect(refused.code == .conflict)
            }
            #expect(try await orders.get(id, by: world.rep.caller) == before)
            #expect(try await harness.count("entitlements") == 0)

            // The daily job: effective once its term begins (granting entitlements), expired after.
            harness.clock.advance(by: 2 * 86_400)
            #expect(try await orders.runDaily() == (effective: 1, expired: 0))
            let effective = try await orders.get(id, by: world.rep.caller)
            #expect(effective.status == .effective)
            let granted = try await harness.rapport.entitlements.list(.init(order: id), page: PageRequest(), by: world.rep.caller).items
            #expect(granted.map(\.granted) == [96] && granted.map(\.balance) == [96] && granted.first?.startsAt == effective.effectiveFrom)
            #expect(try await orders.runDaily() == (effective: 0, expired: 0))
            harness.clock.advance(by: 400 * 86_400)
            #expect(try await orders.runDaily() == (effective: 0, expired: 1))
            #expect(try await orders.get(id, by: world.rep.caller).status == .expired)

            let history = try await orders.history(id, by: world.rep.caller)
            #expect(history.map(\.to) == ["draft", "pending_approval", "draft", "pending_approval", "signed", "effective", "expired"])
            #expect(history[2].reason == "Discount too high" && history[4].by == world.manager.user.id && history[5].by == nil)
            #expect(try await Self.audited(harness, created.id) == [
                "order.created", "order.updated", "order.submitted", "order.rejected", "order.updated", "order.submitted", "order.approved",
                "order.effective", "order.expired",
            ])
        }
    }

    @Test(arguments: TestBackend.available)
    func cancelTerminateCompleteAndScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness, grant: nil)
            let orders = harness.rapport.orders
            let other = try await harness.signedIn(.rep, team: try await harness.team("west"))

            let cancelled = try await orders.act(.cancel, on: try await Self.draft(harness, world).id.rawValue, reason: "Duplicate", by: world.rep.caller)
            #expect(cancelled.status == .cancelled && cancelled.statusReason == "Duplicate")
            let dead = try await #require(throws: RapportError.self) { try await orders.act(.submit, on: cancelled.id.rawValue, reason: nil, by: world.rep.caller) }
            #expect(dead.code == .conflict)

            // Approved without a start date: effective at once (no grant, no entitlement).
            let order = try await Self.draft(harness, world)
            let id = order.id.rawValue
            _ = try await orders.act(.submit, on: id, reason: nil, by: world.rep.caller)
            let hidden = try await #require(throws: RapportError.self) { try await orders.get(id, by: other.caller) }
            #expect(hidden.code == .notFound)
            let stranger = try await #require(throws: RapportError.self) { try await orders.act(.approve, on: id, reason: nil, by: other.caller) }
            #expect(stranger.code == .notFound)  // outside their scope: not even its existence
            let approved = try await orders.act(.approve, on: id, reason: nil, by: world.admin.caller)
            #expect(approved.status == .effective && approved.effectiveFrom == harness.clock.now())
            #expect(try await harness.count("entitlements") == 0)
            let unexplained = try await #require(throws: RapportError.self) { try await orders.act(.terminate, on: id, reason: " ", by: world.rep.caller) }
            #expect(unexplained.fieldErrors.map(\.field) == ["reason"])
            let terminated = try await orders.act(.terminate, on: id, reason: "Customer moved away", by: world.manager.caller)
            #expect(terminated.status == .terminated)

            let third = try await Self.draft(harness, world)
            _ = try await orders.act(.submit, on: third.id.rawValue, reason: nil, by: world.rep.caller)
            _ = try await orders.act(.approve, on: third.id.rawValue, reason: nil, by: world.manager.caller)
            #expect(try await orders.act(.complete, on: third.id.rawValue, reason: nil, by: world.rep.caller).status == .completed)

            let mine = try await orders.list(.init(customer: world.customer.id.rawValue), page: PageRequest(), by: world.rep.caller)
            #expect(mine.items.map(\.id) == [third.id, order.id, cancelled.id])
            #expect(try await orders.list(.init(status: "completed"), page: PageRequest(), by: world.manager.caller).items.map(\.id) == [third.id])
            #expect(try await orders.list(.init(), page: PageRequest(), by: other.caller).items.isEmpty)
            let badStatus = try await #require(throws: RapportError.self) { try await orders.list(.init(status: "won"), page: PageRequest(), by: world.rep.caller) }
            #expect(badStatus.code == .validationFailed)
        }
    }

    @Test(arguments: TestBackend.available)
    func fromWonOpportunityOncePerOpportunity(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let opportunities = harness.rapport.opportunities
            let orders = harness.rapport.orders
            let open = try await opportunities.create(
                OpportunityInput(name: "数学年课", customer: world.customer.id.rawValue, amount: .some(Money(399_800, "CNY")),
                                 lines: [.init(sku: "MATH-48", quantity: 2, unitPrice: Money(199_900, "CNY"))]),
                by: world.rep.caller).opportunity
            let notWon = try await #require(throws: RapportError.self) { try await orders.create(fromOpportunity: open.id.rawValue, .init(), by: world.rep.caller) }
            #expect(notWon.code == .conflict)
            #expect(try await harness.count("orders") == 0)

            _ = try await opportunities.update(open.id.rawValue, OpportunityInput(customFields: ["course_package": .string("lessons_48")]),
                                               expectedVersion: nil, by: world.rep.caller)
            for stage in ["proposal", "negotiation", "won"] { _ = try await opportunities.move(open.id.rawValue, to: stage, reason: nil, by: world.rep.caller) }
            let order = try await orders.create(fromOpportunity: open.id.rawValue, .init(), by: world.rep.caller)
            #expect(order.opportunityID == open.id && order.customerID == world.customer.id && order.ownerID == world.rep.user.id)
            #expect(order.teamID == open.teamID && order.currency == "CNY" && order.title == "数学年课")
            #expect(order.lines.map(\.sku) == ["MATH-48"] && order.lines.map(\.quantity) == [2] && order.total == Money(399_800, "CNY"))

            let twice = try await #require(throws: RapportError.self) { try await orders.create(fromOpportunity: open.id.rawValue, .init(), by: world.rep.caller) }
            #expect(twice.code == .conflict && twice.extra["order_id"] == order.id.rawValue)
            let forced = try await orders.create(fromOpportunity: open.id.rawValue, .init(force: true), by: world.rep.caller)
            #expect(forced.id != order.id)
            #expect(try await orders.list(.init(opportunity: open.id.rawValue), page: PageRequest(), by: world.rep.caller).items.count == 2)

            // The internal door (an accepted quote, later): a draft decided elsewhere.
            let fromQuote = try await orders.create(
                from: OrderDraft(title: "Quote Q-1", customerID: world.customer.id, quoteID: "qte_1", currency: "CNY",
                                 lines: [.init(sku: "MATH-48", quantity: 1, unitPrice: Money(150_000, "CNY"))], ownerID: world.rep.user.id),
                by: harness.system)
            #expect(fromQuote.quoteID == "qte_1" && fromQuote.total == Money(150_000, "CNY") && fromQuote.status == .draft)
        }
    }

    @Test(arguments: TestBackend.available)
    func badLinesAndOverflowChangeNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let orders = harness.rapport.orders
            func refused(_ lines: [OrderInput.Line], currency: String = "CNY") async throws -> RapportError {
                try await #require(throws: RapportError.self) {
                    try await orders.create(OrderInput(title: "T", customer: world.customer.id.rawValue, currency: currency, lines: lines), by: world.rep.caller)
                }
            }
            let huge = Catalog.maximumAmountMinor
            #expect(try await refused([.init(sku: "MATH-48", quantity: 1_000_000, unitPrice: Money(huge, "CNY"))]).fieldErrors.map(\.code) == ["overflow"])
            let many = [OrderInput.Line](repeating: .init(sku: "MATH-48", quantity: 100_000, unitPrice: Money(huge, "CNY")), count: 1)
            #expect(try await refused(many).fieldErrors.map(\.field) == ["lines[0]"])
            let sum = [OrderInput.Line](repeating: .init(sku: "MATH-48", quantity: 90_000, unitPrice: Money(huge, "CNY")), count: 2)
            #expect(try await refused(sum).fieldErrors.map(\.field) == ["lines"])
            #expect(try await refused([.init(sku: "NOPE", quantity: 1)]).fieldErrors.map(\.field) == ["lines[0].sku"])
            #expect(try await refused([.init(sku: "MATH-48", quantity: 0)]).fieldErrors.map(\.field) == ["lines[0].quantity"])
            #expect(try await refused([.init(sku: "MATH-48", quantity: 1, discount: Money(300_000, "CNY"))]).fieldErrors.map(\.field) == ["lines[0].discount"])
            #expect(try await refused([.init(sku: "MATH-48", quantity: 1)], currency: "USD").fieldErrors.map(\.field) == ["lines[0].unit_price"])
            #expect(try await refused([]).fieldErrors.map(\.field) == ["lines"])
            #expect(try await harness.count("orders") == 0)
            #expect(try await harness.count("order_lines") == 0)
        }
    }
}
