import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

/// How every signed-in page and form is wired: the session is checked, the reader's language
/// chosen, every posted form's CSRF token checked, and any error shown as a page in the reader's
/// words (never a stack, SQL or another party's data).
extension WebPages {
    /// A signed-in page (GET). Signed-out readers are sent to the sign-in page and back.
    func page(_ router: Router<APIRequestContext>, _ path: RouterPath,
              _ handler: @escaping @Sendable (Request, APIRequestContext, WebContext) async throws -> Response) {
        router.get(path) { request, context in
            guard let web = try await webContext(request, context) else { return signInFirst(request) }
            return await rendering(web, request) { try await handler(request, context, web) }
        }
    }

    /// A signed-in form post (url-encoded, within `limit` bytes) whose CSRF token must match the
    /// session's. A stale or missing token changes nothing and says the form expired.
    func action(_ router: Router<APIRequestContext>, _ path: RouterPath, limit: Int = WebPages.maximumFormBytes,
                _ handler: @escaping @Sendable (Request, APIRequestContext, WebContext, WebForm) async throws -> Response) {
        router.post(path) { request, context in
            var request = request
            let text: String
            do {
                text = try await FormBody.text(&request, limit: limit)
            } catch let error as RapportError {
                let locale = Localization.negotiate(request.headers[.acceptLanguage])
                return Self.messagePage(locale, title: locale.text("error_\(error.code.rawValue)"), status: Problem.status(of: error.code))
            }
            guard let web = try await webContext(request, context) else {
                return Self.redirect("/login")
            }
            let form = WebForm(pairs: FormBody.pairs(text))
            guard WebSession.same(form[WebSession.csrfField], web.csrf) else {
                return errorPage(web, request, RapportError(.forbidden, "The form's token does not match the session."), titleKey: "form_expired")
            }
            return await rendering(web, request) { try await handler(request, context, web, form) }
        }
    }

    /// The signed-in reader of a request, or nil (signed out, expired, idle too long).
    func webContext(_ request: Request, _ context: APIRequestContext) async throws -> WebContext? {
        guard let (caller, secret) = try await session(request, context) else { return nil }
        let user = try await rapport.users.me(caller)
        let locale = user.locale.map(Localization.locale) ?? Localization.negotiate(request.headers[.acceptLanguage])
        var notice: String?
        var noticeIsError = false
        if let code = request.uri.queryParameters.get("notice").map({ String($0) }) {
            if ErrorCode(rawValue: code) != nil {
                notice = locale.strings["error_\(code)"]
                noticeIsError = true
            } else {
                notice = locale.strings["notice_\(code)"]
            }
        }
        return WebContext(caller: caller, secret: secret, user: user, locale: locale, notice: notice, noticeIsError: noticeIsError,
                          seesOpportunities: try await rapport.allows(caller, .read, .opportunity), seesCatalog: try await rapport.allows(caller, .read, .product),
                          seesOrders: try await rapport.allows(caller, .read, .order), unread: try await rapport.notifications.unread(by: caller))
    }

    /// Runs a page's work, turning any error into an error page.
    func rendering(_ web: WebContext, _ request: Request, _ work: () async throws -> Response) async -> Response {
        do {
            return try await work()
        } catch let error as RapportError {
            return errorPage(web, request, error)
        } catch {
            rapport.logger.error("web page failed", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: type(of: error)))])
            return errorPage(web, request, RapportError(.internal, "Something went wrong."))
        }
    }

    /// An error as a page: its title in the reader's words, the invalid fields, and a way back.
    func errorPage(_ web: WebContext, _ request: Request, _ error: RapportError, titleKey: String? = nil) -> Response {
        let title = web.text(titleKey ?? "error_\(error.code.rawValue)")
        let details = error.fieldErrors.map { field in
            web.locale.strings["field_error_\(field.code)"] == nil ? "\(field.field): \(field.message)"
                : web.text("field_error_\(field.code)", ["field": field.field])
        }
        let back = Self.refererPath(request)
        return web.page("message", title: title, MessageBody(message: title, details: details, back: back), status: Problem.status(of: error.code))
    }

    /// The same-origin path of the page that posted (for "back" links), if any.
    static func refererPath(_ request: Request) -> String? {
        guard let referer = request.headers[.referer], let url = URL(string: referer) else { return nil }
        if let host = url.host, let own = request.head.authority?.split(separator: ":").first, host != own { return nil }
        let path = url.path.isEmpty ? "/" : url.path
        let full = url.query.map { path + "?" + $0 } ?? path
        let safe = WebSession.sameOriginPath(full, fallback: "")
        return safe.isEmpty ? nil : safe
    }

    /// A 303 to a path on this site, with an optional notice code for the next page.
    static func redirect(_ path: String, notice: String? = nil) -> Response {
        var target = WebSession.sameOriginPath(path)
        if let notice {
            target += (target.contains("?") ? "&" : "?") + "notice=" + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_-"))) ?? "")
        }
        return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
    }

    /// A page that only says something, for readers who may not be signed in.
    static func messagePage(_ locale: Localization.Locale, title: String, status: HTTPResponse.Status) -> Response {
        let view = PageView(lang: locale.code, strings: locale.strings, title: title, signedIn: false, userName: "", csrf: "",
                            canManage: false, isAdmin: false, notice: nil, noticeIsError: false,
                            body: MessageBody(message: title, details: [], back: nil))
        return html(WebTemplates.shared.render(view, template: "message"), locale: locale, status: status)
    }

    /// An HTML response with the pages' security headers.
    static func html(_ text: String, locale: Localization.Locale, status: HTTPResponse.Status) -> Response {
        Response(status: status,
                 headers: [.contentType: "text/html; charset=utf-8", .contentLanguage: locale.code, .vary: "Accept-Language, Cookie",
                           .cacheControl: "no-store", .contentSecurityPolicy: Self.contentSecurityPolicy,
                           HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "same-origin"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A path segment for a record id or key put into a link.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? ""
    }
}

/// The body of a page that only says something: a title, details, and a way back.
struct MessageBody {
    var message: String
    var details: [String]
    var back: String?
    /// Stored, not computed: templates see only stored properties.
    var hasDetails: Bool

    init(message: String, details: [String], back: String?) {
        self.message = message
        self.details = details
        self.back = back
        hasDetails = !details.isEmpty
    }
}
