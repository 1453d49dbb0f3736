import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// Users: a searchable, filtered, paged list; create; edit (refused when the form is stale);
    /// disable and enable.
    func addAdminUsers(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/users") { request, _, web in
            let q = AdminForm.query(request, "q")
            let role = AdminForm.query(request, "role", limit: 32)
            let team = AdminForm.query(request, "team", limit: 64)
            let status = AdminForm.query(request, "status", limit: 16)
            var filter = UserStore.ListFilter(query: q)
            var check = Validator()
            if let role { if let parsed = Role(rawValue: role) { filter.role = parsed } else { check.add("role", "invalid", "role is not a role.") } }
            if let status { if let parsed = User.Status(rawValue: status) { filter.status = parsed } else { check.add("status", "invalid", "status is active or disabled.") } }
            if let team { if let id = RecordID(parsing: team, prefix: .team) { filter.teamID = id } else { check.add("team", "invalid", "team is not a team id.") } }
            try check.finish()
            let found = try await rapport.users.list(filter, page: try AdminForm.page(request), by: web.caller)
            let tree = TeamTree(try await allTeams(web))
            let body = AdminUsersBody(web: web, users: found.items, tree: tree, q: q ?? "", role: role, team: team, status: status,
                                      nextPage: AdminForm.next(request, found.nextCursor))
            return web.page("admin_users", title: web.text("admin_users"), body)
        }
        adminAction(router, "admin/users") { _, _, web, form in
            let created = try await rapport.users.create(.init(
                email: form["email"] ?? "", name: form["name"] ?? "", role: form["role"] ?? "", repLevel: form["rep_level"], team: form["team"],
                locale: form["locale"], password: form["password"]), by: web.caller)
            return web.redirect("/admin/users/" + Self.segment(created.id.rawValue), notice: "user_created")
        }
        adminPage(router, "admin/users/:id") { _, context, web in
            let user = try await rapport.users.get(try context.parameters.require("id"), by: web.caller)
            let tree = TeamTree(try await allTeams(web))
            return web.page("admin_user", title: user.name, AdminUserBody(web: web, user: user, tree: tree))
        }
        adminAction(router, "admin/users/:id") { _, context, web, form in
            let id = try context.parameters.require("id")
            let current = try await rapport.users.get(id, by: web.caller)
            // Only what the form changed is sent; the version it was read at guards against lost updates.
            var patch = UserUseCases.Patch()
            if let name = form["name"], name != current.name { patch.name = name }
            if let role = form["role"], role != current.role.rawValue { patch.role = role }
            let team = form["team"]
            if team != current.teamID?.rawValue { patch.team = .some(team) }
            let level = form["rep_level"]
            if level != current.repLevel?.rawValue { patch.repLevel = .some(level) }
            let locale = form["locale"]
            if locale != current.locale { patch.locale = .some(locale) }
            patch.password = form["password"]
            guard let version = AdminForm.version(form) else {
                throw RapportError(.preconditionRequired, "The form did not say which version it changes.")
            }
            let path = "/admin/users/" + Self.segment(current.id.rawValue)
            if patch.name == nil, patch.role == nil, patch.team == nil, patch.repLevel == nil, patch.locale == nil, patch.password == nil {
                if version != current.version { throw RapportError(.preconditionFailed, "The user was changed by someone else.") }
                return web.redirect(path, notice: "nothing_changed")
            }
            _ = try await rapport.users.update(id, patch, expectedVersion: version, by: web.caller)
            return web.redirect(path, notice: "saved")
        }
        adminAction(router, "admin/users/:id/disable") { _, context, web, form in
            let user = try await rapport.users.disable(try context.parameters.require("id"), by: web.caller)
            return web.redirect(Self.returnPath(form, fallback: "/admin/users/" + Self.segment(user.id.rawValue)), notice: "user_disabled")
        }
        adminAction(router, "admin/users/:id/enable") { _, context, web, form in
            let user = try await rapport.users.enable(try context.parameters.require("id"), by: web.caller)
            return web.redirect(Self.returnPath(form, fallback: "/admin/users/" + Self.segment(user.id.rawValue)), notice: "user_enabled")
        }
    }

    /// Where a form asks to go back to (`return_to`, a path on this site), or `fallback`.
    static func returnPath(_ form: WebForm, fallback: String) -> String {
        guard let path = form["return_to"] else { return fallback }
        let safe = WebSession.sameOriginPath(path, fallback: "")
        return safe.isEmpty ? fallback : safe
    }
}

