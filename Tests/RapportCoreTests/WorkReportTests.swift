import Foundation
import RapportCore
import Testing

/// Work reports as pure values: periods parse strictly and cover the business day or month in
/// the business time zone (23:59 in Shanghai is the same day, 00:00 the next), the figures fold
/// adds aggregates up per metric and currency, and the status machine allows only its steps.
@Suite struct WorkReportTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    @Test func periodsParseStrictlyByKind() {
        #expect(ReportPeriod("2026-11-30", kind: .daily)?.description == "2026-11-30")
        #expect(ReportPeriod("2026-11", kind: .monthly)?.description == "2026-11")
        for bad in ["2026-11", "2026-02-30", "2026-1-05", "20261105", "2026-11-30T00:00:00Z", "", "２０２６-11-30"] {
            #expect(ReportPeriod(bad, kind: .daily) == nil, "\(bad)")
        }
        for bad in ["2026-11-30", "2026-13", "2026-1", "1969-12", "abcd-ef"] { #expect(ReportPeriod(bad, kind: .monthly) == nil, "\(bad)") }
        let day = CalendarDate(year: 2026, month: 2, day: 28)!
        #expect(ReportPeriod(containing: day, kind: .daily) == .day(day))
        #expect(ReportPeriod(containing: day, kind: .monthly).description == "2026-02")
        #expect(ReportPeriod.month(BusinessMonth(day)).lastDay.description == "2026-02-28")
        #expect(ReportPeriod.month(BusinessMonth(year: 2028, month: 2)!).lastDay.description == "2028-02-29")
        #expect(ReportPeriod.month(BusinessMonth(year: 2026, month: 12)!).endDay.description == "2027-01-01")
    }

    @Test func aDayInShanghaiRunsFromMidnightToMidnightThere() throws {
        let period = try #require(ReportPeriod("2026-01-05", kind: .daily))
        let (from, to) = period.instants(in: Self.shanghai)
        #expect(from == RFC3339.parse("2026-01-04T16:00:00Z") && to == RFC3339.parse("2026-01-05T16:00:00Z"))
        // 23:59 Shanghai on the 5th is inside; 00:00 on the 6th is the next day's.
        let lastMinute = try #require(RFC3339.parse("2026-01-05T23:59:00+08:00"))
        let midnight = try #require(RFC3339.parse("2026-01-06T00:00:00+08:00"))
        #expect(lastMinute >= from && lastMinute < to)
        #expect(!(midnight < to))
        #expect(CalendarDate(lastMinute, in: Self.shanghai).description == "2026-01-05" && CalendarDate(midnight, in: Self.shanghai).description == "2026-01-06")
        // In UTC the same day is eight hours later.
        let utc = period.instants(in: TimeZone(identifier: "UTC")!)
        #expect(utc.from.timeIntervalSince(from) == 8 * 3_600 && utc.to.timeIntervalSince(utc.from) == 86_400)
        // A month runs from the 1st's midnight to the next month's; across a daylight-saving change it is not 31 × 24 h.
        let month = ReportPeriod.month(BusinessMonth(year: 2026, month: 3)!)
        let march = month.instants(in: Self.shanghai)
        #expect(march.from == RFC3339.parse("2026-02-28T16:00:00Z") && march.to == RFC3339.parse("2026-03-31T16:00:00Z"))
        let newYork = month.instants(in: TimeZone(identifier: "America/New_York")!)
        #expect(newYork.to.timeIntervalSince(newYork.from) == 31 * 86_400 - 3_600)
    }

    @Test func figuresFoldCountsAndAmountsPerCurrency() {
        let figures = ReportFigures.fold([
            .init(.calls, value: 3), .init(.calls, value: 2), .init(.visits, value: 1), .init(.otherActivities, value: 4),
            .init(.newLeads, value: 2), .init(.leadsConverted, value: 1), .init(.opportunitiesWon, value: 2),
            .init(.wonAmount, currency: "USD", value: 500), .init(.wonAmount, currency: "CNY", value: 1_000), .init(.wonAmount, currency: "CNY", value: 250),
            .init(.signedAmount, currency: "CNY", value: 900), .init(.collections, currency: "CNY", value: 700), .init(.collections, currency: "CNY", value: -700),
            .init(.collections, currency: "USD", value: -50), .init(.wonAmount, value: 99), .init(.tasksDone, value: 5), .init(.tasksOverdue, value: 1),
        ])
        #expect(figures.calls == 5 && figures.visits == 1 && figures.otherActivities == 4 && figures.newLeads == 2 && figures.leadsConverted == 1)
        #expect(figures.opportunitiesWon == 2 && figures.tasksDone == 5 && figures.tasksOverdue == 1)
        #expect(figures.wonAmounts == [.init(currency: "CNY", amountMinor: 1_250), .init(currency: "USD", amountMinor: 500)])
        #expect(figures.signedAmounts == [.init(currency: "CNY", amountMinor: 900)])
        // Money received and refunded in the same currency nets out; a net refund stays.
        #expect(figures.collections == [.init(currency: "USD", amountMinor: -50)])
        #expect(ReportFigures.fold([]) == ReportFigures())
        // Performance metrics map onto report metrics (new customers are not a report figure).
        #expect(ReportFigures.Metric(TargetMetric.wonRevenue) == .wonAmount && ReportFigures.Metric(TargetMetric.newCustomers) == nil)
    }

    @Test func theStatusMachineAllowsOnlyItsSteps() {
        let allowed: Set<String> = ["draft>submitted", "returned>submitted", "submitted>returned", "submitted>reviewed"]
        for from in WorkReport.Status.allCases {
            for to in WorkReport.Status.allCases {
                #expect(from.allows(to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        #expect(WorkReport.Status.allCases.filter(\.isEditable) == [.draft, .returned])
    }
}
