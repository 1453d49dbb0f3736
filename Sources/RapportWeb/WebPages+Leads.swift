import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// The leads pages: the rep's own leads, the pools they may claim from, a pool's waiting
    /// leads with claim buttons and where the rep stands (holding vs limit, claims left today).
    func addLeads(to router: Router<APIRequestContext>) {
        router.get("leads") { request, context in
            guard let (caller, secret) = try await session(request, context) else { return signInFirst(request) }
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            let status = request.uri.queryParameters.get("status").flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            let mine = try await rapport.leads.list(.init(owner: caller.principal!.userID.rawValue, status: status), page: PageRequest(limit: 50), by: caller)
            let pools = try await rapport.pools.list(object: .lead, by: caller)
            let page = LeadsPage(locale: locale, userName: try await userName(caller), csrf: WebSession.csrfToken(forSession: secret),
                                 leads: mine.items, pools: pools, status: status ?? "")
            return html(WebTemplates.shared.render(page, template: "leads"), locale: locale, status: .ok)
        }
        router.get("pools/:id") { request, context in
            guard let (caller, secret) = try await session(request, context) else { return signInFirst(request) }
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            let reference = try context.parameters.require("id")
            let pool = try await rapport.pools.get(reference, by: caller)
            guard pool.object == .lead else { throw RapportError.notFound("pool") }
            let waiting = try await rapport.pools.waiting(pool.id.rawValue, page: PageRequest(limit: 50), by: caller)
            let standing = try await rapport.pools.standing(pool.id.rawValue, by: caller)
            let notice = request.uri.queryParameters.get("result").map { String($0) }
            let page = PoolPage(locale: locale, userName: try await userName(caller), csrf: WebSession.csrfToken(forSession: secret), pool: pool,
                                waiting: waiting.items, standing: standing, result: notice)
            return html(WebTemplates.shared.render(page, template: "pool"), locale: locale, status: .ok)
        }
        router.post("pools/:id/claim") { request, context in
            var request = request
            let body = try await FormBody.text(&request, limit: Self.maximumFormBytes)
            guard let (caller, secret) = try await session(request, context) else { return signInFirst(request) }
            let pairs = FormBody.pairs(body)
            guard WebSession.same(pairs.last { $0.0 == WebSession.csrfField }?.1, WebSession.csrfToken(forSession: secret)) else { return forbidden() }
            let reference = try context.parameters.require("id")
            let ids = pairs.filter { $0.0 == "lead_id" }.map(\.1)
            var result = "claimed"
            do {
                _ = try await rapport.pools.claim(reference, leads: ids, by: caller)
            } catch let error as RapportError where [.holdingLimitReached, .claimLimitReached, .cooldownActive, .alreadyClaimed, .validationFailed].contains(error.code) {
                result = error.code.rawValue
            }
            let path = "/pools/" + (reference.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? "")
            return Response(status: .seeOther, headers: [.location: "\(path)?result=\(result)", .cacheControl: "no-store"])
        }
    }

    func userName(_ caller: Caller) async throws -> String {
        try await rapport.users.get(caller.principal!.userID.rawValue, by: caller).name
    }

    func forbidden() -> Response {
        Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Forbidden")))
    }
}

/// A lead as a row of a page: masked contacts, the status in the reader's words.
struct LeadRow {
    var id: String
    var name: String
    var contact: String
    var source: String
    var status: String
}

extension LeadRow {
    init(_ lead: Lead) {
        id = lead.id.rawValue
        name = lead.name
        contact = [lead.phone, lead.email].compactMap { $0 }.joined(separator: " · ")
        source = lead.source ?? ""
        status = lead.status
    }
}

/// The rep's leads.
struct LeadsPage {
    var lang: String
    var strings: [String: String]
    var title: String
    var signedIn = true
    var userName: String
    var csrf: String
    var leads: [LeadRow]
    var pools: [PoolLink]
    var status: String

    struct PoolLink {
        var key: String
        var name: String
    }

    init(locale: Localization.Locale, userName: String, csrf: String, leads: [Lead], pools: [Pool], status: String) {
        lang = locale.code
        strings = locale.strings
        title = locale.strings["my_leads"] ?? "Leads"
        self.userName = userName
        self.csrf = csrf
        self.leads = leads.map(LeadRow.init)
        self.pools = pools.map { PoolLink(key: $0.key, name: $0.name) }
        self.status = status
    }
}

/// A pool's waiting leads with claim buttons, and where the rep stands.
struct PoolPage {
    var lang: String
    var strings: [String: String]
    var title: String
    var signedIn = true
    var userName: String
    var csrf: String
    var key: String
    var waiting: [LeadRow]
    var standingText: String
    var claimsText: String
    var result: String?
    var resultIsError: Bool

    init(locale: Localization.Locale, userName: String, csrf: String, pool: Pool, waiting: [Lead], standing: PoolUseCases.Standing, result: String?) {
        let strings = locale.strings
        func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }
        lang = locale.code
        self.strings = strings
        title = pool.name
        self.userName = userName
        self.csrf = csrf
        key = pool.key
        self.waiting = waiting.map(LeadRow.init)
        standingText = text("holding_of", ["n": String(standing.holding), "limit": standing.holdingLimit.map(String.init) ?? "∞"])
        claimsText = text("claims_left", ["n": standing.claimsLeftToday.map(String.init) ?? "∞"])
        // Only known outcome codes are shown, in the reader's words (nothing from the URL is echoed).
        let known = ["claimed", "holding_limit_reached", "claim_limit_reached", "cooldown_active", "already_claimed", "validation_failed"]
        self.result = result.flatMap { known.contains($0) ? strings["claim_\($0)"] : nil }
        resultIsError = result != "claimed"
    }
}
