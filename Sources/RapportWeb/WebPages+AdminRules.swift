import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// Assignment rules: the ordered list, create and edit (conditions, target, strategy), enable and
    /// disable, reorder, delete, and a dry run on a sample lead that says which rule would take it.
    func addAdminRules(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/assignment-rules") { _, _, web in
            let world = try await ruleWorld(web)
            return web.page("admin_rules", title: web.text("admin_assignment_rules"), AdminRulesBody(web: web, world: world, test: nil))
        }
        adminPage(router, "admin/assignment-rules/test") { request, _, web in
            let world = try await ruleWorld(web)
            let facts = try AdminRuleSample(request: request, customKeys: world.customKeys).facts()
            let (placement, rule) = try await rapport.assignment.test(facts, by: web.caller)
            let test = AdminRuleTestView(web: web, placement: placement, rule: rule, world: world)
            return web.page("admin_rules", title: web.text("admin_assignment_rules"), AdminRulesBody(web: web, world: world, test: test, request: request))
        }
        adminAction(router, "admin/assignment-rules") { _, _, web, form in
            var input = try Self.ruleInput(form)
            input.active = true
            let rule = try await rapport.assignment.create(input, by: web.caller)
            return web.redirect("/admin/assignment-rules", notice: "rule_created", anchor: "rule-" + rule.id.rawValue)
        }
        adminPage(router, "admin/assignment-rules/:id") { _, context, web in
            let rule = try await rapport.assignment.get(try context.parameters.require("id"), by: web.caller)
            let world = try await ruleWorld(web)
            return web.page("admin_rule", title: rule.name, AdminRuleBody(web: web, rule: rule, world: world))
        }
        adminAction(router, "admin/assignment-rules/:id") { _, context, web, form in
            var input = try Self.ruleInput(form)
            input.active = form["active"] == "1"
            let rule = try await rapport.assignment.update(try context.parameters.require("id"), input,
                                                          expectedVersion: try Self.requiredVersion(form), by: web.caller)
            return web.redirect("/admin/assignment-rules/" + Self.segment(rule.id.rawValue), notice: "saved")
        }
        for (path, active) in [("enable", true), ("disable", false)] {
            adminAction(router, RouterPath("admin/assignment-rules/:id/" + path)) { _, context, web, form in
                let rule = try await rapport.assignment.update(try context.parameters.require("id"), .init(active: active),
                                                              expectedVersion: try Self.requiredVersion(form), by: web.caller)
                return web.redirect("/admin/assignment-rules", notice: active ? "rule_enabled" : "rule_disabled", anchor: "rule-" + rule.id.rawValue)
            }
        }
        adminAction(router, "admin/assignment-rules/:id/move") { _, context, web, form in
            let id = try context.parameters.require("id")
            var rules = try await rapport.assignment.list(by: web.caller)
            guard let index = rules.firstIndex(where: { $0.id.rawValue == id }) else { throw RapportError.notFound("assignment rule") }
            let other = form["direction"] == "up" ? index - 1 : index + 1
            if rules.indices.contains(other) {
                rules.swapAt(index, other)
                // Positions 10, 20, 30… in the new order; only the rules whose position changes are saved.
                for (offset, rule) in rules.enumerated() where rule.position != (offset + 1) * 10 {
                    _ = try await rapport.assignment.update(rule.id.rawValue, .init(position: (offset + 1) * 10), expectedVersion: rule.version, by: web.caller)
                }
            }
            return web.redirect("/admin/assignment-rules", notice: "saved", anchor: "rule-" + id)
        }
        adminAction(router, "admin/assignment-rules/:id/delete") { _, context, web, _ in
            try await rapport.assignment.delete(try context.parameters.require("id"), by: web.caller)
            return web.redirect("/admin/assignment-rules", notice: "rule_deleted")
        }
    }

    /// What the rule pages show besides the rules: names of pools, users and teams, and the lead
    /// dictionary's custom fields (conditions may test them).
    func ruleWorld(_ web: WebContext) async throws -> AdminRuleWorld {
        let rules = try await rapport.assignment.list(by: web.caller)
        let pools = try await rapport.pools.list(object: .lead, includeArchived: true, by: web.caller)
        let users = try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let tree = TeamTree(try await allTeams(web))
        let lead = try await rapport.dictionary.get(DictionaryObject.lead.rawValue, by: web.caller).dictionary
        return AdminRuleWorld(rules: rules, pools: pools, users: users, tree: tree,
                              customKeys: lead.activeFields.map { ($0.key, $0.label.text(for: web.locale.code)) })
    }

    /// A rule's name, conditions and target from its form.
    static func ruleInput(_ form: WebForm) throws -> AssignmentUseCases.Input {
        var check = Validator()
        var conditions: [AssignmentCondition] = []
        for index in 0..<(AssignmentRule.maximumConditions + AdminRuleBody.blankConditions) {
            guard let name = form["cond_field_\(index)"] else { continue }
            guard let field = AssignmentCondition.Field(name: name) else {
                check.add("conditions[\(index)].field", "invalid", "\(name) is not a field a rule can test.")
                continue
            }
            guard let op = AssignmentCondition.Operator(rawValue: form["cond_op_\(index)"] ?? "") else {
                check.add("conditions[\(index)].op", "invalid", "The operator is not known.")
                continue
            }
            conditions.append(AssignmentCondition(field: field, op: op, value: AdminRuleText.value(form["cond_value_\(index)"], op: op)))
        }
        var target: AssignmentTarget?
        switch form["target_kind"] {
        case "pool":
            if let id = form["target_pool"].flatMap({ RecordID(parsing: $0, prefix: .pool) }) { target = .pool(id) } else {
                check.add("target.pool_id", "required", "Choose a pool.")
            }
        case "user":
            if let id = form["target_user"].flatMap({ RecordID(parsing: $0, prefix: .user) }) { target = .user(id) } else {
                check.add("target.user_id", "required", "Choose a user.")
            }
        case "team":
            if let id = form["target_team"].flatMap({ RecordID(parsing: $0, prefix: .team) }) {
                let strategy = AssignmentStrategy(rawValue: form["strategy"] ?? "") ?? .roundRobin
                target = .team(id, strategy: strategy, weights: AdminForm.levels(form, "weights", into: &check))
            } else {
                check.add("target.team_id", "required", "Choose a team.")
            }
        default:
            check.add("target", "required", "Choose where the rule sends leads.")
        }
        try check.finish()
        return .init(name: form["name"] ?? "", conditions: conditions, target: target)
    }
}

