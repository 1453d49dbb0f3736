import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Handovers (离职交接) on both engines: a departing rep is frozen and everything they own moves —
/// stages and history kept, the previous owner recorded, round-robin even, pools as a release
/// would — and refusals change nothing.
@Suite struct HandoverTests {
    typealias Target = HandoverUseCases.TargetInput

    /// A departing rep in `team` with `leads` owned leads of `pool` and `customers` owned customers.
    static func departing(_ harness: TestHarness, team: Team, pool: Pool, leads: Int, customers: Int) async throws -> (TestHarness.SignedIn, [Lead], [Customer]) {
        let rep = try await harness.signedIn(.rep, team: team)
        var owned: [Lead] = []
        for index in 0..<leads {
            let (lead, _) = try await harness.rapport.leads.create(
                LeadInput(name: "Lead \(index)", phone: .some(String(format: "137%08d", index)), pool: .some(pool.id.rawValue)), by: rep.caller)
            owned.append(lead)
        }
        var people: [Customer] = []
        for index in 0..<customers {
            let (customer, _) = try await harness.rapport.customers.create(
                CustomerUseCaseTests.person("Customer \(index)", phone: String(format: "136%08d", index)), by: rep.caller)
            people.append(customer)
        }
        return (rep, owned, people)
    }

    static func lead(_ harness: TestHarness, _ id: RecordID) async throws -> Lead {
        try #require(try await harness.rapport.database.read { sql in try await LeadStore(sql).find(id) })
    }

    static func customer(_ harness: TestHarness, _ id: RecordID) async throws -> Customer {
        try #require(try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(id) })
    }

    @Test(arguments: TestBackend.available)
    func everyKindMovesKeepingStagesAndHistoryAndTheUserIsFrozen(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let north = try await harness.team("north", parent: east)
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules(protectionDays: 5))
            let (rep, created, customers) = try await Self.departing(harness, team: east, pool: pool, leads: 7, customers: 5)
            let manager = try await harness.signedIn(.manager, team: east)
            let first = try await harness.signedIn(.rep, team: east)
            let second = try await harness.signedIn(.rep, team: north)
            let third = try await harness.signedIn(.rep, team: north)
            // A lead further along, one closed (converted: its customer is the rep's too), a customer with a stage history.
            _ = try await harness.rapport.leads.move(created[1].id.rawValue, to: "contacting", reason: "called", by: rep.caller)
            let (qualified, _) = try await harness.rapport.leads.create(
                LeadInput(name: "李华", company: .some("星河教育"), phone: .some("13900001111"), email: .some("lihua@example.com"),
                          customFields: ["grade": .string("adult"), "subject_interest": .array([.string("math")])], status: "qualified",
                          pool: .some(pool.id.rawValue)), by: rep.caller)
            let conversion = try await harness.rapport.leads.convert(qualified.id.rawValue, by: rep.caller)
            let leads = created + [qualified]
            _ = try await harness.rapport.customers.move(customers[0].id.rawValue, to: "engaged", reason: "first call", by: rep.caller)
            // A customer merged into another stays where it is (the tombstone is not handed over).
            _ = try await harness.rapport.merges.merge(survivor: customers[3].id.rawValue, merged: customers[4].id.rawValue, choices: [:], by: manager.caller)
            let leadHistory = try await harness.rapport.leads.statusHistory(leads[1].id.rawValue, by: harness.system)
            let customerHistory = try await harness.rapport.customers.stageHistory(customers[0].id.rawValue, by: manager.caller)

            let handover = try await harness.rapport.handovers.handOver(.init(
                user: rep.user.id.rawValue, reason: "Left the company",
                targets: [.leads: Target(to: "users", userIDs: [first.user.id.rawValue, second.user.id.rawValue, first.user.id.rawValue]),
                          .customers: Target(to: "team", team: north.key)]), by: manager.caller)

