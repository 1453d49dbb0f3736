import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Quotes through their use cases, on every backend: the priced snapshot, the approval threshold
/// and who may decide, refusals that change nothing, expiry by the daily job on a moving clock,
/// and the history and audit entries of every change.
@Suite struct QuoteTests {
    /// A rep's opportunity for a fresh customer.
    static func opportunity(_ harness: TestHarness, by owner: TestHarness.SignedIn, name: String = "数学年课") async throws -> Opportunity {
        let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "王小明 \(name)"), by: owner.caller).0
        return try await harness.rapport.opportunities.create(OpportunityInput(name: name, customer: customer.id.rawValue), by: owner.caller).opportunity
    }

    /// Products A (¥100.00) and B (¥9.99).
    static func catalog(_ harness: TestHarness) async throws {
        let products = harness.rapport.products
        _ = try await products.create(.init(sku: "A", name: "Course A", unit: "lesson", prices: [.init(currency: "CNY", amountMinor: 10_000)]), by: harness.system)
        _ = try await products.create(.init(sku: "B", name: "Workbook B", prices: [.init(currency: "CNY", amountMinor: 999)]), by: harness.system)
    }

    static func audited(_ harness: TestHarness, _ id: RecordID) async throws -> [String] {
        try await harness.rapport.database.read { sql in
            try await sql.select().column("action").from("audit_log").where("object_id", .equal, id.rawValue).orderBy("seq").all()
                .map { try $0.decode(column: "action", as: String.self) }
        }
    }

    static func error(_ body: () async throws -> Void) async -> RapportError? {
        do { try await body() } catch let error as RapportError { return error } catch { return nil }
        return nil
    }

    static func lines(_ lines: [(String, Int, QuoteLineDiscount?)]) -> [QuoteInput.Line] {
        lines.map { QuoteInput.Line(sku: $0.0, quantity: $0.1, discount: $0.2) }
    }

    @Test(arguments: TestBackend.available)
    func aQuoteIsPricedOnceAndKeepsItsPrices(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            try await Self.catalog(harness)
            let policy = try await harness.rapport.salesPolicies.create(.init(name: "Spring 10%", effect: PolicyEffect(kind: "percent_off", basisPoints: 1_000)),
                                                                           by: harness.system)
            let opportunity = try await Self.opportunity(harness, by: rep)
            let quotes = harness.rapport.quotes
            let created = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(
                currency: "CNY", validUntil: "2026-01-31", lines: Self.lines([("A", 3, .basisPoints(500)), ("B", 1, .amount(99))])), by: rep.caller)
            let quote = created.quote
            // A: 30 000 − 10 % (3 000) = 27 000 − 5 % (1 350) = 25 650. B: 999 − 99.9 (half-up 100) = 899 − 99 = 800.
            #expect(quote.lines.map(\.policyDiscountMinor) == [3_000, 100] && quote.lines.map(\.manualDiscountMinor) == [1_350, 99])
            #expect(quote.lines.map(\.totalMinor) == [25_650, 800] && quote.lines.map(\.name) == ["Course A", "Workbook B"])
            #expect(quote.totals == QuoteTotals(subtotalMinor: 30_999, policyDiscountMinor: 3_100, manualDiscountMinor: 1_449, discountMinor: 4_549,
                                                totalMinor: 26_450, discountBasisPoints: 1_467))
            #expect(quote.applied == [QuotePolicyApplied(policyID: policy.id.rawValue, name: "Spring 10%", discountMinor: 3_100)])
            #expect(quote.status == .draft && quote.ownerID == rep.user.id && quote.customerID == opportunity.customerID && quote.rounding == .halfUp)

            // The catalog changes; the quote keeps what it was priced at, also once sent.
            _ = try await harness.rapport.products.update("A", .init(prices: [.init(currency: "CNY", amountMinor: 20_000)]), expectedVersion: nil, by: harness.system)
            _ = try await harness.rapport.salesPolicies.archive(policy.id.rawValue, by: harness.system)
            let submitted = try await quotes.submit(quote.id.rawValue, by: rep.caller)
            #expect(submitted.quote.status == .approved && submitted.quote.approvedBy == nil && submitted.approvals.isEmpty)  // 14.67 % ≤ 15 %
            let sent = try await quotes.send(quote.id.rawValue, by: rep.caller)
            #expect(sent.quote.totals == quote.totals && sent.quote.lines == quote.lines && sent.quote.applied == quote.applied)
            #expect(try await quotes.get(quote.id.rawValue, by: rep.caller).quote.lines.map(\.unitPriceMinor) == [10_000, 999])

            // Revising a draft prices it again, now: the new list price, no policy, the manual discounts kept.
            let other = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 1, .basisPoints(1_000))])),
                                                by: rep.caller)
            #expect(other.quote.validUntil == "2026-02-04")  // today (2026-01-05) + 30 days by default
            let revised = try await quotes.update(other.quote.id.rawValue, QuoteInput(rounding: "down", lines: Self.lines([("B", 3, .basisPoints(333))])),
                                                  expectedVersion: 1, by: rep.caller)
            // 2 997 × 3.33 % = 99.8001 → down 99.
            #expect(revised.quote.totals.totalMinor == 2_898 && revised.quote.rounding == .down && revised.quote.version == 2 && revised.quote.applied.isEmpty)
            #expect(revised.quote.skipped.isEmpty)

            // Bad input: each field named, nothing stored.
            let before = try await harness.count("quotes")
            let bad = await Self.error {
                _ = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(
                    currency: "CNY", validUntil: "2025-12-31", lines: Self.lines([("GHOST", 1, nil), ("A", 0, nil), ("B", 1, .basisPoints(10_001))])), by: rep.caller)
            }
            #expect(bad?.code == .validationFailed)
            #expect(Set(bad?.fieldErrors.map(\.field) ?? []) == ["valid_until", "lines[1].quantity", "lines[2].discount.basis_points"])
            let unknown = await Self.error {
                _ = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("GHOST", 1, nil)])), by: rep.caller)
            }
            #expect(unknown?.fieldErrors.map(\.field) == ["lines[0].sku"] && unknown?.fieldErrors.first?.code == "not_found")
            #expect(await Self.error { _ = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(lines: []), by: rep.caller) }?.code == .validationFailed)
            #expect(try await harness.count("quotes") == before)
        }
    }

    @Test(arguments: TestBackend.available)
    func aDiscountAboveTheThresholdWaitsForTheOwnersManager(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let colleague = try await harness.signedIn(.rep, team: east)
            let manager = try await harness.signedIn(.manager, team: east)
            let otherManager = try await harness.signedIn(.manager, team: west)
            let admin = try await harness.signedIn(.admin)
            try await Self.catalog(harness)
            let opportunity = try await Self.opportunity(harness, by: rep)
            let quotes = harness.rapport.quotes
            let quote = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 2, .basisPoints(2_000))])),
                                                by: rep.caller).quote
            let id = quote.id.rawValue
            #expect(quote.totals.discountBasisPoints == 2_000)

            let pending = try await quotes.submit(id, by: rep.caller)
            #expect(pending.quote.status == .pendingApproval && pending.approvals.count == 1)
            let request = try #require(pending.approvals.first)
            #expect(request.approverIDs == [manager.user.id] && request.discountBasisPoints == 2_000 && request.thresholdBasisPoints == 1_500)
            let inbox = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: manager.caller).items
            #expect(inbox.map(\.kind) == ["quote.approval_requested"] && inbox.first?.objectID == id)

            // Never the owner; not a colleague or another team's manager (they cannot see it); no
            // empty-handed rejection.
            #expect(await Self.error { _ = try await quotes.decide(id, approve: true, comment: nil, by: rep.caller) }?.code == .forbidden)
            #expect(await Self.error { _ = try await quotes.decide(id, approve: true, comment: nil, by: colleague.caller) }?.code == .notFound)
            #expect(await Self.error { _ = try await quotes.decide(id, approve: true, comment: nil, by: otherManager.caller) }?.code == .notFound)
            #expect(await Self.error { _ = try await quotes.decide(id, approve: false, comment: " ", by: manager.caller) }?.code == .validationFailed)
            #expect(try await quotes.get(id, by: rep.caller).quote.version == pending.quote.version)

            harness.clock.advance(by: 600)
            let rejected = try await quotes.decide(id, approve: false, comment: "20 % is too much; 12 % at most", by: manager.caller)
            #expect(rejected.quote.status == .draft && rejected.approvals.first?.decision == .rejected)
            #expect(rejected.approvals.first?.decidedBy == manager.user.id && rejected.approvals.first?.decidedAt == harness.clock.now())
            #expect(rejected.approvals.first?.comment == "20 % is too much; 12 % at most")
            #expect(try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: rep.caller).items.map(\.kind) == ["quote.rejected"])

            // Revised and resubmitted; a policy's discount counts too; approved by the manager.
            _ = try await harness.rapport.salesPolicies.create(.init(name: "Loyal 5%", effect: PolicyEffect(kind: "percent_off", basisPoints: 500)), by: harness.system)
            let revised = try await quotes.update(id, QuoteInput(lines: Self.lines([("A", 2, .basisPoints(1_200))])), expectedVersion: rejected.quote.version,
                                                  by: rep.caller)
            // 20 000 − 5 % = 19 000 − 12 % (2 280) = 16 720: 16.4 % off list.
            #expect(revised.quote.totals.discountBasisPoints == 1_640 && revised.quote.totals.totalMinor == 16_720)
            _ = try await quotes.submit(id, by: rep.caller)
            let approved = try await quotes.decide(id, approve: true, comment: "OK for this school", by: manager.caller)
            #expect(approved.quote.status == .approved && approved.quote.approvedBy == manager.user.id)
            #expect(approved.approvals.map(\.decision) == [.rejected, .approved])
            _ = try await quotes.send(id, by: rep.caller)
            let accepted = try await quotes.accept(id, by: rep.caller)
            #expect(accepted.quote.status == .accepted && accepted.quote.acceptedAt == harness.clock.now() && accepted.actions.isEmpty)

            // The history and the audit log have every change, with who and why.
            let history = try await quotes.history(id, by: rep.caller)
            #expect(history.map(\.to) == ["draft", "pending_approval", "draft", "pending_approval", "approved", "sent", "accepted"])
            #expect(history[2].by == manager.user.id && history[2].reason == "20 % is too much; 12 % at most")
            #expect(history[4].by == manager.user.id && history[4].reason == "OK for this school")
            #expect(try await Self.audited(harness, quote.id) == [
                "quote.created", "quote.submitted", "quote.rejected", "quote.updated", "quote.submitted", "quote.approved", "quote.sent", "quote.accepted",
            ])

            // An opportunity has one accepted quote.
            let second = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("B", 1, nil)])), by: rep.caller)
            _ = try await quotes.submit(second.quote.id.rawValue, by: rep.caller)
            _ = try await quotes.send(second.quote.id.rawValue, by: rep.caller)
            let twice = await Self.error { _ = try await quotes.accept(second.quote.id.rawValue, by: rep.caller) }
            #expect(twice?.code == .conflict && twice?.extra["reason"] == "opportunity_has_accepted_quote")

            // A manager's own quote goes to the administrators (no manager above), and they cannot approve it.
            let ownOpportunity = try await Self.opportunity(harness, by: manager, name: "Manager's deal")
            let own = try await quotes.create(for: ownOpportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 1, .basisPoints(5_000))])),
                                              by: manager.caller)
            let ownPending = try await quotes.submit(own.quote.id.rawValue, by: manager.caller)
            #expect(ownPending.approvals.first?.approverIDs.contains(admin.user.id) == true && ownPending.approvals.first?.approverIDs.contains(manager.user.id) == false)
            let self_ = await Self.error { _ = try await quotes.decide(own.quote.id.rawValue, approve: true, comment: nil, by: manager.caller) }
            #expect(self_?.code == .forbidden && self_?.extra["reason"] == "own_quote")
            #expect(try await quotes.decide(own.quote.id.rawValue, approve: true, comment: nil, by: admin.caller).quote.status == .approved)

            // The threshold is a setting only administrators change.
            #expect(await Self.error { _ = try await quotes.setSettings(QuoteSettings(approvalThresholdBasisPoints: 2_500), by: manager.caller) }?.code == .forbidden)
            #expect(await Self.error { _ = try await quotes.setSettings(QuoteSettings(approvalThresholdBasisPoints: 10_001), by: admin.caller) }?.code == .validationFailed)
            _ = try await quotes.setSettings(QuoteSettings(approvalThresholdBasisPoints: 2_500), by: admin.caller)
            #expect(try await quotes.settings(by: rep.caller).approvalThresholdBasisPoints == 2_500)
            let within = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 1, .basisPoints(2_000))])),
                                                 by: rep.caller)
            #expect(try await quotes.submit(within.quote.id.rawValue, by: rep.caller).quote.status == .approved)
        }
    }

    @Test(arguments: TestBackend.available)
    func refusedActionsChangeNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let manager = try await harness.signedIn(.manager, team: team)
            try await Self.catalog(harness)
            let opportunity = try await Self.opportunity(harness, by: rep)
            let quotes = harness.rapport.quotes
            let quote = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 1, nil)])), by: rep.caller).quote
            let id = quote.id.rawValue

            func unchanged(_ expected: Quote) async throws {
                let now = try await quotes.get(id, by: rep.caller).quote
                #expect(now == expected)
            }
            for (action, run) in [
                ("approve", { _ = try await quotes.decide(id, approve: true, comment: nil, by: manager.caller) }),
                ("reject", { _ = try await quotes.decide(id, approve: false, comment: "no", by: manager.caller) }),
                ("send", { _ = try await quotes.send(id, by: rep.caller) }),
                ("accept", { _ = try await quotes.accept(id, by: rep.caller) }),
                ("decline", { _ = try await quotes.decline(id, reason: nil, by: rep.caller) }),
            ] as [(String, () async throws -> Void)] {
                let error = await Self.error(run)
                #expect(error?.code == .conflict && error?.extra["reason"] == "quote_status" && error?.extra["quote_status"] == "draft", "\(action)")
            }
            try await unchanged(quote)
            #expect(try await quotes.history(id, by: rep.caller).count == 1)
            #expect(try await Self.audited(harness, quote.id) == ["quote.created"])

            // A stale version is refused (412) and changes nothing.
            let stale = await Self.error { _ = try await quotes.update(id, QuoteInput(name: "Renamed"), expectedVersion: 7, by: rep.caller) }
            #expect(stale?.code == .preconditionFailed)
            try await unchanged(quote)

            // Once sent, a quote is not revised or submitted again.
            _ = try await quotes.submit(id, by: rep.caller)
            let sent = try await quotes.send(id, by: rep.caller).quote
            #expect(await Self.error { _ = try await quotes.update(id, QuoteInput(name: "Again"), expectedVersion: nil, by: rep.caller) }?.extra["reason"] == "quote_status")
            #expect(await Self.error { _ = try await quotes.submit(id, by: rep.caller) }?.code == .conflict)
            try await unchanged(sent)
            let declined = try await quotes.decline(id, reason: "Budget cut", by: rep.caller)
            #expect(declined.quote.status == .declined && declined.quote.declineReason == "Budget cut" && declined.actions.isEmpty)
            #expect(await Self.error { _ = try await quotes.accept(id, by: rep.caller) }?.code == .conflict)
            #expect(try await Self.audited(harness, quote.id) == ["quote.created", "quote.submitted", "quote.sent", "quote.declined"])
        }
    }

    @Test(arguments: TestBackend.available)
    func sentQuotesExpireTheDayAfterTheirValidity(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            try await Self.catalog(harness)
            let opportunity = try await Self.opportunity(harness, by: rep)
            let quotes = harness.rapport.quotes
            func sentQuote(validUntil: String) async throws -> RecordID {
                let quote = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", validUntil: validUntil, lines: Self.lines([("B", 1, nil)])),
                                                    by: rep.caller).quote
                _ = try await quotes.submit(quote.id.rawValue, by: rep.caller)
                return try await quotes.send(quote.id.rawValue, by: rep.caller).quote.id
            }
            let soon = try await sentQuote(validUntil: "2026-01-06")  // today is 2026-01-05
            let later = try await sentQuote(validUntil: "2026-01-20")
            let draft = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", validUntil: "2026-01-06", lines: Self.lines([("B", 1, nil)])),
                                                by: rep.caller).quote

            harness.clock.advance(by: 86_400)  // 2026-01-06: the last valid day
            #expect(try await quotes.expireLapsed().isEmpty)
            harness.clock.advance(by: 86_400)  // 2026-01-07
            // Lapsed but not yet expired by the job: it can no longer be accepted.
            let lapsed = await Self.error { _ = try await quotes.accept(soon.rawValue, by: rep.caller) }
            #expect(lapsed?.code == .conflict && lapsed?.extra["reason"] == "quote_lapsed")
            #expect(try await quotes.expireLapsed() == [soon])
            #expect(try await quotes.expireLapsed().isEmpty)  // nothing twice
            let expired = try await quotes.get(soon.rawValue, by: rep.caller).quote
            #expect(expired.status == .expired && expired.expiredAt == harness.clock.now())
            #expect(try await quotes.get(later.rawValue, by: rep.caller).quote.status == .sent)
            #expect(try await quotes.get(draft.id.rawValue, by: rep.caller).quote.status == .draft)  // only sent quotes expire
            let history = try await quotes.history(soon.rawValue, by: rep.caller)
            #expect(history.last?.to == "expired" && history.last?.from == "sent" && history.last?.by == nil)
            #expect(try await Self.audited(harness, soon).last == "quote.expired")
            let inbox = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: rep.caller).items
            #expect(inbox.map(\.kind) == ["quote.expired"] && inbox.first?.objectID == soon.rawValue)

            // The daily job does the same (registered and scheduled with the housekeeping).
            harness.clock.advance(by: 14 * 86_400)
            try await harness.rapport.jobs.enqueue(kind: QuoteUseCases.expireKind)
            _ = try await harness.rapport.jobs.runDue(worker: "test")
            #expect(try await quotes.get(later.rawValue, by: rep.caller).quote.status == .expired)
        }
    }

    @Test(arguments: TestBackend.available)
    func whoeverSeesTheOpportunitySeesItsQuotes(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let colleague = try await harness.signedIn(.rep, team: east)
            let manager = try await harness.signedIn(.manager, team: east)
            let stranger = try await harness.signedIn(.rep, team: west)
            try await Self.catalog(harness)
            let opportunity = try await Self.opportunity(harness, by: rep)
            let quotes = harness.rapport.quotes
            let quote = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 1, nil)])), by: rep.caller).quote
            let id = quote.id.rawValue

            for outsider in [colleague, stranger] {
                #expect(await Self.error { _ = try await quotes.get(id, by: outsider.caller) }?.code == .notFound)
                #expect(try await quotes.list(.init(), page: PageRequest(), by: outsider.caller).items.isEmpty)
                #expect(await Self.error {
                    _ = try await quotes.create(for: opportunity.id.rawValue, QuoteInput(currency: "CNY", lines: Self.lines([("A", 1, nil)])), by: outsider.caller)
                }?.code == .notFound)
            }
            #expect(try await quotes.get(id, by: manager.caller).quote.id == quote.id)
            // A collaborator who may read the opportunity reads its quotes, but does not change them.
            _ = try await harness.rapport.opportunities.addCollaborator(opportunity.id.rawValue, user: colleague.user.id.rawValue, access: "read", by: rep.caller)
            #expect(try await quotes.get(id, by: colleague.caller).quote.id == quote.id)
            #expect(try await quotes.list(.init(opportunity: opportunity.id.rawValue), page: PageRequest(), by: colleague.caller).items.map(\.quote.id) == [quote.id])
            #expect(await Self.error { _ = try await quotes.submit(id, by: colleague.caller) }?.code == .notFound)
            _ = try await harness.rapport.opportunities.addCollaborator(opportunity.id.rawValue, user: colleague.user.id.rawValue, access: "edit", by: rep.caller)
            #expect(try await quotes.submit(id, by: colleague.caller).quote.status == .approved)

            // Filters, checked.
            #expect(try await quotes.list(.init(status: "approved", owner: rep.user.id.rawValue), page: PageRequest(), by: manager.caller).items.count == 1)
            #expect(try await quotes.list(.init(status: "sent"), page: PageRequest(), by: manager.caller).items.isEmpty)
            let bad = await Self.error { _ = try await quotes.list(.init(status: "won", opportunity: "opp_1", owner: "x"), page: PageRequest(), by: manager.caller) }
            #expect(Set(bad?.fieldErrors.map(\.field) ?? []) == ["status", "opportunity_id", "owner_id"])
        }
    }
}
