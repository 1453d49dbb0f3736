import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// Pools: the list, create, edit the rules (holding limits by level, claims per day, protection,
    /// cooldown, reclaim rules, member teams), archive and restore.
    func addAdminPools(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/pools") { _, _, web in
            let pools = try await rapport.pools.list(includeArchived: true, by: web.caller)
            let tree = TeamTree(try await allTeams(web))
            return web.page("admin_pools", title: web.text("admin_pools"), AdminPoolsBody(web: web, pools: pools, tree: tree))
        }
        adminAction(router, "admin/pools") { _, _, web, form in
            var check = Validator()
            let rules = Self.poolRules(form, base: PoolRules(), into: &check)
            try check.finish()
            let pool = try await rapport.pools.create(.init(key: form["key"] ?? "", name: form["name"] ?? "", object: form["object"] ?? "lead",
                                                            memberTeams: form.all("member_team"), rules: rules), by: web.caller)
            return web.redirect("/admin/pools/" + Self.segment(pool.id.rawValue), notice: "pool_created")
        }
        adminPage(router, "admin/pools/:id") { _, context, web in
            let pool = try await rapport.pools.get(try context.parameters.require("id"), by: web.caller)
            let tree = TeamTree(try await allTeams(web))
            return web.page("admin_pool", title: pool.name, AdminPoolBody(web: web, pool: pool, tree: tree))
        }
        adminAction(router, "admin/pools/:id") { _, context, web, form in
            let reference = try context.parameters.require("id")
            let version = try Self.requiredVersion(form)
            let pool = try await rapport.pools.get(reference, by: web.caller)
            var check = Validator()
            let rules = Self.poolRules(form, base: pool.rules, into: &check)
            try check.finish()
            _ = try await rapport.pools.update(pool.id.rawValue, .init(name: form["name"] ?? "", memberTeams: form.all("member_team"), rules: rules),
                                               expectedVersion: version, by: web.caller)
            return web.redirect("/admin/pools/" + Self.segment(pool.id.rawValue), notice: "saved")
        }
        for (path, archived) in [("archive", true), ("restore", false)] {
            adminAction(router, RouterPath("admin/pools/:id/" + path)) { _, context, web, form in
                let pool = try await rapport.pools.update(try context.parameters.require("id"), .init(archived: archived),
                                                          expectedVersion: try Self.requiredVersion(form), by: web.caller)
                return web.redirect("/admin/pools/" + Self.segment(pool.id.rawValue), notice: archived ? "pool_archived" : "pool_restored")
            }
        }
    }

    /// A pool's rules from its form, over `base` (what the form does not show stays as it is).
    static func poolRules(_ form: WebForm, base: PoolRules, into check: inout Validator) -> PoolRules {
        var rules = base
        rules.holdingLimit = LevelLimits(AdminForm.integer(form, "holding_default", into: &check),
                                         byLevel: AdminForm.levels(form, "holding_levels", into: &check))
        rules.claimsPerDay = LevelLimits(AdminForm.integer(form, "claims_default", into: &check),
                                         byLevel: AdminForm.levels(form, "claims_levels", into: &check))
        if let days = AdminForm.integer(form, "protection_days", into: &check) { rules.protectionDays = days }
        if let days = AdminForm.integer(form, "cooldown_days", into: &check) { rules.cooldownDays = days }
        if let zone = form["time_zone"] { rules.timeZone = zone }
        if form["has_exclude_won"] != nil { rules.excludeWon = form["exclude_won"] == "1" }
        rules.reclaim.noFollowUpDays = AdminForm.integer(form, "reclaim_no_follow_up_days", into: &check)
        rules.reclaim.noProgressDays = AdminForm.integer(form, "reclaim_no_progress_days", into: &check)
        rules.reclaim.notConvertedDays = AdminForm.integer(form, "reclaim_not_converted_days", into: &check)
        rules.reclaim.ownerDisabled = form["reclaim_owner_disabled"] == "1"
        if let days = AdminForm.integer(form, "reclaim_warning_days", into: &check) { rules.reclaim.warningDays = days }
        return rules
    }
}

/// A checkbox of a team (pool membership, and so on), indented by depth.
struct TeamChoice {
    var value: String
    var label: String
    var checked: Bool
    var fieldID: String

