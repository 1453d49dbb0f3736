import Foundation
import RapportApp
import RapportCore

/// One report in a list.
struct ReportLine {
    var path: String
    var period: String
    var kind: String
    var author: String
    var status: String
    var statusClass: String
    var submitted: String

    init(web: WebContext, row: ReportRow) {
        let report = row.report
        path = "/reports/" + WebPages.segment(report.id.rawValue)
        period = report.period.description
        kind = web.text("report_kind_\(report.kind.rawValue)")
        author = row.authorName
        status = web.text("report_status_\(report.status.rawValue)")
        statusClass = "report-\(report.status.rawValue)"
        submitted = report.submittedAt.map { web.locale.dateFormatter().string(from: $0) } ?? "–"
    }
}

/// `/reports`.
struct ReportsBody {
    struct Missing {
        var name: String
        var status: String
        var path: String?
    }

    var lines: [ReportLine]
    var hasLines: Bool
    var nextPath: String?
    var kinds: [WebOption]
    var statuses: [WebOption]
    var people: [WebOption]
    var canFilterPeople: Bool
    var from: String
    var to: String
    var q: String
    var showsMissing: Bool
    var missingDay: String
    var missing: [Missing]
    var hasMissing: Bool

    init(web: WebContext, page: Page<ReportRow>, search: ReportUseCases.SearchQuery, people: [User],
         missing: (day: CalendarDate, people: [ReportUseCases.Missing])?) {
        lines = page.items.map { ReportLine(web: web, row: $0) }
        hasLines = !lines.isEmpty
        var query: [(String, String)] = []
        for (name, value) in [("kind", search.kind), ("status", search.status), ("author_id", search.author), ("from", search.from), ("to", search.to),
                              ("q", search.text)] {
            if let value { query.append((name, value)) }
        }
        nextPath = page.nextCursor.map { WebPages.queryPath("/reports", query + [("cursor", $0.token)]) }
        kinds = [WebOption(value: "", label: web.text("report_any"), selected: search.kind == nil)]
            + WebOption.list(WorkReport.Kind.allCases.map { ($0.rawValue, web.text("report_kind_\($0.rawValue)")) }, chosen: search.kind)
        statuses = [WebOption(value: "", label: web.text("report_any"), selected: search.status == nil)]
            + WebOption.list(WorkReport.Status.allCases.map { ($0.rawValue, web.text("report_status_\($0.rawValue)")) }, chosen: search.status)
        self.people = [WebOption(value: "", label: web.text("report_anyone"), selected: search.author == nil)]
            + WebOption.list(people.map { ($0.id.rawValue, $0.name) }, chosen: search.author)
        canFilterPeople = people.count > 1
        from = search.from ?? ""
        to = search.to ?? ""
        q = search.text ?? ""
        showsMissing = missing != nil
        missingDay = missing?.day.description ?? ""
        self.missing = (missing?.people ?? []).map { person in
            Missing(name: person.name, status: web.text("report_status_\(person.status?.rawValue ?? "none")"),
                    path: person.reportID.map { "/reports/" + WebPages.segment($0.rawValue) })
        }
        hasMissing = !self.missing.isEmpty
    }
}

/// `/reports/new`.
struct ReportNewBody {
    var kind: String
    var kindLabel: String
    var isDaily: Bool
    var period: String

    init(web: WebContext, kind: WorkReport.Kind, today: CalendarDate) {
        self.kind = kind.rawValue
        kindLabel = web.text("report_kind_\(kind.rawValue)")
        isDaily = kind == .daily
        period = ReportPeriod(containing: today, kind: kind).description
    }
}

/// `/reports/{id}`.
struct ReportBody {
    struct Figure {
        var label: String
        var value: String
    }

    struct Comment {
        var author: String
        var at: String
        var body: String
    }

    var id: String
    var path: String
    var title: String
    var author: String
    var status: String
    var statusClass: String
    var version: String
    var figures: [Figure]
    var figuresNote: String
    var summary: String
    var plan: String
    var problems: String
    var planLabel: String
    var summaryLabel: String
    var hasText: Bool
    var editable: Bool
    var canDecide: Bool
    var canComment: Bool
    var comments: [Comment]
    var hasComments: Bool
    var maxText: Int
    var maxComment: Int

    init(web: WebContext, view: ReportUseCases.View, comments: [ReportComment], mayChange: Bool) {
        let report = view.row.report
        let mine = report.authorID == web.caller.actorID
        id = report.id.rawValue
        path = "/reports/" + WebPages.segment(report.id.rawValue)
        title = web.text("report_kind_\(report.kind.rawValue)") + " · " + report.period.description
        author = view.row.authorName
        status = web.text("report_status_\(report.status.rawValue)")
        statusClass = "report-\(report.status.rawValue)"
        version = String(report.version)
        figures = Self.figures(web: web, view.figures)
        figuresNote = web.text(view.live ? "report_figures_live" : "report_figures_snapshot")
        summary = report.summary ?? ""
        plan = report.plan ?? ""
        problems = report.problems ?? ""
        planLabel = web.text(report.kind == .daily ? "report_plan_daily" : "report_plan_monthly")
        summaryLabel = web.text(report.kind == .daily ? "report_summary_daily" : "report_summary_monthly")
        hasText = report.summary != nil || report.plan != nil || report.problems != nil
        editable = mine && report.status.isEditable
        canDecide = !mine && mayChange && report.status == .submitted
        canComment = mayChange && web.role != .analyst && web.role != .readOnly
        self.comments = comments.map { Comment(author: $0.authorName, at: web.locale.dateFormatter().string(from: $0.createdAt), body: $0.body) }
        hasComments = !comments.isEmpty
        maxText = WorkReport.maximumTextLength
        maxComment = WorkReport.maximumCommentLength
    }

    static func figures(web: WebContext, _ figures: ReportFigures) -> [Figure] {
        func count(_ key: String, _ value: Int64) -> Figure { Figure(label: web.text("report_fig_\(key)"), value: web.locale.number(Int(clamping: value))) }
        func money(_ key: String, _ amounts: [ReportFigures.Amount]) -> Figure {
            Figure(label: web.text("report_fig_\(key)"),
                   value: amounts.isEmpty ? "–" : amounts.map { web.locale.money($0.amountMinor, currency: $0.currency) }.joined(separator: " · "))
        }
        return [
            count("calls", figures.calls), count("visits", figures.visits), count("other_activities", figures.otherActivities),
            count("new_leads", figures.newLeads), count("leads_converted", figures.leadsConverted), count("opportunities_won", figures.opportunitiesWon),
            money("won_amounts", figures.wonAmounts), money("signed_amounts", figures.signedAmounts), money("collections", figures.collections),
            count("tasks_done", figures.tasksDone), count("tasks_overdue", figures.tasksOverdue),
        ]
    }
}

/// The workbench's daily-report card.
struct WorkbenchReport {
    var status: String
    var statusClass: String
    var path: String
    var action: String

    init(web: WebContext, report: WorkReport?) {
        status = web.text("report_status_\(report?.status.rawValue ?? "none")")
        statusClass = report.map { "report-\($0.status.rawValue)" } ?? ""
        path = report.map { "/reports/" + WebPages.segment($0.id.rawValue) } ?? "/reports/new?kind=daily"
        action = web.text(report == nil ? "report_new_daily" : report!.status.isEditable ? "workbench_report_continue" : "workbench_report_open")
    }
}
