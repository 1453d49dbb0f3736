import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// The forecast page: the weighted pipeline per expected-close month, the forecast from historical
/// per-stage win rates, and (with a back-test date) what that forecast would have said then
/// against what was won afterwards.
struct ForecastReport {
    var scope: String
    var period: String
    var isEmpty: Bool
    /// The currency the charts draw (tables list every currency); nil: nothing to draw.
    var chartCurrencyNote: String?
    var monthChart: String
    var hasMonthChart: Bool
    var months: [MonthRow]
    var totals: [TotalRow]
    var stageChart: String
    var hasStageChart: Bool
    var stages: [StageRow]
    var withoutRateNote: String?
    var backTest: BackTest?

    struct MonthRow {
        var month: String
        var currency: String
        var count: String
        var amount: String
        var weighted: String
        var historical: String
    }

    struct TotalRow {
        var currency: String
        var open: String
        var weighted: String
        var historical: String
    }

    struct StageRow {
        var name: String
        var winRate: String
        var winCounts: String
        var open: String
        var openAmount: String
        var forecast: String
        var wonAfter: String
        var wonAfterAmount: String
    }

    struct BackTest {
        var asOf: String
        var stages: [StageRow]
        /// Whether anything was open or had closed by then (else the per-stage table is all dashes).
        var hasBackStages: Bool
        var totals: [BackTotal]
        var chart: String
        var hasBackChart: Bool
        var wonAfterCount: String
        var backWithoutRate: String?
    }

    struct BackTotal {
        var currency: String
        var open: String
        var forecast: String
        var actual: String
        var error: String
    }

