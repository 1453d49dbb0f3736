import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// The numbers of the pipeline report page, worded for the reader: the summary cards, the stage
/// funnel as a chart and a table, the grouped view, and sales velocity.
struct PipelineReport {
    var scope: String
    var period: String
    var pipelineName: String
    var isEmpty: Bool
    var cards: [Card]
    var funnelChart: String
    var stages: [StageRow]
    var grouped: Bool
    var groupHeader: String
    var groupChart: String
    var groupChartNote: String?
    var openStageNames: [String]
    var groups: [GroupRow]
    var groupTotal: GroupRow
    var velocities: [VelocityRow]
    var hasVelocities: Bool
    var velocityMissing: [String]

    /// A summary figure: its name, its value (one line per currency where money), and a note.
    struct Card {
        var label: String
        var values: [String]
        var cardNote: String?
    }

    struct StageRow {
        var name: String
        var category: String
        var categoryName: String
        var current: String
        var reached: String
        var conversion: String
        var averageDays: String
        var medianDays: String
        var visits: String
    }

    struct GroupRow {
        var label: String
        var total: String
        var reachedCells: [String]
        var won: String
        var lost: String
        var winRate: String
    }

    struct VelocityRow {
        var currency: String
        var perDay: String
        var open: String
        var averageDeal: String
        var winRate: String
        var cycle: String
    }

    /// The most groups the grouped chart draws (the table lists them all).
    static let chartGroups = 15

