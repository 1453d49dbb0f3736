import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

/// A signed-in page request: who asks, in which language (their setting, then the browser's),
/// and the token every form of the page carries.
struct WebContext: Sendable {
    let caller: Caller
    let secret: String
    let user: User
    let locale: Localization.Locale
    /// A short notice for the top of the page (`?notice=code`), in the reader's words; only known
    /// codes are shown, so nothing from the address is ever echoed.
    let notice: String?
    let noticeIsError: Bool
    /// Whether the header links to the opportunities and the catalog (roles that may read them).
    var seesOpportunities = false
    var seesCatalog = false
    /// Whether the header links to the orders (roles that may read them).
    var seesOrders = false
    /// The reader's unread notices (the header's count).
    var unread = 0

    /// The CSRF token every form of this session carries.
    var csrf: String { WebSession.csrfToken(forSession: secret) }
    var role: Role { caller.principal!.role }
    /// Managers and administrators see the team pages (turnover, funnel, holdings, handover).
    var canManage: Bool { role == .admin || role == .manager }
    var isAdmin: Bool { role == .admin }

    /// The string `key` in the reader's language, with `{name}` placeholders filled.
    func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }

    /// A full page: the shared header (navigation by role, sign-out, notice) around `body`,
    /// rendered by `template` (which wraps its content in `{{#body}}…{{/body}}`).
    func page<Body>(_ template: String, title: String, _ body: Body, status: HTTPResponse.Status = .ok) -> Response {
        let view = PageView(lang: locale.code, strings: locale.strings, title: title, signedIn: true, userName: user.name, csrf: csrf,
                            canManage: canManage, isAdmin: isAdmin, notice: notice, noticeIsError: noticeIsError,
                            seesOpportunities: seesOpportunities, seesCatalog: seesCatalog, seesOrders: seesOrders,
                            hasUnread: unread > 0, unreadText: locale.number(unread), body: body)
        return WebPages.html(WebTemplates.shared.render(view, template: template), locale: locale, status: status)
    }

    /// A 303 to a path on this site, with an optional notice code for the next page.
    func redirect(_ path: String, notice: String? = nil) -> Response {
        WebPages.redirect(path, notice: notice)
    }
}

/// What every page's template sees: the header's values, and the page's own `body`.
struct PageView<Body> {
    var lang: String
    var strings: [String: String]
    var title: String
    var signedIn: Bool
    var userName: String
    var csrf: String
    var canManage: Bool
    var isAdmin: Bool
    var notice: String?
    var noticeIsError: Bool
    var seesOpportunities = false
    var seesCatalog = false
    var seesOrders = false
    var hasUnread = false
    var unreadText = ""
    var body: Body
}

/// A posted form: every name and value in order (repeated names kept, for checkboxes).
struct WebForm: Sendable {
    let pairs: [(String, String)]

    init(pairs: [(String, String)]) { self.pairs = pairs }

    /// The last value posted under `name`, trimmed; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = pairs.last(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value posted under `name`, in order (blank ones dropped).
    func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}

/// A page value for a `<select>`: the options with the chosen one marked.
struct WebOption: Sendable {
    var value: String
    var label: String
    var selected: Bool

    /// Options from (value, label) pairs, marking `chosen`.
    static func list(_ items: [(String, String)], chosen: String?) -> [WebOption] {
        items.map { WebOption(value: $0.0, label: $0.1, selected: $0.0 == chosen) }
    }
}
