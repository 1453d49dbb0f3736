import Foundation
import RapportApp
import RapportCore

/// A number with one decimal for the reader (12.5, 12.5 in Chinese too).
func decimalText(_ value: Double, _ locale: Localization.Locale) -> String {
    value.formatted(.number.precision(.fractionLength(1)).locale(Foundation.Locale(identifier: locale.code == "zh-Hans" ? "zh_Hans_CN" : "en_GB")))
}

/// A query string from names and values (blank values left out), for links between pages.
func managerQuery(_ pairs: [(String, String?)]) -> String {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
    let parts = pairs.compactMap { name, value -> String? in
        guard let value, !value.isEmpty else { return nil }
        return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }
    return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
}

/// The team's holding levels (the team overview).
struct HoldingsBody {
    /// How many instalments are overdue in the manager's scope (nil: orders not readable).
    var overdue: String? = nil
    var poolName: String
    var hasPool: Bool
    var poolOptions: [WebOption]
    var teamOptions: [WebOption]
    var asOf: String
    var rows: [HoldingRow]
    var nextPage: String?

    struct HoldingRow {
        var name: String
        var team: String
        var disabled: Bool
        var holding: String
        var meter: String
        var full: Bool
        var claims: String
        var openLeads: String
        var openCustomers: String
        var awaiting: String
        var reclaim: String
        var reclaimDetail: String?
    }

    init(web: WebContext, holdings: LeadAnalyticsUseCases.Holdings, book: NameBook, team: String?) {
        let locale = web.locale
        func number(_ value: Int) -> String { locale.number(value) }
        poolName = holdings.pool?.name ?? ""
        hasPool = holdings.pool != nil
        poolOptions = WebOption.list(holdings.pools.map { ($0.key, $0.name) }, chosen: holdings.pool?.key)
        teamOptions = book.teamOptions(chosen: team)
        asOf = web.text("manage_as_of", ["date": locale.dateFormatter().string(from: holdings.at)])
        rows = holdings.people.items.map { person in
            let limit = person.holdingLimit.map(number) ?? "∞"
            let holding = web.text("manage_of", ["n": number(person.holding), "limit": limit])
            let meter = person.holdingLimit.map { limit in
                SVGChart.meter(title: "\(person.user.name): \(holding)", value: Double(person.holding), limit: Double(limit))
            } ?? ""
            return HoldingRow(
                name: person.user.name, team: person.user.teamID.flatMap { book.teams[$0.rawValue] } ?? "", disabled: person.user.status == .disabled,
                holding: holding, meter: meter, full: person.holdingLimit.map { person.holding >= $0 } ?? false,
                claims: web.text("manage_of", ["n": number(person.claimedToday), "limit": person.claimsPerDay.map(number) ?? "∞"]),
                openLeads: number(person.openLeads), openCustomers: number(person.openCustomers), awaiting: number(person.awaitingFirstTouch),
                reclaim: number(person.aboutToBeReclaimed),
                reclaimDetail: person.aboutToBeReclaimed == 0 ? nil
                    : web.text("manage_reclaim_detail", ["due": number(person.reclaimDue), "warned": number(person.reclaimWarned)]))
        }
        nextPage = holdings.people.nextCursor.map { cursor in
            "/manage" + managerQuery([("pool", holdings.pool?.key), ("team", team), ("cursor", cursor.token)])
        }
    }
}

/// Lead turnover per rep, team or source: a bar chart and the same numbers in a table.
struct TurnoverBody {
    var from: String
    var to: String
    var period: String
    var groupOptions: [WebOption]
    var groupHeader: String
    var chart: String
    var chartNote: String?
    var hasRows: Bool
    var rows: [Row]
    var total: Row

    struct Row {
        var label: String
        var received: String
        var claimed: String
        var released: String
        var reclaimed: String
        var converted: String
        var averageHours: String
        var reclaimConversion: String
    }

    /// The most groups the chart draws (the table lists them all).
    static let chartGroups = 15