    /// `labels`: each group's name (owners, teams, sources already looked up).
    init(web: WebContext, velocity: OpportunityAnalyticsUseCases.Velocity, funnel report: OpportunityAnalyticsUseCases.Funnel, labels: [String: String]) {
        let frame = velocity.frame
        let words = AnalyticsWording(web: web, stages: frame.stages)
        let summary = velocity.summary
        scope = words.scope
        period = words.period(frame) + " · " + web.text(frame.filter.dateField == .closed ? "an_by_closed" : "an_by_created")
        pipelineName = frame.stages.pipeline.label.text(for: web.locale.code)
        isEmpty = summary.total == 0 && report.total.total == 0
        let rate = summary.winRate
        cards = [
            Card(label: web.text("an_open"), values: [words.number(summary.open)],
                 cardNote: summary.openWithoutAmount > 0 ? web.text("an_without_amount", ["n": words.number(summary.openWithoutAmount)]) : nil),
            Card(label: web.text("an_won"), values: [words.number(summary.won)], cardNote: nil),
            Card(label: web.text("an_lost"), values: [words.number(summary.lost)], cardNote: nil),
            Card(label: web.text("an_win_rate"), values: [words.percent(rate.denominator > 0 ? rate : nil)],
                 cardNote: rate.denominator > 0 ? web.text("an_of_closed", ["n": words.number(rate.numerator), "d": words.number(rate.denominator)]) : web.text("an_none_closed")),
            Card(label: web.text("an_won_revenue"), values: words.money(summary.wonAmount).nonEmpty, cardNote: nil),
            Card(label: web.text("an_average_deal"), values: words.money(summary.averageWonDeal).nonEmpty, cardNote: nil),
            Card(label: web.text("an_sales_cycle"), values: [words.days(summary.averageCycleMicros)], cardNote: web.text("an_sales_cycle_note")),
            Card(label: web.text("an_open_pipeline"), values: words.money(summary.openAmount).nonEmpty, cardNote: nil),
            Card(label: web.text("an_weighted_pipeline"), values: words.money(summary.weightedAmount).nonEmpty, cardNote: web.text("an_weighted_note")),
        ]

        // The stage funnel of the whole selection.
        let funnel = report.funnel
        let total = report.total
        let conversion = funnel.conversion(total)
        stages = funnel.stages.all.map { key in
            let durations = total.durations[key] ?? OpportunityFunnel.Durations()
            let category = funnel.stages.category(key)
            return StageRow(name: words.stage(key), category: category.rawValue, categoryName: web.text("opp_status_\(category == .dormant ? "open" : category.rawValue)"),
                            current: words.number(total.current[key] ?? 0), reached: words.number(total.reached[key] ?? 0),
                            conversion: conversion[key].map { words.percent($0.denominator > 0 ? $0 : nil) } ?? "",
                            averageDays: words.days(durations.averageMicros), medianDays: words.days(durations.medianMicros), visits: words.number(durations.visits))
        }
        let path = funnel.stages.open + funnel.stages.won
        let values = path.map { total.reached[$0] ?? 0 }
        let chartStages = zip(path, values).map { ChartValue(label: words.stage($0.0), value: Double($0.1), formatted: words.number($0.1)) }
        let rates: [String?] = funnel.stages.open.map { key in conversion[key].flatMap { $0.denominator > 0 ? words.percent($0) : nil } }
        funnelChart = SVGChart.funnel(
            id: "pipeline-funnel", title: web.text("an_funnel_chart", ["pipeline": pipelineName]),
            description: web.text("an_funnel_desc", ["period": period, "total": words.number(total.total), "won": words.number(funnel.stages.won.reduce(0) { $0 + (total.reached[$1] ?? 0) })]),
            stages: chartStages, rates: rates)

        // The grouped view: per owner, team, source and/or period.
        grouped = report.grouping != .none || frame.interval != .none
        let grouping = report.grouping
        groupHeader = grouping == .none ? web.text("an_interval_\(frame.interval.rawValue)") : web.text("an_group_\(grouping.rawValue)")
        openStageNames = funnel.stages.open.map(words.stage)
        let periodFormatter = Self.periodFormatter(frame, locale: web.locale)
        func label(_ key: OpportunityFunnel.Key) -> String {
            var parts: [String] = []
            switch grouping {
            case .owner: parts.append(key.group.map { labels[$0] ?? $0 } ?? web.text("manage_no_owner"))
            case .team: parts.append(key.group.map { labels[$0] ?? $0 } ?? web.text("manage_no_team"))
            case .source: parts.append(key.group ?? web.text("manage_no_source"))
            case .none: break
            }
            if let period = key.period {
                let start = periodFormatter.string(from: period)
                parts.append(frame.interval == .week ? web.text("an_week_of", ["date": start]) : start)
            }
            return parts.isEmpty ? web.text("manage_everyone") : parts.joined(separator: " · ")
        }
        func row(_ label: String, _ counts: OpportunityFunnel.Counts) -> GroupRow {
            let won = funnel.stages.won.reduce(0) { $0 + (counts.current[$1] ?? 0) }
            let lost = funnel.stages.lost.reduce(0) { $0 + (counts.current[$1] ?? 0) }
            return GroupRow(label: label, total: words.number(counts.total), reachedCells: funnel.stages.open.map { words.number(counts.reached[$0] ?? 0) },
                            won: words.number(won), lost: words.number(lost), winRate: words.percent(won + lost > 0 ? AnalyticsRatio(won, over: won + lost) : nil))
        }
        let labelled = report.rows.map { (label: label($0.key), counts: $0.counts) }
        groups = labelled.map { row($0.label, $0.counts) }
        groupTotal = row(web.text("manage_total"), total)
        let series = [web.text("an_created"), web.text("an_won"), web.text("an_lost")]
        let charted = labelled.sorted { $0.counts.total > $1.counts.total }.prefix(Self.chartGroups)
        groupChartNote = labelled.count > Self.chartGroups ? web.text("an_chart_top", ["n": String(Self.chartGroups)]) : nil
        groupChart = SVGChart.bars(
            id: "pipeline-groups", title: web.text("an_group_chart", ["group": groupHeader]), description: web.text("an_group_desc", ["period": period]),
            series: series,
            groups: charted.map { item in
                let won = funnel.stages.won.reduce(0) { $0 + (item.counts.current[$1] ?? 0) }
                let lost = funnel.stages.lost.reduce(0) { $0 + (item.counts.current[$1] ?? 0) }
                return ChartGroup(label: item.label, values: zip(series, [item.counts.total, won, lost]).map {
                    ChartValue(label: $0.0, value: Double($0.1), formatted: words.number($0.1))
                })
            })

        // Sales velocity per currency, or the inputs it lacks.
        velocities = velocity.velocities.map { item in
            VelocityRow(currency: item.currency, perDay: web.text("an_per_day", ["amount": web.locale.money(item.perDayMinor, currency: item.currency)]),
                        open: words.number(item.openOpportunities), averageDeal: web.locale.money(item.averageWonDealMinor, currency: item.currency),
                        winRate: words.percent(item.winRate), cycle: words.days(item.averageCycleMicros))
        }
        hasVelocities = !velocities.isEmpty
        velocityMissing = velocity.missing.map { web.text("an_missing_\($0)") }
    }

    /// Period starts as the interval reads them: a day or week's date, a month's name.
    static func periodFormatter(_ frame: OpportunityAnalyticsUseCases.Frame, locale: Localization.Locale) -> DateFormatter {
        let formatter = locale.dateFormatter()
        formatter.timeZone = frame.timeZone
        if frame.interval == .month {
            formatter.setLocalizedDateFormatFromTemplate("yMMMM")
        } else {
            formatter.timeStyle = .none
        }
        return formatter
    }
}

extension Array where Element == String {
    /// The lines, or a dash for none.
    var nonEmpty: [String] { isEmpty ? ["–"] : self }
}
