import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The team pages of managers and administrators (a rep is refused): the team's holding
    /// levels, lead turnover and the source funnel as server-drawn charts with their tables, and
    /// the handover wizard. Every number comes from the use cases as the reader, so a manager sees
    /// their team subtree only.
    func addManager(to router: Router<APIRequestContext>) {
        page(router, "manage") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let page = try PageRequest.parse(limit: nil, cursor: query["cursor"])
            let holdings = try await rapport.leadAnalytics.holdings(pool: query["pool"], team: query["team"], page: page, by: web.caller)
            let book = try await NameBook.load(rapport, by: web.caller)
            var body = HoldingsBody(web: web, holdings: holdings, book: book, team: query["team"])
            body.overdue = try await overdueCount(web)
            return web.page("manage", title: web.text("manage_title"), body)
        }
        page(router, "manage/turnover") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let groupBy = query["group_by"] ?? "rep"
            let report = try await rapport.leadAnalytics.turnover(.init(from: query["from"], to: query["to"], groupBy: groupBy), by: web.caller)
            let book = try await NameBook.load(rapport, by: web.caller)
            return web.page("manage_turnover", title: web.text("manage_turnover"), TurnoverBody(web: web, report: report, book: book))
        }
        page(router, "manage/funnel") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let report = try await rapport.leadAnalytics.funnel(.init(from: query["from"], to: query["to"]), by: web.caller)
            return web.page("manage_funnel", title: web.text("manage_funnel"), FunnelBody(web: web, report: report, source: query["source"]))
        }
        addHandover(to: router)
        addRevenue(to: router)
    }

    /// The team pages are for managers and administrators; anyone else gets a refusal page.
    static func requireManager(_ web: WebContext) throws {
        guard web.canManage else { throw RapportError(.forbidden, "The team pages are for managers and administrators.") }
    }

    /// A GET request's query as a form (`+` and percent-escapes decoded, repeated names kept).
    static func query(_ request: Request) -> WebForm {
        WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
    }
}

/// The names of the people, teams and pools the reader may see, to show ids as names.
struct NameBook: Sendable {
    var users: [String: String] = [:]
    var teams: [String: String] = [:]

    /// The most people (and teams) a page looks up.
    static let maximum = 20_000

    static func load(_ rapport: Rapport, by caller: Caller) async throws -> NameBook {
        var book = NameBook()
        var cursor: PageCursor?
        repeat {
            let page = try await rapport.users.list(.init(), page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), by: caller)
            for user in page.items { book.users[user.id.rawValue] = user.name }
            cursor = page.nextCursor
        } while cursor != nil && book.users.count < maximum
        cursor = nil
        repeat {
            let page = try await rapport.teams.list(parent: nil, page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), by: caller)
            for team in page.items { book.teams[team.id.rawValue] = team.name }
            cursor = page.nextCursor
        } while cursor != nil && book.teams.count < maximum
        return book
    }

    /// The teams as select options, by name, with `chosen` marked.
    func teamOptions(chosen: String?) -> [WebOption] {
        WebOption.list(teams.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { ($0.key, $0.value) }, chosen: chosen)
    }
}

/// Report dates as a date input shows them (`2026-01-31`) in the report's time zone.
enum ReportDates {
    static func day(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// The first and last day of a report's range [from, to) (the last day holds the instant before `to`).
    static func range(_ frame: LeadAnalyticsUseCases.Frame) -> (from: String, to: String) {
        (day(frame.from, in: frame.timeZone), day(frame.to.addingTimeInterval(-0.001), in: frame.timeZone))
    }

    /// The range in words: "1 Jan 2026 – 31 Jan 2026 · Asia/Shanghai".
    static func words(_ frame: LeadAnalyticsUseCases.Frame, locale: Localization.Locale) -> String {
        let formatter = locale.dateFormatter()
        formatter.timeZone = frame.timeZone
        formatter.timeStyle = .none
        return "\(formatter.string(from: frame.from)) – \(formatter.string(from: frame.to.addingTimeInterval(-0.001))) · \(frame.timeZone.identifier)"
    }
}
