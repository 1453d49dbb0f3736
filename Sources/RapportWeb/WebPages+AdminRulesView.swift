import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// Conditions as text and back.
enum AdminRuleText {
    /// A condition value from its form text, shaped for the operator: nothing for exists/missing, a
    /// list for in/not_in (comma-separated), a number for comparisons, text otherwise.
    static func value(_ text: String?, op: AssignmentCondition.Operator) -> JSONValue? {
        switch op {
        case .present, .absent: return nil
        case .oneOf, .noneOf:
            let items = (text ?? "").split(whereSeparator: { $0 == "," || $0 == "，" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .array(items.map(JSONValue.string))
        case .greaterOrEqual, .lessOrEqual, .greater, .less:
            guard let text else { return nil }
            if let integer = Int64(text) { return .integer(integer) }
            if let number = Double(text), number.isFinite { return .double(number) }
            return .string(text)
        case .equals, .notEquals, .contains:
            return text.map(JSONValue.string)
        }
    }

    /// A condition value as form text.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .array(let items): items.map { text($0) }.joined(separator: ", ")
        default: ""
        }
    }

    /// The symbol of an operator (`=`, `≥`, `∈`…), the same in both languages.
    static let symbols: [AssignmentCondition.Operator: String] = [
        .equals: "=", .notEquals: "≠", .oneOf: "∈", .noneOf: "∉", .contains: "⊇", .greaterOrEqual: "≥", .lessOrEqual: "≤",
        .greater: ">", .less: "<", .present: "✓", .absent: "∅",
    ]

    /// The fields a condition may test, in the reader's words.
    static func fields(_ web: WebContext, customKeys: [(key: String, label: String)]) -> [(String, String)] {
        ["source", "campaign", "region", "interest", "score", "utm_source", "utm_medium", "utm_campaign", "pool_id"].map { ($0, web.label("rule_field", $0)) }
            + customKeys.map { ("custom.\($0.key)", $0.label) }
    }

