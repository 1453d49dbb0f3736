import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// Everyone's own settings: their name and language (Chinese, English, or the browser's), and
    /// their password (given the current one; this session stays signed in, all others end).
    func addSettings(to router: Router<APIRequestContext>) {
        page(router, "settings") { _, _, web in
            var team: String?
            if let id = web.user.teamID { team = try? await rapport.teams.get(id.rawValue, by: web.caller).name }
            return web.page("settings", title: web.text("settings"), SettingsBody(web: web, teamName: team))
        }
        action(router, "settings") { _, _, web, form in
            _ = try await rapport.users.updateOwnSettings(.init(name: form["name"] ?? "", locale: .some(form["locale"])), by: web.caller)
            return web.redirect("/settings", notice: "settings_saved")
        }
        action(router, "settings/password") { _, _, web, form in
            let new = form["new_password"] ?? ""
            guard new == (form["confirm_password"] ?? "") else {
                throw RapportError.validation([FieldError(field: "confirm_password", code: "mismatch", message: "The new passwords differ.")])
            }
            try await rapport.users.changeOwnPassword(current: form["current_password"] ?? "", new: new, by: web.caller)
            return web.redirect("/settings", notice: "password_changed")
        }
    }
}

/// The settings page.
struct SettingsBody {
    var name: String
    var email: String
    var roleText: String
    var teamName: String?
    var locales: [WebOption]

    init(web: WebContext, teamName: String?) {
        name = web.user.name
        email = web.user.email
        roleText = web.label("role", web.user.role.rawValue)
        self.teamName = teamName
        locales = web.localeOptions(chosen: web.user.locale)
    }
}
