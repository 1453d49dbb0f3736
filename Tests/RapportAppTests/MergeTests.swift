import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Merging duplicates with a field-by-field choice, and undoing it exactly.
@Suite struct MergeTests {
    @Test(arguments: TestBackend.available)
    func mergeMovesEverythingAndUndoRestoresBoth(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            let customers = harness.rapport.customers
            var first = CustomerUseCaseTests.person("Wang Wu", phone: "13800138010", email: "wu@example.com")
            first.tags = ["a"]
            first.company = .some("Old Co")
            let (survivor, _) = try await customers.create(first, by: manager.caller)
            var second = CustomerUseCaseTests.person("王五", phone: "13800138011", email: "wangwu@example.com")
            second.tags = ["b"]
            second.company = .some("New Co")
            second.title = .some("Director")
            let (merged, _) = try await customers.create(second, by: manager.caller)
            let (friend, _) = try await customers.create(CustomerUseCaseTests.person("Friend"), by: manager.caller)
            _ = try await customers.relate(friend.id.rawValue, to: merged.id.rawValue, type: "referred_by", note: nil, by: manager.caller)
            _ = try await harness.rapport.activities.log(.init(customerID: merged.id.rawValue, type: "call"), by: manager.caller)

            // Both share nothing yet; make them duplicates on email through the flag policy.
            let (dup, _) = try await customers.create(CustomerUseCaseTests.person("Wu W", email: "WU@example.com"), policy: .flag, by: manager.caller)
            let report = try await harness.rapport.merges.duplicates(page: PageRequest(), by: manager.caller)
            #expect(report.items.count == 1 && report.items[0].kind == .email && report.items[0].maskedValue == "w***@example.com")
            #expect(Set(report.items[0].customers.map(\.id)) == [survivor.id, dup.id])

            let bad = try await #require(throws: RapportError.self) {
                try await harness.rapport.merges.merge(survivor: survivor.id.rawValue, merged: merged.id.rawValue, choices: ["colour": "merged"], by: manager.caller)
            }
            #expect(bad.code == .validationFailed)

