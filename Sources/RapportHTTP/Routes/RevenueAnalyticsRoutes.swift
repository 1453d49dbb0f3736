import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `GET /api/v1/analytics/revenue`: revenue and collections per period and currency.
struct RevenueAnalyticsRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("analytics/revenue") { request, context in
            let query = RevenueAnalyticsUseCases.Query(from: request.query("from"), to: request.query("to"), interval: request.query("interval"),
                                                       timeZone: request.query("time_zone"), owner: request.query("owner_id"),
                                                       team: request.query("team_id"), currency: request.query("currency"))
            return try JSONResponse.make(RevenueReportDTO(try await rapport.revenueAnalytics.report(query, by: context.caller)))
        }
    }
}

/// The revenue and collections report.
struct RevenueReportDTO: Encodable, Sendable {
    var from: Date
    var to: Date
    var firstDay: CalendarDate
    var lastDay: CalendarDate
    var interval: String
    var timeZone: String
    var periods: [RevenueRowDTO]
    var totals: [RevenueRowDTO]

    enum CodingKeys: String, CodingKey {
        case from, to, interval, periods, totals
        case firstDay = "first_day", lastDay = "last_day", timeZone = "time_zone"
    }

    init(_ report: RevenueAnalyticsUseCases.Report) {
        from = report.from
        to = report.to
        firstDay = report.firstDay
        lastDay = report.lastDay
        interval = report.interval.rawValue
        timeZone = report.timeZone.identifier
        periods = report.rows.map(RevenueRowDTO.init)
        totals = report.totals.map(RevenueRowDTO.init)
    }
}

/// One period's (or the whole range's) figures in one currency.
struct RevenueRowDTO: Encodable, Sendable {
    struct Figure: Encodable, Sendable {
        var count: Int64
        var amountMinor: Int64

        enum CodingKeys: String, CodingKey {
            case count
            case amountMinor = "amount_minor"
        }
    }

    @Nullable var periodStart: CalendarDate?
    var currency: String
    var booked: Figure
    var won: Figure
    var received: Figure
    var refunded: Figure
    var cancelled: Figure
    var collectedMinor: Int64

    enum CodingKeys: String, CodingKey {
        case currency, booked, won, received, refunded, cancelled
        case periodStart = "period_start", collectedMinor = "collected_minor"
    }

    init(_ row: RevenueReport.Row) {
        func figure(_ measure: RevenueReport.Measure) -> Figure { Figure(count: row[measure].count, amountMinor: row[measure].amountMinor) }
        periodStart = row.period
        currency = row.currency
        booked = figure(.booked)
        won = figure(.won)
        received = figure(.received)
        refunded = figure(.refunded)
        cancelled = figure(.cancelled)
        collectedMinor = row.collectedMinor
    }
}