            // Leads: dealt in id order over [first, second], stages and history untouched, the rep recorded.
            let recipients = [first.user, second.user]
            for (index, original) in leads.enumerated() {
                let lead = try await Self.lead(harness, original.id)
                let to = recipients[index % 2]
                #expect(lead.ownerID == to.id && lead.teamID == to.teamID && lead.previousOwnerID == rep.user.id && lead.poolID == pool.id)
                #expect(lead.assignedAt == handover.at && lead.protectedUntil == handover.at.addingTimeInterval(5 * 86_400))
                let log = try await harness.rapport.leads.assignments(lead.id.rawValue, by: harness.system)
                #expect(log.last?.kind == .handover && log.last?.from == rep.user.id && log.last?.to == to.id && log.last?.reason == "Left the company"
                        && log.last?.by == manager.user.id)
            }
            #expect(try await Self.lead(harness, leads[1].id).status == "contacting")
            #expect(try await Self.lead(harness, qualified.id).status == "converted")
            #expect(try await harness.rapport.leads.statusHistory(leads[1].id.rawValue, by: harness.system) == leadHistory)

            // Customers: over north's active members (second, third), the stage kept, the log written.
            var received: [RecordID: Int] = [:]
            let live = [customers[0], customers[1], customers[2], customers[3]].map(\.id) + [conversion.customer.id]
            for id in live {
                let customer = try await Self.customer(harness, id)
                let owner = try #require(customer.ownerID)
                #expect([second.user.id, third.user.id].contains(owner) && customer.teamID == north.id)
                received[owner, default: 0] += 1
                let log = try await harness.rapport.database.read { sql in try await CustomerStore(sql).assignments(of: id) }
                #expect(log.map(\.kind) == [.handover] && log[0].from == rep.user.id && log[0].to == owner)
            }
            #expect(received.values.sorted() == [2, 3])
            let engaged = try await Self.customer(harness, customers[0].id)
            #expect(engaged.stage == "engaged" && engaged.stageEnteredAt == customerHistory.last?.at)
            #expect(try await harness.rapport.customers.stageHistory(customers[0].id.rawValue, by: harness.system) == customerHistory)
            #expect(try await Self.customer(harness, customers[4].id).ownerID == rep.user.id)

            // The rep is frozen: disabled, the token refused at once.
            let frozen = try await harness.rapport.users.get(rep.user.id.rawValue, by: harness.system)
            #expect(frozen.status == .disabled)
            let refused = await #expect(throws: RapportError.self) { try await harness.rapport.auth.authenticate(secret: rep.secret, address: nil) }
            #expect(refused?.code == .unauthorized)

            // The report: summary, items paged by kind, notifications, the audit.
            #expect(handover.summary.revokedCredentials == 1)
            let leadSummary = try #require(handover.summary.kinds["leads"])
            #expect(leadSummary.to == "users" && leadSummary.moved == 8 && leadSummary.recipients.map(\.count) == [4, 4])
            let customerSummary = try #require(handover.summary.kinds["customers"])
            #expect(customerSummary.to == "team" && customerSummary.teamID == north.id && customerSummary.moved == 5 && customerSummary.skipped == 1)
            #expect(try await harness.rapport.handovers.get(handover.id.rawValue, by: manager.caller) == handover)
            var items: [HandoverItem] = []
            var page = PageRequest(limit: 3)
            while true {
                let found = try await harness.rapport.handovers.items(handover.id.rawValue, kind: "lead", page: page, by: manager.caller)
                items += found.items
                guard let next = found.nextCursor else { break }
                page.cursor = next
            }
            #expect(items.map(\.objectID) == leads.map(\.id) && items.allSatisfy { $0.from == rep.user.id && $0.objectKind == .lead })
            #expect(try await harness.rapport.handovers.items(handover.id.rawValue, page: PageRequest(), by: manager.caller).items.count == 13)
            #expect(try await harness.rapport.handovers.list(page: PageRequest(), by: manager.caller).items.map(\.id) == [handover.id])
            let inbox = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: second.caller)
            #expect(inbox.items.first?.kind == "handover.received" && inbox.items.first?.details["leads"] == "4")
            let audit = try await harness.rapport.audit.list(.init(action: "handover.completed"), page: PageRequest(), by: harness.system)
            #expect(audit.items.map(\.objectID) == [handover.id.rawValue])
        }
    }

    @Test(arguments: TestBackend.available)
    func leadsGoBackToAPoolAndKindsLeftOutAreKeptAndReported(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules())
            let other = try await LeadPoolTests.pool(harness, key: "returns", teams: [east], rules: PoolRules())
            let (rep, leads, customers) = try await Self.departing(harness, team: east, pool: pool, leads: 3, customers: 2)
            let admin = try await harness.signedIn(.admin)

            // Customers go only to a customer pool: a lead pool is refused, nothing changed.
            let wrong = try await #require(throws: RapportError.self) {
                try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "Left",
                                                                   targets: [.customers: Target(to: "pool", pool: pool.key)]), by: admin.caller)
            }
            #expect(wrong.fieldErrors.map(\.code) == ["wrong_pool"])
            #expect(try await harness.rapport.users.get(rep.user.id.rawValue, by: admin.caller).status == .active)

            let handover = try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "Left",
                                                                              targets: [.leads: Target(to: "pool", pool: other.key)]), by: admin.caller)
            for original in leads {
                let lead = try await Self.lead(harness, original.id)
                #expect(lead.ownerID == nil && lead.poolID == other.id && lead.previousOwnerID == rep.user.id && lead.releasedAt == handover.at
                        && lead.assignedAt == nil && lead.protectedUntil == nil && lead.status == original.status)
                let log = try await harness.rapport.leads.assignments(lead.id.rawValue, by: harness.system)
                #expect(log.last?.kind == .handover && log.last?.to == nil && log.last?.poolID == other.id)
            }
            let waiting = try await harness.rapport.pools.waiting(other.key, page: PageRequest(), by: admin.caller)
            #expect(Set(waiting.items.map(\.id)) == Set(leads.map(\.id)))
            for customer in customers { #expect(try await Self.customer(harness, customer.id).ownerID == rep.user.id) }
            #expect(handover.summary.kinds["customers"] == .init(to: "none", kept: 2))
            #expect(handover.summary.kinds["leads"] == .init(to: "pool", poolID: other.id, moved: 3))
            let items = try await harness.rapport.handovers.items(handover.id.rawValue, kind: "lead", page: PageRequest(), by: admin.caller)
            #expect(items.items.allSatisfy { $0.to == nil && $0.poolID == other.id })

            // The rest can follow later: a disabled user can be handed over again.
            let later = try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "Customers too",
                                                                           targets: [.customers: Target(to: "users", userIDs: [admin.user.id.rawValue])]), by: admin.caller)
            #expect(later.summary.kinds["customers"]?.moved == 2 && later.summary.revokedCredentials == 0)
            #expect(try await harness.rapport.handovers.list(page: PageRequest(), by: admin.caller).items.map(\.id) == [later.id, handover.id])
        }
    }

    @Test(arguments: TestBackend.available)
    func openOpportunitiesMoveWithTheirStagesAndClosedOnesStay(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules())
            let (rep, _, customers) = try await Self.departing(harness, team: east, pool: pool, leads: 0, customers: 1)
            let heir = try await harness.signedIn(.rep, team: west)
            let admin = try await harness.signedIn(.admin)
            let deals = harness.rapport.opportunities
            var created: [Opportunity] = []
            for name in ["A", "B", "C"] {
                created.append(try await deals.create(OpportunityInput(name: name, customer: customers[0].id.rawValue, amount: .some(Money(9_900, "CNY"))),
                                                      by: rep.caller).opportunity)
            }
            _ = try await deals.move(created[1].id.rawValue, to: "proposal", reason: nil, by: rep.caller)
            _ = try await deals.move(created[2].id.rawValue, to: "lost", reason: nil, lossReason: "price", by: rep.caller)
            let history = try await deals.history(created[1].id.rawValue, by: admin.caller)

            // Opportunities never go to a pool; the refusal changes nothing.
            let refused = try await #require(throws: RapportError.self) {
                try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "Left",
                                                                   targets: [.opportunities: Target(to: "pool", pool: pool.key)]), by: admin.caller)
            }
            #expect(refused.fieldErrors.map(\.field) == ["opportunities.to"])
            #expect(try await harness.rapport.users.get(rep.user.id.rawValue, by: admin.caller).status == .active)

            let preview = try await harness.rapport.handovers.preview(rep.user.id.rawValue, plan: [:], by: admin.caller)
            let planned = try #require(preview.kinds.first { $0.kind == .opportunities })
            #expect(planned.count == 2 && planned.skipped == 1 && planned.records.map(\.id) == [created[1].id, created[0].id])

            let handover = try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "Left",
                                                                              targets: [.opportunities: Target(to: "users", userIDs: [heir.user.id.rawValue])]),
                                                                        by: admin.caller)
            #expect(handover.summary.kinds["opportunities"] == .init(to: "users", moved: 2, skipped: 1, recipients: [.init(userID: heir.user.id, count: 2)]))
            let moved = try await deals.get(created[1].id.rawValue, by: heir.caller).opportunity
            #expect(moved.ownerID == heir.user.id && moved.teamID == west.id && moved.stage == "proposal" && moved.version == 3)
            #expect(try await deals.history(created[1].id.rawValue, by: admin.caller) == history)
            #expect(try await deals.get(created[2].id.rawValue, by: admin.caller).opportunity.ownerID == rep.user.id)
            let items = try await harness.rapport.handovers.items(handover.id.rawValue, kind: "opportunity", page: PageRequest(), by: admin.caller)
            #expect(Set(items.items.map(\.objectID)) == Set([created[0].id, created[1].id]))
        }
    }

    @Test(arguments: TestBackend.available)
    func roundRobinIsEvenAndThePreviewDealsAlikeAndWarnsOfHoldingLimits(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules(holdingLimit: LevelLimits(4)))
            let (rep, leads, _) = try await Self.departing(harness, team: east, pool: pool, leads: 4, customers: 0)
            let admin = try await harness.signedIn(.admin)
            let busy = try await harness.signedIn(.rep, team: east)
            let idle = try await harness.signedIn(.rep, team: east)
            let quiet = try await harness.signedIn(.rep, team: east)
            for index in 0..<3 {
                _ = try await harness.rapport.leads.create(LeadInput(name: "Busy \(index)", phone: .some(String(format: "135%08d", index)), pool: .some(pool.id.rawValue)), by: busy.caller)
            }
            // Leads the rep owns beyond the pool's limit (created by an administrator for them).
            var all = leads
            for index in 0..<6 {
                let (lead, _) = try await harness.rapport.leads.create(LeadInput(name: "More \(index)", email: .some("more\(index)@example.com"), owner: .some(rep.user.id.rawValue), pool: .some(nil)), by: harness.system)
                all.append(lead)
            }
            let plan: [HandoverKind: Target] = [.leads: Target(to: "users", userIDs: [busy.user.id.rawValue, idle.user.id.rawValue, quiet.user.id.rawValue])]
            let preview = try await harness.rapport.handovers.preview(rep.user.id.rawValue, plan: plan, by: admin.caller)
            let leadPreview = try #require(preview.kinds.first { $0.kind == .leads })
            #expect(leadPreview.count == 10 && leadPreview.open == 10 && leadPreview.records.count == 10)
            #expect(leadPreview.records.contains { $0.phone != nil } && leadPreview.records.contains { $0.email != nil })
            #expect(leadPreview.records.allSatisfy { ($0.phone ?? "*").contains("*") && ($0.email ?? "*").contains("*") })
            #expect(leadPreview.plan?.recipients.map(\.count) == [4, 3, 3])
            // busy holds 3 of the pool's limit of 4 and would get two of its leads (the first and the fourth).
            #expect(preview.warnings.map(\.userID) == [busy.user.id] && preview.warnings.first?.holding == 3 && preview.warnings.first?.limit == 4)

            let handover = try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "Left", targets: plan), by: admin.caller)
            #expect(handover.summary.kinds["leads"]?.recipients.map(\.count) == [4, 3, 3])
            var counts: [RecordID: Int] = [:]
            for lead in all { counts[try #require(try await Self.lead(harness, lead.id).ownerID), default: 0] += 1 }
            #expect(counts == [busy.user.id: 4, idle.user.id: 3, quiet.user.id: 3])
        }
    }

    @Test(arguments: TestBackend.available)
    func refusalsChangeNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules())
            let customerPool = try await harness.rapport.pools.create(.init(key: "accounts", name: "Accounts", object: "customer"), by: harness.system)
            let (rep, leads, _) = try await Self.departing(harness, team: east, pool: pool, leads: 2, customers: 1)
            let colleague = try await harness.signedIn(.rep, team: east)
            let outsider = try await harness.signedIn(.rep, team: west)
            let eastManager = try await harness.signedIn(.manager, team: east)
            let westManager = try await harness.signedIn(.manager, team: west)
            let leaver = try await harness.signedIn(.rep, team: east)
            _ = try await harness.rapport.users.disable(leaver.user.id.rawValue, by: harness.system)
            let emptyTeam = try await harness.team("empty", parent: east)
            let toColleague: [HandoverKind: Target] = [.leads: Target(to: "users", userIDs: [colleague.user.id.rawValue])]
            let tables = ["handovers", "handover_items", "lead_assignments", "customer_assignments", "notifications", "audit_log"]
            var before: [Int] = []
            for table in tables { before.append(try await harness.count(table)) }

            func refused(_ request: HandoverUseCases.Request, by caller: Caller) async throws -> RapportError {
                try await #require(throws: RapportError.self) { try await harness.rapport.handovers.handOver(request, by: caller) }
            }
            let user = rep.user.id.rawValue
            #expect(try await refused(.init(user: user, reason: "x", targets: toColleague), by: colleague.caller).code == .forbidden)
            #expect(try await refused(.init(user: user, reason: "x", targets: toColleague), by: westManager.caller).code == .notFound)
            #expect(try await refused(.init(user: "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV", reason: "x"), by: eastManager.caller).code == .notFound)
            let yourself = try await refused(.init(user: eastManager.user.id.rawValue, reason: "x"), by: eastManager.caller)
            #expect(yourself.fieldErrors.map(\.code) == ["self"])
            let noReason = try await refused(.init(user: user, reason: " ", targets: toColleague), by: eastManager.caller)
            #expect(noReason.fieldErrors.map(\.field) == ["reason"])
            let bad = try await refused(.init(user: user, reason: "x", targets: [
                .leads: Target(to: "users", userIDs: []),
                .customers: Target(to: "users", userIDs: [outsider.user.id.rawValue, leaver.user.id.rawValue, user, "nobody"]),
            ]), by: eastManager.caller)
            #expect(Dictionary(uniqueKeysWithValues: bad.fieldErrors.map { ($0.field, $0.code) }) == [
                "leads.user_ids": "required", "customers.user_ids[0]": "invalid", "customers.user_ids[1]": "invalid",
                "customers.user_ids[2]": "invalid", "customers.user_ids[3]": "invalid",
            ])
            let wrong = try await refused(.init(user: user, reason: "x", targets: [
                .leads: Target(to: "pool", pool: customerPool.key), .customers: Target(to: "team", team: emptyTeam.key),
            ]), by: eastManager.caller)
            #expect(Dictionary(uniqueKeysWithValues: wrong.fieldErrors.map { ($0.field, $0.code) }) == ["leads.pool_id": "wrong_pool", "customers.team_id": "no_members"])
            let team = try await refused(.init(user: user, reason: "x", targets: [.leads: Target(to: "team", team: west.key)]), by: eastManager.caller)
            #expect(team.fieldErrors.map(\.code) == ["invalid"])
            let to = try await refused(.init(user: user, reason: "x", targets: [.leads: Target(to: "everyone")]), by: eastManager.caller)
            #expect(to.fieldErrors.map(\.field) == ["leads.to"])

            var after: [Int] = []
            for table in tables { after.append(try await harness.count(table)) }
            #expect(after == before)
            #expect(try await harness.rapport.users.get(user, by: harness.system).status == .active)
            _ = try await harness.rapport.auth.authenticate(secret: rep.secret, address: nil)
            for lead in leads { #expect(try await Self.lead(harness, lead.id).ownerID == rep.user.id) }

            // The manager of the rep's team may; then the west manager does not see the report.
            let handover = try await harness.rapport.handovers.handOver(.init(user: user, reason: "Left", targets: toColleague), by: eastManager.caller)
            #expect(try await harness.rapport.handovers.list(page: PageRequest(), by: westManager.caller).items.isEmpty)
            let hidden = try await #require(throws: RapportError.self) { try await harness.rapport.handovers.get(handover.id.rawValue, by: westManager.caller) }
            #expect(hidden.code == .notFound)
            let listed = try await #require(throws: RapportError.self) { try await harness.rapport.handovers.list(page: PageRequest(), by: colleague.caller) }
            #expect(listed.code == .forbidden)
        }
    }
}