/// The pools, users, teams and custom fields the rule pages name.
struct AdminRuleWorld {
    var rules: [AssignmentRule]
    var pools: [Pool]
    var users: [User]
    var tree: TeamTree
    var customKeys: [(key: String, label: String)]

    var poolNames: [String: String] { Dictionary(pools.map { ($0.id.rawValue, $0.name) }, uniquingKeysWith: { a, _ in a }) }
    var userNames: [String: String] { Dictionary(users.map { ($0.id.rawValue, $0.name) }, uniquingKeysWith: { a, _ in a }) }

    /// A target in the reader's words: "Pool 公海", "User Li Lei", "Team East · round robin".
    func describe(_ target: AssignmentTarget, web: WebContext) -> String {
        switch target {
        case .pool(let id): web.text("target_pool_named", ["name": poolNames[id.rawValue] ?? id.rawValue])
        case .user(let id): web.text("target_user_named", ["name": userNames[id.rawValue] ?? id.rawValue])
        case .team(let id, let strategy, let weights):
            web.text("target_team_named", ["name": tree.names[id.rawValue] ?? id.rawValue, "strategy": web.label("strategy", strategy.rawValue)])
                + (weights.isEmpty ? "" : " (" + AdminForm.levelsText(weights) + ")")
        }
    }
}
