import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// The leads pages: the list (filters, saved views, mine or my team, pages), the pools the
    /// reader may claim from, a pool's waiting leads with claim buttons and where the rep stands
    /// (holding vs limit, claims left today), and each lead's page (`addLeadDetail`).
    func addLeads(to router: Router<APIRequestContext>) {
        page(router, "leads") { request, context, web in
            try await leadsPage(web, query: request.uri.query ?? "", cursor: request.uri.queryParameters.get("cursor").map { String($0) })
        }
        action(router, "leads/views") { request, context, web, form in
            let filters = LeadFilters(query: form["query"] ?? "", canManage: web.canManage, locale: web.locale)
            do {
                let view = try await rapport.savedViews.create(.init(object: "lead", name: form["name"], query: filters.query), by: web.caller)
                return web.redirect("/leads" + (view.query.isEmpty ? "" : "?" + view.query), notice: "view_saved")
            } catch let error as RapportError where error.code == .validationFailed || error.code == .duplicate {
                let refusal = LeadFormRefusal(form: "save_view", error: error, posted: form)
                let message = refusal.message(for: "name", label: web.text("view_name"), locale: web.locale) ?? refusal.summary(shown: [], locale: web.locale)
                return try await leadsPage(web, query: filters.query, cursor: nil, saving: (form["name"] ?? "", message),
                                           status: Problem.status(of: error.code))
            }
        }
        action(router, "leads/views/:id/delete") { request, context, web, form in
            try await rapport.savedViews.delete(try context.parameters.require("id"), by: web.caller)
            return web.redirect("/leads", notice: "view_deleted")
        }
        page(router, "pools/:id") { request, context, web in
            let pool = try await rapport.pools.get(try context.parameters.require("id"), by: web.caller)
            guard pool.object == .lead else { throw RapportError.notFound("pool") }
            let waiting = try await rapport.pools.waiting(pool.id.rawValue, page: PageRequest(limit: 50), by: web.caller)
            let standing = try await rapport.pools.standing(pool.id.rawValue, by: web.caller)
            let labels = StageLabels(try await rapport.dictionary.get("lead", by: web.caller).dictionary, locale: web.locale)
            return web.page("pool", title: pool.name, PoolBody(locale: web.locale, pool: pool, waiting: waiting.items, standing: standing, labels: labels))
        }
        action(router, "pools/:id/claim") { request, context, web, form in
            let reference = try context.parameters.require("id")
            let ids = form.all("lead_id")
            // A claim from a lead's own page goes back there; from the pool page, to the pool.
            let path = form["return_to"].map { WebSession.sameOriginPath($0) } ?? "/pools/" + Self.segment(reference)
            do {
                _ = try await rapport.pools.claim(reference, leads: ids, by: web.caller)
            } catch let error as RapportError where [.holdingLimitReached, .claimLimitReached, .cooldownActive, .alreadyClaimed, .validationFailed].contains(error.code) {
                return web.redirect(path, notice: error.code.rawValue)
            }
            return web.redirect(path, notice: "claimed")
        }
        addLeadDetail(to: router)
    }

    /// The leads list for the filters of `query`, one page (50) from `cursor`. `saving` re-shows a
    /// refused "save this view" with its name and what was wrong.
    func leadsPage(_ web: WebContext, query raw: String, cursor: String?, saving: (name: String, error: String)? = nil,
                   status: HTTPResponse.Status = .ok) async throws -> Response {
        let filters = LeadFilters(query: raw, canManage: web.canManage, locale: web.locale)
        let dictionary = try await rapport.dictionary.get("lead", by: web.caller).dictionary
        let labels = StageLabels(dictionary, locale: web.locale)
        let views = try await rapport.savedViews.list(object: "lead", by: web.caller)
        let pools = try await rapport.pools.viewable(object: .lead, by: web.caller)
        var leads: [Lead] = []
        var next: String?
        var status = status
        if filters.errors.isEmpty {
            let page = try await rapport.leads.list(filters.listQuery(me: web.caller.principal!.userID),
                                                    page: PageRequest(limit: 50, cursor: try cursor.map { try PageCursor(token: $0) }), by: web.caller)
            leads = page.items
            next = page.nextCursor.map { "/leads?" + (filters.query.isEmpty ? "" : filters.query + "&") + "cursor=" + SavedView.encode($0.token) }
        } else {
            status = .unprocessableContent
        }
        let owners = filters.scope == "team" ? try await userNames(Set(leads.compactMap(\.ownerID)), web) : [:]
        let formatter = web.locale.dateFormatter()
        let never = web.text("never")
        let rows = leads.map { lead in
            LeadRow(lead, labels: labels, formatter: formatter, never: never,
                    owner: lead.ownerID.map { owners[$0] ?? web.text("someone") } ?? web.text("nobody_in_pool"))
        }
        let query = filters.query
        let tabs = views.map { view in
            LeadsBody.Tab(id: view.id.rawValue, name: view.name, link: "/leads" + (view.query.isEmpty ? "" : "?" + view.query), current: view.query == query)
        }
        let statuses = WebOption.list([("", web.text("all_statuses"))] + dictionary.stages.map { ($0.key, labels[$0.key]) }, chosen: filters.status)
        let body = LeadsBody(
            heading: web.text(filters.scope == "team" ? (web.isAdmin ? "all_leads" : "team_leads") : "my_leads"), canManage: web.canManage,
            team: filters.scope == "team", q: filters.q, source: filters.source, createdFrom: filters.createdFrom, createdTo: filters.createdTo,
            quietDays: filters.quietDays, statuses: statuses, errors: filters.errors, hasErrors: !filters.errors.isEmpty, views: tabs,
            allCurrent: !tabs.contains(where: \.current) && !filters.isFiltered && filters.scope == "mine",
            teamCurrent: !tabs.contains(where: \.current) && !filters.isFiltered && filters.scope == "team", query: query,
            saveName: saving?.name ?? "", saveError: saving?.error, leads: rows, next: next,
            pools: pools.map { LeadsBody.PoolLink(key: $0.key, name: $0.name) })
        return web.page("leads", title: body.heading, body, status: status)
    }

    /// The names of the users `ids` the reader may see (the others are left out).
    func userNames(_ ids: Set<RecordID>, _ web: WebContext) async throws -> [RecordID: String] {
        var names: [RecordID: String] = [:]
        for id in ids.sorted() {
            if id == web.user.id {
                names[id] = web.user.name
                continue
            }
            do {
                names[id] = try await rapport.users.get(id.rawValue, by: web.caller).name
            } catch let error as RapportError where error.code == .notFound || error.code == .forbidden {
                continue  // someone outside the reader's scope: shown as "someone"
            }
        }
        return names
    }
}
