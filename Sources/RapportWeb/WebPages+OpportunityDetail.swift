import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// An opportunity's page and its forms: move to a stage (guard fields filled in the same step;
    /// from the board too), re-open, edit with the version, share and stop sharing. A refused form
    /// re-shows the page with the errors at its inputs (422, or 409 when it changed meanwhile); a
    /// done one redirects with a notice.
    func addOpportunityDetail(to router: Router<APIRequestContext>) {
        page(router, "opportunities/:id") { request, context, web in
            let query = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
            return try await opportunityPage(web, try context.parameters.require("id"), shareQuery: query["share_q"])
        }
        action(router, "opportunities/:id/stage") { request, context, web, form in
            let id = try context.parameters.require("id")
            let target = form["stage"] ?? ""
            let current = try await rapport.opportunities.get(id, by: web.caller)
            let pipeline = try await rapport.opportunities.pipeline(current.opportunity.pipeline, by: web.caller).pipeline
            let dictionary = try await rapport.dictionary.get(DictionaryObject.opportunity.rawValue, by: web.caller).dictionary
            let filling = OpportunityInput(guardsOf: target, in: pipeline, dictionary: dictionary, form: form.pairs)
            do {
                _ = try await rapport.opportunities.move(id, to: target, reason: form["reason"], lossReason: form["loss_reason"],
                                                         filling: filling, by: web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict, .preconditionFailed].contains(error.code) {
                return try await opportunityPage(web, id, refused: LeadFormRefusal(form: "stage:\(target)", error: error, posted: form),
                                                 status: Problem.status(of: error.code))
            }
            return web.redirect(form["return_to"] ?? "/opportunities/" + Self.segment(id), notice: "stage_changed")
        }
        action(router, "opportunities/:id/reopen") { request, context, web, form in
            let id = try context.parameters.require("id")
            do {
                _ = try await rapport.opportunities.reopen(id, to: form["stage"], reason: form["reason"] ?? "", by: web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict, .preconditionFailed].contains(error.code) {
                return try await opportunityPage(web, id, refused: LeadFormRefusal(form: "reopen", error: error, posted: form), status: Problem.status(of: error.code))
            }
            return web.redirect("/opportunities/" + Self.segment(id), notice: "opportunity_reopened")
        }
        action(router, "opportunities/:id/edit") { request, context, web, form in
            let id = try context.parameters.require("id")
            let products = try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
            var input = OpportunityForm.input(form, currency: form["currency"] ?? "CNY", creating: false, products: products)
            input.owner = web.canManage ? form["owner_id"] : nil
            do {
                guard let version = form["version"].flatMap({ Int64($0) }) else {
                    throw RapportError.validation([FieldError(field: "version", code: "required", message: "The form's version is missing.")])
                }
                _ = try await rapport.opportunities.update(id, input, expectedVersion: version, by: web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict, .preconditionFailed].contains(error.code) {
                return try await opportunityPage(web, id, refused: LeadFormRefusal(form: "edit", error: error, posted: form), status: Problem.status(of: error.code))
            }
            return web.redirect("/opportunities/" + Self.segment(id), notice: "opportunity_saved")
        }
        action(router, "opportunities/:id/collaborators") { request, context, web, form in
            let id = try context.parameters.require("id")
            do {
                _ = try await rapport.opportunities.addCollaborator(id, user: form["user_id"] ?? "", access: form["access"] ?? "", by: web.caller)
            } catch let error as RapportError where error.code == .validationFailed {
                return try await opportunityPage(web, id, refused: LeadFormRefusal(form: "share", error: error, posted: form), status: .unprocessableContent,
                                                 shareQuery: form["share_q"])
            }
            return web.redirect("/opportunities/" + Self.segment(id), notice: "collaborator_added")
        }
        action(router, "opportunities/:id/collaborators/:user/delete") { request, context, web, form in
            let id = try context.parameters.require("id")
            try await rapport.opportunities.removeCollaborator(id, user: try context.parameters.require("user"), by: web.caller)
            return web.redirect("/opportunities/" + Self.segment(id), notice: "collaborator_removed")
        }
    }

    /// An opportunity's page as the reader may see it (`not_found` outside their scope). Those who
    /// may change it share it with colleagues found by name (`shareQuery`): anyone active in the
    /// company, the first ``sharePickerSize`` matches in a list.
    func opportunityPage(
        _ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok, shareQuery: String? = nil
    ) async throws -> Response {
        let item = try await rapport.opportunities.get(id, by: web.caller)
        let opportunity = item.opportunity
        let pipelines = try await rapport.opportunities.pipelines(by: web.caller).pipelines
        guard let pipeline = pipelines.first(where: { $0.key == opportunity.pipeline }) else { throw RapportError.notFound("pipeline") }
        let dictionary = try await rapport.dictionary.get(DictionaryObject.opportunity.rawValue, by: web.caller).dictionary
        let history = try await rapport.opportunities.history(id, by: web.caller)
        var wording = OpportunityWording(locale: web.locale, pipelines: pipelines, now: rapport.clock.now())
        try await name([item], into: &wording, web)
        wording.people.merge(try await userNames(Set(history.compactMap(\.by)), web)) { a, _ in a }
        // Whoever may change it: its owner, the owner's managers, administrators, and edit collaborators.
        let mayEdit = try await mayChange(item, web)
        let owners = mayEdit && web.canManage
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items.map { ($0.id.rawValue, $0.name) }
            : []
        let shareQuery = shareQuery.map { String($0.prefix(100)) }.flatMap { $0.isEmpty ? nil : $0 }
        let found = mayEdit ? try await rapport.users.colleagues(matching: shareQuery, page: PageRequest(limit: Self.sharePickerSize), by: web.caller) : nil
        let colleagues = (found?.items ?? []).filter { $0.id != web.user.id }.map { person in
            (person.id.rawValue, person.teamName.map { "\(person.name) · \($0)" } ?? person.name)
        }
        let products = try await rapport.products.list(.init(), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        var data = OpportunityPageData(item: item, pipeline: pipeline, dictionary: dictionary, history: history, wording: wording, mayEdit: mayEdit,
                                       colleagues: colleagues, owners: owners, products: products)
        data.shareQuery = shareQuery ?? ""
        data.moreColleagues = found?.nextCursor != nil
        var body = OpportunityDetailBody(data, locale: web.locale, refused: refused)
        try await addOrders(to: &body, opportunity, web)
        body.tasks = try await taskPanel(web, kind: .opportunity, id: opportunity.id, returnTo: "/opportunities/" + Self.segment(opportunity.id.rawValue))
        return web.page("opportunity", title: opportunity.name, body, status: status)
    }

    /// The orders made from the opportunity, and "Create order" when it is won, has a customer and
    /// no live order yet (for readers who may read and create orders).
    func addOrders(to body: inout OpportunityDetailBody, _ opportunity: Opportunity, _ web: WebContext) async throws {
        guard try await rapport.allows(web.caller, .read, .order) else { return }
        let orders = try await rapport.orders.list(.init(opportunity: opportunity.id.rawValue), page: PageRequest(limit: 20), by: web.caller).items
        let wording = OrderWording(locale: web.locale, now: rapport.clock.now())
        body.orders = orders.map { OrderRow($0, wording: wording) }
        body.hasOrders = !orders.isEmpty
        let mayCreate = try await rapport.allows(web.caller, .create, .order)
        body.mayOrder = mayCreate && opportunity.statusCategory == .won && OpportunityPages.customerID(of: opportunity) != nil
            && !orders.contains { $0.status != .cancelled }
        body.orderTitle = opportunity.name
    }

    /// How many colleagues the share form lists at once; a search by name finds the others.
    static let sharePickerSize = 50

    /// Whether the reader may change the opportunity: its owner (or in their managed subtree, or
    /// an administrator) with a role that changes opportunities, or a collaborator with edit access.
    func mayChange(_ item: OpportunityUseCases.Item, _ web: WebContext) async throws -> Bool {
        guard try await rapport.allows(web.caller, .update, .opportunity) else { return false }
        if item.collaborators.contains(where: { $0.userID == web.user.id }) {
            return item.collaborators.contains { $0.userID == web.user.id && $0.access == .edit }
        }
        return true
    }
}
