import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// `/performance/targets` (目标表): a month's targets for the people and teams the reader
    /// manages, one row each and a column per metric, saved in one request through the same use
    /// case as `PUT /api/v1/targets` (one transaction: any refused cell saves nothing and the form
    /// comes back with what was typed and what was wrong).
    func addTargetSheet(to router: Router<APIRequestContext>) {
        page(router, "performance/targets") { request, _, web in
            let query = Self.query(request)
            let form = try await rapport.targets.sheetForm(month: query["month"], team: query["team_id"], by: web.caller)
            let body = TargetSheetBody(web: web, form: form, currency: query["currency"], posted: nil, errors: [])
            return web.page("target_sheet", title: web.text("target_sheet_title"), body)
        }
        action(router, "performance/targets") { _, _, web, posted in
            let form = try await rapport.targets.sheetForm(month: posted["month"], team: posted["team_id"], by: web.caller)
            let currency = (posted["currency"] ?? TargetSheetBody.currency(form)).uppercased()
            var entries: [TargetUseCases.Entry] = []
            var cells: [String] = []
            var refused: [String] = []
            for subject in TargetSheetBody.subjects(form) {
                for metric in TargetMetric.allCases {
                    let name = TargetSheetBody.field(subject.id, metric)
                    guard let text = posted[name] else { continue }
                    let amount = metric.isMoney ? Money.parse(text, currency: currency)?.amountMinor : Int64(text.filter { $0 != "," && $0 != " " })
                    guard let amount else {
                        refused.append(web.text("target_sheet_not_a_number", ["cell": TargetSheetBody.label(web, subject.name, metric)]))
                        continue
                    }
                    entries.append(.init(user: subject.isTeam ? nil : subject.id.rawValue, team: subject.isTeam ? subject.id.rawValue : nil,
                                         metric: metric.rawValue, currency: metric.isMoney ? currency : nil, amount: amount))
                    cells.append(TargetSheetBody.label(web, subject.name, metric))
                }
            }
            func again(_ errors: [String]) -> Response {
                web.page("target_sheet", title: web.text("target_sheet_title"),
                         TargetSheetBody(web: web, form: form, currency: currency, posted: posted, errors: errors), status: .unprocessableContent)
            }
            if !refused.isEmpty { return again(refused) }
            do {
                _ = try await rapport.targets.setSheet(month: form.month.description, entries: entries, by: web.caller)
            } catch let error as RapportError where error.code == .validationFailed {
                return again(error.fieldErrors.map { field in TargetSheetBody.explain(web, field, cells: cells) })
            }
            var back = "/performance/targets?month=" + form.month.description
            if let team = form.teamID { back += "&team_id=" + Self.segment(team.rawValue) }
            return web.redirect(back, notice: "targets_saved")
        }
    }
}

/// The target sheet's view: the month and team pickers, a row per team and person, a cell per metric.
struct TargetSheetBody {
    struct Subject {
        var id: RecordID
        var name: String
        var isTeam: Bool
    }

    struct Cell {
        var id: String
        var name: String
        var label: String
        var value: String
    }

    struct Row {
        var name: String
        var isTeam: Bool
        var cells: [Cell]
    }

    var month: String
    var teamID: String?
    var currency: String
    var teamOptions: [WebOption]
    var hasTeams: Bool
    var metrics: [WebOption]
    var rows: [Row]
    var hasRows: Bool
    var errors: [String]
    var hasErrors: Bool

    init(web: WebContext, form: TargetUseCases.SheetForm, currency chosen: String?, posted: WebForm?, errors: [String]) {
        month = form.month.description
        teamID = form.teamID?.rawValue
        let currency = (chosen ?? Self.currency(form)).uppercased()
        self.currency = currency
        teamOptions = WebOption.list(form.teams.map { ($0.id.rawValue, $0.name) }, chosen: form.teamID?.rawValue ?? "")
        hasTeams = !form.teams.isEmpty
        metrics = TargetMetric.allCases.map { WebOption(value: $0.rawValue, label: Self.metricLabel(web, $0, currency: currency), selected: false) }
        var amounts: [String: String] = [:]
        for target in form.targets where !target.metric.isMoney || target.currency == currency {
            amounts[Self.field(target.subject.id, target.metric)] = target.metric.isMoney
                ? Money(target.amount, currency).plainText : String(target.amount)
        }
        rows = Self.subjects(form).map { subject in
            Row(name: subject.name, isTeam: subject.isTeam, cells: TargetMetric.allCases.map { metric in
                let name = Self.field(subject.id, metric)
                return Cell(id: name.replacingOccurrences(of: ":", with: "-"), name: name, label: Self.label(web, subject.name, metric),
                            value: posted.map { $0[name] ?? "" } ?? amounts[name] ?? "")
            })
        }
        hasRows = !rows.isEmpty
        self.errors = errors
        hasErrors = !errors.isEmpty
    }

    /// The teams (whole team first) then the people of a sheet.
    static func subjects(_ form: TargetUseCases.SheetForm) -> [Subject] {
        form.teams.map { Subject(id: $0.id, name: $0.name, isTeam: true) } + form.people.map { Subject(id: $0.id, name: $0.name, isTeam: false) }
    }

    /// The sheet's money currency: the one its money targets already use, or CNY.
    static func currency(_ form: TargetUseCases.SheetForm) -> String {
        form.targets.first { $0.metric.isMoney }?.currency ?? "CNY"
    }

    /// A cell's input name: `t:<subject id>:<metric>`.
    static func field(_ subject: RecordID, _ metric: TargetMetric) -> String { "t:\(subject.rawValue):\(metric.rawValue)" }

    static func metricLabel(_ web: WebContext, _ metric: TargetMetric, currency: String) -> String {
        web.text("metric_\(metric.rawValue)") + (metric.isMoney ? " (\(currency))" : "")
    }

    static func label(_ web: WebContext, _ name: String, _ metric: TargetMetric) -> String {
        name + " · " + web.text("metric_\(metric.rawValue)")
    }

    /// A refusal of the use case in the reader's words, naming the cell (`targets[3].amount` → its label).
    static func explain(_ web: WebContext, _ error: FieldError, cells: [String]) -> String {
        var field = error.field
        if field.hasPrefix("targets["), let close = field.firstIndex(of: "]"),
           let index = Int(field[field.index(field.startIndex, offsetBy: 8)..<close]), cells.indices.contains(index) {
            field = cells[index]
        } else if field == "targets" {
            field = web.text("target_sheet_title")
        }
        return web.locale.strings["field_error_\(error.code)"] == nil ? "\(field): \(error.message)" : web.text("field_error_\(error.code)", ["field": field])
    }
}