    init(web: WebContext, report: LeadAnalyticsUseCases.Turnover, book: NameBook) {
        let locale = web.locale
        let range = ReportDates.range(report.frame)
        from = range.from
        to = range.to
        period = ReportDates.words(report.frame, locale: locale)
        let grouping = report.grouping
        groupOptions = WebOption.list(LeadTurnover.Grouping.allCases.map { ($0.rawValue, web.text("manage_group_\($0.rawValue)")) }, chosen: grouping.rawValue)
        groupHeader = web.text("manage_group_\(grouping.rawValue)")
        func label(_ group: String?) -> String {
            switch grouping {
            case .rep: group.map { book.users[$0] ?? $0 } ?? web.text("manage_no_owner")
            case .team: group.map { book.teams[$0] ?? $0 } ?? web.text("manage_no_team")
            case .source: group.map { report.sourceLabels[$0] ?? $0 } ?? web.text("manage_no_source")
            case .none: web.text("manage_everyone")
            }
        }
        func row(_ label: String, _ counts: LeadTurnover.Counts) -> Row {
            Row(label: label, received: locale.number(Int(counts.received)), claimed: locale.number(Int(counts.claimed)),
                released: locale.number(Int(counts.released)), reclaimed: locale.number(Int(counts.reclaimed)), converted: locale.number(Int(counts.converted)),
                averageHours: counts.averageHoldingHours.map { decimalText($0, locale) } ?? "–",
                reclaimConversion: counts.reclaimConversionRate.map(locale.percent) ?? "–")
        }
        let labelled = report.rows.map { (label: label($0.key.group), counts: $0.counts) }
        rows = labelled.map { row($0.label, $0.counts) }
        total = row(web.text("manage_total"), report.total)
        hasRows = !rows.isEmpty
        let series = ["manage_received", "manage_claimed", "manage_released", "manage_reclaimed", "manage_converted"].map { web.text($0) }
        let charted = labelled.sorted { ($0.counts.received, $0.counts.converted) > ($1.counts.received, $1.counts.converted) }.prefix(Self.chartGroups)
        chartNote = labelled.count > Self.chartGroups ? web.text("manage_chart_top", ["n": String(Self.chartGroups)]) : nil
        let groups = charted.map { item in
            let values = [item.counts.received, item.counts.claimed, item.counts.released, item.counts.reclaimed, item.counts.converted]
            return ChartGroup(label: item.label, values: zip(series, values).map { ChartValue(label: $0.0, value: Double($0.1), formatted: locale.number(Int($0.1))) })
        }
        chart = SVGChart.bars(id: "turnover-chart", title: web.text("manage_turnover_chart", ["group": groupHeader]),
                              description: web.text("manage_turnover_desc", ["period": period, "received": total.received, "converted": total.converted]),
                              series: series, groups: Array(groups))
    }
}

/// The lead funnel per source: the chosen source's (or every source's) funnel as a chart, and the
/// stages reached per source in a table.
struct FunnelBody {
    var from: String
    var to: String
    var period: String
    var sourceOptions: [WebOption]
    var chart: String
    var hasRows: Bool
    var stages: [String]
    var rows: [Row]
    var total: Row

    struct Row {
        var label: String
        var created: String
        var cells: [Cell]
        var converted: String
        var rate: String
    }

    struct Cell {
        var count: String
        var share: String
    }

    /// The value of the "no source" choice.
    static let noSource = "_none"

    init(web: WebContext, report: LeadAnalyticsUseCases.Funnel, source: String?) {
        let locale = web.locale
        let range = ReportDates.range(report.frame)
        from = range.from
        to = range.to
        period = ReportDates.words(report.frame, locale: locale)
        let funnel = report.funnel
        func label(_ source: String?) -> String { source.map { report.sourceLabels[$0] ?? $0 } ?? web.text("manage_no_source") }
        let sources = report.rows.map { ($0.key.source ?? Self.noSource, label($0.key.source)) }
        sourceOptions = [WebOption(value: "", label: web.text("manage_all_sources"), selected: source == nil)] + WebOption.list(sources, chosen: source)
        stages = funnel.stages.map { $0.label.text(for: locale.code) }
        func row(_ label: String, _ counts: LeadFunnel.Counts) -> Row {
            func share(_ count: Int64) -> String { counts.created == 0 ? "–" : locale.percent(Double(count) / Double(counts.created)) }
            let converted = funnel.converted(counts)
            return Row(label: label, created: locale.number(Int(counts.created)),
                       cells: funnel.stages.map { stage in
                           let reached = counts.reached[stage.key] ?? 0
                           return Cell(count: locale.number(Int(reached)), share: share(reached))
                       },
                       converted: locale.number(Int(converted)), rate: share(converted))
        }
        let chosen = report.rows.filter { source == nil || ($0.key.source ?? Self.noSource) == source }
        rows = chosen.map { row(label($0.key.source), $0.counts) }
        var sum = LeadFunnel.Counts()
        for item in chosen {
            sum.created += item.counts.created
            for (stage, count) in item.counts.reached { sum.reached[stage, default: 0] += count }
        }
        let totalLabel = source == nil ? web.text("manage_total") : label(source == Self.noSource ? nil : source)
        total = row(totalLabel, sum)
        hasRows = !rows.isEmpty
        let path = funnel.stages.filter { $0.category != .lost }
        let values = path.map { sum.reached[$0.key] ?? 0 }
        let rates: [String?] = values.indices.dropLast().map { index in
            values[index] == 0 ? nil : locale.percent(Double(values[index + 1]) / Double(values[index]))
        }
        let chartStages = zip(path, values).map { ChartValue(label: $0.0.label.text(for: locale.code), value: Double($0.1), formatted: locale.number(Int($0.1))) }
        chart = SVGChart.funnel(id: "funnel-chart", title: web.text("manage_funnel_chart", ["source": totalLabel]),
                                description: web.text("manage_funnel_desc", ["period": period, "created": total.created, "converted": total.converted, "rate": total.rate]),
                                stages: chartStages, rates: rates)
    }
}
