import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// Roles and scopes: per role, each object kind's allowed actions and its data scope; the scope
    /// is what administrators may change (the admin role always has everything).
    func addAdminRoles(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/roles") { _, _, web in
            let roles = try await rapport.roles.list(by: web.caller)
            return web.page("admin_roles", title: web.text("admin_roles"), AdminRolesBody(web: web, roles: roles))
        }
        adminAction(router, "admin/roles/:role") { _, context, web, form in
            let role = try context.parameters.require("role")
            let current = try await rapport.roles.get(role, by: web.caller)
            var changed: [String: String] = [:]
            for (kind, scope, _) in current.kinds {
                if let sent = form["scope.\(kind.rawValue)"], sent != (scope?.rawValue ?? "none") { changed[kind.rawValue] = sent }
            }
            // A scope for a kind the role does not list is refused by the use case, as on the API.
            for (name, value) in form.pairs where name.hasPrefix("scope.") && !current.kinds.contains(where: { "scope.\($0.kind.rawValue)" == name }) {
                changed[String(name.dropFirst(6))] = value
            }
            if changed.isEmpty { return web.redirect("/admin/roles", notice: "nothing_changed", anchor: "role-" + role) }
            _ = try await rapport.roles.setScopes(role, changed, by: web.caller)
            return web.redirect("/admin/roles", notice: "saved", anchor: "role-" + role)
        }
    }
}

/// Every role's access as a table per role: kind, allowed actions, scope (a select unless fixed).
struct AdminRolesBody {
    struct Kind {
        var kind: String
        var label: String
        var actions: String
        var scopes: [WebOption]
        var fieldID: String
    }

    struct RoleView {
        var role: String
        var label: String
        var editable: Bool
        var kinds: [Kind]
    }

    var roles: [RoleView]

    init(web: WebContext, roles: [RoleUseCases.RoleAccess]) {
        self.roles = roles.map { access in
            RoleView(role: access.role.rawValue, label: web.label("role", access.role.rawValue), editable: access.role != .admin,
                     kinds: access.kinds.map { kind, scope, actions in
                         Kind(kind: kind.rawValue, label: web.label("kind", kind.rawValue),
                              actions: actions.isEmpty ? "—" : AccessAction.allCases.filter(actions.contains).map { web.label("action", $0.rawValue) }.joined(separator: " · "),
                              scopes: WebOption.list((DataScope.allCases.map(\.rawValue) + ["none"]).map { ($0, web.label("scope", $0)) },
                                                     chosen: scope?.rawValue ?? "none"),
                              fieldID: "scope-\(access.role.rawValue)-\(kind.rawValue)")
                     })
        }
    }
}
