import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// The administrators' pages: users, teams, roles and scopes, the business dictionary, pools and
    /// assignment rules, and the audit log. Everyone else gets the forbidden page (and no link); the
    /// use cases check again, and write the audit log for every change.
    func addAdmin(to router: Router<APIRequestContext>) {
        adminPage(router, "admin") { _, _, web in
            let sections = ["users", "teams", "roles", "dictionary", "pools", "assignment-rules", "webhooks", "audit"].map { key in
                AdminIndexBody.Section(path: "/admin/" + key, title: web.text("admin_\(key.replacingOccurrences(of: "-", with: "_"))"),
                                       summary: web.text("admin_\(key.replacingOccurrences(of: "-", with: "_"))_summary"))
            }
            return web.page("admin", title: web.text("admin"), AdminIndexBody(sections: sections))
        }
        addAdminUsers(to: router)
        addAdminTeams(to: router)
        addAdminRoles(to: router)
        addAdminDictionary(to: router)
        addAdminPools(to: router)
        addAdminRules(to: router)
        addAdminAudit(to: router)
        addAdminWebhooks(to: router)
        addSettings(to: router)
    }

    /// An administrators' page: anyone else gets the forbidden page.
    func adminPage(_ router: Router<APIRequestContext>, _ path: RouterPath,
                   _ handler: @escaping @Sendable (Request, APIRequestContext, WebContext) async throws -> Response) {
        page(router, path) { request, context, web in
            try Self.requireAdmin(web)
            return try await handler(request, context, web)
        }
    }

    /// An administrators' form post (CSRF-checked): anyone else gets the forbidden page, nothing changes.
    func adminAction(_ router: Router<APIRequestContext>, _ path: RouterPath,
                     _ handler: @escaping @Sendable (Request, APIRequestContext, WebContext, WebForm) async throws -> Response) {
        action(router, path) { request, context, web, form in
            try Self.requireAdmin(web)
            return try await handler(request, context, web, form)
        }
    }

    /// The admin and settings pages (listed in ``WebRoutes/pageRoutes``).
    static let adminPageRoutes: Set<String> = [
        "GET /admin",
        "GET /admin/users",
        "POST /admin/users",
        "GET /admin/users/{id}",
        "POST /admin/users/{id}",
        "POST /admin/users/{id}/disable",
        "POST /admin/users/{id}/enable",
        "GET /admin/teams",
        "POST /admin/teams",
        "POST /admin/teams/{id}",
        "POST /admin/teams/move",
        "POST /admin/teams/{id}/delete",
        "GET /admin/roles",
        "POST /admin/roles/{role}",
        "GET /admin/dictionary",
        "GET /admin/dictionary/{object}",
        "POST /admin/dictionary/{object}/stages",
        "POST /admin/dictionary/{object}/stages/{key}",
        "POST /admin/dictionary/{object}/stages/{key}/move",
        "POST /admin/dictionary/{object}/stages/{key}/remove",
        "POST /admin/dictionary/{object}/initial",
        "POST /admin/dictionary/{object}/fields",
        "POST /admin/dictionary/{object}/fields/{key}",
        "POST /admin/dictionary/{object}/fields/{key}/move",
        "POST /admin/dictionary/{object}/fields/{key}/remove",
        "GET /admin/pools",
        "POST /admin/pools",
        "GET /admin/pools/{id}",
        "POST /admin/pools/{id}",
        "POST /admin/pools/{id}/archive",
        "POST /admin/pools/{id}/restore",
        "GET /admin/assignment-rules",
        "GET /admin/assignment-rules/test",
        "POST /admin/assignment-rules",
        "GET /admin/assignment-rules/{id}",
        "POST /admin/assignment-rules/{id}",
        "POST /admin/assignment-rules/{id}/enable",
        "POST /admin/assignment-rules/{id}/disable",
        "POST /admin/assignment-rules/{id}/move",
        "POST /admin/assignment-rules/{id}/delete",
        "GET /admin/audit",
        "GET /settings",
        "POST /settings",
        "POST /settings/password",
    ]

    static func requireAdmin(_ web: WebContext) throws {
        guard web.isAdmin else { throw RapportError(.forbidden, "Only administrators may use the admin pages.") }
    }

    /// Every team the caller may see (pages of 500), for pickers and the tree.
    func allTeams(_ web: WebContext) async throws -> [Team] {
        var teams: [Team] = []
        var cursor: PageCursor?
        repeat {
            let page = try await rapport.teams.list(parent: nil, page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), by: web.caller)
            teams += page.items
            cursor = page.nextCursor
        } while cursor != nil && teams.count < 20_000
        return teams
    }
}

