import Foundation
import RapportApp
import RapportCore

/// A form the detail page re-shows after a refusal: which one (`follow_up`, `status:<key>`,
/// `convert`, `release`), what was posted, and the refusal.
struct LeadFormRefusal {
    var form: String
    var error: RapportError
    var posted: WebForm

    /// The reader's words for one field's error (`field`: the posted name), if any.
    func message(for field: String, label: String, locale: Localization.Locale) -> String? {
        error.fieldErrors.first { $0.field == field }.map { Self.words($0, label: label, locale: locale) }
    }

    /// The refusal as a whole, in the reader's words (with field errors that no input shows).
    func summary(shown: Set<String>, locale: Localization.Locale) -> String {
        let rest = error.fieldErrors.filter { !shown.contains($0.field) }.map { Self.words($0, label: $0.field, locale: locale) }
        return ([locale.text("error_\(error.code.rawValue)")] + rest).joined(separator: " ")
    }

    /// A field error in the reader's words (`field_error_<code>` naming the field), else as sent.
    static func words(_ error: FieldError, label: String, locale: Localization.Locale) -> String {
        locale.strings["field_error_\(error.code)"] == nil ? error.message : locale.text("field_error_\(error.code)", ["field": label])
    }
}

/// One input of a page form, already labelled and filled (`kind`: text, number, date, email, tel,
/// select, checks, textarea).
/// Templates see stored properties only, and a nil one is looked up in the enclosing contexts:
/// so every flag is stored and every optional has a name no enclosing view uses.
struct WebInput {
    var id: String
    var name: String
    var label: String
    var value: String
    var options: [WebOption]
    var inputError: String?
    var kind: String
    var isSelect: Bool
    var isChecks: Bool
    var isTextarea: Bool
    var isInput: Bool

    init(id: String, name: String, label: String, value: String, kind: String, options: [WebOption] = [], error: String? = nil) {
        self.id = id
        self.name = name
        self.label = label
        self.value = value
        self.options = options
        inputError = error
        self.kind = kind
        isSelect = kind == "select"
        isChecks = kind == "checks"
        isTextarea = kind == "textarea"
        isInput = !isSelect && !isChecks && !isTextarea
    }
}

/// A lead's page: profile (masked), owner, pool, status, source and campaign, the follow-up
/// timeline, the status and owner history, and — for those who may change it — the forms to log a
/// follow-up, change the status (each allowed status with the fields its guards ask for), convert
/// and release. A lead waiting in a pool shows as a preview with a claim button.
struct LeadDetailBody {
    /// The lead's tasks and a new-task form.
    var tasks: TaskPanel?
    struct Fact {
        var label: String
        var value: String
    }

    struct Line {
        var title: String
        var detail: String
        var note: String?
    }

    struct StatusForm {
        var key: String
        var label: String
        var definition: String?
        var inputs: [WebInput]
        var reason: WebInput
        var notes: [String]
        var formError: String?
        var closes: Bool
    }

    var leadID: String
    var name: String
    var subtitle: String?
    var statusLabel: String
    var facts: [Fact]
    var custom: [Fact]
    var timeline: [Line] = []
    var history: [Line] = []
    var ownership: [Line] = []
    var mayEdit = false
    var followUp: [WebInput] = []
    var followUpError: String?
    var statusForms: [StatusForm] = []
    var statusError: String?
    var convertible = false
    var convertHint: String?
    var convertError: String?
    var customerLink: String?
    var releasable = false
    var releaseReason: WebInput?
    var releaseError: String?
    /// A lead waiting in a pool, shown before it is claimed: the pool's key for the claim form.
    var claimPool: String?
    var poolLink: String?

    var hasStatusForms = false
}

/// What the detail page is built from.
struct LeadPageData {
    var lead: Lead
    var dictionary: ObjectDictionary
    var pool: Pool?
    var owner: String?
    var followUps: [LeadFollowUp] = []
    var history: [StageChange] = []
    var assignments: [LeadAssignment] = []
    /// User id → name, for the people the page mentions.
    var names: [RecordID: String] = [:]
    var mayEdit = false
    var preview = false
}

extension LeadDetailBody {
    /// Activity types a follow-up may be, in the order a rep reaches for them.
    static let followUpTypes = ["call", "wechat", "sms", "email", "visit", "meeting", "note"]
    static let outcomes = ["connected", "no_answer", "busy", "wrong_number", "interested", "not_interested", "call_back"]

