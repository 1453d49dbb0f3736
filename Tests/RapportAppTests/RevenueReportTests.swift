import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The revenue and collections report through its use case, on every backend: orders signed,
/// deals won, payments, refunds and cancelled dues land in the business month they happened in,
/// reconcile with the order's own books, and keep to the caller's scope; bad parameters are named.
@Suite struct RevenueReportTests {
    @Test(arguments: TestBackend.available)
    func monthsAddUpTheBooksAndKeepToScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            // January: the order signed (2 × 48 lessons, 389 800), 100 000 received, 9 900 written off.
            let (world, order, _) = try await EntitlementTests.granted(harness, quantity: 2)
            let receivables = harness.rapport.receivables
            let id = order.id.rawValue
            _ = try await receivables.recordPayment(id, .init(amount: Money(100_000, "CNY")), by: world.rep.caller)
            _ = try await receivables.cancelDues(id, .init(amount: Money(9_900, "CNY"), reason: "Goodwill"), by: world.rep.caller)
            // A deal won in January too.
            let deal = try await harness.rapport.opportunities.create(
                OpportunityInput(name: "数学年课", customer: world.customer.id.rawValue, amount: .some(Money(1_234_567, "CNY")),
                                 customFields: ["course_package": .string("lessons_48")]), by: world.rep.caller)
            for stage in ["proposal", "negotiation", "won"] {
                _ = try await harness.rapport.opportunities.move(deal.opportunity.id.rawValue, to: stage, reason: "Paid", by: world.rep.caller)
            }
            // February: 270 000 received, then 5 000 refunded.
            harness.clock.advance(by: 31 * 86_400)
            _ = try await receivables.recordPayment(id, .init(amount: Money(270_000, "CNY")), by: world.rep.caller)
            let after = try await receivables.refund(id, .init(amount: Money(5_000, "CNY"), reason: "Overcharged"), by: world.rep.caller).books

            let revenue = harness.rapport.revenueAnalytics
            let report = try await revenue.report(.init(from: "2026-01-01", to: "2026-02-28"), by: world.manager.caller)
            #expect(report.interval == .month && report.timeZone.identifier == "Asia/Shanghai")
            #expect(report.rows.map { $0.period?.description } == ["2026-01-01", "2026-02-01"])
            let (january, february) = (report.rows[0], report.rows[1])
            #expect(january[.booked] == .init(count: 1, amountMinor: order.total.amountMinor) && order.total.amountMinor == 389_800)
            #expect(january[.won] == .init(count: 1, amountMinor: 1_234_567))
            #expect(january[.received] == .init(count: 1, amountMinor: 100_000) && january[.cancelled] == .init(count: 1, amountMinor: 9_900))
            #expect(february[.received] == .init(count: 1, amountMinor: 270_000) && february[.refunded] == .init(count: 1, amountMinor: 5_000))
            #expect(february[.booked] == .init() && february.collectedMinor == 265_000)
            // The totals are the order's own books.
            let total = try #require(report.totals.first)
            #expect(report.totals.count == 1 && total.currency == "CNY")
            #expect(total.collectedMinor == after.collectedMinor && total[.received].amountMinor == after.receivedMinor)
            #expect(total[.refunded].amountMinor == after.refundedMinor)
            #expect(total[.cancelled].amountMinor + total[.refunded].amountMinor == after.cancelledMinor)

            // Weeks start on Mondays; a range before anything happened is empty.
            let weeks = try await revenue.report(.init(from: "2026-01-01", to: "2026-02-28", interval: "week"), by: world.rep.caller)
            #expect(weeks.rows.compactMap(\.period).allSatisfy { $0.dayNumber % 7 == 4 || ($0.dayNumber % 7 + 7) % 7 == 4 })
            #expect(weeks.totals == report.totals)
            #expect(try await revenue.report(.init(from: "2025-01-01", to: "2025-12-31"), by: world.rep.caller).totals.isEmpty)

            // Another team's rep sees none of it; bad parameters are named and change nothing.
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            #expect(try await revenue.report(.init(from: "2026-01-01", to: "2026-02-28"), by: stranger.caller).totals.isEmpty)
            let bad = try await #require(throws: RapportError.self) {
                try await revenue.report(.init(from: "2026-13-01", interval: "year", timeZone: "Mars/Base", owner: "x", currency: "yuan"), by: world.rep.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["from", "interval", "time_zone", "owner_id", "currency"])
        }
    }

    @Test func periodsStartOnTheFirstDayOfTheirWeekOrMonth() throws {
        let day = try #require(CalendarDate("2026-03-05"))  // a Thursday
        #expect(RevenueReport.periodStart(day, .week)?.description == "2026-03-02")
        #expect(RevenueReport.periodStart(try #require(CalendarDate("2026-03-02")), .week)?.description == "2026-03-02")
        #expect(RevenueReport.periodStart(try #require(CalendarDate("1969-12-31")), .week)?.description == "1969-12-29")
        #expect(RevenueReport.periodStart(day, .month)?.description == "2026-03-01" && RevenueReport.periodStart(day, .none) == nil)
        let entries = [
            RevenueReport.Entry(measure: .received, day: day, currency: "CNY", count: 2, amountMinor: 500),
            RevenueReport.Entry(measure: .refunded, day: day.adding(days: 30), currency: "CNY", count: 1, amountMinor: 100),
            RevenueReport.Entry(measure: .received, day: day, currency: "USD", count: 1, amountMinor: 7),
        ]
        let (rows, totals) = RevenueReport.fold(entries, interval: .month)
        #expect(rows.map { "\($0.period!) \($0.currency) \($0.collectedMinor)" } == ["2026-03-01 CNY 500", "2026-03-01 USD 7", "2026-04-01 CNY -100"])
        #expect(totals.map(\.collectedMinor) == [400, 7] && RevenueReport.fold(entries, interval: .none).rows.isEmpty)
    }
}