    /// One condition in the reader's words: "Source = web".
    static func describe(_ condition: AssignmentCondition, web: WebContext, world: AdminRuleWorld) -> String {
        let name = condition.field.name
        let field = name.hasPrefix("custom.") ? (world.customKeys.first { "custom.\($0.key)" == name }?.label ?? name) : web.label("rule_field", name)
        var value = text(condition.value)
        if name == "pool_id" { value = world.poolNames[value] ?? value }
        return [field, web.label("op", condition.op.rawValue), value].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// One row of condition inputs.
struct AdminConditionRow {
    var index: Int
    var fields: [WebOption]
    var ops: [WebOption]
    var value: String
}

/// What a rule form chooses from: the target kinds, pools, users, teams and strategies.
struct AdminRuleForm {
    var name: String
    var conditions: [AdminConditionRow]
    var kinds: [WebOption]
    var pools: [WebOption]
    var users: [WebOption]
    var teams: [WebOption]
    var strategies: [WebOption]
    var weights: String

    init(web: WebContext, world: AdminRuleWorld, rule: AssignmentRule?) {
        name = rule?.name ?? ""
        let fieldChoices = [("", web.text("choose"))] + AdminRuleText.fields(web, customKeys: world.customKeys)
        let opChoices = AssignmentCondition.Operator.allCases.map { ($0.rawValue, web.label("op", $0.rawValue)) }
        let existing = rule?.conditions ?? []
        conditions = (0..<(existing.count + AdminRuleBody.blankConditions)).map { index in
            let condition = existing.indices.contains(index) ? existing[index] : nil
            return AdminConditionRow(index: index, fields: WebOption.list(fieldChoices, chosen: condition?.field.name ?? ""),
                                     ops: WebOption.list(opChoices, chosen: condition?.op.rawValue ?? AssignmentCondition.Operator.equals.rawValue),
                                     value: AdminRuleText.text(condition?.value))
        }
        var kind = "pool", pool: String?, user: String?, team: String?, strategy = AssignmentStrategy.roundRobin.rawValue
        weights = ""
        switch rule?.target {
        case .pool(let id)?: pool = id.rawValue
        case .user(let id)?: kind = "user"; user = id.rawValue
        case .team(let id, let chosen, let levels)?:
            kind = "team"; team = id.rawValue; strategy = chosen.rawValue
            weights = AdminForm.levelsText(levels)
        case nil: break
        }
        kinds = WebOption.list(["pool", "user", "team"].map { ($0, web.label("target_kind", $0)) }, chosen: kind)
        pools = WebOption.list([("", web.text("choose"))] + world.pools.filter { !$0.archived }.map { ($0.id.rawValue, $0.name) }, chosen: pool ?? "")
        users = WebOption.list([("", web.text("choose"))] + world.users.map { ($0.id.rawValue, "\($0.name) · \($0.email)") }, chosen: user ?? "")
        teams = world.tree.options(chosen: team, none: web.text("choose"))
        strategies = WebOption.list(AssignmentStrategy.allCases.map { ($0.rawValue, web.label("strategy", $0.rawValue)) }, chosen: strategy)
    }
}

/// The sample lead of a dry run, as typed into the test form.
struct AdminRuleSample {
    struct Input {
        var name: String
        var label: String
        var value: String
        var fieldID: String
    }

    var inputs: [Input]
    var pool: String

    static let names = ["source", "campaign", "region", "interest", "score", "utm_source", "utm_medium", "utm_campaign"]

    init(request: Request?, customKeys: [(key: String, label: String)], web: WebContext? = nil) {
        func value(_ name: String) -> String { request.flatMap { AdminForm.query($0, name, limit: 500) } ?? "" }
        inputs = Self.names.map { Input(name: $0, label: web?.label("rule_field", $0) ?? $0, value: value($0), fieldID: "test-\($0)") }
            + customKeys.map { Input(name: "custom.\($0.key)", label: $0.label, value: value("custom.\($0.key)"), fieldID: "test-custom-\($0.key)") }
        pool = value("pool_id")
    }

    /// The facts the rules look at, or field errors (a score that is not a number, a pool that is not one).
    func facts() throws -> AssignmentFacts {
        func text(_ name: String) -> String? { inputs.first { $0.name == name }.flatMap { $0.value.isEmpty ? nil : $0.value } }
        var check = Validator()
        var facts = AssignmentFacts(source: text("source"), campaign: text("campaign"), region: text("region"), interest: text("interest"),
                                    utmSource: text("utm_source"), utmMedium: text("utm_medium"), utmCampaign: text("utm_campaign"))
        if let score = text("score") {
            if let number = Int64(score) { facts.score = number } else { check.add("score", "invalid", "score is a whole number.") }
        }
        if !pool.isEmpty {
            if let id = RecordID(parsing: pool, prefix: .pool) { facts.poolID = id } else { check.add("pool_id", "invalid", "pool_id is not a pool id.") }
        }
        for input in inputs where input.name.hasPrefix("custom.") && !input.value.isEmpty {
            facts.customFields[String(input.name.dropFirst(7))] = .string(input.value)
        }
        try check.finish()
        return facts
    }
}

/// The outcome of a dry run, worded.
struct AdminRuleTestView {
    var outcome: String
    var ruleLink: String?
    var matched: Bool
}

extension AdminRuleTestView {
    init(web: WebContext, placement: AssignmentPlacement, rule: AssignmentRule?, world: AdminRuleWorld) {
        let ruleName = rule?.name ?? ""
        switch placement {
        case .user(let user, _, _):
            outcome = web.text("test_to_user", ["rule": ruleName, "name": world.userNames[user.rawValue] ?? user.rawValue])
        case .pool(let pool, _):
            outcome = web.text("test_to_pool", ["rule": ruleName, "name": world.poolNames[pool.rawValue] ?? pool.rawValue])
        case .unchanged:
            outcome = web.text("test_unchanged")
        }
        matched = rule != nil
        ruleLink = rule.map { "/admin/assignment-rules/" + WebPages.segment($0.id.rawValue) }
    }
}

/// The ordered rules, the form to add one, and the dry-run form (with its outcome, after a run).
struct AdminRulesBody {
    struct Row {
        var id: String
        var number: Int
        var name: String
        var conditions: String
        var target: String
        var active: Bool
        var version: String
        var first: Bool
        var last: Bool
    }

    var rules: [Row]
    var form: AdminRuleForm
    var sample: [AdminRuleSample.Input]
    var samplePools: [WebOption]
    var test: AdminRuleTestView?

    init(web: WebContext, world: AdminRuleWorld, test: AdminRuleTestView?, request: Request? = nil) {
        rules = world.rules.enumerated().map { index, rule in
            Row(id: rule.id.rawValue, number: index + 1, name: rule.name,
                conditions: rule.conditions.isEmpty ? web.text("every_lead") : rule.conditions.map { AdminRuleText.describe($0, web: web, world: world) }.joined(separator: web.text("and_joiner")),
                target: world.describe(rule.target, web: web), active: rule.active, version: String(rule.version),
                first: index == 0, last: index == world.rules.count - 1)
        }
        form = AdminRuleForm(web: web, world: world, rule: nil)
        let sample = AdminRuleSample(request: request, customKeys: world.customKeys, web: web)
        self.sample = sample.inputs
        samplePools = WebOption.list([("", web.text("default_pool"))] + world.pools.filter { !$0.archived }.map { ($0.id.rawValue, $0.name) }, chosen: sample.pool)
        self.test = test
    }
}

/// One rule's edit form.
struct AdminRuleBody {
    /// Empty condition rows a form offers besides the rule's own.
    static let blankConditions = 3

    var id: String
    var version: String
    var active: Bool
    var form: AdminRuleForm
    var deleteConfirm: String
    var auditLink: String

    init(web: WebContext, rule: AssignmentRule, world: AdminRuleWorld) {
        id = rule.id.rawValue
        version = String(rule.version)
        active = rule.active
        form = AdminRuleForm(web: web, world: world, rule: rule)
        deleteConfirm = web.text("confirm_delete_rule", ["name": rule.name])
        auditLink = "/admin/audit?object_id=" + WebPages.segment(rule.id.rawValue)
    }
}
