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
        page(router, "leads") { request, context, web in
            let status = request.uri.queryParameters.get("status").flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
            let mine = try await rapport.leads.list(.init(owner: web.caller.principal!.userID.rawValue, status: status), page: PageRequest(limit: 50), by: web.caller)
            let pools = try await rapport.pools.viewable(object: .lead, by: web.caller)
            return web.page("leads", title: web.text("my_leads"), LeadsBody(leads: mine.items, pools: pools, status: status ?? ""))
        }
        page(router, "pools/:id") { request, context, web in
            let pool = try await rapport.pools.get(try context.parameters.require("id"), by: web.caller)
            guard pool.object == .lead else { throw RapportError.notFound("pool") }
            let waiting = try await rapport.pools.waiting(pool.id.rawValue, page: PageRequest(limit: 50), by: web.caller)
            let standing = try await rapport.pools.standing(pool.id.rawValue, by: web.caller)
            return web.page("pool", title: pool.name, PoolBody(locale: web.locale, pool: pool, waiting: waiting.items, standing: standing))
        }
        action(router, "pools/:id/claim") { request, context, web, form in
            let reference = try context.parameters.require("id")
            let ids = form.all("lead_id")
            let path = "/pools/" + Self.segment(reference)
            do {
                _ = try await rapport.pools.claim(reference, leads: ids, by: web.caller)
            } catch let error as RapportError where [.holdingLimitReached, .claimLimitReached, .cooldownActive, .alreadyClaimed, .validationFailed].contains(error.code) {
                return web.redirect(path, notice: error.code.rawValue)
            }
            return web.redirect(path, notice: "claimed")
        }
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
struct LeadsBody {
    var leads: [LeadRow]
    var pools: [PoolLink]
    var status: String

    struct PoolLink {
        var key: String
        var name: String
    }

    init(leads: [Lead], pools: [Pool], status: String) {
        self.leads = leads.map(LeadRow.init)
        self.pools = pools.map { PoolLink(key: $0.key, name: $0.name) }
        self.status = status
    }
}

/// A pool's waiting leads with claim buttons, and where the rep stands.
struct PoolBody {
    var key: String
    var waiting: [LeadRow]
    var standingText: String
    var claimsText: String

    init(locale: Localization.Locale, pool: Pool, waiting: [Lead], standing: PoolUseCases.Standing) {
        key = pool.key
        self.waiting = waiting.map(LeadRow.init)
        standingText = locale.text("holding_of", ["n": String(standing.holding), "limit": standing.holdingLimit.map(String.init) ?? "∞"])
        claimsText = locale.text("claims_left", ["n": standing.claimsLeftToday.map(String.init) ?? "∞"])
    }
}