/// The choices of a user's role, status and language, worded for the reader.
extension WebContext {
    func roleOptions(chosen: String?, any: Bool = false) -> [WebOption] {
        (any ? [WebOption(value: "", label: text("any_role"), selected: chosen == nil)] : [])
            + WebOption.list(Role.allCases.map { ($0.rawValue, label("role", $0.rawValue)) }, chosen: chosen)
    }

    func localeOptions(chosen: String?) -> [WebOption] {
        WebOption.list([("", text("locale_browser")), ("zh-Hans", "中文（简体）"), ("en", "English")], chosen: chosen ?? "")
    }
}

/// A user as a row of the list.
struct AdminUserRow {
    var id: String
    var name: String
    var email: String
    var role: String
    var teamName: String
    var level: String
    var statusText: String
    var active: Bool
    var lastLogin: String
    var disableConfirm: String
}

extension AdminUserRow {
    init(web: WebContext, user: User, teams: [String: String]) {
        id = user.id.rawValue
        name = user.name
        email = user.email
        role = web.label("role", user.role.rawValue)
        teamName = user.teamID.flatMap { teams[$0.rawValue] } ?? ""
        level = user.repLevel?.rawValue ?? ""
        statusText = web.label("user_status", user.status.rawValue)
        active = user.status == .active
        lastLogin = web.date(user.lastLoginAt)
        disableConfirm = web.text("confirm_disable_user", ["name": user.name])
    }
}

/// The users list with its filters, the next page, and the form to create one.
struct AdminUsersBody {
    var users: [AdminUserRow]
    var q: String
    var roleFilter: [WebOption]
    var teamFilter: [WebOption]
    var statusFilter: [WebOption]
    var nextPage: String?
    var newRoles: [WebOption]
    var newTeams: [WebOption]
    var newLocales: [WebOption]
    var returnTo: String

    init(web: WebContext, users: [User], tree: TeamTree, q: String, role: String?, team: String?, status: String?, nextPage: String?) {
        let names = tree.names
        self.users = users.map { AdminUserRow(web: web, user: $0, teams: names) }
        self.q = q
        roleFilter = web.roleOptions(chosen: role, any: true)
        teamFilter = tree.options(chosen: team, none: web.text("any_team"))
        statusFilter = WebOption.list([("", web.text("any_status")), ("active", web.label("user_status", "active")),
                                       ("disabled", web.label("user_status", "disabled"))], chosen: status ?? "")
        self.nextPage = nextPage
        newRoles = web.roleOptions(chosen: Role.rep.rawValue)
        newTeams = tree.options(chosen: nil, none: web.text("no_team"))
        newLocales = web.localeOptions(chosen: nil)
        returnTo = "/admin/users"
    }
}

/// One user's edit form.
struct AdminUserBody {
    var id: String
    var name: String
    var email: String
    var version: String
    var roles: [WebOption]
    var teams: [WebOption]
    var locales: [WebOption]
    var level: String
    var statusText: String
    var active: Bool
    var lastLogin: String?
    var created: String
    var auditLink: String
    var disableConfirm: String
    var returnTo: String

    init(web: WebContext, user: User, tree: TeamTree) {
        id = user.id.rawValue
        name = user.name
        email = user.email
        version = String(user.version)
        roles = web.roleOptions(chosen: user.role.rawValue)
        teams = tree.options(chosen: user.teamID?.rawValue, none: web.text("no_team"))
        locales = web.localeOptions(chosen: user.locale)
        level = user.repLevel?.rawValue ?? ""
        statusText = web.label("user_status", user.status.rawValue)
        active = user.status == .active
        lastLogin = user.lastLoginAt.map { web.date($0) }
        created = web.date(user.createdAt)
        auditLink = "/admin/audit?object_kind=user&object_id=" + WebPages.segment(user.id.rawValue)
        disableConfirm = web.text("confirm_disable_user", ["name": user.name])
        returnTo = "/admin/users/" + WebPages.segment(user.id.rawValue)
    }
}