/// Small shared pieces of the admin pages.
extension WebContext {
    /// The reader's words for `prefix_key` (`role_admin`), or the key itself when there are none.
    func label(_ prefix: String, _ key: String) -> String { locale.strings["\(prefix)_\(key)"] ?? key }

    /// A 303 to `path` with a notice, then to `anchor` on that page (the notice must precede the `#`).
    func redirect(_ path: String, notice: String, anchor: String) -> Response {
        var response = WebPages.redirect(path, notice: notice)
        if let location = response.headers[.location] { response.headers[.location] = location + "#" + WebPages.segment(anchor) }
        return response
    }

    /// A date and time for the reader, or "" for none.
    func date(_ date: Date?) -> String { date.map { locale.dateFormatter().string(from: $0) } ?? "" }
}

/// Teams in tree order (each parent before its children, siblings by name), with their depth.
struct TeamTree {
    var rows: [(team: Team, depth: Int)]

    init(_ teams: [Team]) {
        let children = Dictionary(grouping: teams) { $0.parentID?.rawValue ?? "" }
        let known = Set(teams.map(\.id.rawValue))
        var rows: [(Team, Int)] = []
        func visit(_ team: Team, _ depth: Int) {
            rows.append((team, depth))
            for child in (children[team.id.rawValue] ?? []).sorted(by: Self.byName) { visit(child, depth + 1) }
        }
        // Roots, and teams whose parent is outside what the caller sees.
        for root in teams.filter({ $0.parentID.map { !known.contains($0.rawValue) } ?? true }).sorted(by: Self.byName) { visit(root, 0) }
        self.rows = rows
    }

    static func byName(_ a: Team, _ b: Team) -> Bool { a.name.localizedStandardCompare(b.name) == .orderedAscending }

    /// Options for a team `<select>`, indented by depth, with an empty first choice labelled `none`.
    func options(chosen: String?, none: String?) -> [WebOption] {
        let first = none.map { [WebOption(value: "", label: $0, selected: chosen == nil || chosen == "")] } ?? []
        return first + rows.map { row in
            WebOption(value: row.team.id.rawValue, label: String(repeating: "— ", count: row.depth) + row.team.name, selected: row.team.id.rawValue == chosen)
        }
    }

    /// Team names by id.
    var names: [String: String] { Dictionary(rows.map { ($0.team.id.rawValue, $0.team.name) }, uniquingKeysWith: { a, _ in a }) }
}

/// Parsing form values the admin pages share.
enum AdminForm {
    /// A whole number from a form field; nil for blank. A value that is not a number is a field error.
    static func integer(_ form: WebForm, _ name: String, into check: inout Validator) -> Int? {
        guard let text = form[name] else { return nil }
        guard let value = Int(text) else {
            check.add(name, "invalid", "\(name) is not a whole number.")
            return nil
        }
        return value
    }

    /// `level=number` pairs separated by commas or new lines (`senior=300, junior=100`).
    static func levels(_ form: WebForm, _ name: String, into check: inout Validator) -> [String: Int] {
        var result: [String: Int] = [:]
        for part in (form[name] ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" }) {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, let value = Int(pair[1]) else {
                check.add(name, "invalid", "\(name) is a list of level=number.")
                continue
            }
            result[pair[0]] = value
        }
        return result
    }

    /// The text form of `levels` for a field.
    static func levelsText(_ levels: [String: Int]) -> String {
        levels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    /// A version a form carried (`version`), for stale-form refusals.
    static func version(_ form: WebForm) -> Int64? { form["version"].flatMap { Int64($0) } }

    /// A query parameter, trimmed and at most `limit` characters; nil for blank.
    /// Read as a browser's GET form sends it (`+` is a space).
    static func query(_ request: Request, _ name: String, limit: Int = 200) -> String? {
        guard let value = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))[name] else { return nil }
        let text = String(value.prefix(limit)).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The page request of a list page (`?cursor=`), with a fixed page size.
    static func page(_ request: Request, limit: Int = 50) throws -> PageRequest {
        try PageRequest.parse(limit: String(limit), cursor: query(request, "cursor", limit: 400))
    }

    /// The link to the next page: this path and its query with `cursor` replaced.
    static func next(_ request: Request, _ cursor: PageCursor?) -> String? {
        guard let cursor else { return nil }
        var items = URLComponents(string: request.uri.description)?.queryItems ?? []
        items.removeAll { $0.name == "cursor" || $0.name == "notice" }
        items.append(URLQueryItem(name: "cursor", value: cursor.token))
        var components = URLComponents()
        components.path = request.uri.path
        components.queryItems = items
        return components.string
    }
}

/// The admin start page.
struct AdminIndexBody {
    struct Section {
        var path: String
        var title: String
        var summary: String
    }

    var sections: [Section]
}
