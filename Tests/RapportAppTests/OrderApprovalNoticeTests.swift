import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// An order submitted for approval asks its approvers in their inboxes, as a quote does: the
/// managers of the owner's team, else the nearest managers above, else the administrators — never
/// the owner, the submitter or another team's manager; once per submission. The decision tells
/// the owner.
@Suite struct OrderApprovalNoticeTests {
    static func inbox(_ harness: TestHarness, _ person: TestHarness.SignedIn) async throws -> [Notice] {
        try await harness.rapport.notifications.list(unreadOnly: false, page: PageRequest(), by: person.caller).items
    }

    static func kinds(_ harness: TestHarness, _ person: TestHarness.SignedIn, about id: RecordID) async throws -> [String] {
        try await inbox(harness, person).filter { $0.objectID == id.rawValue }.map(\.kind).sorted()
    }

    @Test(arguments: TestBackend.available)
    func submittingAsksTheOwnersManagersAndTheDecisionTellsTheOwner(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await OrderTests.world(harness)
            let west = try await harness.team("west")
            let otherManager = try await harness.signedIn(.manager, team: west)
            let orders = harness.rapport.orders
            let order = try await OrderTests.draft(harness, world)
            let id = order.id

            _ = try await orders.act(.submit, on: id.rawValue, reason: nil, by: world.rep.caller)
            let asked = try await Self.inbox(harness, world.manager).filter { $0.objectID == id.rawValue }
            #expect(asked.map(\.kind) == ["order.approval_requested"] && asked.first?.objectKind == .order)
            #expect(asked.first?.details["order_id"] == id.rawValue && asked.first?.details["total_minor"] == "389800" && asked.first?.details["currency"] == "CNY")
            #expect(try await Self.kinds(harness, world.admin, about: id).isEmpty, "a team with a manager does not bother the administrators")
            #expect(try await Self.kinds(harness, otherManager, about: id).isEmpty)
            #expect(try await Self.kinds(harness, world.rep, about: id).isEmpty)

            _ = try await orders.act(.reject, on: id.rawValue, reason: "Discount too high", by: world.manager.caller)
            #expect(try await Self.kinds(harness, world.rep, about: id) == ["order.rejected"])
            _ = try await orders.act(.submit, on: id.rawValue, reason: nil, by: world.rep.caller)
            #expect(try await Self.kinds(harness, world.manager, about: id) == ["order.approval_requested", "order.approval_requested"], "once per submission")
            _ = try await orders.act(.approve, on: id.rawValue, reason: nil, by: world.manager.caller)
            #expect(try await Self.kinds(harness, world.rep, about: id) == ["order.approved", "order.rejected"])
        }
    }

    @Test(arguments: TestBackend.available)
    func theNearestManagersAboveElseTheAdministrators(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await OrderTests.world(harness)
            let east = try #require(world.rep.user.teamID)
            let branch = try await harness.team("east-branch", parent: try await harness.rapport.teams.get(east.rawValue, by: harness.system))
            let branchRep = try await harness.signedIn(.rep, team: branch)
            let loneTeam = try await harness.team("lone")
            let loneRep = try await harness.signedIn(.rep, team: loneTeam)
            let orders = harness.rapport.orders
            func order(by rep: TestHarness.SignedIn) async throws -> RecordID {
                let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Parent"), by: rep.caller).0
                let draft = try await orders.create(OrderInput(title: "Order", customer: customer.id.rawValue, currency: "CNY", lines: [.init(sku: "MATH-48", quantity: 1)]),
                                                    by: rep.caller)
                _ = try await orders.act(.submit, on: draft.id.rawValue, reason: nil, by: rep.caller)
                return draft.id
            }
            // A team without a manager: the managers of the team above.
            let branchOrder = try await order(by: branchRep)
            #expect(try await Self.kinds(harness, world.manager, about: branchOrder) == ["order.approval_requested"])
            #expect(try await Self.kinds(harness, world.admin, about: branchOrder).isEmpty)
            // No manager anywhere above: the administrators.
            let loneOrder = try await order(by: loneRep)
            #expect(try await Self.kinds(harness, world.admin, about: loneOrder) == ["order.approval_requested"])
            #expect(try await Self.kinds(harness, world.manager, about: loneOrder).isEmpty)
            // A manager submitting their own order: not themselves, but the administrators.
            let managersOrder = try await order(by: world.manager)
            #expect(try await Self.kinds(harness, world.manager, about: managersOrder).isEmpty)
            #expect(try await Self.kinds(harness, world.admin, about: managersOrder) == ["order.approval_requested"])
        }
    }
}
