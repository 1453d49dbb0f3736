import Foundation
import RapportApp
import RapportCore

/// What an opportunity's page is built from.
struct OpportunityPageData {
    var item: OpportunityUseCases.Item
    var pipeline: PipelineDefinition
    var dictionary: ObjectDictionary
    var history: [StageChange]
    var wording: OpportunityWording
    var mayEdit: Bool
    /// Colleagues the reader may share it with (user id, "name · team"), found by `shareQuery`.
    var colleagues: [(String, String)]
    var owners: [(String, String)]
    var products: [Product]
    var shareQuery = ""
    /// Whether more colleagues match than are listed (search by name to find them).
    var moreColleagues = false
}

/// An opportunity's page: its fields, lines, collaborators, competitors, loss reason and stage
/// history; and, for those who may change it, the stage forms (each allowed stage with inputs for
/// the fields its guards still ask for; a lost stage with the loss reason), re-open, edit (with
/// the version, so a stale form is refused) and sharing.
struct OpportunityDetailBody {
    /// The opportunity's tasks and a new-task form.
    var tasks: TaskPanel?
    typealias Fact = LeadDetailBody.Fact
    typealias History = LeadDetailBody.Line
    typealias StageForm = LeadDetailBody.StatusForm

    struct Line {
        var sku: String
        var product: String
        var quantity: String
        var unitPrice: String
        var total: String
    }

    struct Collaborator {
        var userID: String
        var name: String
        var access: String
    }

    var id: String
    var name: String
    var stageLabel: String
    var pipelineLabel: String
    var customerLink: String?
    var facts: [Fact]
    var lines: [Line]
    var hasLines: Bool
    var linesTotal: String
    var competitors: [String]
    var collaborators: [Collaborator]
    var history: [History]
    var mayEdit: Bool
    var stageForms: [StageForm] = []
    var hasStageForms = false
    var stageError: String?
    /// A refused move, said at the top with a link to its form (a move from the board lands here).
    var refusedMove: String?
    var refusedMoveLink: String?
    var mayReopen = false
    var reopenTargets: [WebOption] = []
    var reopenReason: WebInput?
    var reopenError: String?
    var editInputs: [WebInput] = []
    var editExtra: [WebInput] = []
    var version: String
    var editError: String?
    var shareChoices: [WebOption] = []
    var hasShareChoices = false
    var accessOptions: [WebOption] = []
    var shareError: String?
    var shareQuery = ""
    var moreColleagues = false
    /// A search that found no one to share with.
    var noColleagues = false
    var calculatorLink: String
    /// Orders made from it, and whether the reader may make one now.
    var orders: [OrderRow] = []
    var hasOrders = false
    var mayOrder = false
    var orderTitle = ""

