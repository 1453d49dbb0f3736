import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// `/manage/revenue`: revenue and collections per period — contracts signed, deals won, money
    /// received, refunded and written off — as a chart and a table, for managers and administrators
    /// (their scope's figures, through the same use case as `GET /api/v1/analytics/revenue`).
    func addRevenue(to router: Router<APIRequestContext>) {
        page(router, "manage/revenue") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let report = try await rapport.revenueAnalytics.report(
                .init(from: query["from"], to: query["to"], interval: query["interval"], currency: query["currency"]), by: web.caller)
            return web.page("manage_revenue", title: web.text("revenue_title"), RevenueBody(web: web, report: report))
        }
    }
}

/// The revenue page's view: the filter, the chart of the main currency, the table of every period
/// and currency with the totals.
struct RevenueBody {
    struct Row {
        var period: String
        var currency: String
        var booked: String
        var won: String
        var received: String
        var refunded: String
        var cancelled: String
        var collected: String
    }

    var from: String
    var to: String
    var currency: String
    var intervalOptions: [WebOption]
    var chart: String
    var hasRows: Bool
    var rows: [Row]
    var totals: [Row]

    init(web: WebContext, report: RevenueAnalyticsUseCases.Report) {
        let locale = web.locale
        from = report.firstDay.description
        to = report.lastDay.description
        currency = report.totals.count == 1 ? report.totals[0].currency : ""
        intervalOptions = WebOption.list(["month", "week", "day", "none"].map { ($0, web.text("revenue_interval_\($0)")) }, chosen: report.interval.rawValue)
        func period(_ start: CalendarDate?) -> String {
            guard let start else { return web.text("manage_total") }
            return report.interval == .month ? String(start.description.prefix(7)) : start.description
        }
        func figure(_ figure: RevenueReport.Figure, _ currency: String) -> String {
            figure.count == 0 ? "–" : "\(locale.money(figure.amountMinor, currency: currency)) (\(locale.number(Int(figure.count))))"
        }
        func row(_ row: RevenueReport.Row) -> Row {
            Row(period: period(row.period), currency: row.currency, booked: figure(row[.booked], row.currency), won: figure(row[.won], row.currency),
                received: figure(row[.received], row.currency), refunded: figure(row[.refunded], row.currency),
                cancelled: figure(row[.cancelled], row.currency), collected: locale.money(row.collectedMinor, currency: row.currency))
        }
        rows = report.rows.map(row)
        totals = report.totals.map(row)
        hasRows = !report.totals.isEmpty
        // The chart: the currency with the most signed (else collected), booked against collected per period.
        let main = report.totals.max { ($0[.booked].amountMinor, $0.collectedMinor) < ($1[.booked].amountMinor, $1.collectedMinor) }?.currency
        let series = [web.text("revenue_booked"), web.text("revenue_collected")]
        let charted = (report.interval == .none ? report.totals : report.rows).filter { $0.currency == main }.suffix(24)
        let groups = charted.map { item in
            ChartGroup(label: period(item.period), values: [
                ChartValue(label: series[0], value: Double(item[.booked].amountMinor), formatted: locale.money(item[.booked].amountMinor, currency: item.currency)),
                ChartValue(label: series[1], value: Double(max(item.collectedMinor, 0)), formatted: locale.money(item.collectedMinor, currency: item.currency)),
            ])
        }
        chart = main.map { main in
            SVGChart.bars(id: "revenue-chart", title: web.text("revenue_chart", ["currency": main]),
                          description: web.text("revenue_chart_desc", ["from": report.firstDay.description, "to": report.lastDay.description]),
                          series: series, groups: Array(groups))
        } ?? ""
    }
}
