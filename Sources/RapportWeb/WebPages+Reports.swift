import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The report pages' routes (for ``WebRoutes/pageRoutes``).
    static let reportPageRoutes: Set<String> = [
        "GET /reports", "GET /reports/new", "POST /reports", "GET /reports/{id}", "POST /reports/{id}", "POST /reports/{id}/submit",
        "POST /reports/{id}/return", "POST /reports/{id}/review", "POST /reports/{id}/comments",
    ]

    /// `/reports` (the reader's reports, search, and — for managers — who has not submitted
    /// yesterday's daily report), `/reports/new` (pick a period), `/reports/{id}` (figures, words,
    /// comments, the author's and the manager's actions) — all through ``ReportUseCases`` as the
    /// signed-in caller.
    func addReports(to router: Router<APIRequestContext>) {
        page(router, "reports") { request, _, web in
            let query = Self.query(request)
            let search = ReportUseCases.SearchQuery(
                author: query["author_id"].flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }, kind: query["kind"].flatMap { $0.isEmpty ? nil : $0 },
                from: query["from"].flatMap { $0.isEmpty ? nil : $0 }, to: query["to"].flatMap { $0.isEmpty ? nil : $0 },
                status: query["status"].flatMap { $0.isEmpty ? nil : $0 }, text: query["q"].flatMap { $0.isEmpty ? nil : String($0.prefix(200)) })
            let found = try await rapport.reports.search(search, page: try PageRequest.parse(limit: "50", cursor: query["cursor"]), by: web.caller)
            let oversees = web.canManage || web.role == .analyst
            let people = oversees
                ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : []
            let missing = oversees ? try await rapport.reports.missing(date: nil, team: nil, by: web.caller) : nil
            return web.page("reports", title: web.text("reports_title"), ReportsBody(web: web, page: found, search: search, people: people, missing: missing))
        }
        page(router, "reports/new") { request, _, web in
            let kind = WorkReport.Kind(rawValue: Self.query(request)["kind"] ?? "") ?? .daily
            let today = CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone)
            return web.page("report_new", title: web.text("report_kind_\(kind.rawValue)"), ReportNewBody(web: web, kind: kind, today: today))
        }
        action(router, "reports") { _, _, web, form in
            let (view, _) = try await rapport.reports.draft(kind: form["kind"], period: form["period"].flatMap { $0.isEmpty ? nil : $0 }, by: web.caller)
            return web.redirect("/reports/" + Self.segment(view.row.report.id.rawValue))
        }
        page(router, "reports/:id") { _, context, web in
            let id = try context.parameters.require("id")
            let view = try await rapport.reports.get(id, by: web.caller)
            let comments = try await rapport.reports.comments(id, by: web.caller)
            let mayChange = try await rapport.allows(web.caller, .update, .report)
            return web.page("report", title: web.text("report_kind_\(view.row.report.kind.rawValue)") + " " + view.row.report.period.description,
                            ReportBody(web: web, view: view, comments: comments, mayChange: mayChange))
        }
        action(router, "reports/:id") { _, context, web, form in
            let id = try context.parameters.require("id")
            let input = ReportUseCases.TextInput(summary: .some(form["summary"]), plan: .some(form["plan"]), problems: .some(form["problems"]))
            _ = try await rapport.reports.updateText(id, input, expectedVersion: form["version"].flatMap { Int64($0) }, by: web.caller)
            return web.redirect("/reports/" + Self.segment(id), notice: "report_saved")
        }
        action(router, "reports/:id/submit") { _, context, web, form in
            let id = try context.parameters.require("id")
            if form["summary"] != nil || form["plan"] != nil || form["problems"] != nil {
                let input = ReportUseCases.TextInput(summary: .some(form["summary"]), plan: .some(form["plan"]), problems: .some(form["problems"]))
                _ = try await rapport.reports.updateText(id, input, expectedVersion: form["version"].flatMap { Int64($0) }, by: web.caller)
            }
            _ = try await rapport.reports.submit(id, by: web.caller)
            return web.redirect("/reports/" + Self.segment(id), notice: "report_submitted")
        }
        action(router, "reports/:id/return") { _, context, web, form in
            let id = try context.parameters.require("id")
            _ = try await rapport.reports.returnForRework(id, reason: form["reason"], expectedVersion: form["version"].flatMap { Int64($0) }, by: web.caller)
            return web.redirect("/reports/" + Self.segment(id), notice: "report_returned")
        }
        action(router, "reports/:id/review") { _, context, web, form in
            let id = try context.parameters.require("id")
            _ = try await rapport.reports.review(id, comment: form["comment"], expectedVersion: form["version"].flatMap { Int64($0) }, by: web.caller)
            return web.redirect("/reports/" + Self.segment(id), notice: "report_reviewed")
        }
        action(router, "reports/:id/comments") { _, context, web, form in
            let id = try context.parameters.require("id")
            _ = try await rapport.reports.comment(id, body: form["body"], by: web.caller)
            return web.redirect("/reports/" + Self.segment(id), notice: "report_commented", anchor: "comments")
        }
    }

    /// The workbench's card: today's daily report — to start, to finish, or sent.
    func workbenchReport(_ web: WebContext) async throws -> WorkbenchReport? {
        guard try await rapport.allows(web.caller, .create, .report) else { return nil }
        let today = CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone).description
        let query = ReportUseCases.SearchQuery(author: web.user.id.rawValue, kind: WorkReport.Kind.daily.rawValue, from: today, to: today)
        let mine = try await rapport.reports.search(query, page: PageRequest(limit: 1), by: web.caller).items.first
        return WorkbenchReport(web: web, report: mine?.report)
    }
}
