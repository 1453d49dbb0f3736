import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Opportunities through their use cases, on every backend: pipelines and guards, won, lost and
/// re-opened in the history, scope with collaborators, the board's sums and rounding, validation,
/// and editing pipelines in the dictionary.
@Suite struct OpportunityTests {
    static func customer(_ harness: TestHarness, _ name: String, by caller: Caller) async throws -> Customer {
        try await harness.rapport.customers.create(CustomerInput(kind: "person", name: name), by: caller).0
    }

    static func cny(_ minor: Int64) -> Money { Money(minor, "CNY") }

    /// The audit actions recorded for one opportunity, in order.
    static func audited(_ harness: TestHarness, _ id: RecordID) async throws -> [String] {
        try await harness.rapport.database.read { sql in
            try await sql.select().column("action").from("audit_log").where("object_id", .equal, id.rawValue).orderBy("seq").all()
                .map { try $0.decode(column: "action", as: String.self) }
        }
    }

    @Test(arguments: TestBackend.available)
    func stagesFollowThePipelineGuardsAndHistory(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let opportunities = harness.rapport.opportunities
            #expect(try await opportunities.pipelines(by: rep.caller).pipelines.map(\.key) == ["new_sale", "renewal", "upsell"])
            let customer = try await Self.customer(harness, "王小明", by: rep.caller)
            let created = try await opportunities.create(
                OpportunityInput(name: "数学年课", customer: customer.id.rawValue, expectedCloseDate: .some("2026-02-15"), competitors: ["学而思"]),
                by: rep.caller)
            let id = created.opportunity.id.rawValue
            #expect(created.opportunity.pipeline == "new_sale" && created.opportunity.stage == "needs_analysis")
            #expect(created.opportunity.ownerID == rep.user.id && created.opportunity.teamID == team.id && created.probability == 10)

            // `amount` is required before `proposal`.
            let unmet = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "proposal", reason: nil, by: rep.caller) }
            #expect(unmet.code == .validationFailed && unmet.fieldErrors.map(\.field) == ["amount"])
            _ = try await opportunities.update(id, OpportunityInput(amount: .some(Self.cny(1_234_567))), expectedVersion: 1, by: rep.caller)
            let proposal = try await opportunities.move(id, to: "proposal", reason: "Plan sent", by: rep.caller)
            #expect(proposal.opportunity.stage == "proposal" && proposal.probability == 40)
            #expect(proposal.weightedAmount == Self.cny(493_827))  // 1 234 567 × 40 % = 493 826.8 → half-up
            // In proposal the amount cannot be cleared; an owner's probability overrides the stage's.
            let cleared = try await #require(throws: RapportError.self) {
                try await opportunities.update(id, OpportunityInput(amount: .some(nil)), expectedVersion: nil, by: rep.caller)
            }
            #expect(cleared.fieldErrors.map(\.field) == ["amount"])
            let overridden = try await opportunities.update(id, OpportunityInput(probability: .some(55)), expectedVersion: nil, by: rep.caller)
            #expect(overridden.probability == 55 && overridden.weightedAmount == Self.cny(679_012))  // 679 011.85

            // Lost needs a reason from the option list; a closed opportunity moves back only by re-opening.
            let noReason = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "lost", reason: nil, by: rep.caller) }
            #expect(noReason.fieldErrors.map(\.field) == ["loss_reason"])
            let badReason = try await #require(throws: RapportError.self) {
                try await opportunities.move(id, to: "lost", reason: nil, lossReason: "bad_luck", by: rep.caller)
            }
            #expect(badReason.fieldErrors.map(\.field) == ["loss_reason"] && badReason.fieldErrors.first?.code == "invalid")
            harness.clock.advance(by: 3_600)
            let lost = try await opportunities.move(id, to: "lost", reason: "Chose a cheaper school", lossReason: "price", by: rep.caller)
            #expect(lost.opportunity.statusCategory == .lost && lost.opportunity.lossReason == "price" && lost.probability == 0)
            #expect(lost.opportunity.closedAt == harness.clock.now() && lost.weightedAmount == Self.cny(0))
            let back = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "needs_analysis", reason: nil, by: rep.caller) }
            #expect(back.code == .conflict)
            let silent = try await #require(throws: RapportError.self) { try await opportunities.reopen(id, to: nil, reason: " ", by: rep.caller) }
            #expect(silent.fieldErrors.map(\.field) == ["reason"])
            let reopened = try await opportunities.reopen(id, to: nil, reason: "Parent called back", by: rep.caller)
            #expect(reopened.opportunity.stage == "needs_analysis" && reopened.opportunity.statusCategory == .open)
            #expect(reopened.opportunity.closedAt == nil && reopened.opportunity.lossReason == nil && reopened.probability == 55)
            let open = try await #require(throws: RapportError.self) { try await opportunities.reopen(id, to: nil, reason: "again", by: rep.caller) }
            #expect(open.code == .conflict)

            // Won, then re-opened to the stage it was won from.
            _ = try await opportunities.move(id, to: "proposal", reason: nil, by: rep.caller)
            let package = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "negotiation", reason: nil, by: rep.caller) }
            #expect(package.fieldErrors.map(\.field) == ["custom_fields.course_package"])
            _ = try await opportunities.update(id, OpportunityInput(customFields: ["course_package": .string("lessons_48")]), expectedVersion: nil, by: rep.caller)
            _ = try await opportunities.move(id, to: "negotiation", reason: nil, by: rep.caller)
            let won = try await opportunities.move(id, to: "won", reason: "Paid", by: rep.caller)
            #expect(won.opportunity.statusCategory == .won && won.probability == 100 && won.weightedAmount == Self.cny(1_234_567))
            let unwon = try await opportunities.reopen(id, to: nil, reason: "Payment bounced", by: rep.caller)
            #expect(unwon.opportunity.stage == "negotiation")

            let history = try await opportunities.history(id, by: rep.caller)
            #expect(history.map(\.to) == ["needs_analysis", "proposal", "lost", "needs_analysis", "proposal", "negotiation", "won", "negotiation"])
            #expect(history[2].reason == "Chose a cheaper school" && history[3].reason == "Parent called back" && history.allSatisfy { $0.by == rep.user.id })
            let actions = try await Self.audited(harness, created.opportunity.id)
            #expect(actions.first == "opportunity.created" && actions.filter { $0 == "opportunity.reopened" }.count == 2)
            #expect(actions.filter { $0 == "opportunity.stage_changed" }.count == 5)
        }
    }

    @Test(arguments: TestBackend.available)
    func scopeShowsOwnCollaborationsAndTheManagersSubtree(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let root = try await harness.team("sales")
            let east = try await harness.team("east", parent: root)
            let west = try await harness.team("west", parent: root)
            let manager = try await harness.signedIn(.manager, team: east)
            let rep1 = try await harness.signedIn(.rep, team: east)
            let rep2 = try await harness.signedIn(.rep, team: east)
            let repWest = try await harness.signedIn(.rep, team: west)
            let opportunities = harness.rapport.opportunities
            func create(_ name: String, _ caller: Caller) async throws -> Opportunity {
                let customer = try await Self.customer(harness, "Customer of \(name)", by: caller)
                return try await opportunities.create(OpportunityInput(name: name, customer: customer.id.rawValue), by: caller).opportunity
            }
            let a = try await create("A", rep1.caller)
            let b = try await create("B", rep2.caller)
            let c = try await create("C", repWest.caller)
            let listed = { (caller: Caller) in try await opportunities.list(.init(), page: PageRequest(), by: caller).items.map(\.opportunity.id) }
            #expect(try await listed(rep1.caller) == [a.id])
            #expect(try await listed(manager.caller) == [b.id, a.id])
            #expect(try await listed(harness.system) == [c.id, b.id, a.id])
            for (caller, id) in [(rep2.caller, a.id), (manager.caller, c.id), (repWest.caller, b.id)] {
                let outside = try await #require(throws: RapportError.self) { try await opportunities.get(id.rawValue, by: caller) }
                #expect(outside.code == .notFound)
            }

            // A read collaborator sees it (list, board, by id) but may not change it; edit may.
            let shared = try await opportunities.addCollaborator(a.id.rawValue, user: rep2.user.id.rawValue, access: "read", by: rep1.caller)
            #expect(shared.collaborators.map(\.userID) == [rep2.user.id] && shared.collaborators.first?.access == .read)
            #expect(try await listed(rep2.caller) == [b.id, a.id])
            #expect(try await opportunities.board("new_sale", by: rep2.caller).summary.columns.first?.count == 2)
            let readOnly = try await #require(throws: RapportError.self) {
                try await opportunities.update(a.id.rawValue, OpportunityInput(name: "A!"), expectedVersion: nil, by: rep2.caller)
            }
            #expect(readOnly.code == .notFound)
            _ = try await opportunities.addCollaborator(a.id.rawValue, user: rep2.user.id.rawValue, access: "edit", by: rep1.caller)
            let edited = try await opportunities.update(a.id.rawValue, OpportunityInput(name: "A!"), expectedVersion: 1, by: rep2.caller)
            #expect(edited.opportunity.name == "A!" && edited.opportunity.version == 2)
            try await opportunities.removeCollaborator(a.id.rawValue, user: rep2.user.id.rawValue, by: rep1.caller)
            let removed = try await #require(throws: RapportError.self) { try await opportunities.get(a.id.rawValue, by: rep2.caller) }
            #expect(removed.code == .notFound)
            let again = try await #require(throws: RapportError.self) {
                try await opportunities.removeCollaborator(a.id.rawValue, user: rep2.user.id.rawValue, by: rep1.caller)
            }
            #expect(again.code == .notFound)
            let own = try await #require(throws: RapportError.self) {
                try await opportunities.addCollaborator(a.id.rawValue, user: rep1.user.id.rawValue, access: "edit", by: rep1.caller)
            }
            #expect(own.fieldErrors.map(\.field) == ["user_id"])

            // A customer out of sight cannot get an opportunity; a rep cannot name another owner; a manager can.
            let westCustomer = try await Self.customer(harness, "West customer", by: repWest.caller)
            let unseen = try await #require(throws: RapportError.self) {
                try await opportunities.create(OpportunityInput(name: "X", customer: westCustomer.id.rawValue), by: rep1.caller)
            }
            #expect(unseen.fieldErrors.map(\.field) == ["customer_id"])
            let customer = try await Self.customer(harness, "Shared", by: rep1.caller)
            let named = try await #require(throws: RapportError.self) {
                try await opportunities.create(OpportunityInput(name: "X", customer: customer.id.rawValue, owner: rep2.user.id.rawValue), by: rep1.caller)
            }
            #expect(named.fieldErrors.map(\.field) == ["owner_id"])
            let given = try await opportunities.create(OpportunityInput(name: "Y", customer: customer.id.rawValue, owner: rep2.user.id.rawValue), by: manager.caller)
            #expect(given.opportunity.ownerID == rep2.user.id && given.opportunity.teamID == east.id)
            let reassigned = try await opportunities.update(given.opportunity.id.rawValue, OpportunityInput(owner: rep1.user.id.rawValue),
                                                            expectedVersion: 1, by: manager.caller)
            #expect(reassigned.opportunity.ownerID == rep1.user.id)
            #expect(try await listed(rep1.caller) == [given.opportunity.id, a.id])
        }
    }

    @Test(arguments: TestBackend.available)
    func theBoardSumsPerStageAndCurrencyAndRoundsOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let other = try await harness.signedIn(.rep, team: team)
            let opportunities = harness.rapport.opportunities
            let customer = try await Self.customer(harness, "Board", by: rep.caller)
            func create(_ name: String, amount: Money?, probability: Int? = nil, stage: String? = nil, by caller: Caller? = nil) async throws -> Opportunity {
                try await opportunities.create(
                    OpportunityInput(name: name, customer: customer.id.rawValue, stage: stage, amount: amount.map { .some($0) },
                                     probability: probability.map { .some($0) }, lossReason: stage == "lost" ? .some("price") : nil),
                    by: caller ?? rep.caller).opportunity
            }
            // Proposal (40 %): three 1-fen deals weigh 0.4 fen each; rounded once per column, 1.2 → 1.
            for index in 0..<3 { _ = try await create("tiny \(index)", amount: Self.cny(1), stage: "proposal") }
            _ = try await create("override", amount: Self.cny(1_001), probability: 55, stage: "proposal")  // 550.55
            _ = try await create("dollars", amount: Money(250, "USD"), stage: "proposal")  // 100
            _ = try await create("unknown", amount: nil)  // needs_analysis, counts without money
            _ = try await create("won", amount: Self.cny(5_000), probability: 20, stage: "won")  // closed: the stage's 100 %
            _ = try await create("lost", amount: Self.cny(7_000), stage: "lost")

            let board = try await opportunities.board("new_sale", cards: 2, by: rep.caller)
            let columns = Dictionary(uniqueKeysWithValues: board.summary.columns.map { ($0.stage.key, $0) })
            #expect(board.summary.columns.map(\.stage.key) == ["needs_analysis", "proposal", "negotiation", "won", "lost"])
            let proposal = try #require(columns["proposal"])
            #expect(proposal.count == 5 && proposal.probability == 40)
            #expect(proposal.amount == [Self.cny(1_004), Money(250, "USD")])
            #expect(proposal.weighted == [Self.cny(552), Money(100, "USD")])  // 1.2 + 550.55 = 551.75 → 552
            #expect(board.cards["proposal"]?.count == 2 && board.cards["negotiation"] == nil)
            #expect(columns["needs_analysis"]?.count == 1 && columns["needs_analysis"]?.amount == [])
            #expect(columns["won"]?.weighted == [Self.cny(5_000)] && columns["lost"]?.weighted == [Self.cny(0)])
            #expect(board.summary.openCount == 6 && board.summary.openAmount == [Self.cny(1_004), Money(250, "USD")])
            #expect(board.summary.openWeighted == [Self.cny(552), Money(100, "USD")])
            // One owner's board; another rep's is empty; an unknown pipeline is not found.
            #expect(try await opportunities.board("new_sale", owner: rep.user.id.rawValue, by: harness.system).summary.openCount == 6)
            #expect(try await opportunities.board("new_sale", by: other.caller).summary.columns.allSatisfy { $0.count == 0 })
            let missing = try await #require(throws: RapportError.self) { try await opportunities.board("nope", by: rep.caller) }
            #expect(missing.code == .notFound)
            let tooMany = try await #require(throws: RapportError.self) { try await opportunities.board("new_sale", cards: 0, by: rep.caller) }
            #expect(tooMany.fieldErrors.map(\.field) == ["cards"])
        }
    }

    @Test(arguments: TestBackend.available)
    func badInputNamesEachFieldAndLinesGiveTheAmount(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, team: try await harness.team("east"))
            let opportunities = harness.rapport.opportunities
            let customer = try await Self.customer(harness, "Lines", by: rep.caller)
            let bad = try await #require(throws: RapportError.self) {
                try await opportunities.create(
                    OpportunityInput(
                        name: " ", customer: customer.id.rawValue, pipeline: "nope", amount: .some(Money(-1, "yuan")), expectedCloseDate: .some("2026-02-30"),
                        competitors: Array(repeating: "x", count: 21), probability: .some(101),
                        lines: [.init(sku: "", quantity: 0, unitPrice: Self.cny(100))]),
                    by: rep.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == [
                "name", "pipeline", "amount.currency", "amount.amount_minor", "expected_close_date", "competitors", "probability", "lines[0].sku",
                "lines[0].quantity",
            ])
            #expect(try await harness.count("opportunities") == 0)

            let item = try await opportunities.create(
                OpportunityInput(name: "Bundle", customer: customer.id.rawValue, pipeline: "upsell", competitors: ["Acme", "acme", "Beta"],
                                 lines: [.init(sku: "MATH-48", quantity: 2, unitPrice: Self.cny(480_000)), .init(sku: "BOOK", quantity: 3, unitPrice: Self.cny(9_900))]),
                by: rep.caller)
            #expect(item.opportunity.amount == Self.cny(989_700) && item.opportunity.stage == "needs" && item.opportunity.competitors == ["Acme", "Beta"])
            #expect(item.opportunity.lines.map(\.sku) == ["MATH-48", "BOOK"])
            let mixed = try await #require(throws: RapportError.self) {
                try await opportunities.update(item.opportunity.id.rawValue, OpportunityInput(amount: .some(Self.cny(5)), lines: [.init(sku: "X", quantity: 1, unitPrice: Money(1, "USD"))]),
                                               expectedVersion: nil, by: rep.caller)
            }
            #expect(mixed.fieldErrors.map(\.field) == ["lines[0].unit_price.currency"])
            let stale = try await #require(throws: RapportError.self) {
                try await opportunities.update(item.opportunity.id.rawValue, OpportunityInput(name: "B"), expectedVersion: 7, by: rep.caller)
            }
            #expect(stale.code == .preconditionFailed)
            let fixed = try await #require(throws: RapportError.self) {
                try await opportunities.update(item.opportunity.id.rawValue, OpportunityInput(pipeline: "renewal"), expectedVersion: nil, by: rep.caller)
            }
            #expect(fixed.fieldErrors.map(\.field) == ["pipeline"])
            let list = try await opportunities.list(.init(pipeline: "upsell", status: "open", closeFrom: "2026-01-01", q: "bun"), page: PageRequest(), by: rep.caller)
            #expect(list.items.isEmpty)  // no expected close date: outside any close range
            #expect(try await opportunities.list(.init(pipeline: "upsell", status: "open", q: "bun"), page: PageRequest(), by: rep.caller).items.count == 1)
            let badQuery = try await #require(throws: RapportError.self) {
                try await opportunities.list(.init(owner: "x", status: "dormant", closeTo: "soon"), page: PageRequest(), by: rep.caller)
            }
            #expect(Set(badQuery.fieldErrors.map(\.field)) == ["owner_id", "status", "expected_close_to"])
        }
    }

    @Test(arguments: TestBackend.available)
    func administratorsEditPipelinesInTheDictionary(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let opportunities = harness.rapport.opportunities
            let customer = try await Self.customer(harness, "Dictionary", by: admin.caller)
            let used = try await opportunities.create(
                OpportunityInput(name: "In proposal", customer: customer.id.rawValue, stage: "proposal", amount: .some(Self.cny(100))), by: admin.caller)
            var edited = try await harness.rapport.dictionary.get("opportunity", by: admin.caller).dictionary
            // Drop upsell (unused), drop proposal from new_sale (in use: kept archived), add a pipeline.
            edited.pipelines.removeAll { $0.key == "upsell" }
            edited.pipelines[0].stages.removeAll { $0.key == "proposal" }
            for index in edited.pipelines[0].stages.indices { edited.pipelines[0].stages[index].transitions.removeAll { $0 == "proposal" } }
            edited.pipelines[0].stages[0].transitions.append("negotiation")
            var partner = edited.pipelines[1]
            partner.key = "partner"
            partner.label = LocalizedText(zhHans: "渠道", en: "Partner")
            edited.pipelines.append(partner)
            let saved = try await harness.rapport.dictionary.replace("opportunity", with: edited, expectedVersion: 0, by: admin.caller)
            #expect(saved.version == 1 && saved.dictionary.pipelines.map(\.key) == ["new_sale", "renewal", "partner"])
            #expect(saved.dictionary.pipelines[0].stage("proposal")?.archived == true && saved.dictionary.stages == saved.dictionary.pipelines[0].stages)
            #expect(try await opportunities.pipelines(by: admin.caller).version == 1)
            // The opportunity in the archived stage still reads and may leave it.
            let moved = try await opportunities.move(used.opportunity.id.rawValue, to: "needs_analysis", reason: nil, by: admin.caller)
            #expect(moved.opportunity.stage == "needs_analysis")
            let inPartner = try await opportunities.create(OpportunityInput(name: "Via partner", customer: customer.id.rawValue, pipeline: "partner"), by: admin.caller)
            #expect(inPartner.opportunity.stage == "renewal_due")

            // A pipeline stage needs a probability; only opportunities have pipelines; reps may not edit.
            var invalid = saved.dictionary
            invalid.pipelines[2].stages[0].probability = nil
            let refused = try await #require(throws: RapportError.self) {
                try await harness.rapport.dictionary.replace("opportunity", with: invalid, expectedVersion: 1, by: admin.caller)
            }
            #expect(refused.fieldErrors.map(\.field) == ["pipelines[2].stages[0].probability"])
            var leads = try await harness.rapport.dictionary.get("lead", by: admin.caller).dictionary
            leads.pipelines = saved.dictionary.pipelines
            let notLeads = try await #require(throws: RapportError.self) {
                try await harness.rapport.dictionary.replace("lead", with: leads, expectedVersion: nil, by: admin.caller)
            }
            #expect(notLeads.fieldErrors.contains { $0.field == "pipelines" })
            let rep = try await harness.signedIn(.rep)
            let forbidden = try await #require(throws: RapportError.self) {
                try await harness.rapport.dictionary.replace("opportunity", with: saved.dictionary, expectedVersion: nil, by: rep.caller)
            }
            #expect(forbidden.code == .forbidden)
        }
    }

    @Test(arguments: TestBackend.available)
    func opportunitiesFollowAMergedCustomerAndComeBackOnUndo(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let survivor = try await Self.customer(harness, "Li Lei", by: admin.caller)
            let merged = try await Self.customer(harness, "Li L.", by: admin.caller)
            let deal = try await harness.rapport.opportunities.create(OpportunityInput(name: "Deal", customer: merged.id.rawValue), by: admin.caller)
            let record = try await harness.rapport.merges.merge(survivor: survivor.id.rawValue, merged: merged.id.rawValue, choices: [:], by: admin.caller)
            let moved = try await harness.rapport.opportunities.get(deal.opportunity.id.rawValue, by: admin.caller)
            #expect(moved.opportunity.customerID == survivor.id)
            let byCustomer = try await harness.rapport.opportunities.list(.init(customer: survivor.id.rawValue), page: PageRequest(), by: admin.caller)
            #expect(byCustomer.items.map(\.opportunity.id) == [deal.opportunity.id])
            _ = try await harness.rapport.merges.undo(record.id.rawValue, by: admin.caller)
            #expect(try await harness.rapport.opportunities.get(deal.opportunity.id.rawValue, by: admin.caller).opportunity.customerID == merged.id)
        }
    }

    @Test(arguments: TestBackend.available)
    func anOpenDealMayWaitForItsAccountUnlessAStageGuardsIt(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let east = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: east)
            let other = try await harness.signedIn(.rep, team: try await harness.team("west"))
            let opportunities = harness.rapport.opportunities
            // The b2b-style rule: an account is needed before proposal.
            var dictionary = try await harness.rapport.dictionary.get("opportunity", by: admin.caller).dictionary
            dictionary.pipelines[0].stages[dictionary.pipelines[0].stages.firstIndex { $0.key == "proposal" }!].guards.append("customer_id")
            _ = try await harness.rapport.dictionary.replace("opportunity", with: dictionary, expectedVersion: nil, by: admin.caller)

            let open = try await opportunities.create(OpportunityInput(name: "No account yet", amount: .some(Self.cny(500))), by: rep.caller)
            #expect(open.opportunity.customerID == nil && open.opportunity.stage == "needs_analysis")
            let id = open.opportunity.id.rawValue
            let guarded = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "proposal", reason: nil, by: rep.caller) }
            #expect(guarded.fieldErrors.map(\.field) == ["customer_id"])
            let straightIn = try await #require(throws: RapportError.self) {
                try await opportunities.create(OpportunityInput(name: "Guarded", stage: "proposal", amount: .some(Self.cny(1))), by: rep.caller)
            }
            #expect(straightIn.fieldErrors.map(\.field) == ["customer_id"])
            // The account found later is attached (one the rep can see), then the guard passes.
            let hidden = try await Self.customer(harness, "Not mine", by: other.caller)
            let unseen = try await #require(throws: RapportError.self) {
                try await opportunities.update(id, OpportunityInput(customer: hidden.id.rawValue), expectedVersion: nil, by: rep.caller)
            }
            #expect(unseen.fieldErrors.map(\.field) == ["customer_id"])
            let account = try await Self.customer(harness, "Acme Corporation", by: rep.caller)
            let attached = try await opportunities.update(id, OpportunityInput(customer: account.id.rawValue), expectedVersion: nil, by: rep.caller)
            #expect(attached.opportunity.customerID == account.id)
            #expect(try await opportunities.move(id, to: "proposal", reason: nil, by: rep.caller).opportunity.stage == "proposal")
            // Once it has an account, it stays with it; the list filters by account, and one without is listed too.
            let moved = try await #require(throws: RapportError.self) {
                try await opportunities.update(id, OpportunityInput(customer: (try await Self.customer(harness, "Other", by: rep.caller)).id.rawValue),
                                               expectedVersion: nil, by: rep.caller)
            }
            #expect(moved.fieldErrors.map { "\($0.field):\($0.code)" } == ["customer_id:read_only"])
            let loose = try await opportunities.create(OpportunityInput(name: "Loose"), by: rep.caller)
            let byAccount = try await opportunities.list(.init(customer: account.id.rawValue), page: PageRequest(), by: rep.caller)
            #expect(byAccount.items.map(\.opportunity.id) == [open.opportunity.id])
            #expect(try await opportunities.list(.init(), page: PageRequest(), by: rep.caller).items.map(\.opportunity.id) == [loose.opportunity.id, open.opportunity.id])
            // A merge moves only the merged customer's deals; one without a customer stays without.
            let twin = try await Self.customer(harness, "Acme Corp.", by: rep.caller)
            _ = try await harness.rapport.merges.merge(survivor: twin.id.rawValue, merged: account.id.rawValue, choices: [:], by: admin.caller)
            #expect(try await opportunities.get(id, by: rep.caller).opportunity.customerID == twin.id)
            #expect(try await opportunities.get(loose.opportunity.id.rawValue, by: rep.caller).opportunity.customerID == nil)
        }
    }
}
