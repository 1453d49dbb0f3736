import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// The reverse-funnel planner page: the target form, and (once sent and accepted) how many won
/// deals, opportunities, leads and visits the target takes, the rates used and those missing.
struct PlanReport {
    var target: String
    var scope: String
    var period: String
    var figures: [Figure]
    var chart: String
    var hasChart: Bool
    var rates: [RateRow]
    var missing: [String]
    var hasMissing: Bool
    var seedNote: String?

    /// A figure the target needs; `key` names it for tests and styles.
    struct Figure {
        var key: String
        var label: String
        var value: String
        var known: Bool
    }

    struct RateRow {
        var label: String
        var value: String
        var basis: String
    }

    init(web: WebContext, report: OpportunityAnalyticsUseCases.Plan) {
        let words = AnalyticsWording(web: web, stages: report.frame.stages)
        let locale = web.locale
        let plan = report.plan
        let rates = report.rates
        let currency = report.target.currency
        target = locale.money(report.target.amountMinor, currency: currency)
        scope = words.scope
        period = words.period(report.frame)
        func figure(_ key: String, _ value: Int64?) -> Figure {
            Figure(key: key, label: web.text("an_need_\(key)"), value: value.map(words.number) ?? web.text("an_unknown"), known: value != nil)
        }
        figures = [figure("won_deals", plan.wonDeals), figure("opportunities", plan.opportunities), figure("leads", plan.leads), figure("visits", plan.visits)]

        // The reverse funnel: leads → opportunities → won deals, as far as the rates reach.
        var stages: [ChartValue] = []
        var between: [String?] = []
        if let leads = plan.leads {
            stages.append(ChartValue(label: web.text("an_need_leads"), value: Double(leads), formatted: words.number(leads)))
            between.append(rates.leadToOpportunity.map { words.percent($0) })
        }
        if let opportunities = plan.opportunities {
            stages.append(ChartValue(label: web.text("an_need_opportunities"), value: Double(opportunities), formatted: words.number(opportunities)))
            between.append(rates.winRate.map { words.percent($0) })
        }
        if let won = plan.wonDeals {
            stages.append(ChartValue(label: web.text("an_need_won_deals"), value: Double(won), formatted: words.number(won)))
        }
        hasChart = stages.count > 1
        chart = hasChart ? SVGChart.funnel(id: "planner-funnel", title: web.text("an_planner_chart", ["target": target]),
                                           description: web.text("an_planner_desc", ["target": target, "period": period]), stages: stages, rates: between) : ""

        let visitsPerDeal = rates.visitsPerWonDeal.flatMap { $0.value.map { decimalText($0, locale) } } ?? "–"
        self.rates = [
            RateRow(label: web.text("an_rate_average_won_deal", ["currency": currency]),
                    value: rates.averageWonDealMinor.map { locale.money($0, currency: currency) } ?? "–", basis: ""),
            RateRow(label: web.text("an_win_rate"), value: words.percent(rates.winRate),
                    basis: rates.winRate.map { web.text("an_of_closed", ["n": words.number($0.numerator), "d": words.number($0.denominator)]) } ?? ""),
            RateRow(label: web.text("an_rate_lead_to_opportunity"), value: words.percent(rates.leadToOpportunity),
                    basis: web.text("an_rate_lead_basis", ["o": words.number(report.opportunitiesCreated), "l": words.number(report.leadsCreated)])),
            RateRow(label: web.text("an_rate_visits_per_won_deal"), value: visitsPerDeal,
                    basis: web.text("an_rate_visits_basis", ["v": words.number(report.visits), "w": words.number(rates.winRate?.numerator ?? 0)])),
        ]
        missing = plan.missingRates.map { web.text("an_missing_rate_\($0)", ["currency": currency]) }
        hasMissing = !missing.isEmpty
        // Seed 003's phrasing: to win one customer takes so many leads and visits.
        if let won = plan.wonDeals, won > 0, let leads = plan.leads, let visits = plan.visits {
            seedNote = web.text("an_planner_seed", ["leads": decimalText(Double(leads) / Double(won), locale), "visits": decimalText(Double(visits) / Double(won), locale)])
        } else {
            seedNote = nil
        }
    }
}
