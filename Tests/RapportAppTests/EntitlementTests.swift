import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Entitlements through their use cases, on every backend: granted when an order becomes
/// effective, consumed idempotently and never beyond the balance, expired and proposed for renewal
/// (exactly once) by the daily job, revoked as to exactly the unconsumed part; and the ledger's
/// invariant granted = consumed + balance + revoked over many seeded random sequences.
@Suite struct EntitlementTests {
    /// An effective order of `quantity` units of a product granting `grant`, and its entitlement.
    static func granted(
        _ harness: TestHarness, _ grant: EntitlementGrant = EntitlementGrant(unit: "lesson", quantity: 48, validityMonths: 12), quantity: Int = 1
    ) async throws -> (OrderTests.World, Order, Entitlement) {
        let world = try await OrderTests.world(harness, grant: grant)
        let order = try await OrderTests.draft(harness, world, quantity: quantity)
        _ = try await harness.rapport.orders.act(.submit, on: order.id.rawValue, reason: nil, by: world.rep.caller)
        let effective = try await harness.rapport.orders.act(.approve, on: order.id.rawValue, reason: nil, by: world.manager.caller)
        let entitlement = try #require(try await harness.rapport.entitlements.list(.init(order: order.id.rawValue), page: PageRequest(), by: world.rep.caller).items.first)
        return (world, effective, entitlement)
    }

    static func holds(_ entitlement: Entitlement) -> Bool {
        entitlement.granted == entitlement.consumed + entitlement.balance + entitlement.revoked && entitlement.balance >= 0
    }

    @Test(arguments: TestBackend.available)
    func consumeIsIdempotentAndBounded(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, entitlement) = try await Self.granted(harness)
            let entitlements = harness.rapport.entitlements
            let id = entitlement.id.rawValue
            #expect(order.status == .effective && entitlement.granted == 48 && entitlement.status == .active && entitlement.unit == "lesson")
            #expect(entitlement.expiresAt == RFC3339.parse("2027-01-05T09:00:00Z"))

