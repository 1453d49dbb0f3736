import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// Teams as a tree: create, rename, move under another parent, delete (refused while a team has
    /// subteams or members, and said so).
    func addAdminTeams(to router: Router<APIRequestContext>) {
        adminPage(router, "admin/teams") { _, _, web in
            let tree = TeamTree(try await allTeams(web))
            return web.page("admin_teams", title: web.text("admin_teams"), AdminTeamsBody(web: web, tree: tree))
        }
        adminAction(router, "admin/teams") { _, _, web, form in
            _ = try await rapport.teams.create(.init(key: form["key"] ?? "", name: form["name"] ?? "", parent: form["parent"]), by: web.caller)
            return web.redirect("/admin/teams", notice: "team_created")
        }
        adminAction(router, "admin/teams/:id") { _, context, web, form in
            _ = try await rapport.teams.update(try context.parameters.require("id"), .init(name: form["name"] ?? ""),
                                               expectedVersion: try Self.requiredVersion(form), by: web.caller)
            return web.redirect("/admin/teams", notice: "saved")
        }
        adminAction(router, "admin/teams/move") { _, _, web, form in
            guard let id = form["team"] else {
                throw RapportError.validation([FieldError(field: "team", code: "required", message: "team is required.")])
            }
            _ = try await rapport.teams.update(id, .init(parent: .some(form["parent"])), expectedVersion: nil, by: web.caller)
            return web.redirect("/admin/teams", notice: "team_moved")
        }
        adminAction(router, "admin/teams/:id/delete") { _, context, web, _ in
            do {
                try await rapport.teams.delete(try context.parameters.require("id"), by: web.caller)
            } catch let error as RapportError where error.code == .conflict {
                // The team still has subteams or members: say so on the tree, where they can be moved.
                return web.redirect("/admin/teams", notice: "team_not_empty")
            }
            return web.redirect("/admin/teams", notice: "team_deleted")
        }
    }

    /// The version a form was read at; a form without one is refused (`precondition_required`).
    static func requiredVersion(_ form: WebForm) throws -> Int64 {
        guard let version = AdminForm.version(form) else {
            throw RapportError(.preconditionRequired, "The form did not say which version it changes.")
        }
        return version
    }
}

/// The team tree with a rename and a delete form per team, and the create and move forms.
struct AdminTeamsBody {
    struct Row {
        var id: String
        var key: String
        var name: String
        var version: String
        var depthClass: String
        var deleteConfirm: String
        var renameLabel: String
    }

    var teams: [Row]
    var parents: [WebOption]
    var movable: [WebOption]

    init(web: WebContext, tree: TeamTree) {
        teams = tree.rows.map { row in
            Row(id: row.team.id.rawValue, key: row.team.key, name: row.team.name, version: String(row.team.version),
                depthClass: "depth-\(min(row.depth, 7))", deleteConfirm: web.text("confirm_delete_team", ["name": row.team.name]),
                renameLabel: web.text("rename_team", ["name": row.team.name]))
        }
        parents = tree.options(chosen: nil, none: web.text("no_parent"))
        movable = tree.options(chosen: nil, none: nil)
    }
}