            let record = try await harness.rapport.merges.merge(
                survivor: survivor.id.rawValue, merged: merged.id.rawValue, choices: ["name": "merged", "company": "merged"], by: manager.caller)
            let after = try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(survivor.id) }!
            #expect(after.name == "王五" && after.company == "New Co" && after.title == "Director" && after.tags == ["a", "b"])
            #expect(Set(after.contacts.map(\.value)) == ["+8613800138010", "+8613800138011", "wu@example.com", "wangwu@example.com"])
            #expect(try await harness.rapport.activities.timeline(survivor.id.rawValue, page: PageRequest(), by: manager.caller).items.count == 1)
            #expect(try await customers.relations(survivor.id.rawValue, by: manager.caller).map(\.type) == ["referred"])
            let gone = try await #require(throws: RapportError.self) { try await customers.get(merged.id.rawValue, by: manager.caller) }
            #expect(gone.code == .notFound)
            #expect(try await customers.stageHistory(survivor.id.rawValue, by: manager.caller).count == 2)

            let undone = try await harness.rapport.merges.undo(record.id.rawValue, by: manager.caller)
            #expect(undone.undoneAt != nil)
            let restoredSurvivor = try await customers.get(survivor.id.rawValue, by: manager.caller)
            let restoredMerged = try await customers.get(merged.id.rawValue, by: manager.caller)
            #expect(restoredSurvivor.name == "Wang Wu" && restoredSurvivor.company == "Old Co" && restoredSurvivor.tags == ["a"])
            #expect(restoredMerged.name == "王五" && restoredMerged.contacts.count == 2 && restoredMerged.tags == ["b"])
            #expect(try await harness.rapport.activities.timeline(merged.id.rawValue, page: PageRequest(), by: manager.caller).items.count == 1)
            #expect(try await customers.relations(merged.id.rawValue, by: manager.caller).map(\.type) == ["referred"])
            #expect(try await customers.stageHistory(survivor.id.rawValue, by: manager.caller).count == 1)
            let twice = try await #require(throws: RapportError.self) { try await harness.rapport.merges.undo(record.id.rawValue, by: manager.caller) }
            #expect(twice.code == .conflict)
        }
    }

    /// A merged customer's opportunities, orders (with their receivables) and entitlements move to
    /// the survivor in the merge, are counted in its preview, the record and the audit entry, and
    /// come back on undo; an entitlement moved is consumed as the survivor's.
    @Test(arguments: TestBackend.available)
    func ordersAndEntitlementsFollowAMergedCustomer(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, entitlement) = try await EntitlementTests.granted(harness)
            let rep = world.rep.caller
            let rapport = harness.rapport
            let merged = world.customer
            let survivor = try await rapport.customers.create(CustomerInput(kind: "person", name: "王小明 (2)"), by: rep).0
            let deal = try await rapport.opportunities.create(OpportunityInput(name: "续费", customer: merged.id.rawValue), by: rep)
            _ = try await rapport.receivables.setPlan(order.id.rawValue, .init(count: 2, firstDue: "2026-01-31"), expectedVersion: nil, by: rep)
            #expect(try await rapport.merges.linkedCounts(of: merged.id.rawValue, by: rep) == [.opportunities: 1, .orders: 1, .entitlements: 1])
            #expect(try await rapport.merges.linkedCounts(of: survivor.id.rawValue, by: rep) == [.opportunities: 0, .orders: 0, .entitlements: 0])

            func orders(_ customer: Customer) async throws -> [RecordID] {
                try await rapport.orders.list(.init(customer: customer.id.rawValue), page: PageRequest(), by: rep).items.map(\.id)
            }
            func entitlements(_ customer: Customer) async throws -> [RecordID] {
                try await rapport.entitlements.list(.init(customer: customer.id.rawValue), page: PageRequest(), by: rep).items.map(\.id)
            }
            func receivables(_ customer: Customer) async throws -> Int {
                try await rapport.receivables.list(.init(status: "all", customer: customer.id.rawValue), page: PageRequest(), by: rep).items.count
            }
            let record = try await rapport.merges.merge(survivor: survivor.id.rawValue, merged: merged.id.rawValue, choices: [:], by: rep)
            #expect(record.snapshot.moved(.orders) == [order.id.rawValue] && record.snapshot.moved(.entitlements) == [entitlement.id.rawValue])
            #expect(record.snapshot.moved(.opportunities) == [deal.opportunity.id.rawValue])
            let (ordersA, ordersB) = (try await orders(survivor), try await orders(merged))
            #expect(ordersA == [order.id] && ordersB.isEmpty)
            let (entitlementsA, entitlementsB) = (try await entitlements(survivor), try await entitlements(merged))
            #expect(entitlementsA == [entitlement.id] && entitlementsB.isEmpty)
            let (receivablesA, receivablesB) = (try await receivables(survivor), try await receivables(merged))
            #expect(receivablesA == 2 && receivablesB == 0)
            let moved = try await rapport.orders.get(order.id.rawValue, by: rep)
            #expect(moved.customerID == survivor.id && moved.version == order.version + 1 && moved.status == .effective)
            #expect(try await rapport.entitlements.list(ofCustomer: survivor.id.rawValue, page: PageRequest(), by: rep).items.map(\.balance) == [48])
            let details = try await harness.rapport.database.read { sql in
                try await sql.select().column("details").from("audit_log").where("action", .equal, "customer.merged").first()?
                    .decode(column: "details", as: String.self)
            }
            let audited = try JSONDecoder().decode([String: String].self, from: Data((details ?? "{}").utf8))
            #expect(audited["orders"] == "1" && audited["entitlements"] == "1" && audited["opportunities"] == "1")

            // Consumed as the survivor's: the moved entitlement keeps working.
            let used = try await rapport.entitlements.consume(entitlement.id.rawValue, .init(quantity: 2, idempotencyKey: "after-merge"), by: rep)
            #expect(used.entitlement.customerID == survivor.id && used.entitlement.balance == 46)

            _ = try await rapport.merges.undo(record.id.rawValue, by: rep)
            let (ordersBack, ordersLeft) = (try await orders(merged), try await orders(survivor))
            #expect(ordersBack == [order.id] && ordersLeft.isEmpty)
            let (entitlementsBack, entitlementsLeft) = (try await entitlements(merged), try await entitlements(survivor))
            #expect(entitlementsBack == [entitlement.id] && entitlementsLeft.isEmpty)
            #expect(try await rapport.opportunities.get(deal.opportunity.id.rawValue, by: rep).opportunity.customerID == merged.id)
            #expect(try await receivables(merged) == 2)
        }
    }
}
