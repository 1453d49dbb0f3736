import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// The manager's team view on `/performance` (预警): per person the lowest attainment against
/// the elapsed share of the month, overdue tasks and days since the last activity; flagged first.
struct TeamAlertsView {
    struct Row {
        var name: String
        var attainment: String
        var metric: String
        var overdue: String
        var lastActivity: String
        var flags: [String]
        var flagged: Bool
        var behind: Bool
        var hasOverdue: Bool
        var idle: Bool
    }

    var elapsed: String
    var rows: [Row]
    var hasRows: Bool
    var flaggedCount: String

    init(web: WebContext, view: PerformanceUseCases.TeamView) {
        elapsed = web.text("team_view_elapsed", ["share": web.locale.percent(view.elapsed)])
        rows = view.rows.map { row in
            var flags: [String] = []
            if row.behindPace { flags.append(web.text("team_view_behind")) }
            if row.hasOverdue { flags.append(web.text("team_view_overdue_flag")) }
            if row.idle { flags.append(web.text("team_view_idle_flag", ["n": String(PerformanceUseCases.TeamView.idleDays)])) }
            let last = row.daysSinceActivity.map { $0 == 0 ? web.text("touched_today") : $0 == 1 ? web.text("touched_day_ago") : web.text("touched_days_ago", ["n": String($0)]) }
                ?? web.text("team_view_no_activity", ["n": String(PerformanceUseCases.TeamView.idleWindowDays)])
            return Row(name: row.person.name, attainment: row.pace.lowest.map { web.locale.percent($0.ratio) } ?? "–",
                       metric: row.pace.lowestKey.map { web.text("metric_\($0.metric.rawValue)") + ($0.currency.map { " (\($0))" } ?? "") } ?? web.text("team_view_no_target"),
                       overdue: web.locale.number(row.overdueTasks), lastActivity: last, flags: flags, flagged: row.flagged,
                       behind: row.behindPace, hasOverdue: row.hasOverdue, idle: row.idle)
        }
        hasRows = !rows.isEmpty
        flaggedCount = web.text("team_view_flagged", ["n": String(view.rows.filter(\.flagged).count)])
    }
}

/// The workbench's two performance cards: the reader's attainment gauges this month and their
/// place on the default leaderboard.
struct WorkbenchPerformance {
    struct Place {
        var rank: String
        var detail: String
    }

    var figures: [PerformanceFigureView]
    var place: Place?
    var showsBoard: Bool

    init(web: WebContext, card: PerformanceUseCases.Card) {
        figures = card.lines.map { PerformanceFigureView(web: web, key: $0.key, actual: $0.actual, target: $0.target, attainment: $0.attainment) }
        showsBoard = card.boardSize > 0
        place = card.place.map { place in
            let metric = web.text("metric_\(card.metric.rawValue)") + (card.currency.map { " (\($0))" } ?? "")
            let value = card.metric.isMoney ? web.locale.money(place.value, currency: card.currency ?? "CNY") : web.locale.number(Int(clamping: place.value))
            return Place(rank: web.text("workbench_rank_of", ["rank": web.locale.number(place.rank), "n": web.locale.number(card.boardSize)]),
                         detail: metric + " · " + value)
        }
    }
}

extension WebPages {
    /// The workbench's performance cards (nil when the reader's role has no figures).
    func workbenchPerformance(_ web: WebContext) async throws -> WorkbenchPerformance? {
        guard try await rapport.allows(web.caller, .read, .target) else { return nil }
        return WorkbenchPerformance(web: web, card: try await rapport.performance.card(by: web.caller))
    }
}