            let first = try await entitlements.consume(id, .init(quantity: 3, idempotencyKey: "lesson-1", note: "第 1 课"), by: world.rep.caller)
            #expect(first.entitlement.balance == 45 && first.entitlement.consumed == 3 && !first.replayed)
            harness.clock.advance(by: 60)
            let again = try await entitlements.consume(id, .init(quantity: 3, idempotencyKey: "lesson-1", note: "第 1 课"), by: world.rep.caller)
            #expect(again.replayed && again.consumption == first.consumption && again.entitlement.balance == 45)
            let otherBody = try await #require(throws: RapportError.self) {
                try await entitlements.consume(id, .init(quantity: 4, idempotencyKey: "lesson-1"), by: world.rep.caller)
            }
            #expect(otherBody.code == .consumptionKeyReused)
            let tooMuch = try await #require(throws: RapportError.self) {
                try await entitlements.consume(id, .init(quantity: 46, idempotencyKey: "lesson-2"), by: world.rep.caller)
            }
            #expect(tooMuch.code == .insufficientBalance && tooMuch.extra["balance"] == "45")
            let noKey = try await #require(throws: RapportError.self) { try await entitlements.consume(id, .init(quantity: 1, idempotencyKey: ""), by: world.rep.caller) }
            #expect(noKey.fieldErrors.map(\.field) == ["idempotency_key"])
            let future = try await #require(throws: RapportError.self) {
                try await entitlements.consume(id, .init(quantity: 1, idempotencyKey: "f", occurredAt: harness.clock.now().addingTimeInterval(3_600)), by: world.rep.caller)
            }
            #expect(future.fieldErrors.map(\.field) == ["occurred_at"])
            #expect(try await entitlements.get(id, by: world.rep.caller).balance == 45)
            #expect(try await harness.count("entitlement_consumptions") == 1)

            let rest = try await entitlements.consume(id, .init(quantity: 45, idempotencyKey: "lesson-2"), by: world.rep.caller)
            #expect(rest.entitlement.status == .exhausted && rest.entitlement.balance == 0)
            let exhausted = try await #require(throws: RapportError.self) {
                try await entitlements.consume(id, .init(quantity: 1, idempotencyKey: "lesson-3"), by: world.rep.caller)
            }
            #expect(exhausted.code == .entitlementNotActive)
            let listed = try await entitlements.consumptions(id, page: PageRequest(), by: world.manager.caller).items
            #expect(listed.map(\.quantity) == [3, 45] && listed.map(\.recordedBy) == [world.rep.user.id, world.rep.user.id] && listed[0].note == "第 1 课")

            // Readable by whoever reads the customer; not by another team's rep.
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            let hidden = try await #require(throws: RapportError.self) { try await entitlements.get(id, by: stranger.caller) }
            #expect(hidden.code == .notFound)
            #expect(try await entitlements.list(ofCustomer: world.customer.id.rawValue, page: PageRequest(), by: world.rep.caller).items.map(\.id) == [entitlement.id])
            #expect(try await entitlements.list(.init(), page: PageRequest(), by: stranger.caller).items.isEmpty)
            #expect(try await entitlements.list(.init(status: "exhausted"), page: PageRequest(), by: world.admin.caller).items.count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func expiryAndRenewalExactlyOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, _, entitlement) = try await Self.granted(harness, EntitlementGrant(unit: "session", quantity: 10, validityDays: 60))
            let entitlements = harness.rapport.entitlements
            func renewals() async throws -> [Opportunity] {
                try await harness.rapport.database.read { sql in
                    try await OpportunityStore(sql).list(.init(), page: PageRequest(), in: nil).items.filter { $0.source == "renewal_job" }
                }
            }
            #expect(try await entitlements.runDaily() == (expired: 0, renewals: 0))
            // 30 days before expiry (the default window), one renewal opportunity, owned by the customer's owner.
            harness.clock.advance(by: 30 * 86_400)
            #expect(try await entitlements.runDaily() == (expired: 0, renewals: 1))
            #expect(try await entitlements.runDaily() == (expired: 0, renewals: 0))
            let made = try await renewals()
            #expect(made.count == 1 && made[0].pipeline == "renewal" && made[0].ownerID == world.rep.user.id && made[0].customerID == world.customer.id)
            #expect(made[0].lines.map(\.sku) == ["MATH-48"])
            #expect(try await entitlements.get(entitlement.id.rawValue, by: world.rep.caller).renewalOpportunityID == made[0].id)
            let notices = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: world.rep.caller).items
            #expect(notices.filter { $0.kind == "entitlement.renewal_due" }.map(\.objectID) == [made[0].id.rawValue])

            // Past its expiry: expired, consumption refused, and still one renewal.
            harness.clock.advance(by: 31 * 86_400)
            let late = try await #require(throws: RapportError.self) {
                try await entitlements.consume(entitlement.id.rawValue, .init(quantity: 1, idempotencyKey: "late"), by: world.rep.caller)
            }
            #expect(late.code == .entitlementNotActive)
            #expect(try await entitlements.runDaily() == (expired: 1, renewals: 0))
            #expect(try await entitlements.get(entitlement.id.rawValue, by: world.rep.caller).status == .expired)
            #expect(try await renewals().count == 1)
            #expect(try await harness.count("opportunities") == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func lowBalanceProposesRenewalAndSettingsApply(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, _, entitlement) = try await Self.granted(harness)
            let entitlements = harness.rapport.entitlements
            let id = entitlement.id.rawValue
            let forbidden = try await #require(throws: RapportError.self) { try await entitlements.setSettings(EntitlementSettings(), by: world.manager.caller) }
            #expect(forbidden.code == .forbidden)
            let bad = try await #require(throws: RapportError.self) {
                try await entitlements.setSettings(EntitlementSettings(renewalDaysBeforeExpiry: -1, renewalBalancePercent: 101), by: world.admin.caller)
            }
            #expect(bad.fieldErrors.map(\.field) == ["renewal_days_before_expiry", "renewal_balance_percent"])
            _ = try await entitlements.setSettings(EntitlementSettings(renewalDaysBeforeExpiry: 7, renewalBalancePercent: 25), by: world.admin.caller)
            #expect(try await entitlements.settings(by: world.rep.caller).renewalBalancePercent == 25)

            _ = try await entitlements.consume(id, .init(quantity: 36, idempotencyKey: "k1"), by: world.rep.caller)  // 12 of 48 left: 25 %, not below
            #expect(try await entitlements.runDaily().renewals == 0)
            _ = try await entitlements.consume(id, .init(quantity: 1, idempotencyKey: "k2"), by: world.rep.caller)  // 11 left: below 25 %
            #expect(try await entitlements.runDaily().renewals == 1)
            #expect(try await entitlements.runDaily().renewals == 0)
            let audited = try await OrderTests.audited(harness, entitlement.id)
            #expect(audited == ["entitlement.granted", "entitlement.consumed", "entitlement.consumed", "entitlement.renewal_proposed"])
        }
    }

    @Test(arguments: TestBackend.available)
    func revokeUnconsumedTakesExactlyTheRest(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, entitlement) = try await Self.granted(harness, quantity: 2)
            let entitlements = harness.rapport.entitlements
            _ = try await entitlements.consume(entitlement.id.rawValue, .init(quantity: 10, idempotencyKey: "a"), by: world.rep.caller)
            _ = try await entitlements.consume(entitlement.id.rawValue, .init(quantity: 7, idempotencyKey: "b"), by: world.rep.caller)
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            let hidden = try await #require(throws: RapportError.self) {
                try await entitlements.revokeUnconsumed(orderLine: order.lines[0].id.rawValue, reason: "Refund", by: stranger.caller)
            }
            #expect(hidden.code == .notFound)
            let revocation = try #require(try await entitlements.revokeUnconsumed(orderLine: order.lines[0].id.rawValue, reason: "Refund", by: world.manager.caller))
            #expect(revocation.revoked == 96 - 17)
            #expect(revocation.entitlement.status == .revoked && revocation.entitlement.balance == 0 && revocation.entitlement.consumed == 17)
            #expect(revocation.entitlement.revoked == 79 && Self.holds(revocation.entitlement))
            let again = try #require(try await entitlements.revokeUnconsumed(orderLine: order.lines[0].id.rawValue, reason: "Refund", by: world.manager.caller))
            let stored = try await entitlements.get(entitlement.id.rawValue, by: world.rep.caller)
            #expect(again.revoked == 0 && again.entitlement == stored)
            let refused = try await #require(throws: RapportError.self) {
                try await entitlements.consume(entitlement.id.rawValue, .init(quantity: 1, idempotencyKey: "c"), by: world.rep.caller)
            }
            #expect(refused.code == .entitlementNotActive)
            #expect(try await OrderTests.audited(harness, entitlement.id).last == "entitlement.revoked")
        }
    }

    /// Seeded random sequences of consumptions (some too large, some replayed, some with a reused
    /// key), expiry and revocation, through the use cases: the stored entitlement always satisfies
    /// granted = consumed + balance + revoked, and consumed is the sum of its consumption rows.
    @Test(arguments: TestBackend.available)
    func ledgerInvariantOverRandomSequences(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, _, first) = try await Self.granted(harness, EntitlementGrant(unit: "lesson", quantity: 40, validityDays: 400), quantity: 1)
            let entitlements = harness.rapport.entitlements
            var generator = SplitMix64(seed: 0x5EED_0006)
            var ids = [first.id]
            for _ in 0..<5 {
                let next = try await OrderTests.draft(harness, world, quantity: 1)
                _ = try await harness.rapport.orders.act(.submit, on: next.id.rawValue, reason: nil, by: world.rep.caller)
                _ = try await harness.rapport.orders.act(.approve, on: next.id.rawValue, reason: nil, by: world.manager.caller)
                ids += try await entitlements.list(.init(order: next.id.rawValue), page: PageRequest(), by: world.rep.caller).items.map(\.id)
            }
            var keys: [(RecordID, String, Int64)] = []
            for step in 0..<60 {
                let id = ids[Int(generator.next() % UInt64(ids.count))]
                let roll = generator.next() % 10
                do {
                    if roll < 6 {
                        let quantity = Int64(generator.next() % 15) + 1
                        let key = "s\(step)"
                        _ = try await entitlements.consume(id.rawValue, .init(quantity: quantity, idempotencyKey: key), by: world.rep.caller)
                        keys.append((id, key, quantity))
                    } else if roll < 8, let picked = keys.randomElement(using: &generator) {
                        let replay = generator.next() % 2 == 0
                        _ = try await entitlements.consume(picked.0.rawValue, .init(quantity: replay ? picked.2 : picked.2 + 1, idempotencyKey: picked.1),
                                                           by: world.rep.caller)
                    } else if roll < 9 {
                        let entitlement = try await entitlements.get(id.rawValue, by: world.rep.caller)
                        _ = try await entitlements.revokeUnconsumed(orderLine: entitlement.orderLineID.rawValue, reason: "refund", by: world.manager.caller)
                    } else {
                        harness.clock.advance(by: 20 * 86_400)
                        _ = try await entitlements.runDaily()
                    }
                } catch let error as RapportError {
                    #expect([.insufficientBalance, .entitlementNotActive, .consumptionKeyReused].contains(error.code))
                }
                for id in ids {
                    let stored = try await entitlements.get(id.rawValue, by: world.rep.caller)
                    #expect(Self.holds(stored), "step \(step): \(stored)")
                    let rows = try await entitlements.consumptions(id.rawValue, page: PageRequest(limit: 500), by: world.rep.caller).items
                    #expect(rows.reduce(0) { $0 + $1.quantity } == stored.consumed)
                }
            }
        }
    }

    /// The pure ledger over many seeded sequences: the invariant holds after every step, refusals
    /// change nothing, and a revocation takes exactly the balance.
    @Test func pureLedgerInvariant() {
        var generator = SplitMix64(seed: 42)
        let start = Date(timeIntervalSince1970: 1_767_603_600)
        for _ in 0..<2_000 {
            let granted = Int64(generator.next() % 500) + 1
            var entitlement = Entitlement(
                id: RecordID(trusted: "ent_1"), customerID: RecordID(trusted: "cus_1"), orderID: RecordID(trusted: "ord_1"),
                orderLineID: RecordID(trusted: "orl_1"), productID: RecordID(trusted: "prd_1"), sku: "S", unit: "lesson", granted: granted,
                startsAt: start, expiresAt: start.addingTimeInterval(100 * 86_400), createdAt: start, updatedAt: start)
            var now = start
            for _ in 0..<30 {
                switch generator.next() % 10 {
                case 0: now = now.addingTimeInterval(Double(generator.next() % 30) * 86_400)
                case 1:
                    let before = entitlement.balance
                    let (next, revoked) = entitlement.revokingUnconsumed(at: now)
                    #expect(revoked == (entitlement.status == .revoked ? 0 : before))
                    entitlement = next
                case 2: entitlement = entitlement.expiring(at: now) ?? entitlement
                default:
                    let quantity = Int64(generator.next() % 60)
                    switch entitlement.consuming(quantity, at: now) {
                    case .success(let next):
                        #expect(next.consumed == entitlement.consumed + quantity)
                        entitlement = next
                    case .failure: break
                    }
                }
                #expect(Self.holds(entitlement))
            }
        }
    }
}
