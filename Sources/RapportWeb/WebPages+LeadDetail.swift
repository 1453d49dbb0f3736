import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// A lead's page and its forms: log a follow-up, change the status (guards as inputs),
    /// convert into a customer, release to the pool. A refused form re-shows the page with the
    /// errors next to its inputs (422, or 409 when the lead changed meanwhile); a done one
    /// redirects (Post/Redirect/Get) with a notice.
    func addLeadDetail(to router: Router<APIRequestContext>) {
        page(router, "leads/:id") { request, context, web in
            try await leadPage(web, try context.parameters.require("id"))
        }
        action(router, "leads/:id/activities") { request, context, web, form in
            let id = try context.parameters.require("id")
            let type = form["type"] ?? ""
            let input = LeadUseCases.NewFollowUp(type: type, subject: form["subject"], body: form["body"], outcome: form["outcome"])
            do {
                _ = try await rapport.leads.logFollowUp(id, input, by: web.caller)
            } catch let error as RapportError where error.code == .validationFailed {
                return try await leadPage(web, id, refused: LeadFormRefusal(form: "follow_up", error: error, posted: form), status: .unprocessableContent)
            }
            return web.redirect("/leads/" + Self.segment(id), notice: type == "note" ? "note_logged" : "follow_up_logged")
        }
        action(router, "leads/:id/status") { request, context, web, form in
            let id = try context.parameters.require("id")
            let target = form["status"] ?? ""
            let dictionary = try await rapport.dictionary.get("lead", by: web.caller).dictionary
            let filling = LeadInput(guardsOf: target, in: dictionary, form: form.pairs)
            do {
                _ = try await rapport.leads.move(id, to: target, reason: form["reason"], filling: filling, by: web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict, .preconditionFailed].contains(error.code) {
                return try await leadPage(web, id, refused: LeadFormRefusal(form: "status:\(target)", error: error, posted: form),
                                          status: Problem.status(of: error.code))
            }
            return web.redirect("/leads/" + Self.segment(id), notice: "status_changed")
        }
        action(router, "leads/:id/convert") { request, context, web, form in
            let id = try context.parameters.require("id")
            let conversion: LeadUseCases.Conversion
            do {
                conversion = try await rapport.leads.convert(id, by: web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict, .duplicate].contains(error.code) {
                return try await leadPage(web, id, refused: LeadFormRefusal(form: "convert", error: error, posted: form), status: Problem.status(of: error.code))
            }
            let merged = if case .mergedInto = conversion.outcome { true } else { false }
            return web.redirect("/customers/" + Self.segment(conversion.customer.id.rawValue), notice: merged ? "converted_merged" : "converted")
        }
        action(router, "leads/:id/release") { request, context, web, form in
            let id = try context.parameters.require("id")
            do {
                _ = try await rapport.leads.release(id, reason: form["reason"] ?? "", by: web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict].contains(error.code) {
                return try await leadPage(web, id, refused: LeadFormRefusal(form: "release", error: error, posted: form), status: Problem.status(of: error.code))
            }
            return web.redirect("/leads", notice: "released")
        }
    }

    /// A lead's page as the reader may see it: the whole page for a lead in their scope; a preview
    /// with a claim button for one waiting in a pool they may look at; `not_found` otherwise.
    func leadPage(_ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let dictionary = try await rapport.dictionary.get("lead", by: web.caller).dictionary
        let lead: Lead
        do {
            lead = try await rapport.leads.get(id, by: web.caller)
        } catch let error as RapportError where error.code == .notFound {
            let waiting = try await rapport.pools.waitingLead(id, by: web.caller)
            let data = LeadPageData(lead: waiting.lead, dictionary: dictionary, pool: waiting.pool, preview: true)
            return web.page("lead", title: waiting.lead.name, LeadDetailBody(data, locale: web.locale, refused: nil))
        }
        var data = LeadPageData(lead: lead, dictionary: dictionary)
        if let pool = lead.poolID { data.pool = try await rapport.pools.get(pool.rawValue, by: web.caller) }
        data.followUps = try await rapport.leads.followUps(id, page: PageRequest(limit: 100), by: web.caller).items
        data.history = try await rapport.leads.statusHistory(id, by: web.caller)
        data.assignments = try await rapport.leads.assignments(id, by: web.caller)
        let people = Set([lead.ownerID].compactMap { $0 } + data.followUps.compactMap(\.actorID) + data.history.compactMap(\.by)
                         + data.assignments.flatMap { [$0.from, $0.to, $0.by].compactMap { $0 } })
        data.names = try await userNames(people, web)
        data.owner = lead.ownerID.map { data.names[$0] ?? web.text("someone") }
        data.mayEdit = try await rapport.allows(web.caller, .update, .lead)
        var body = LeadDetailBody(data, locale: web.locale, refused: refused)
        body.tasks = try await taskPanel(web, kind: .lead, id: lead.id, returnTo: "/leads/" + Self.segment(lead.id.rawValue))
        return web.page("lead", title: lead.name, body, status: status)
    }
}
