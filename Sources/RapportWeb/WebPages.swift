import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

/// The signed-in web pages: sign-in and sign-out with a session cookie and CSRF tokens, and the
/// workbench. Every page goes through the same use cases as the API, as the signed-in user.
struct WebPages: Sendable {
    let rapport: Rapport

    /// The most a web form may weigh.
    static let maximumFormBytes = 64 * 1024
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func add(to router: Router<APIRequestContext>) {
        addLeads(to: router)
        addCustomers(to: router)
        addManager(to: router)
        addAdmin(to: router)
        addImports(to: router)
        addQuotes(to: router)
        addOpportunities(to: router)
        addCatalog(to: router)
        addOrders(to: router)
        addPipelineAnalytics(to: router)
        addTasks(to: router)
        addTargets(to: router)
        addPlaybooks(to: router)
        addReports(to: router)
        addNotifications(to: router)
        router.get("static/app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: WebStatic.css)))
        }
        router.get("static/app.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: WebStatic.script)))
        }
        router.get("favicon.ico") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "public, max-age=86400"],
                     body: .init(byteBuffer: ByteBuffer(string: WebStatic.icon)))
        }
        router.get("login") { request, context in
            // A reader already signed in goes straight on.
            if try await session(request, context) != nil {
                return Self.redirect(request.uri.queryParameters.get("next").map({ String($0) }) ?? "/workbench")
            }
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            return try loginPage(locale, next: request.uri.queryParameters.get("next"), email: "", error: nil, status: .ok, request: request)
        }
        router.post("login") { request, context in
            var request = request
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            let fields = try await FormBody.fields(&request, limit: Self.maximumFormBytes)
            let next = fields["next"]
            let email = String((fields["email"] ?? "").prefix(320))
            let cookies = request.headers[.cookie]
            guard WebSession.same(fields[WebSession.csrfField], WebSession.cookie(WebSession.loginCSRFCookie, in: cookies)) else {
                return try loginPage(locale, next: next, email: email, error: locale.strings["form_expired"], status: .forbidden, request: request)
            }
            let issued: AuthUseCases.IssuedToken
            do {
                issued = try await rapport.auth.signIn(email: email, password: fields["password"] ?? "", address: context.remoteAddress, channel: "web")
            } catch let error as RapportError {
                let (message, status): (String?, HTTPResponse.Status) = error.code == .rateLimited ? (locale.strings["too_many"], .tooManyRequests)
                    : (locale.strings["bad_credentials"], .unauthorized)
                return try loginPage(locale, next: next, email: email, error: message, status: status, request: request)
            }
            // A session cookie the browser already had (perhaps planted) never survives a sign-in.
            if let old = WebSession.cookie(WebSession.cookie, in: cookies) { try? await rapport.auth.signOut(secret: old, address: context.remoteAddress) }
            let secure = WebSession.isSecure(request)
            var headers: HTTPFields = [.location: WebSession.sameOriginPath(next), .cacheControl: "no-store"]
            headers.append(HTTPField(name: .setCookie, value: WebSession.setCookie(WebSession.cookie, issued.secret, secure: secure)))
            headers.append(HTTPField(name: .setCookie, value: WebSession.setCookie(WebSession.loginCSRFCookie, "", secure: secure, maxAge: 0)))
            return Response(status: .seeOther, headers: headers)
        }
        router.post("logout") { request, context in
            var request = request
            let fields = try await FormBody.fields(&request, limit: Self.maximumFormBytes)
            guard let secret = WebSession.cookie(WebSession.cookie, in: request.headers[.cookie]),
                  WebSession.same(fields[WebSession.csrfField], WebSession.csrfToken(forSession: secret))
            else { return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Forbidden"))) }
            try await rapport.auth.signOut(secret: secret, address: context.remoteAddress)
            var headers: HTTPFields = [.location: "/login", .cacheControl: "no-store"]
            headers.append(HTTPField(name: .setCookie, value: WebSession.setCookie(WebSession.cookie, "", secure: WebSession.isSecure(request), maxAge: 0)))
            return Response(status: .seeOther, headers: headers)
        }
        action(router, "leads/:id/log-call") { request, context, web, form in
            let outcome = form["outcome"].flatMap { ["connected", "no_answer", "busy", "wrong_number"].contains($0) ? $0 : nil }
            _ = try await rapport.leads.logFollowUp(try context.parameters.require("id"), .init(type: "call", outcome: outcome), by: web.caller)
            return web.redirect(form["return_to"] ?? "/workbench", notice: "call_logged")
        }
        action(router, "customers/:id/log-call") { request, context, web, form in
            let outcome = form["outcome"].flatMap { ["connected", "no_answer", "busy", "wrong_number"].contains($0) ? $0 : nil }
            _ = try await rapport.activities.log(.init(customerID: try context.parameters.require("id"), type: "call", direction: "outbound", outcome: outcome),
                                                 by: web.caller)
            return web.redirect(form["return_to"] ?? "/workbench", notice: "call_logged")
        }
        page(router, "workbench") { request, context, web in
            let today = try await rapport.workbench.today(by: web.caller)
            var body = WorkbenchBody(today, locale: web.locale)
            body.tasks = try await workbenchTasks(web)
            body.report = try await workbenchReport(web)
            body.performance = try await workbenchPerformance(web)
            return web.page("workbench", title: web.text("workbench"), body)
        }
    }

    /// The signed-in caller (and the session secret), or nil (signed out, expired, idle too long).
    func session(_ request: Request, _ context: APIRequestContext) async throws -> (Caller, String)? {
        guard let secret = WebSession.cookie(WebSession.cookie, in: request.headers[.cookie]) else { return nil }
        do {
            let principal = try await rapport.auth.authenticateSession(secret: secret, address: context.remoteAddress, idle: WebSession.idleTimeout)
            return (Caller(principal: principal, address: context.remoteAddress, channel: "web"), secret)
        } catch let error as RapportError where error.code == .unauthorized {
            return nil
        }
    }

    func signInFirst(_ request: Request) -> Response {
        let next = WebSession.sameOriginPath(request.uri.path)
        let query = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/workbench"
        return Response(status: .seeOther, headers: [.location: "/login?next=\(query)", .cacheControl: "no-store"])
    }

    func loginPage(_ locale: Localization.Locale, next: String?, email: String, error: String?, status: HTTPResponse.Status, request: Request) throws -> Response {
        let token = WebSession.randomToken()
        let view = PageView(lang: locale.code, strings: locale.strings, title: locale.text("sign_in"), signedIn: false, userName: "", csrf: token,
                            canManage: false, isAdmin: false, notice: nil, noticeIsError: false,
                            body: LoginBody(next: WebSession.sameOriginPath(next), email: email, error: error))
        var response = Self.html(WebTemplates.shared.render(view, template: "login"), locale: locale, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: WebSession.setCookie(WebSession.loginCSRFCookie, token, secure: WebSession.isSecure(request))))
        return response
    }
}