    init(_ data: OpportunityPageData, locale: Localization.Locale, refused: LeadFormRefusal?) {
        let opportunity = data.item.opportunity
        let wording = data.wording
        let pipeline = data.pipeline
        func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }
        id = opportunity.id.rawValue
        name = opportunity.name
        stageLabel = wording.stageLabel(opportunity.stage, in: pipeline.key)
        pipelineLabel = pipeline.label.text(for: locale.code)
        let customer = OpportunityPages.customerID(of: opportunity)
        customerLink = customer.flatMap { wording.customers[$0] == nil ? nil : "/customers/" + WebPages.segment($0.rawValue) }
        let lossField = data.dictionary.field(Opportunity.lossReasonField)
        var facts = [
            Fact(label: text("customer"), value: wording.customer(customer)),
            Fact(label: text("pipeline"), value: pipelineLabel),
            Fact(label: text("stage"), value: stageLabel + " · " + wording.days(since: opportunity.stageEnteredAt)),
            Fact(label: text("opp_probability"), value: locale.percent(Double(data.item.probability) / 100)),
            Fact(label: text("opp_amount"), value: wording.money(opportunity.amount)),
            Fact(label: text("opp_weighted"), value: wording.money(data.item.weightedAmount)),
            Fact(label: text("expected_close_date"), value: wording.day(opportunity.expectedCloseDate)),
            Fact(label: text("owner"), value: wording.person(opportunity.ownerID)),
        ]
        if let source = opportunity.source { facts.append(Fact(label: text("source"), value: source)) }
        if let reason = opportunity.lossReason {
            facts.append(Fact(label: text("loss_reason"), value: lossField?.option(reason)?.label.text(for: locale.code) ?? reason))
        }
        if let closed = opportunity.closedAt { facts.append(Fact(label: text("opp_closed_at"), value: locale.dateFormatter().string(from: closed))) }
        facts.append(Fact(label: text("created"), value: locale.dateFormatter().string(from: opportunity.createdAt)))
        for field in data.dictionary.fields where field.key != Opportunity.lossReasonField {
            if let value = opportunity.customFields[field.key], CustomFieldValidation.isFilled(value) {
                facts.append(Fact(label: field.label.text(for: locale.code), value: LeadDetailBody.display(value, field, locale: locale)))
            }
        }
        self.facts = facts
        let names = Dictionary(data.products.map { ($0.sku, $0.name) }, uniquingKeysWith: { first, _ in first })
        lines = opportunity.lines.map { line in
            Line(sku: line.sku, product: names[line.sku] ?? "", quantity: locale.number(Int(line.quantity)),
                 unitPrice: wording.money(line.unitPrice), total: wording.money(line.total))
        }
        hasLines = !lines.isEmpty
        let totals = Dictionary(grouping: opportunity.lines.compactMap(\.total), by: \.currency)
            .map { currency, amounts in Money(amounts.reduce(Int64(0)) { sum, money in sum &+ money.amountMinor }, currency) }
            .sorted { $0.currency < $1.currency }
        linesTotal = wording.money(totals)
        competitors = opportunity.competitors
        collaborators = data.item.collaborators.map {
            Collaborator(userID: $0.userID.rawValue, name: wording.person($0.userID), access: text("opp_access_\($0.access.rawValue)"))
        }
        history = data.history.reversed().map { change in
            History(title: [change.from.map { wording.stageLabel($0, in: pipeline.key) }, wording.stageLabel(change.to, in: pipeline.key)]
                        .compactMap { $0 }.joined(separator: " → "),
                    detail: wording.person(change.by) + " · " + locale.dateFormatter().string(from: change.at), note: change.reason)
        }
        mayEdit = data.mayEdit
        version = String(opportunity.version)
        calculatorLink = "/catalog/calculator" + (customer.map { "?customer=" + WebPages.segment($0.rawValue) } ?? "")
        guard data.mayEdit else { return }
        buildStageForms(data, locale: locale, refused: refused)
        buildEditForm(data, locale: locale, refused: refused?.form == "edit" ? refused : nil)
        let shareRefusal = refused?.form == "share" ? refused : nil
        let taken = Set(data.item.collaborators.map(\.userID.rawValue) + [opportunity.ownerID.rawValue])
        shareChoices = WebOption.list(data.colleagues.filter { !taken.contains($0.0) }, chosen: shareRefusal?.posted["user_id"])
        hasShareChoices = !shareChoices.isEmpty
        shareQuery = data.shareQuery
        moreColleagues = data.moreColleagues
        noColleagues = shareChoices.isEmpty && !data.shareQuery.isEmpty
        accessOptions = WebOption.list([("read", text("opp_access_read")), ("edit", text("opp_access_edit"))], chosen: shareRefusal?.posted["access"] ?? "read")
        shareError = shareRefusal?.summary(shown: [], locale: locale)
    }

    mutating func buildStageForms(_ data: OpportunityPageData, locale: Localization.Locale, refused: LeadFormRefusal?) {
        let opportunity = data.item.opportunity
        let pipeline = data.pipeline
        let engine = LifecycleEngine(pipeline.stageMachine(of: .opportunity, fields: data.dictionary.fields))
        let allowed = engine.allowedTargets(from: opportunity.stage).filter { pipeline.stage($0)?.archived == false }
        if opportunity.statusCategory.isClosed {
            let refusal = refused?.form == "reopen" ? refused : nil
            mayReopen = true
            let open = allowed.filter { pipeline.stage($0)?.category == .open }
            reopenTargets = WebOption.list(open.map { ($0, data.wording.stageLabel($0, in: pipeline.key)) }, chosen: refusal?.posted["stage"])
            let label = locale.text("opp_reopen_reason")
            reopenReason = WebInput(id: "reopen-reason", name: "reason", label: label, value: refusal?.posted["reason"] ?? "", kind: "text",
                                    error: refusal?.message(for: "reason", label: label, locale: locale))
            reopenError = refusal?.summary(shown: ["reason"], locale: locale)
            return
        }
        stageForms = allowed.compactMap { key in
            guard let stage = pipeline.stage(key) else { return nil }
            let refusal = refused?.form == "stage:\(key)" ? refused : nil
            var inputs: [WebInput] = []
            var notes: [String] = []
            var missing = engine.missingFields(toEnter: key, filled: opportunity.filledFields)
            if stage.category == .lost, !missing.contains(Opportunity.lossReasonField) { missing.append(Opportunity.lossReasonField) }
            for field in missing {
                if let input = Self.guardInput(field, stage: key, data: data, refusal: refusal, locale: locale) {
                    inputs.append(input)
                    if field == "amount", !inputs.contains(where: { $0.name == "currency" }) {
                        inputs.append(WebInput(id: "guard-\(key)-currency", name: "currency", label: locale.text("currency"),
                                               value: refusal?.posted["currency"] ?? "CNY", kind: "text"))
                    }
                } else {
                    notes.append(locale.text("guard_needs", ["field": locale.strings["field_\(field)"] ?? field]))
                }
            }
            let reasonLabel = locale.text("status_reason")
            let reason = WebInput(id: "reason-\(key)", name: "reason", label: reasonLabel, value: refusal?.posted["reason"] ?? "", kind: "text",
                                  error: refusal?.message(for: "reason", label: reasonLabel, locale: locale))
            let shown = Set(inputs.map(\.name) + ["reason"])
            let rest = refusal.map { refusal in
                refusal.error.fieldErrors.filter { error in !shown.contains { error.field == $0 || error.field.hasPrefix($0 + ".") } }
            } ?? []
            let formError = refusal.map { refusal in
                ([locale.text("error_\(refusal.error.code.rawValue)")] + rest.map { LeadFormRefusal.words($0, label: $0.field, locale: locale) }).joined(separator: " ")
            }
            return StageForm(key: key, label: stage.label.text(for: locale.code), definition: stage.definition?.text(for: locale.code),
                             inputs: inputs, reason: reason, notes: notes, formError: formError, closes: stage.category.isClosed)
        }
        hasStageForms = !stageForms.isEmpty
        if let refused, let form = stageForms.first(where: { "stage:\($0.key)" == refused.form }) {
            refusedMove = locale.text("opp_move_refused", ["stage": form.label])
            refusedMoveLink = "#move-" + form.key
        }
        if let refused, refused.form.hasPrefix("stage:"), !stageForms.contains(where: { "stage:\($0.key)" == refused.form }) {
            stageError = refused.summary(shown: [], locale: locale)
        }
    }

    /// The input for a field a stage's guard asks for, or nil when no one can fill it in here.
    static func guardInput(_ key: String, stage: String, data: OpportunityPageData, refusal: LeadFormRefusal?, locale: Localization.Locale) -> WebInput? {
        let id = "guard-\(stage)-\(key)"
        if key == Opportunity.lossReasonField {
            let label = data.dictionary.field(key)?.label.text(for: locale.code) ?? locale.text("loss_reason")
            let options = (data.dictionary.field(key)?.options ?? []).filter { !$0.archived }.map { ($0.key, $0.label.text(for: locale.code)) }
            return WebInput(id: id, name: "loss_reason", label: label, value: "", kind: "select",
                            options: WebOption.list([("", locale.text("choose"))] + options, chosen: refusal?.posted["loss_reason"]),
                            error: OpportunityForm.message(refusal, "loss_reason", label: label, locale: locale))
        }
        if data.dictionary.field(key) != nil {
            return LeadDetailBody.guardInput(key, stage: stage, dictionary: data.dictionary, refusal: refusal, locale: locale)
        }
        guard OpportunityInput.fillableGuardFields.contains(key) else { return nil }
        let label = locale.text(key == "amount" ? "opp_amount" : key)
        return WebInput(id: id, name: key, label: label, value: refusal?.posted[key] ?? "", kind: key == "expected_close_date" ? "date" : "text",
                        error: OpportunityForm.message(refusal, key, label: label, locale: locale))
    }

    mutating func buildEditForm(_ data: OpportunityPageData, locale: Localization.Locale, refused: LeadFormRefusal?) {
        let opportunity = data.item.opportunity
        let record: [String: String] = [
            "name": opportunity.name, "amount": opportunity.amount?.plainText ?? "", "currency": opportunity.amount?.currency ?? "CNY",
            "expected_close_date": opportunity.expectedCloseDate ?? "", "source": opportunity.source ?? "",
            "competitors": opportunity.competitors.joined(separator: ", "),
            "probability": opportunity.probabilityOverride.map(String.init) ?? "", "lines": OpportunityForm.linesText(opportunity.lines),
        ]
        func value(_ name: String) -> String {
            guard let refused else { return record[name] ?? "" }
            return refused.posted.pairs.last { pair in pair.0 == name }?.1 ?? ""
        }
        editInputs = OpportunityForm.inputs(value, refusal: refused, locale: locale, prefix: "edit")
        let probability = locale.text("opp_probability_override")
        editExtra = [WebInput(id: "edit-probability", name: "probability", label: probability, value: value("probability"), kind: "number",
                              error: OpportunityForm.message(refused, "probability", label: probability, locale: locale))]
        if !data.owners.isEmpty {
            editExtra.append(WebInput(id: "edit-owner", name: "owner_id", label: locale.text("owner"), value: "", kind: "select",
                                      options: WebOption.list(data.owners, chosen: refused?.posted["owner_id"] ?? opportunity.ownerID.rawValue),
                                      error: OpportunityForm.message(refused, "owner_id", label: locale.text("owner"), locale: locale)))
        }
        editExtra.append(OpportunityForm.linesInput(value("lines"), refusal: refused, locale: locale, prefix: "edit"))
        if let refused {
            let shown = ["name", "amount", "currency", "expected_close_date", "source", "competitors", "probability", "owner_id", "lines"]
            let rest = refused.error.fieldErrors.filter { error in !shown.contains { error.field == $0 || error.field.hasPrefix($0 + ".") || error.field.hasPrefix($0 + "[") } }
            editError = ([locale.text(refused.error.code == .preconditionFailed ? "opp_stale_form" : "error_\(refused.error.code.rawValue)")]
                         + rest.map { LeadFormRefusal.words($0, label: $0.field, locale: locale) }).joined(separator: " ")
        }
    }
}