    init(web: WebContext, report: OpportunityAnalyticsUseCases.Forecast, chosenCurrency: String?) {
        let frame = report.frame
        let words = AnalyticsWording(web: web, stages: frame.stages)
        let locale = web.locale
        scope = words.scope
        period = words.period(frame)
        let historical = report.historical
        isEmpty = report.weighted.isEmpty && historical.stages.allSatisfy { $0.open == 0 && $0.winRate.denominator == 0 }
            && (report.backTest?.stages.allSatisfy { $0.open == 0 } ?? true)
        let chartCurrency = chosenCurrency?.uppercased()
            ?? historical.openAmount.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            ?? report.weighted.first?.currency
        chartCurrencyNote = chartCurrency.map { web.text("an_chart_currency", ["currency": $0]) }
        func money(_ minor: Int64, _ currency: String) -> String { locale.money(minor, currency: currency) }
        func monthName(_ month: String?) -> String {
            guard let month, let date = Self.monthStart(month) else { return month ?? web.text("an_no_close_date") }
            let formatter = locale.dateFormatter()
            formatter.timeZone = .gmt
            formatter.setLocalizedDateFormatFromTemplate("yMMMM")
            return formatter.string(from: date)
        }
        months = report.weighted.map { row in
            MonthRow(month: monthName(row.month), currency: row.currency, count: words.number(row.count), amount: money(row.amountMinor, row.currency),
                     weighted: money(row.weightedMinor, row.currency), historical: money(row.historicalMinor, row.currency))
        }
        var weightedTotals: AmountsByCurrency = [:]
        for row in report.weighted { weightedTotals[row.currency, default: 0] += row.weightedMinor }
        let currencies = Set(weightedTotals.keys).union(historical.openAmount.keys).union(historical.forecast.keys).sorted()
        totals = currencies.map { currency in
            TotalRow(currency: currency, open: money(historical.openAmount[currency] ?? 0, currency), weighted: money(weightedTotals[currency] ?? 0, currency),
                     historical: historical.forecast[currency].map { money($0, currency) } ?? "–")
        }
        let monthSeries = [web.text("an_weighted"), web.text("an_historical")]
        let charted = report.weighted.filter { $0.currency == chartCurrency }.prefix(24)
        hasMonthChart = !charted.isEmpty
        monthChart = charted.isEmpty ? "" : SVGChart.bars(
            id: "forecast-months", title: web.text("an_month_chart", ["currency": chartCurrency ?? ""]),
            description: web.text("an_month_desc", ["period": period]), series: monthSeries,
            groups: charted.map { row in
                ChartGroup(label: monthName(row.month), values: [
                    ChartValue(label: monthSeries[0], value: Double(row.weightedMinor), formatted: money(row.weightedMinor, row.currency)),
                    ChartValue(label: monthSeries[1], value: Double(row.historicalMinor), formatted: money(row.historicalMinor, row.currency)),
                ])
            })
        func stageRows(_ historical: OpportunityForecast.Historical) -> [StageRow] {
            historical.stages.map { row in
                StageRow(name: words.stage(row.stage), winRate: words.percent(row.winRate.denominator > 0 ? row.winRate : nil),
                         winCounts: row.winRate.denominator > 0 ? words.counts(row.winRate) : web.text("an_no_history"),
                         open: words.number(row.open), openAmount: words.moneyLine(row.openAmount), forecast: words.moneyLine(row.forecast),
                         wonAfter: words.number(row.wonAfter), wonAfterAmount: words.moneyLine(row.wonAfterAmount))
            }
        }
        stages = stageRows(historical)
        func withoutRate(_ historical: OpportunityForecast.Historical) -> String? {
            historical.stagesWithoutRate.isEmpty ? nil
                : web.text("an_stages_without_rate", ["stages": historical.stagesWithoutRate.map(words.stage).joined(separator: web.text("an_list_separator"))])
        }
        withoutRateNote = withoutRate(historical)
        func chart(id: String, title: String, description: String, series: [String], rows: [OpportunityForecast.StageRow],
                   _ values: (OpportunityForecast.StageRow, String) -> [Int64]) -> String {
            guard let chartCurrency else { return "" }
            return SVGChart.bars(id: id, title: title, description: description, series: series, groups: rows.map { row in
                ChartGroup(label: words.stage(row.stage), values: zip(series, values(row, chartCurrency)).map {
                    ChartValue(label: $0.0, value: Double($0.1), formatted: money($0.1, chartCurrency))
                })
            })
        }
        let stageSeries = [web.text("an_open_amount"), web.text("an_historical")]
        stageChart = chart(id: "forecast-stages", title: web.text("an_stage_chart", ["currency": chartCurrency ?? ""]),
                                description: web.text("an_stage_desc", ["period": period]), series: stageSeries, rows: historical.stages) { row, currency in
            [row.openAmount[currency] ?? 0, row.forecast[currency] ?? 0]
        }
        hasStageChart = !stageChart.isEmpty && historical.stages.contains { !$0.openAmount.isEmpty }
        if let test = report.backTest, let asOf = report.asOf {
            let formatter = locale.dateFormatter()
            formatter.timeZone = frame.timeZone
            let errors = test.errorBasisPoints
            let testCurrencies = Set(test.openAmount.keys).union(test.forecast.keys).union(test.actual.keys).sorted()
            let backSeries = [web.text("an_back_forecast"), web.text("an_back_actual")]
            let backChart = chart(id: "forecast-backtest", title: web.text("an_back_chart", ["currency": chartCurrency ?? ""]),
                                  description: web.text("an_back_desc", ["date": formatter.string(from: asOf)]), series: backSeries, rows: test.stages) { row, currency in
                [row.forecast[currency] ?? 0, row.wonAfterAmount[currency] ?? 0]
            }
            backTest = BackTest(
                asOf: formatter.string(from: asOf), stages: stageRows(test),
                hasBackStages: test.stages.contains { $0.open > 0 || $0.winRate.denominator > 0 },
                totals: testCurrencies.map { currency in
                    BackTotal(currency: currency, open: money(test.openAmount[currency] ?? 0, currency), forecast: money(test.forecast[currency] ?? 0, currency),
                              actual: money(test.actual[currency] ?? 0, currency),
                              error: errors[currency].map { web.text("an_error_value", ["percent": locale.percent(Double($0) / 10_000)]) } ?? "–")
                },
                chart: backChart, hasBackChart: !backChart.isEmpty && test.stages.contains { !$0.openAmount.isEmpty },
                wonAfterCount: web.text("an_won_after", ["n": words.number(test.wonAfter)]), backWithoutRate: withoutRate(test))
        }
    }

    /// The first instant of a `YYYY-MM` month (UTC, for naming it).
    static func monthStart(_ month: String) -> Date? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]), (1...12).contains(number) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar.date(from: DateComponents(year: year, month: number, day: 1))
    }
}
