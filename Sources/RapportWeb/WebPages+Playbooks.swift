import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The playbook pages' routes (for ``WebRoutes/pageRoutes``).
    static let playbookPageRoutes: Set<String> = ["GET /playbooks", "POST /playbooks", "GET /playbooks/{key}", "POST /playbooks/{key}/withdraw"]

    /// The most steps the web form offers (the API takes up to ``Playbook/maximumSteps``).
    static let playbookFormSteps = 6

    /// `/playbooks` (SOP 与话术: every playbook, and for managers a form for a new one), a
    /// playbook's page (its steps and scripts, versions, compliance per rep and conversion per
    /// version, revise and withdraw) — all through ``PlaybookUseCases`` as the signed-in caller.
    func addPlaybooks(to router: Router<APIRequestContext>) {
        page(router, "playbooks") { _, _, web in
            let playbooks = try await rapport.playbooks.list(by: web.caller)
            let canWrite = try await rapport.allows(web.caller, .create, ObjectKind(rawValue: "playbook"))
            return web.page("playbooks", title: web.text("playbooks_title"),
                            PlaybooksBody(web: web, playbooks: playbooks, form: canWrite ? PlaybookForm(web: web, playbook: nil) : nil))
        }
        action(router, "playbooks") { _, _, web, form in
            let playbook = try await rapport.playbooks.define(try Self.playbookInput(form), by: web.caller)
            return web.redirect("/playbooks/" + Self.segment(playbook.key), notice: "playbook_saved")
        }
        page(router, "playbooks/:key") { request, context, web in
            let key = try context.parameters.require("key")
            let versions = try await rapport.playbooks.versions(key: key, by: web.caller)
            // The period of the runs counted: dates from the filter (an empty field leaves that end open).
            let query = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
            let (from, to) = (query["from"], query["to"])
            let compliance = try await rapport.playbooks.compliance(key: key, from: from, to: to, by: web.caller)
            let canWrite = try await rapport.allows(web.caller, .update, ObjectKind(rawValue: "playbook"))
            var body = PlaybookBody(web: web, versions: versions, compliance: compliance, canWrite: canWrite)
            (body.from, body.to) = (from ?? "", to ?? "")
            return web.page("playbook", title: versions[0].name, body)
        }
        action(router, "playbooks/:key/withdraw") { _, context, web, _ in
            let key = try context.parameters.require("key")
            try await rapport.playbooks.withdraw(key: key, by: web.caller)
            return web.redirect("/playbooks/" + Self.segment(key), notice: "playbook_withdrawn")
        }
    }

    /// The form as the API's JSON, read by the same ``PlaybookWire`` (so the problems are named alike).
    static func playbookInput(_ form: WebForm) throws -> PlaybookUseCases.Input {
        func number(_ text: String?) -> JSONValue? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return Int64(text).map(JSONValue.integer) ?? .string(text)
        }
        var trigger: [String: JSONValue] = ["type": .string(form["trigger_type"] ?? "")]
        for field in ["object", "stage", "tag", "field"] {
            if let value = form["trigger_\(field)"], !value.isEmpty { trigger[field] = .string(value) }
        }
        if let days = number(form["trigger_days"]) { trigger["days"] = days }
        var steps: [JSONValue] = []
        for index in 0..<playbookFormSteps {
            guard let title = form["step_title_\(index)"], !title.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            var offset: [String: JSONValue] = [:]
            switch form["step_offset_\(index)"] {
            case "within": offset["within_minutes"] = number(form["step_minutes_\(index)"]) ?? .null
            case "day_at":
                offset["day"] = number(form["step_day_\(index)"]) ?? .null
                offset["at"] = .string(form["step_at_\(index)"] ?? "")
            default: offset["day"] = number(form["step_day_\(index)"]) ?? .null
            }
            steps.append(.object(["title": .string(title), "channel": .string(form["step_channel_\(index)"] ?? "call"), "offset": .object(offset),
                                  "script": .string(form["step_script_\(index)"] ?? "")]))
        }
        let exits = form.all("exits").map(JSONValue.string)
        var check = Validator()
        let parsedTrigger = PlaybookWire.trigger(.object(trigger), check: &check)
        let parsedSteps = PlaybookWire.steps(.array(steps), check: &check)
        let parsedExits = PlaybookWire.exits(.array(exits), check: &check)
        try check.finish()
        guard let parsedTrigger else { throw RapportError.validation([]) }
        return PlaybookUseCases.Input(key: form["key"] ?? "", name: form["name"] ?? "", trigger: parsedTrigger, steps: parsedSteps, exits: parsedExits)
    }

    /// A trigger in the reader's words.
    static func describe(_ trigger: PlaybookTrigger, web: WebContext) -> String {
        switch trigger {
        case .leadAssigned: web.text("playbook_trigger_lead_assigned")
        case .orderSigned: web.text("playbook_trigger_order_signed")
        case .stageEntered(let object, let stage): web.text("playbook_trigger_stage_entered", ["object": web.text("record_\(object.rawValue)"), "stage": stage])
        case .entitlementExpiring(let days): web.text("playbook_trigger_entitlement_expiring", ["days": String(days)])
        case .dateReached(let object, let field, let days):
            web.text("playbook_trigger_date_reached", ["object": web.text("record_\(object.rawValue)"), "field": field, "days": String(days)])
        case .tagAdded(let object, let tag): web.text("playbook_trigger_tag_added", ["object": web.text("record_\(object.rawValue)"), "tag": tag])
        }
    }

    /// An offset in the reader's words.
    static func describe(_ offset: StepOffset, web: WebContext) -> String {
        switch offset {
        case .within(let minutes): web.text("playbook_offset_within", ["minutes": String(minutes)])
        case .dayAt(let day, let hour, let minute): web.text("playbook_offset_day_at", ["day": String(day), "at": String(format: "%02d:%02d", hour, minute)])
        case .day(let day): web.text("playbook_offset_day", ["day": String(day)])
        }
    }
}