    init(_ data: LeadPageData, locale: Localization.Locale, refused: LeadFormRefusal?) {
        let lead = data.lead
        let dictionary = data.dictionary
        let formatter = locale.dateFormatter()
        let labels = StageLabels(dictionary, locale: locale)
        func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }
        func name(_ id: RecordID?) -> String { id.map { data.names[$0] ?? text("someone") } ?? text("system") }
        leadID = lead.id.rawValue
        self.name = lead.name
        let subtitle = [lead.company, lead.title].compactMap { $0 }.joined(separator: " · ")
        self.subtitle = subtitle.isEmpty ? nil : subtitle
        statusLabel = labels[lead.status]
        var facts: [Fact] = []
        func add(_ key: String, _ value: String?) { if let value, !value.isEmpty { facts.append(Fact(label: text(key), value: value)) } }
        add("phone", lead.phone)
        add("email", lead.email)
        add("wechat", lead.wechatUnionid)
        add("owner", lead.ownerID == nil ? text("nobody_in_pool") : data.owner)
        add("pool", data.pool?.name)
        add("score", lead.score.map { locale.number(Int($0)) })
        add("source", lead.source)
        add("campaign", lead.campaign)
        add("interest", lead.interest)
        add("region", lead.region)
        let utm = [("utm_source", lead.utm.source), ("utm_medium", lead.utm.medium), ("utm_campaign", lead.utm.campaign),
                   ("utm_term", lead.utm.term), ("utm_content", lead.utm.content)].compactMap { key, value in value.map { "\(key)=\($0)" } }
        add("utm", utm.joined(separator: " · "))
        add("referrer", lead.referrer)
        add("created", formatter.string(from: lead.createdAt))
        add("last_follow_up", lead.lastFollowUpAt.map(formatter.string(from:)) ?? text("never"))
        add("status_since", formatter.string(from: lead.statusEnteredAt))
        add("protected_until", lead.protectedUntil.map(formatter.string(from:)))
        self.facts = facts
        custom = dictionary.fields.compactMap { field in
            guard let value = lead.customFields[field.key], CustomFieldValidation.isFilled(value) else { return nil }
            return Fact(label: field.label.text(for: locale.code), value: Self.display(value, field, locale: locale))
        }
        poolLink = data.pool.map { "/pools/" + WebPages.segment($0.key) }
        customerLink = lead.convertedCustomerID.map { "/customers/" + WebPages.segment($0.rawValue) }
        if data.preview {
            claimPool = data.pool?.key
            return
        }
        timeline = data.followUps.map { touch in
            let outcome = touch.outcome.map { locale.strings["outcome_\($0)"] ?? $0 }
            return Line(title: text("activity_\(touch.type.rawValue)") + [touch.subject, outcome].compactMap { $0 }.map { " · \($0)" }.joined(),
                        detail: name(touch.actorID) + " · " + formatter.string(from: touch.occurredAt), note: touch.body)
        }
        history = data.history.reversed().map { change in
            Line(title: [change.from.map { labels[$0] }, labels[change.to]].compactMap { $0 }.joined(separator: " → "),
                 detail: name(change.by) + " · " + formatter.string(from: change.at), note: change.reason)
        }
        ownership = data.assignments.reversed().map { entry in
            let people = [entry.from.map(name), entry.to.map(name)].compactMap { $0 }.joined(separator: " → ")
            return Line(title: text("ownership_\(entry.kind.rawValue)") + (people.isEmpty ? "" : " · " + people),
                        detail: formatter.string(from: entry.at), note: entry.reason)
        }
        guard data.mayEdit else { return }
        mayEdit = true
        followUpForm(refused?.form == "follow_up" ? refused : nil, locale: locale)
        statusAndConversion(data, labels: labels, locale: locale, refused: refused)
        if lead.ownerID != nil, lead.poolID != nil, lead.convertedAt == nil {
            releasable = true
            let refusal = refused?.form == "release" ? refused : nil
            releaseReason = WebInput(id: "release-reason", name: "reason", label: text("release_reason"), value: refusal?.posted["reason"] ?? "",
                                     kind: "text", error: refusal?.message(for: "reason", label: text("release_reason"), locale: locale))
            releaseError = refusal?.summary(shown: ["reason"], locale: locale)
        }
    }

    mutating func followUpForm(_ refusal: LeadFormRefusal?, locale: Localization.Locale) {
        func text(_ key: String) -> String { locale.text(key) }
        func input(_ name: String, _ label: String, _ kind: String, options: [WebOption] = []) -> WebInput {
            WebInput(id: "follow-up-\(name)", name: name, label: text(label), value: refusal?.posted[name] ?? "", kind: kind, options: options,
                     error: refusal?.message(for: name, label: text(label), locale: locale))
        }
        let type = refusal?.posted["type"] ?? "call"
        let outcome = refusal?.posted["outcome"]
        followUp = [
            input("type", "follow_up_type", "select", options: WebOption.list(Self.followUpTypes.map { ($0, text("activity_\($0)")) }, chosen: type)),
            input("outcome", "outcome", "select", options: WebOption.list([("", text("no_outcome"))] + Self.outcomes.map { ($0, text("outcome_\($0)")) }, chosen: outcome ?? "")),
            input("subject", "subject", "text"),
            input("body", "follow_up_body", "textarea"),
        ]
        followUpError = refusal?.summary(shown: ["type", "outcome", "subject", "body"], locale: locale)
    }

    mutating func statusAndConversion(_ data: LeadPageData, labels: StageLabels, locale: Localization.Locale, refused: LeadFormRefusal?) {
        let lead = data.lead
        let dictionary = data.dictionary
        let engine = LifecycleEngine(dictionary)
        let allowed = engine.allowedTargets(from: lead.status)
        // Conversion has its own button: it makes the customer as it moves the lead.
        let convertTarget = dictionary.stage("converted").flatMap { $0.archived ? nil : $0.key }
            ?? dictionary.stages.first { $0.category == .won && !$0.archived }?.key
        statusForms = allowed.filter { $0 != convertTarget }.compactMap { key in
            guard let stage = dictionary.stage(key) else { return nil }
            let refusal = refused?.form == "status:\(key)" ? refused : nil
            var inputs: [WebInput] = []
            var notes: [String] = []
            for field in engine.missingFields(toEnter: key, filled: lead.filledFields) {
                if let input = Self.guardInput(field, stage: key, dictionary: dictionary, refusal: refusal, locale: locale) {
                    inputs.append(input)
                } else {
                    notes.append(locale.text("guard_needs", ["field": locale.strings["field_\(field)"] ?? field]))
                }
            }
            let reasonLabel = locale.text("status_reason")
            let reason = WebInput(id: "reason-\(key)", name: "reason", label: reasonLabel, value: refusal?.posted["reason"] ?? "", kind: "text",
                                  error: refusal?.message(for: "reason", label: reasonLabel, locale: locale))
            return StatusForm(key: key, label: stage.label.text(for: locale.code), definition: stage.definition?.text(for: locale.code),
                              inputs: inputs, reason: reason, notes: notes,
                              formError: refusal?.summary(shown: Set(inputs.map(\.name) + ["reason"]), locale: locale), closes: stage.category.isClosed)
        }
        hasStatusForms = !statusForms.isEmpty
        if lead.convertedAt == nil, let convertTarget {
            convertible = allowed.contains(convertTarget)
            if !convertible, let from = dictionary.stages.first(where: { !$0.archived && $0.transitions.contains(convertTarget) }) {
                convertHint = locale.text("convert_hint", ["status": labels[from.key]])
            }
        }
        if refused?.form == "convert" { convertError = refused?.summary(shown: [], locale: locale) }
        // A refused move to a status that has no form here (the lead changed meanwhile).
        if let refused, refused.form.hasPrefix("status:"), !statusForms.contains(where: { "status:\($0.key)" == refused.form }) {
            statusError = refused.summary(shown: [], locale: locale)
        }
    }

    /// The input for a field a stage's guard asks for, or nil when no one can fill it in here.
    static func guardInput(_ key: String, stage: String, dictionary: ObjectDictionary, refusal: LeadFormRefusal?, locale: Localization.Locale) -> WebInput? {
        let id = "guard-\(stage)-\(key)"
        if let field = dictionary.field(key) {
            let path = CustomFieldValidation.path(key)
            let label = field.label.text(for: locale.code)
            let posted = refusal?.posted.all(path) ?? []
            let options = field.options.filter { !$0.archived }.map { ($0.key, $0.label.text(for: locale.code)) }
            let chosen = posted.last ?? ""
            let (kind, choices): (String, [WebOption]) = switch field.type {
            case .enum: ("select", WebOption.list([("", locale.text("choose"))] + options, chosen: chosen))
            case .multiEnum: ("checks", options.map { WebOption(value: $0.0, label: $0.1, selected: posted.contains($0.0)) })
            case .bool: ("select", WebOption.list([("", locale.text("choose")), ("true", locale.text("yes")), ("false", locale.text("no"))], chosen: chosen))
            case .number, .money: ("number", [])
            case .date: ("date", [])
            case .email: ("email", [])
            case .phone: ("tel", [])
            case .text, .user, .recordLink: ("text", [])
            }
            return WebInput(id: id, name: path, label: label, value: chosen, kind: kind, options: choices,
                            error: refusal?.message(for: path, label: label, locale: locale))
        }
        guard LeadInput.fillableGuardFields.contains(key) else { return nil }
        let label = locale.strings["field_\(key)"] ?? key
        return WebInput(id: id, name: key, label: label, value: refusal?.posted[key] ?? "",
                        kind: key == "phone" ? "tel" : key == "email" ? "email" : key == "score" ? "number" : "text",
                        error: refusal?.message(for: key, label: label, locale: locale))
    }

    /// A custom field's value in the reader's words (options by label, money formatted).
    static func display(_ value: JSONValue, _ field: FieldDefinition, locale: Localization.Locale) -> String {
        switch value {
        case .string(let text): return field.option(text)?.label.text(for: locale.code) ?? text
        case .bool(let flag): return locale.text(flag ? "yes" : "no")
        case .integer(let number): return locale.number(Int(number))
        case .double(let number): return String(number)
        case .array(let items): return items.map { display($0, field, locale: locale) }.joined(separator: ", ")
        case .object(let members):
            if case .integer(let minor)? = members["amount_minor"], case .string(let currency)? = members["currency"] {
                return locale.money(minor, currency: currency)
            }
            return ""
        case .null, .unrepresentableNumber: return ""
        }
    }
}
