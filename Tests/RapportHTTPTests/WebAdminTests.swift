import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The admin pages: administrators only (everyone else gets the forbidden page and nothing
/// changes), every form CSRF-checked, every name escaped, every change audited; and everyone's
/// settings page, whose language applies at once.
@Suite struct WebAdminTests {
    static let script = "<script>alert(1)</script>"

    /// The records the admin pages are tried on.
    struct Scene: Sendable {
        var admin: TestHarness.SignedIn
        var manager: TestHarness.SignedIn
        var rep: TestHarness.SignedIn
        var team: Team
        var pool: Pool
        var rule: AssignmentRule

        /// Every admin page (GET).
        var pages: [String] {
            ["/admin", "/admin/users", "/admin/users?role=rep&status=active", "/admin/users/\(rep.user.id)", "/admin/teams", "/admin/roles",
             "/admin/dictionary", "/admin/dictionary/lead", "/admin/dictionary/customer", "/admin/pools", "/admin/pools/\(pool.id)",
             "/admin/assignment-rules", "/admin/assignment-rules/test?source=web", "/admin/assignment-rules/\(rule.id)", "/admin/audit"]
        }

        /// Every admin form, with values that would change something were they accepted.
        var forms: [(String, [(String, String)])] {
            let lead = "/admin/dictionary/lead"
            return [
                ("/admin/users", [("email", "new@example.com"), ("name", "New"), ("role", "rep"), ("password", "a-long-password")]),
                ("/admin/users/\(rep.user.id)", [("name", "Renamed"), ("role", "admin"), ("version", String(rep.user.version))]),
                ("/admin/users/\(rep.user.id)/disable", []),
                ("/admin/users/\(rep.user.id)/enable", []),
                ("/admin/teams", [("key", "west"), ("name", "West")]),
                ("/admin/teams/\(team.id)", [("name", "Renamed"), ("version", String(team.version))]),
                ("/admin/teams/move", [("team", team.id.rawValue), ("parent", "")]),
                ("/admin/teams/\(team.id)/delete", []),
                ("/admin/roles/manager", [("scope.customer", "all")]),
                ("\(lead)/stages", [("key", "visited"), ("label_zh", "已到访"), ("label_en", "Visited"), ("category", "open"), ("version", "0")]),
                ("\(lead)/stages/new", [("label_zh", "新的"), ("label_en", "Fresh"), ("category", "open"), ("transition", "contacting"), ("version", "0")]),
                ("\(lead)/stages/contacting/move", [("direction", "up"), ("version", "0")]),
                ("\(lead)/stages/qualified/remove", [("version", "0")]),
                ("\(lead)/initial", [("initial_stage", "contacting"), ("version", "0")]),
                ("\(lead)/fields", [("key", "budget"), ("type", "text"), ("label_zh", "预算"), ("label_en", "Budget"), ("version", "0")]),
                ("\(lead)/fields/invalid_reason", [("label_zh", "无效"), ("label_en", "Why"), ("options", "spam | 垃圾 | Spam"), ("version", "0")]),
                ("\(lead)/fields/invalid_reason/move", [("direction", "down"), ("version", "0")]),
                ("\(lead)/fields/invalid_reason/remove", [("version", "0")]),
                ("/admin/pools", [("key", "north"), ("name", "North"), ("object", "lead"), ("holding_default", "5")]),
                ("/admin/pools/\(pool.id)", [("name", "Renamed"), ("holding_default", "1"), ("version", String(pool.version))]),
                ("/admin/pools/\(pool.id)/archive", [("version", String(pool.version))]),
                ("/admin/pools/\(pool.id)/restore", [("version", String(pool.version))]),
                ("/admin/assignment-rules", [("name", "Another"), ("target_kind", "pool"), ("target_pool", pool.id.rawValue)]),
                ("/admin/assignment-rules/\(rule.id)", [("name", "Renamed"), ("target_kind", "pool"), ("target_pool", pool.id.rawValue), ("version", String(rule.version))]),
                ("/admin/assignment-rules/\(rule.id)/disable", [("version", String(rule.version))]),
                ("/admin/assignment-rules/\(rule.id)/enable", [("version", String(rule.version))]),
                ("/admin/assignment-rules/\(rule.id)/move", [("direction", "up")]),
                ("/admin/assignment-rules/\(rule.id)/delete", []),
            ]
        }
    }

    static func scene(_ harness: TestHarness) async throws -> Scene {
        let team = try await harness.team("east")
        let admin = try await harness.signedIn(.admin)
        let manager = try await harness.signedIn(.manager, team: team)
        let rep = try await harness.signedIn(.rep, team: team)
        let pool = try await harness.rapport.pools.create(.init(key: "default", name: "公海", object: "lead", memberTeams: [team.id.rawValue]), by: harness.system)
        let rule = try await harness.rapport.assignment.create(.init(name: "Web leads", conditions: [AssignmentCondition(field: .source, op: .equals, value: .string("web"))],
                                                                     target: .pool(pool.id)), by: harness.system)
        return Scene(admin: admin, manager: manager, rep: rep, team: team, pool: pool, rule: rule)
    }

    /// What the admin forms could change, to show that a refused form changed nothing.
    static func snapshot(_ harness: TestHarness) async throws -> [Int] {
        try await ["audit_log", "users", "teams", "pools", "assignment_rules", "api_tokens"].asyncMapAll { try await harness.count($0) }
    }

    @Test(arguments: TestBackend.available)
    func onlyAdministratorsReachTheAdminPages(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let scene = try await Self.scene(harness)
            try await harness.http { client in
                for path in scene.pages {
                    let page = try await client.page(path, session: scene.admin.secret)
                    #expect(page.status == .ok, "\(path)")
                    #expect(page.text.contains("<h1>") && page.body.readableBytes < 100_000, "\(path)")
                    let chinese = try await client.page(path, session: scene.admin.secret, language: "zh-CN")
                    #expect(chinese.status == .ok && chinese.text.contains("lang=\"zh-Hans\"") && chinese.text.contains("管理"), "\(path)")
                }
                #expect(try await client.page("/workbench", session: scene.admin.secret).text.contains("href=\"/admin\""))
                for person in [scene.rep, scene.manager] {
                    #expect(!(try await client.page("/workbench", session: person.secret).text.contains("href=\"/admin\"")))
                    for path in scene.pages {
                        let page = try await client.page(path, session: person.secret)
                        #expect(page.status == .forbidden && page.text.contains("You may not do that."), "\(path)")
                        #expect(!page.text.contains("Web leads") && !page.text.contains(scene.admin.user.email), "\(path)")
                    }
                    let before = try await Self.snapshot(harness)
                    for (path, fields) in scene.forms {
                        let refused = try await client.submit(path, session: person.secret, fields)
                        #expect(refused.status == .forbidden && refused.text.contains("You may not do that."), "\(path)")
                    }
                    #expect(try await Self.snapshot(harness) == before, "a refused form changes nothing")
                }
                #expect(try await harness.rapport.dictionary.get("lead", by: harness.system).version == 0)
                #expect(try await harness.rapport.roles.get("manager", by: harness.system).kinds.first { $0.kind.rawValue == "customer" }?.scope == .subtree)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func everyFormRefusesAForeignToken(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let scene = try await Self.scene(harness)
            try await harness.http { client in
                let before = try await Self.snapshot(harness)
                let settings: [(String, [(String, String)])] = [
                    ("/settings", [("name", "Renamed"), ("locale", "zh-Hans")]),
                    ("/settings/password", [("current_password", TestHarness.password), ("new_password", "a-new-password"), ("confirm_password", "a-new-password")]),
                ]
                for (path, fields) in scene.forms + settings {
                    let refused = try await client.submit(path, session: scene.admin.secret, fields, csrf: WebSession.csrfToken(forSession: scene.rep.secret))
                    #expect(refused.status == .forbidden && refused.text.contains("The form expired"), "\(path)")
                }
                #expect(try await Self.snapshot(harness) == before)
                #expect(try await harness.rapport.users.get(scene.admin.user.id.rawValue, by: harness.system).name == scene.admin.user.name)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func namesAndAuditDetailsRenderEscaped(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rapport = harness.rapport
            // Free text from a request reaches the audit log's details (the channel) and address.
            let odd = Caller(principal: nil, address: Self.script, channel: Self.script)
            let team = try await rapport.teams.create(.init(key: "xss", name: Self.script), by: odd)
            let person = try await rapport.users.create(.init(email: "xss@example.com", name: Self.script, role: "rep", team: team.id.rawValue,
                                                              password: TestHarness.password), by: harness.system)
            let pool = try await rapport.pools.create(.init(key: "xss", name: Self.script, object: "lead", memberTeams: [team.id.rawValue]), by: harness.system)
            let rule = try await rapport.assignment.create(.init(name: Self.script, conditions: [AssignmentCondition(field: .source, op: .equals, value: .string(Self.script))],
                                                                 target: .pool(pool.id)), by: harness.system)
            var lead = try await rapport.dictionary.get("lead", by: harness.system).dictionary
            lead.stages[0].label = LocalizedText(zhHans: Self.script, en: Self.script)
            lead.fields.append(FieldDefinition(key: "xss", label: LocalizedText(zhHans: Self.script, en: Self.script), type: .enum,
                                               options: [FieldOption(key: "x", label: LocalizedText(zhHans: Self.script, en: Self.script))]))
            _ = try await rapport.dictionary.replace("lead", with: lead, expectedVersion: nil, by: harness.system)
            let signedIn = try await rapport.auth.signIn(email: "xss@example.com", password: TestHarness.password, address: nil).secret
            let pages = ["/admin/users", "/admin/users/\(person.id)", "/admin/teams", "/admin/pools", "/admin/pools/\(pool.id)", "/admin/assignment-rules",
                         "/admin/assignment-rules/\(rule.id)", "/admin/assignment-rules/test?source=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                         "/admin/dictionary/lead", "/admin/audit", "/admin/audit?object_kind=team&action=%3Cscript%3E"]
            try await harness.http { client in
                for language in ["en", "zh-CN"] {
                    for path in pages {
                        let page = try await client.page(path, session: admin.secret, language: language)
                        #expect(page.status == .ok, "\(path)")
                        #expect(page.text.contains("&lt;script&gt;") && !page.text.contains("<script>alert"), "\(path)")
                    }
                    let settings = try await client.page("/settings", session: signedIn, language: language)
                    #expect(settings.status == .ok && settings.text.contains("&lt;script&gt;alert(1)") && !settings.text.contains("<script>alert"))
                }
                let audit = try await client.page("/admin/audit?object_kind=team", session: admin.secret)
                #expect(audit.text.contains("channel = &lt;script&gt;alert(1)&lt;/script&gt;"))
                let tested = try await client.page("/admin/assignment-rules/test?source=%3Cscript%3Ealert(1)%3C%2Fscript%3E", session: admin.secret)
                #expect(tested.text.contains("would put it into the pool &lt;script&gt;"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func usersAndPoolsMadeThroughThePagesAreAudited(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let scene = try await Self.scene(harness)
            let rapport = harness.rapport
            let admin = scene.admin
            try await harness.http { client in
                let made = try await client.submit("/admin/users", session: admin.secret, [
                    ("email", "Li.Lei@Example.com"), ("name", "Li Lei"), ("role", "rep"), ("team", scene.team.id.rawValue), ("rep_level", "junior"),
                    ("locale", "zh-Hans"), ("password", "a-long-password"),
                ])
                let user = try await rapport.users.find(email: "li.lei@example.com", by: harness.system)
                #expect(made.status == .seeOther && made.headers[.location] == "/admin/users/\(user.id)?notice=user_created")
                #expect(user.role == .rep && user.teamID == scene.team.id && user.repLevel?.rawValue == "junior" && user.locale == "zh-Hans")
                let created = try await rapport.audit.list(.init(action: "user.created", objectID: user.id.rawValue), page: .init(), by: harness.system).items
                #expect(created.count == 1 && created[0].actorID == admin.user.id && created[0].details["channel"] == "web")
                _ = try await rapport.auth.signIn(email: "li.lei@example.com", password: "a-long-password", address: nil)

                // A duplicate email is refused with its reason.
                let twice = try await client.submit("/admin/users", session: admin.secret, [("email", "li.lei@example.com"), ("name", "Again"), ("role", "rep")])
                #expect(twice.status == .conflict)

                // The list finds them by text, role and team; the edit form carries the version.
                let list = try await client.page("/admin/users?q=li+lei&role=rep&team=\(scene.team.id)&status=active", session: admin.secret)
                #expect(list.text.contains("/admin/users/\(user.id)") && !list.text.contains("/admin/users/\(admin.user.id)"))
                let form = try await client.page("/admin/users/\(user.id)", session: admin.secret)
                #expect(form.text.contains("name=\"version\" value=\"\(user.version)\""))
                let edited = try await client.submit("/admin/users/\(user.id)", session: admin.secret, [
                    ("name", "李雷"), ("role", "manager"), ("team", ""), ("rep_level", "senior"), ("locale", ""), ("version", String(user.version)),
                ])
                #expect(edited.headers[.location] == "/admin/users/\(user.id)?notice=saved")
                let after = try await rapport.users.get(user.id.rawValue, by: harness.system)
                #expect(after.name == "李雷" && after.role == .manager && after.teamID == nil && after.repLevel?.rawValue == "senior" && after.locale == nil)
                // The same (now stale) form again: refused with the conflict message, nothing changes.
                let stale = try await client.submit("/admin/users/\(user.id)", session: admin.secret, [
                    ("name", "Stale"), ("role", "rep"), ("version", String(user.version)),
                ])
                #expect(stale.status == .preconditionFailed && stale.text.contains("This changed since you opened it"))
                #expect(try await rapport.users.get(user.id.rawValue, by: harness.system).name == "李雷")
                // Disabling ends their sessions; the last administrator cannot disable themselves.
                #expect(try await client.submit("/admin/users/\(user.id)/disable", session: admin.secret, []).headers[.location] == "/admin/users/\(user.id)?notice=user_disabled")
                #expect(try await rapport.users.get(user.id.rawValue, by: harness.system).status == .disabled)
                #expect(try await client.submit("/admin/users/\(admin.user.id)/disable", session: admin.secret, []).status == .conflict)

                // A pool with its rules; then its holding limit changes.
                let pool = try await client.submit("/admin/pools", session: admin.secret, [
                    ("key", "north"), ("name", "North pool"), ("object", "lead"), ("member_team", scene.team.id.rawValue), ("holding_default", "30"),
                    ("holding_levels", "senior=50"), ("claims_default", "10"), ("claims_levels", ""), ("protection_days", "2"), ("cooldown_days", "5"),
                    ("time_zone", "Asia/Shanghai"), ("reclaim_no_follow_up_days", "7"), ("reclaim_owner_disabled", "1"), ("reclaim_warning_days", "1"),
                ])
                let north = try await rapport.pools.get("north", by: harness.system)
                #expect(pool.headers[.location] == "/admin/pools/\(north.id)?notice=pool_created")
                #expect(north.rules.holdingLimit == LevelLimits(30, byLevel: ["senior": 50]) && north.rules.claimsPerDay == LevelLimits(10))
                #expect(north.memberTeamIDs == [scene.team.id] && north.rules.reclaim.noFollowUpDays == 7 && north.rules.protectionDays == 2)
                let page = try await client.page("/admin/pools/\(north.id)", session: admin.secret)
                #expect(page.text.contains("name=\"holding_levels\" type=\"text\" value=\"senior=50\""))
                let changed = try await client.submit("/admin/pools/\(north.id)", session: admin.secret, [
                    ("name", "North pool"), ("member_team", scene.team.id.rawValue), ("holding_default", "40"), ("holding_levels", "senior=50"),
                    ("claims_default", ""), ("protection_days", "2"), ("cooldown_days", "5"), ("time_zone", "Asia/Shanghai"), ("version", String(north.version)),
                ])
                #expect(changed.headers[.location] == "/admin/pools/\(north.id)?notice=saved")
                let rules = try await rapport.pools.get("north", by: harness.system).rules
                #expect(rules.holdingLimit.standard == 40 && rules.claimsPerDay.standard == nil)
                let bad = try await client.submit("/admin/pools/\(north.id)", session: admin.secret, [("name", "x"), ("holding_default", "lots"), ("version", "2")])
                #expect(bad.status == .unprocessableContent && bad.text.contains("holding_default is not valid."))
                let poolAudit = try await rapport.audit.list(.init(objectID: north.id.rawValue), page: .init(), by: harness.system).items.map(\.action)
                #expect(poolAudit == ["pool.updated", "pool.created"])

                // The audit log shows them, filtered by actor, action and dates.
                let log = try await client.page("/admin/audit?actor=\(admin.user.email)&action=user.created", session: admin.secret)
                #expect(log.text.contains("href=\"/admin/users/\(user.id)\"") && log.text.contains("user.created") && !log.text.contains("pool.created"))
                let today = try await client.page("/admin/audit?object_kind=pool&from=2026-01-05&to=2026-01-05", session: admin.secret)
                #expect(today.text.contains("pool.created") && today.text.contains(admin.user.name))
                let tomorrow = try await client.page("/admin/audit?object_kind=pool&from=2026-01-06", session: admin.secret)
                #expect(tomorrow.status == .ok && !tomorrow.text.contains("pool.created") && tomorrow.text.contains("Nothing here."))
                #expect(try await client.page("/admin/audit?from=yesterday", session: admin.secret).status == .unprocessableContent)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func teamsDictionaryRulesAndRolesAreEditedThroughThePages(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let scene = try await Self.scene(harness)
            let rapport = harness.rapport
            let session = scene.admin.secret
            try await harness.http { client in
                // Teams: create a child, rename it, move it to the top, delete (refused while it has members).
                #expect(try await client.submit("/admin/teams", session: session, [("key", "east-1"), ("name", "East One"), ("parent", scene.team.id.rawValue)])
                    .headers[.location] == "/admin/teams?notice=team_created")
                var child = try await rapport.teams.list(parent: scene.team.id.rawValue, page: .init(), by: harness.system).items[0]
                let tree = try await client.page("/admin/teams", session: session)
                #expect(tree.text.contains("class=\"depth-1\"") && tree.text.contains("value=\"East One\""))
                _ = try await client.submit("/admin/teams/\(child.id)", session: session, [("name", "East Juniors"), ("version", String(child.version))])
                _ = try await client.submit("/admin/teams/move", session: session, [("team", child.id.rawValue), ("parent", "")])
                child = try await rapport.teams.get(child.id.rawValue, by: harness.system)
                #expect(child.name == "East Juniors" && child.parentID == nil)
                let refused = try await client.submit("/admin/teams/\(scene.team.id)/delete", session: session, [])
                #expect(refused.headers[.location] == "/admin/teams?notice=team_not_empty")
                #expect(try await client.page("/admin/teams?notice=team_not_empty", session: session).text.contains("still has subteams or members"))
                _ = try await client.submit("/admin/teams/\(child.id)/delete", session: session, [])
                #expect(try await rapport.teams.list(parent: nil, page: .init(), by: harness.system).items.map(\.id) == [scene.team.id])

                // The dictionary: add a stage reachable from `new`, rename it, reorder, add a custom field.
                let version = { try await rapport.dictionary.get("lead", by: harness.system).version }
                let added = try await client.submit("/admin/dictionary/lead/stages", session: session, [
                    ("key", "visited"), ("label_zh", "已到访"), ("label_en", "Visited"), ("category", "open"), ("from", "new"),
                    ("transition", "qualified"), ("guards", "phone"), ("version", "0"),
                ])
                let afterAdding = try await version()
                #expect(added.headers[.location] == "/admin/dictionary/lead?notice=stage_added" && afterAdding == 1)
                var lead = try await rapport.dictionary.get("lead", by: harness.system).dictionary
                #expect(lead.stage("visited")?.guards == ["phone"] && lead.stage("new")?.transitions.contains("visited") == true)
                let stale = try await client.submit("/admin/dictionary/lead/stages/visited", session: session, [
                    ("label_zh", "到访"), ("label_en", "Came by"), ("category", "open"), ("version", "0"),
                ])
                #expect(stale.status == .preconditionFailed)
                _ = try await client.submit("/admin/dictionary/lead/stages/visited", session: session, [
                    ("label_zh", "到访"), ("label_en", "Came by"), ("category", "open"), ("transition", "qualified"), ("version", "1"),
                ])
                _ = try await client.submit("/admin/dictionary/lead/stages/visited/move", session: session, [("direction", "up"), ("version", "2")])
                let field = try await client.submit("/admin/dictionary/lead/fields", session: session, [
                    ("key", "budget_band"), ("type", "enum"), ("label_zh", "预算区间"), ("label_en", "Budget band"), ("options", "low | 低 | Low\nhigh | 高 | High"),
                    ("version", "3"),
                ])
                #expect(field.headers[.location] == "/admin/dictionary/lead?notice=field_added")
                lead = try await rapport.dictionary.get("lead", by: harness.system).dictionary
                let keys = lead.stages.map(\.key)
                #expect(lead.stage("visited")?.label == LocalizedText(zhHans: "到访", en: "Came by"))
                #expect(keys.count >= 3 && keys[keys.count - 2] == "visited", "moved up one place from the end")
                #expect(lead.field("budget_band")?.options.map(\.key) == ["low", "high"] && lead.field("budget_band")?.type == .enum)
                let page = try await client.page("/admin/dictionary/lead", session: session, language: "zh-CN")
                #expect(page.text.contains("到访") && page.text.contains("预算区间") && page.text.contains("name=\"version\" value=\"4\""))
                #expect(page.text.contains("版本 4 · ") && page.text.contains(scene.admin.user.name))
                let invalid = try await client.submit("/admin/dictionary/lead/fields", session: session, [
                    ("key", "Bad Key"), ("type", "text"), ("label_zh", "坏"), ("label_en", "Bad"), ("version", "4"),
                ])
                let afterRefusal = try await version()
                #expect(invalid.status == .unprocessableContent && afterRefusal == 4)
                let audit = try await rapport.audit.list(.init(action: "dictionary.changed"), page: .init(), by: harness.system).items
                #expect(audit.count == 4 && audit.allSatisfy { $0.actorID == scene.admin.user.id })

                // Assignment rules: add one, test it on a sample lead, disable it.
                let rule = try await client.submit("/admin/assignment-rules", session: session, [
                    ("name", "Fairs to the rep"), ("cond_field_0", "source"), ("cond_op_0", "eq"), ("cond_value_0", "fair"),
                    ("cond_field_1", "score"), ("cond_op_1", "gte"), ("cond_value_1", "60"), ("cond_field_2", ""),
                    ("target_kind", "user"), ("target_user", scene.rep.user.id.rawValue),
                ])
                #expect(rule.status == .seeOther)
                let made = try #require(try await rapport.assignment.list(by: harness.system).first { $0.name == "Fairs to the rep" })
                #expect(made.conditions == [AssignmentCondition(field: .source, op: .equals, value: .string("fair")),
                                            AssignmentCondition(field: .score, op: .greaterOrEqual, value: .integer(60))])
                #expect(made.target == .user(scene.rep.user.id) && made.active)
                let hit = try await client.page("/admin/assignment-rules/test?source=fair&score=70", session: session)
                #expect(hit.text.contains("The rule “Fairs to the rep” would give it to \(scene.rep.user.name)."))
                let web = try await client.page("/admin/assignment-rules/test?source=web", session: session)
                #expect(web.text.contains("The rule “Web leads” would put it into the pool 公海."))
                let miss = try await client.page("/admin/assignment-rules/test?source=fair&score=10", session: session)
                #expect(miss.text.contains("No rule would take it"))
                #expect(try await client.page("/admin/assignment-rules/test?score=many", session: session).status == .unprocessableContent)
                _ = try await client.submit("/admin/assignment-rules/\(made.id)/move", session: session, [("direction", "up")])
                #expect(try await rapport.assignment.list(by: harness.system).map(\.id) == [made.id, scene.rule.id])
                _ = try await client.submit("/admin/assignment-rules/\(made.id)/disable", session: session, [("version", String(made.version + 1))])
                #expect(try await rapport.assignment.get(made.id.rawValue, by: harness.system).active == false)

                // Roles: a manager's customer scope widens; only the changed kind is written.
                let roles = try await client.page("/admin/roles", session: session)
                #expect(roles.text.contains("name=\"scope.customer\"") && roles.text.contains("Team and subteams"))
                let saved = try await client.submit("/admin/roles/manager", session: session, [("scope.customer", "all"), ("scope.lead", "subtree")])
                #expect(saved.headers[.location] == "/admin/roles?notice=saved#role-manager")
                #expect(try await rapport.roles.get("manager", by: harness.system).kinds.first { $0.kind.rawValue == "customer" }?.scope == .all)
                let scopeAudit = try await rapport.audit.list(.init(action: "role.scope_changed"), page: .init(), by: harness.system).items
                #expect(scopeAudit.count == 1 && scopeAudit[0].details["object_kind"] == "customer")
                #expect(try await client.submit("/admin/roles/admin", session: session, [("scope.customer", "own")]).status == .unprocessableContent)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func settingsChangeThePageLanguageAtOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, email: "rep@example.com")
            try await harness.http { client in
                let before = try await client.page("/workbench", session: rep.secret, language: "en")
                #expect(before.text.contains("<h1>Workbench</h1>") && before.text.contains("href=\"/settings\""))
                let form = try await client.page("/settings", session: rep.secret)
                #expect(form.status == .ok && form.text.contains("Follow the browser") && form.text.contains("rep@example.com"))
                let saved = try await client.submit("/settings", session: rep.secret, [("name", "李雷"), ("locale", "zh-Hans")])
                #expect(saved.headers[.location] == "/settings?notice=settings_saved")
                let chinese = try await client.page("/workbench", session: rep.secret, language: "en")
                #expect(chinese.text.contains("lang=\"zh-Hans\"") && chinese.text.contains("<h1>工作台</h1>") && chinese.text.contains("李雷"))
                _ = try await client.submit("/settings", session: rep.secret, [("name", "李雷"), ("locale", "")])
                #expect(try await client.page("/workbench", session: rep.secret, language: "en").text.contains("<h1>Workbench</h1>"))
                #expect(try await harness.rapport.users.get(rep.user.id.rawValue, by: harness.system).locale == nil)

                // The password: the current one is checked, the new one typed twice; this session goes on.
                let wrong = try await client.submit("/settings/password", session: rep.secret, [
                    ("current_password", "not-the-password"), ("new_password", "a-new-password"), ("confirm_password", "a-new-password"),
                ])
                #expect(wrong.status == .unprocessableContent && wrong.text.contains("The current password is not right."))
                let differ = try await client.submit("/settings/password", session: rep.secret, [
                    ("current_password", TestHarness.password), ("new_password", "a-new-password"), ("confirm_password", "another-one"),
                ])
                #expect(differ.status == .unprocessableContent && differ.text.contains("The two new passwords differ."))
                let changed = try await client.submit("/settings/password", session: rep.secret, [
                    ("current_password", TestHarness.password), ("new_password", "a-new-password"), ("confirm_password", "a-new-password"),
                ])
                #expect(changed.headers[.location] == "/settings?notice=password_changed")
                #expect(try await client.page("/settings?notice=password_changed", session: rep.secret).text.contains("Password changed."))
                _ = try await harness.rapport.auth.signIn(email: "rep@example.com", password: "a-new-password", address: nil)
            }
        }
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMapAll<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
