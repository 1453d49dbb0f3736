import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Receivables through their use cases, on every backend: payment plans, payments spread over
/// instalments, overdue alerts with a moving clock, refunds that revoke exactly the unconsumed
/// entitlement and reverse the payment, invoices, scope, and the audit of every change.
@Suite struct ReceivableTests {
    static func cny(_ minor: Int64) -> Money { Money(minor, "CNY") }

    @Test(arguments: TestBackend.available)
    func plansPaymentsAndOverdueAlertsFollowTheBooks(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, _) = try await EntitlementTests.granted(harness)
            let receivables = harness.rapport.receivables
            let id = order.id.rawValue
            #expect(order.total == Self.cny(189_900))
            let empty = try await receivables.books(id, by: world.rep.caller)
            #expect(empty.planVersion == nil && empty.installments.isEmpty && empty.today.description == "2026-01-05")

            // A plan must add up to the order's total, in order; an even split does.
            let wrong = try await #require(throws: RapportError.self) {
                try await receivables.setPlan(id, .init(installments: [.init(dueDate: "2026-02-01", amountMinor: 100_000), .init(dueDate: "2026-01-31", amountMinor: 89_900)]),
                                              expectedVersion: nil, by: world.rep.caller)
            }
            #expect(wrong.fieldErrors.map(\.field) == ["installments[1].due_date"])
            let short = try await #require(throws: RapportError.self) {
                try await receivables.setPlan(id, .init(installments: [.init(dueDate: "2026-02-01", amountMinor: 100_000)]), expectedVersion: nil, by: world.rep.caller)
            }
            #expect(short.fieldErrors.map(\.code) == ["total_mismatch"])
            let planned = try await receivables.setPlan(id, .init(count: 3, firstDue: "2026-01-31"), expectedVersion: nil, by: world.rep.caller)
            #expect(planned.planVersion == 1 && planned.installments.map(\.installment.amountMinor) == [63_300, 63_300, 63_300])
            #expect(planned.installments.map(\.installment.dueDate.description) == ["2026-01-31", "2026-02-28", "2026-03-31"])
            let unversioned = try await #require(throws: RapportError.self) {
                try await receivables.setPlan(id, .init(count: 2, firstDue: "2026-01-31"), expectedVersion: nil, by: world.rep.caller)
            }
            #expect(unversioned.code == .preconditionRequired)

            // A payment fills the earliest instalments; more than is outstanding, or in another currency, is refused.
            let (payment, paid) = try await receivables.recordPayment(id, .init(amount: Self.cny(100_000), method: "wechat_pay", reference: "WX-1"), by: world.rep.caller)
            #expect(payment.payment.receivedOn.description == "2026-01-05" && paid.collectedMinor == 100_000 && paid.outstandingMinor == 89_900)
            #expect(paid.installments.map(\.status) == [.paid, .partiallyPaid, .upcoming] && paid.installments[1].paidMinor == 36_700)
            for bad in [PaymentInput(amount: Self.cny(89_901)), PaymentInput(amount: Money(1, "USD")), PaymentInput(amount: Self.cny(1), receivedOn: "2026-01-06"),
                        PaymentInput(amount: Self.cny(1), method: "bitcoin")] {
                await #expect(throws: RapportError.self) { try await receivables.recordPayment(id, bad, by: world.rep.caller) }
            }
            #expect(try await harness.count("payments") == 1)

            // Replacing the plan keeps what was received, replayed onto the new instalments.
            let replaced = try await receivables.setPlan(id, .init(installments: [.init(dueDate: "2026-01-20", amountMinor: 150_000),
                                                                                  .init(dueDate: "2026-04-30", amountMinor: 39_900)]),
                                                         expectedVersion: 1, by: world.manager.caller)
            #expect(replaced.planVersion == 2 && replaced.installments.map(\.paidMinor) == [100_000, 0] && replaced.collectedMinor == 100_000)

            // Days pass: the first instalment falls overdue; its owner is told once.
            harness.clock.advance(by: 20 * 86_400)  // 2026-01-25
            let overdue = try await receivables.list(.init(status: "overdue"), page: PageRequest(), by: world.manager.caller)
            #expect(overdue.items.map(\.installment.number) == [1] && overdue.items.first?.outstandingMinor == 50_000)
            #expect(try await receivables.books(id, by: world.rep.caller).overdueMinor == 50_000)
            #expect(try await receivables.alertOverdue() == 1)
            #expect(try await receivables.alertOverdue() == 0)
            let notices = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: world.rep.caller).items
            #expect(notices.filter { $0.kind == "receivable.overdue" }.map { $0.details["outstanding_minor"] } == ["50000"])

            // Another team sees none of it.
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            await #expect(throws: RapportError.self) { try await receivables.books(id, by: stranger.caller) }
            await #expect(throws: RapportError.self) { try await receivables.recordPayment(id, .init(amount: Self.cny(1)), by: stranger.caller) }
            #expect(try await receivables.list(.init(status: "all"), page: PageRequest(), by: stranger.caller).items.isEmpty)
            #expect(try await receivables.list(.init(status: "all"), page: PageRequest(limit: 1), by: world.rep.caller).nextCursor != nil)

            // A draft owes nothing yet.
            let draft = try await OrderTests.draft(harness, world)
            let early = try await #require(throws: RapportError.self) { try await receivables.recordPayment(draft.id.rawValue, .init(amount: Self.cny(1)), by: world.rep.caller) }
            #expect(early.code == .conflict)
            #expect(try await OrderTests.audited(harness, order.id).filter { $0.hasPrefix("payment") } == ["payment_plan.created", "payment.recorded", "payment_plan.replaced"])
        }
    }

    @Test(arguments: TestBackend.available)
    func aRefundAfterPartialConsumptionRevokesExactlyTheRestAndReversesThePayment(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, entitlement) = try await EntitlementTests.granted(harness)
            let receivables = harness.rapport.receivables
            let id = order.id.rawValue
            // No plan: the first payment makes one of the whole total, due on the signing day.
            let (first, _) = try await receivables.recordPayment(id, .init(amount: Self.cny(100_000)), by: world.rep.caller)
            let (second, paid) = try await receivables.recordPayment(id, .init(amount: Self.cny(89_900)), by: world.rep.caller)
            #expect(paid.installments.count == 1 && paid.outstandingMinor == 0 && paid.installments[0].status == .paid)
            _ = try await harness.rapport.entitlements.consume(entitlement.id.rawValue, .init(quantity: 10, idempotencyKey: "k1"), by: world.rep.caller)

            // Nothing to refund without an amount or the revocation; a refund beyond a payment is refused and changes nothing.
            let noAmount = try await #require(throws: RapportError.self) { try await receivables.refund(id, .init(reason: "Moved away"), by: world.rep.caller) }
            #expect(noAmount.fieldErrors.map(\.field) == ["amount"])
            let tooMuch = try await #require(throws: RapportError.self) {
                try await receivables.refund(id, .init(paymentID: second.payment.id.rawValue, reason: "Moved away", revokeUnconsumed: true), by: world.rep.caller)
            }
            #expect(tooMuch.fieldErrors.map(\.code) == ["exceeds_refundable"])
            #expect(try await harness.rapport.entitlements.get(entitlement.id.rawValue, by: world.rep.caller).balance == 38)

            // The refund: the 38 unconsumed lessons revoked, their value (189 900 × 38 ÷ 48, rounded down) returned
            // from the latest payment first, and no longer owed.
            let outcome = try await receivables.refund(id, .init(reason: "Moved away", revokeUnconsumed: true), by: world.rep.caller)
            let (refunds, books) = (outcome.refunds, outcome.books)
            #expect(outcome.cancellation == nil, "a fully paid order has no dues left to cancel")
            #expect(refunds.map(\.refund.amountMinor) == [89_900, 60_437] && refunds.map(\.refund.paymentID) == [second.payment.id, first.payment.id])
            #expect(refunds[0].revoked.map(\.quantity) == [38] && refunds[1].revoked.isEmpty)
            let revoked = try await harness.rapport.entitlements.get(entitlement.id.rawValue, by: world.rep.caller)
            #expect(revoked.status == .revoked && revoked.revoked == 38 && revoked.consumed == 10 && revoked.balance == 0)
            #expect(books.receivedMinor == 189_900 && books.refundedMinor == 150_337 && books.collectedMinor == 39_563)
            #expect(books.cancelledMinor == 150_337 && books.outstandingMinor == 0 && books.installments[0].paidMinor == 39_563)
            #expect(books.receivedMinor - books.refundedMinor == books.collectedMinor)
            let again = try await #require(throws: RapportError.self) { try await receivables.refund(id, .init(reason: "Again", revokeUnconsumed: true), by: world.rep.caller) }
            #expect(again.code == .conflict)

            // Invoices: unique numbers, never beyond the total less what was cancelled; voided with a reason.
            let invoice = try await receivables.issueInvoice(id, .init(number: "INV-001", amount: Self.cny(39_563), buyerName: "王小明"), by: world.rep.caller)
            #expect(invoice.status == .issued && invoice.issuedOn.description == "2026-01-05")
            let duplicate = try await #require(throws: RapportError.self) {
                try await receivables.issueInvoice(id, .init(number: "INV-001", amount: Self.cny(1), buyerName: "王小明"), by: world.rep.caller)
            }
            #expect(duplicate.code == .duplicate)
            let beyond = try await #require(throws: RapportError.self) {
                try await receivables.issueInvoice(id, .init(number: "INV-002", amount: Self.cny(1), buyerName: "王小明"), by: world.rep.caller)
            }
            #expect(beyond.fieldErrors.map(\.code) == ["exceeds_invoiceable"])
            let voided = try await receivables.voidInvoice(invoice.id.rawValue, reason: "Wrong title", by: world.manager.caller)
            #expect(voided.status == .void && voided.voidReason == "Wrong title")
            await #expect(throws: RapportError.self) { try await receivables.voidInvoice(invoice.id.rawValue, reason: "Again", by: world.manager.caller) }
            #expect(try await receivables.books(id, by: world.rep.caller).invoicedMinor == 0)
            #expect(try await OrderTests.audited(harness, order.id).filter { $0.hasPrefix("refund") || $0.hasPrefix("invoice") }
                    == ["refund.recorded", "refund.recorded", "invoice.issued", "invoice.voided"])
        }
    }

    @Test(arguments: TestBackend.available)
    func aRefundRevokingLessonsOfAPartlyPaidOrderCancelsWhatIsOwedFirst(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, entitlement) = try await EntitlementTests.granted(harness)
            let receivables = harness.rapport.receivables
            let id = order.id.rawValue
            _ = try await receivables.setPlan(id, .init(count: 2, firstDue: "2026-01-05"), expectedVersion: nil, by: world.rep.caller)
            _ = try await receivables.recordPayment(id, .init(amount: Self.cny(94_950)), by: world.rep.caller)
            _ = try await harness.rapport.entitlements.consume(entitlement.id.rawValue, .init(quantity: 10, idempotencyKey: "k1"), by: world.rep.caller)

            // The 38 lessons are worth 150 337: the unpaid 94 950 is cancelled, the other 55 387 refunded;
            // the customer pays 39 563 for ten lessons, as when the order was paid in full.
            let outcome = try await receivables.refund(id, .init(reason: "Moved away", revokeUnconsumed: true), by: world.rep.caller)
            let cancellation = try #require(outcome.cancellation)
            #expect(cancellation.cancellation.amountMinor == 94_950 && cancellation.revoked.map(\.quantity) == [38])
            #expect(outcome.refunds.map(\.refund.amountMinor) == [55_387] && outcome.refunds[0].revoked.isEmpty)
            var books = outcome.books
            #expect(books.collectedMinor == 39_563 && books.cancelledMinor == 150_337 && books.outstandingMinor == 0)
            #expect(books.installments.map(\.status) == [.paid, .cancelled] && books.cancellations.count == 1)

            // A new plan replays the payment, the cancellation and the refund: nothing owed appears again.
            books = try await receivables.setPlan(id, .init(count: 3, firstDue: "2026-02-01"), expectedVersion: books.planVersion, by: world.rep.caller)
            #expect(books.collectedMinor == 39_563 && books.cancelledMinor == 150_337 && books.outstandingMinor == 0)
            #expect(books.collectedMinor + books.cancelledMinor + books.outstandingMinor == order.total.amountMinor)
            #expect(try await OrderTests.audited(harness, order.id).filter { $0.hasPrefix("dues") || $0.hasPrefix("refund") } == ["dues.cancelled", "refund.recorded"])
        }
    }

    @Test(arguments: TestBackend.available)
    func duesAreCancelledWithoutMoneyMovingAndNeverBeyondWhatIsOwed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let (world, order, entitlement) = try await EntitlementTests.granted(harness)
            let receivables = harness.rapport.receivables
            let id = order.id.rawValue
            _ = try await receivables.recordPayment(id, .init(amount: Self.cny(20_000)), by: world.rep.caller)
            _ = try await harness.rapport.entitlements.consume(entitlement.id.rawValue, .init(quantity: 10, idempotencyKey: "k1"), by: world.rep.caller)

            // Less paid than the lessons used: revoking the rest cancels their value and refunds nothing.
            let outcome = try await receivables.refund(id, .init(reason: "Stops", revokeUnconsumed: true), by: world.rep.caller)
            #expect(outcome.refunds.isEmpty && outcome.cancellation?.cancellation.amountMinor == 150_337)
            #expect(outcome.books.outstandingMinor == 19_563 && outcome.books.collectedMinor == 20_000)

            // The rest written off as a bad debt; more than is owed is refused, and so are bad inputs, with nothing changed.
            let tooMuch = try await #require(throws: RapportError.self) {
                try await receivables.cancelDues(id, .init(amount: Self.cny(19_564), reason: "Bad debt"), by: world.rep.caller)
            }
            #expect(tooMuch.fieldErrors.map(\.code) == ["exceeds_outstanding"])
            let bad = try await #require(throws: RapportError.self) {
                try await receivables.cancelDues(id, .init(amount: Money(1, "USD"), reason: " ", cancelledOn: "2099-01-01"), by: world.rep.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["reason", "cancelled_on", "amount.currency"])
            let nothingLeft = try await #require(throws: RapportError.self) {
                try await receivables.cancelDues(id, .init(reason: "Again", revokeUnconsumed: true), by: world.rep.caller)
            }
            #expect(nothingLeft.code == .conflict)
            let (written, books) = try await receivables.cancelDues(id, .init(amount: Self.cny(19_563), reason: "Bad debt"), by: world.rep.caller)
            #expect(written.cancellation.amountMinor == 19_563 && books.outstandingMinor == 0 && books.cancellations.count == 2)
            #expect(books.collectedMinor + books.cancelledMinor == order.total.amountMinor)

            // Another team cannot touch it.
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            let hidden = try await #require(throws: RapportError.self) { try await receivables.cancelDues(id, .init(amount: Self.cny(1), reason: "x"), by: stranger.caller) }
            #expect(hidden.code == .notFound)
        }
    }
}

private typealias PaymentInput = ReceivableUseCases.PaymentInput
