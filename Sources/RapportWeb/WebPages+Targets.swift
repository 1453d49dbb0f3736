import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    static let targetPageRoutes: Set<String> = ["GET /performance", "GET /leaderboard", "GET /performance/targets", "POST /performance/targets"]

    /// `/performance` (业绩): the reader's month — actuals, targets and attainment gauges — and, for
    /// managers, the team view (who is behind pace, has overdue tasks, has gone quiet) and their
    /// people and teams; `/performance/targets` the target sheet; `/leaderboard` (排行榜): a metric's ranking over a month,
    /// quarter or year. GET forms only; figures come from the performance use cases as the reader.
    func addTargets(to router: Router<APIRequestContext>) {
        page(router, "performance") { request, _, web in
            let query = Self.query(request)
            let sheet = try await rapport.performance.sheet(period: query["period"], user: nil, team: nil, by: web.caller)
            var body = PerformanceBody(web: web, sheet: sheet)
            if web.canManage {
                body.team = TeamAlertsView(web: web, view: try await rapport.performance.team(period: query["period"], by: web.caller))
            }
            return web.page("performance", title: web.text("performance_title"), body)
        }
        page(router, "leaderboard") { request, _, web in
            let query = Self.query(request)
            let board = try await rapport.performance.leaderboard(
                .init(metric: query["metric"] ?? TargetMetric.wonRevenue.rawValue, period: query["period"], team: query["team_id"], currency: query["currency"]),
                by: web.caller)
            return web.page("leaderboard", title: web.text("leaderboard_title"), LeaderboardBody(web: web, board: board))
        }
        addTargetSheet(to: router)
    }
}

/// Worded figures of one metric: the value, the target, attainment and its gauge.
struct PerformanceFigureView {
    var metric: String
    var actual: String
    var target: String
    var attainment: String
    var gauge: String

    init(web: WebContext, key: Performance.Key, actual: Int64, target: Int64?, attainment: Performance.Attainment?) {
        func amount(_ value: Int64) -> String {
            key.metric.isMoney ? web.locale.money(value, currency: key.currency ?? "CNY") : web.locale.number(Int(clamping: value))
        }
        metric = web.text("metric_\(key.metric.rawValue)") + (key.currency.map { " (\($0))" } ?? "")
        self.actual = amount(actual)
        self.target = target.map(amount) ?? "–"
        self.attainment = attainment.map { web.locale.percent($0.ratio) } ?? "–"
        gauge = attainment.map { SVGChart.meter(title: web.text("performance_attainment") + " " + web.locale.percent($0.ratio), value: $0.ratio, limit: 1) } ?? ""
    }
}

/// The performance page's view.
struct PerformanceBody {
    struct Subject {
        var name: String
        var figures: [PerformanceFigureView]
    }

    var period: String
    var mine: [PerformanceFigureView]
    var hasTeam: Bool
    var people: [Subject]
    var teams: [Subject]
    /// A manager's team view with its alerts (nil for reps).
    var team: TeamAlertsView?

    init(web: WebContext, sheet: PerformanceUseCases.Sheet) {
        period = sheet.period.description
        func figures(_ lines: [PerformanceUseCases.Line]) -> [PerformanceFigureView] {
            lines.map { PerformanceFigureView(web: web, key: $0.key, actual: $0.actual, target: $0.target ?? $0.membersTarget, attainment: $0.attainment) }
        }
        mine = figures(sheet.people.first { $0.person.id == web.caller.actorID }?.lines ?? [])
        people = sheet.people.filter { $0.person.id != web.caller.actorID }.map { Subject(name: $0.person.name, figures: figures($0.lines)) }
        teams = sheet.teams.map { Subject(name: $0.team.name, figures: figures($0.lines)) }
        hasTeam = !people.isEmpty || !teams.isEmpty
    }
}

/// The leaderboard page's view: the pickers and the ranked people and teams.
struct LeaderboardBody {
    struct Place {
        var rank: String
        var name: String
        var value: String
        var attainment: String
        var mine: Bool
    }

    var period: String
    var metricOptions: [WebOption]
    var full: Bool
    var people: [Place]
    var teams: [Place]
    var hasTeams: Bool
    var myRank: String?

    init(web: WebContext, board: PerformanceUseCases.Board) {
        period = board.period.description
        metricOptions = WebOption.list(TargetMetric.allCases.map { ($0.rawValue, web.text("metric_\($0.rawValue)")) }, chosen: board.metric.rawValue)
        full = !board.publicOnly
        func value(_ value: Int64) -> String {
            board.metric.isMoney ? web.locale.money(value, currency: board.currency ?? "CNY") : web.locale.number(Int(clamping: value))
        }
        people = board.people.map { place in
            Place(rank: web.locale.number(place.rank), name: place.person.name, value: value(place.value),
                  attainment: place.attainment.map { web.locale.percent($0.ratio) } ?? "–", mine: place.person.id == web.caller.actorID)
        }
        teams = board.teams.map { place in
            Place(rank: web.locale.number(place.rank), name: place.team.name, value: value(place.value),
                  attainment: place.attainment.map { web.locale.percent($0.ratio) } ?? "–", mine: false)
        }
        hasTeams = !teams.isEmpty
        myRank = people.first(where: \.mine)?.rank
    }
}