/// One playbook in the list.
struct PlaybookLine {
    var link: String
    var name: String
    var key: String
    var version: Int
    var trigger: String
    var steps: Int
    var status: String
    var active: Bool
}

/// `/playbooks`.
struct PlaybooksBody {
    var playbooks: [PlaybookLine]
    var hasPlaybooks: Bool
    var form: PlaybookForm?

    init(web: WebContext, playbooks: [Playbook], form: PlaybookForm?) {
        self.playbooks = playbooks.map { playbook in
            PlaybookLine(link: "/playbooks/" + WebPages.segment(playbook.key), name: playbook.name, key: playbook.key, version: playbook.version,
                         trigger: WebPages.describe(playbook.trigger, web: web), steps: playbook.steps.count,
                         status: web.text(playbook.active ? "playbook_active" : "playbook_withdrawn_status"), active: playbook.active)
        }
        hasPlaybooks = !playbooks.isEmpty
        self.form = form
    }
}

/// The form for a new playbook or a playbook's next version.
struct PlaybookForm {
    struct StepRow {
        var index: Int
        var number: Int
        var title: String
        var channels: [WebOption]
        var offsets: [WebOption]
        var minutes: String
        var day: String
        var at: String
        var script: String
    }

    var key: String
    var keyReadOnly: Bool
    var name: String
    var triggerTypes: [WebOption]
    var objects: [WebOption]
    var stage: String
    var tag: String
    var field: String
    var days: String
    var steps: [StepRow]
    var exits: [WebOption]
    var variables: String