    static func list(_ tree: TeamTree, chosen: [RecordID], prefix: String) -> [TeamChoice] {
        tree.rows.map { row in
            TeamChoice(value: row.team.id.rawValue, label: String(repeating: "— ", count: row.depth) + row.team.name,
                       checked: chosen.contains(row.team.id), fieldID: "\(prefix)-\(row.team.id.rawValue)")
        }
    }
}

/// The pools with their main rules, and the form to create one.
struct AdminPoolsBody {
    struct Row {
        var id: String
        var key: String
        var name: String
        var objectText: String
        var members: String
        var holding: String
        var claims: String
        var archived: Bool
    }

    var pools: [Row]
    var objects: [WebOption]
    var teams: [TeamChoice]
    var rules: AdminPoolRulesView

    init(web: WebContext, pools: [Pool], tree: TeamTree) {
        let names = tree.names
        self.pools = pools.map { pool in
            Row(id: pool.id.rawValue, key: pool.key, name: pool.name, objectText: web.label("kind", pool.object.rawValue),
                members: pool.memberTeamIDs.isEmpty ? web.text("every_team") : pool.memberTeamIDs.map { names[$0.rawValue] ?? $0.rawValue }.joined(separator: ", "),
                holding: AdminPoolRulesView.limit(web, pool.rules.holdingLimit), claims: AdminPoolRulesView.limit(web, pool.rules.claimsPerDay),
                archived: pool.archived)
        }
        objects = WebOption.list(Pool.Object.allCases.map { ($0.rawValue, web.label("kind", $0.rawValue)) }, chosen: Pool.Object.lead.rawValue)
        teams = TeamChoice.list(tree, chosen: [], prefix: "new-team")
        rules = AdminPoolRulesView(PoolRules())
    }
}

/// A pool's rules as form values.
struct AdminPoolRulesView {
    var holdingDefault: String
    var holdingLevels: String
    var claimsDefault: String
    var claimsLevels: String
    var protectionDays: String
    var cooldownDays: String
    var timeZone: String
    var excludeWon: Bool
    var noFollowUpDays: String
    var noProgressDays: String
    var notConvertedDays: String
    var ownerDisabled: Bool
    var warningDays: String

    init(_ rules: PoolRules) {
        holdingDefault = rules.holdingLimit.standard.map(String.init) ?? ""
        holdingLevels = AdminForm.levelsText(rules.holdingLimit.byLevel)
        claimsDefault = rules.claimsPerDay.standard.map(String.init) ?? ""
        claimsLevels = AdminForm.levelsText(rules.claimsPerDay.byLevel)
        protectionDays = String(rules.protectionDays)
        cooldownDays = String(rules.cooldownDays)
        timeZone = rules.timeZone
        excludeWon = rules.excludeWon
        noFollowUpDays = rules.reclaim.noFollowUpDays.map(String.init) ?? ""
        noProgressDays = rules.reclaim.noProgressDays.map(String.init) ?? ""
        notConvertedDays = rules.reclaim.notConvertedDays.map(String.init) ?? ""
        ownerDisabled = rules.reclaim.ownerDisabled
        warningDays = String(rules.reclaim.warningDays)
    }

    /// A limit in the reader's words: the default, then each level's (`200 · senior 300`), or "no limit".
    static func limit(_ web: WebContext, _ limits: LevelLimits) -> String {
        ([limits.standard.map { web.locale.number($0) } ?? web.text("no_limit")]
            + limits.byLevel.sorted { $0.key < $1.key }.map { "\($0.key) \(web.locale.number($0.value))" }).joined(separator: " · ")
    }
}

/// One pool's edit form.
struct AdminPoolBody {
    var id: String
    var key: String
    var name: String
    var objectText: String
    var isCustomerPool: Bool
    var version: String
    var archived: Bool
    var teams: [TeamChoice]
    var rules: AdminPoolRulesView
    var archiveConfirm: String
    var auditLink: String

    init(web: WebContext, pool: Pool, tree: TeamTree) {
        id = pool.id.rawValue
        key = pool.key
        name = pool.name
        objectText = web.label("kind", pool.object.rawValue)
        isCustomerPool = pool.object == .customer
        version = String(pool.version)
        archived = pool.archived
        teams = TeamChoice.list(tree, chosen: pool.memberTeamIDs, prefix: "team")
        rules = AdminPoolRulesView(pool.rules)
        archiveConfirm = web.text("confirm_archive_pool", ["name": pool.name])
        auditLink = "/admin/audit?object_kind=pool&object_id=" + WebPages.segment(pool.id.rawValue)
    }
}
