import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// The routes of the inbox.
    static let notificationPageRoutes: Set<String> = [
        "GET /notifications", "POST /notifications/read", "POST /notifications/preferences",
    ]

    /// The inbox (`/notifications`): unread notices first, then the read ones, each worded in the
    /// reader's language with a link to its record; mark one or all read; where notices go.
    func addNotifications(to router: Router<APIRequestContext>) {
        page(router, "notifications") { request, _, web in
            let query = request.uri.queryParameters
            let unreadCursor = try query.get("unread_cursor").map { try PageCursor(token: String($0)) }
            let readCursor = try query.get("read_cursor").map { try PageCursor(token: String($0)) }
            let unread = try await rapport.notifications.list(unreadOnly: true, page: PageRequest(limit: 50, cursor: unreadCursor), by: web.caller)
            let read = try await rapport.notifications.list(unreadOnly: false, readOnly: true, page: PageRequest(limit: 30, cursor: readCursor), by: web.caller)
            let (preferences, customized) = try await rapport.notifications.preferences(by: web.caller)
            return web.page("notifications", title: web.text("notifications"),
                            NotificationsBody(web: web, unread: unread, read: read, preferences: preferences, customized: customized))
        }
        action(router, "notifications/read") { _, _, web, form in
            let marked = try await rapport.notifications.markRead(form["all"] == "1" ? nil : form.all("id"), by: web.caller)
            return web.redirect("/notifications", notice: marked == 0 ? "nothing_marked" : "marked_read")
        }
        action(router, "notifications/preferences") { _, _, web, form in
            if form["reset"] == "1" {
                _ = try await rapport.notifications.setPreferences(nil, by: web.caller)
                return web.redirect("/notifications#prefs-h", notice: "settings_saved")
            }
            let groups = Dictionary(uniqueKeysWithValues: NoticeGroup.allCases.map { group in
                (group.rawValue, NoticeChannel.allCases.map(\.rawValue).filter { form["\(group.rawValue).\($0)"] == "on" })
            })
            let base = try await rapport.notifications.preferences(by: web.caller).preferences
            let chosen = try NotificationPreferences.parse(email: form["email"], groups: groups, base: base)
            _ = try await rapport.notifications.setPreferences(chosen, by: web.caller)
            return web.redirect("/notifications#prefs-h", notice: "settings_saved")
        }
    }
}