    init(web: WebContext, playbook: Playbook?) {
        key = playbook?.key ?? ""
        keyReadOnly = playbook != nil
        name = playbook?.name ?? ""
        let trigger = playbook.map { PlaybookWire.json($0.trigger) }
        func triggerField(_ name: String) -> String {
            guard case .object(let fields)? = trigger else { return "" }
            switch fields[name] {
            case .string(let text)?: return text
            case .integer(let number)?: return String(number)
            default: return ""
            }
        }
        triggerTypes = WebOption.list(PlaybookWire.triggerTypes.map { ($0, web.text("playbook_type_\($0)")) }, chosen: triggerField("type").isEmpty ? "lead_assigned" : triggerField("type"))
        objects = WebOption.list(PlaybookWire.objects.map { ($0.rawValue, web.text("record_\($0.rawValue)")) }, chosen: triggerField("object").isEmpty ? "lead" : triggerField("object"))
        stage = triggerField("stage")
        tag = triggerField("tag")
        field = triggerField("field")
        days = triggerField("days")
        let defined = playbook?.steps ?? []
        steps = (0..<WebPages.playbookFormSteps).map { index in
            let step = index < defined.count ? defined[index] : nil
            var kind = "day", minutes = "", day = "", at = ""
            switch step?.offset {
            case .within(let value)?: kind = "within"; minutes = String(value)
            case .dayAt(let value, let hour, let minute)?: kind = "day_at"; day = String(value); at = String(format: "%02d:%02d", hour, minute)
            case .day(let value)?: day = String(value)
            case nil: if index == 0 { kind = "within"; minutes = "120" }
            }
            return StepRow(index: index, number: index + 1, title: step?.title ?? "",
                           channels: WebOption.list(PlaybookStep.channels.sorted().map { ($0, web.text("playbook_channel_\($0)")) }, chosen: step?.channel ?? "call"),
                           offsets: WebOption.list(["within", "day_at", "day"].map { ($0, web.text("playbook_offset_kind_\($0)")) }, chosen: kind),
                           minutes: minutes, day: day, at: at, script: step?.script ?? "")
        }
        let chosen = Set((playbook?.exits ?? PlaybookExit.allCases).map(\.rawValue))
        exits = PlaybookExit.allCases.map { WebOption(value: $0.rawValue, label: web.text("playbook_exit_\($0.rawValue)"), selected: chosen.contains($0.rawValue)) }
        variables = PlaybookWire.objects.map { object in
            web.text("record_\(object.rawValue)") + ": " + PlaybookVariables.available(for: object).sorted().map { "{{\($0)}}" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}

/// A playbook's page.
struct PlaybookBody {
    struct StepView {
        var number: Int
        var title: String
        var channel: String
        var when: String
        /// nil when the step has none (an empty string still opens a section).
        var script: String?
    }

    struct RepRow {
        var name: String
        var onTime: Int64
        var late: Int64
        var skipped: Int64
        var overdue: Int64
        var upcoming: Int64
        var rate: String
    }

    struct VersionRow {
        var version: Int
        var name: String
        var started: Int64
        var converted: Int64
        var lost: Int64
        var running: Int64
        var rate: String
    }

    var name: String
    var key: String
    var version: Int
    var trigger: String
    var active: Bool
    var steps: [StepView]
    var exits: String
    var reps: [RepRow]
    var hasReps: Bool
    var versions: [VersionRow]
    var canWrite: Bool
    /// The filter's period (runs started from … to …, dates), empty when open.
    var from = ""
    var to = ""
    var path: String
    var withdrawPath: String
    var form: PlaybookForm?

    init(web: WebContext, versions: [Playbook], compliance: PlaybookUseCases.Compliance, canWrite: Bool) {
        let current = versions[0]
        name = current.name
        key = current.key
        version = current.version
        trigger = WebPages.describe(current.trigger, web: web)
        active = current.active
        steps = current.steps.enumerated().map { index, step in
            StepView(number: index + 1, title: step.title, channel: web.text("playbook_channel_\(step.channel)"),
                     when: WebPages.describe(step.offset, web: web), script: step.script.isEmpty ? nil : step.script)
        }
        exits = current.exits.map { web.text("playbook_exit_\($0.rawValue)") }.joined(separator: ", ")
        func rate(_ ratio: AnalyticsRatio) -> String { ratio.value.map { web.locale.percent($0) } ?? "–" }
        reps = compliance.steps.map { entry in
            RepRow(name: entry.name, onTime: entry.counts.onTime, late: entry.counts.late, skipped: entry.counts.skipped, overdue: entry.counts.overdue,
                   upcoming: entry.counts.upcoming, rate: rate(entry.counts.onTimeRate))
        }
        hasReps = !reps.isEmpty
        let names = Dictionary(versions.map { ($0.version, $0.name) }, uniquingKeysWith: { first, _ in first })
        let outcomes = Dictionary(compliance.outcomes.map { ($0.version.version, $0.outcomes) }, uniquingKeysWith: { first, _ in first })
        self.versions = versions.map { playbook in
            let counts = outcomes[playbook.version] ?? PlaybookCompliance.Outcomes()
            return VersionRow(version: playbook.version, name: names[playbook.version] ?? "", started: counts.started, converted: counts.converted,
                              lost: counts.lost, running: counts.running, rate: rate(counts.conversion))
        }
        self.canWrite = canWrite
        path = "/playbooks/" + WebPages.segment(current.key)
        withdrawPath = path + "/withdraw"
        form = canWrite ? PlaybookForm(web: web, playbook: current) : nil
    }
}