/// The stylesheet and the script, loaded once.
enum WebStatic {
    static let css = load("app", "css")
    static let script = load("app", "js")
    /// The site icon: an "R" on the accent colour, as a tiny SVG.
    static let icon = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1f5fbf\"/><text x=\"16\" y=\"23\" font-size=\"20\" font-family=\"sans-serif\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">R</text></svg>"

    static func load(_ name: String, _ ext: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Static"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text
    }
}

/// The sign-in form.
struct LoginBody {
    var next: String
    var email: String
    var error: String?
}

/// One line of a workbench list, already worded and formatted for the reader's language.
struct WorkbenchItem {
    var title: String
    var detail: String
    /// Where the quick "log a call" form posts (`/leads/{id}/log-call`, `/customers/{id}/log-call`).
    var callPath: String? = nil
    /// The record's own page.
    var link: String? = nil
    /// A unique id for the form's controls.
    var key: String = ""
}

/// The workbench.
struct WorkbenchBody {
    var today: String
    var unreadText: String
    var warnings: [WorkbenchItem]
    var assignments: [WorkbenchItem]
    var waiting: [WorkbenchItem]
    var due: [WorkbenchItem]
    var activities: [WorkbenchItem]
    /// Today's and overdue tasks (nil when the reader's role has no tasks).
    var tasks: WorkbenchTasks?
    /// Today's daily report (nil when the reader's role writes none).
    var report: WorkbenchReport?
    /// This month's attainment and leaderboard place (nil when the reader's role has no figures).
    var performance: WorkbenchPerformance?

    init(_ today: WorkbenchUseCases.Today, locale: Localization.Locale) {
        let strings = locale.strings
        func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }
        let formatter = locale.dateFormatter()
        func record(_ notice: Notice) -> String {
            let name = notice.details["name"].map { " · \($0)" } ?? ""
            return text(notice.objectKind == .customer ? "record_customer" : "record_lead") + name
        }
        self.today = formatter.string(from: today.now)
        unreadText = text("unread", ["n": String(today.unread)])
        warnings = today.warnings.map { warning in
            WorkbenchItem(title: record(warning.notice), detail: warning.daysLeft == 1 ? text("day_left") : text("days_left", ["n": String(warning.daysLeft)]))
        }
        assignments = today.newAssignments.map { notice in
            let how = notice.kind == "handover.received" ? text("handed_over")
                : notice.details["rule"].flatMap { $0.isEmpty ? nil : text("assigned_by_rule", ["rule": $0]) } ?? text("assigned_by_manager")
            return WorkbenchItem(title: record(notice), detail: "\(how) · \(formatter.string(from: notice.createdAt))")
        }
        waiting = today.awaitingFirstTouch.map { lead in
            WorkbenchItem(title: lead.name, detail: [lead.phone, lead.source].compactMap { $0 }.joined(separator: " · ")
                          + " · " + text("waiting_since", ["date": formatter.string(from: lead.assignedAt ?? lead.createdAt)]),
                          callPath: "/leads/\(WebPages.segment(lead.id.rawValue))/log-call", link: "/leads/\(WebPages.segment(lead.id.rawValue))",
                          key: "w-" + lead.id.rawValue)
        }
        due = today.dueForFollowUp.map { item in
            let path = (item.kind == .lead ? "/leads/" : "/customers/") + WebPages.segment(item.id.rawValue)
            let since = item.daysSince == 0 ? text("touched_today") : item.daysSince == 1 ? text("touched_day_ago") : text("touched_days_ago", ["n": String(item.daysSince)])
            return WorkbenchItem(title: item.name, detail: text(item.kind == .lead ? "record_lead" : "record_customer") + " · " + since,
                                 callPath: path + "/log-call", link: path, key: "d-" + item.id.rawValue)
        }
        activities = today.recent.map { touch in
            let outcome = touch.outcome.map { strings["outcome_\($0)"] ?? $0 }
            return WorkbenchItem(title: text("activity_\(touch.type.rawValue)") + ([touch.subject, outcome].compactMap { $0 }.map { " · \($0)" }.joined()),
                                 detail: text(touch.onLead ? "record_lead" : "record_customer") + " · " + formatter.string(from: touch.occurredAt))
        }
    }
}
