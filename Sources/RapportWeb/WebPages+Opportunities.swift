import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

/// Helpers the opportunity pages share.
enum OpportunityPages {
    /// The most cards a board column shows (the rest are in the list).
    static let cardsPerColumn = 12

    /// An opportunity's customer, if it has one. (Open deals may come without an account: when
    /// `Opportunity.customerID` becomes optional, this is the one line that changes.)
    static func customerID(of opportunity: Opportunity) -> RecordID? { opportunity.customerID }
}

extension WebPages {
    /// The opportunity and catalog pages (listed in ``WebRoutes/pageRoutes``).
    static let opportunityPageRoutes: Set<String> = [
        "GET /opportunities", "GET /opportunities/new", "GET /opportunities/{id}", "POST /opportunities", "POST /opportunities/{id}/stage",
        "POST /opportunities/{id}/reopen", "POST /opportunities/{id}/edit", "POST /opportunities/{id}/collaborators",
        "POST /opportunities/{id}/collaborators/{user}/delete",
        "GET /catalog", "GET /catalog/calculator", "POST /catalog/calculator",
        "POST /catalog/products", "GET /catalog/products/{id}", "POST /catalog/products/{id}", "POST /catalog/products/{id}/archive",
        "GET /catalog/price-books", "POST /catalog/price-books", "GET /catalog/price-books/{id}", "POST /catalog/price-books/{id}",
        "POST /catalog/price-books/{id}/archive",
        "GET /catalog/policies", "POST /catalog/policies", "GET /catalog/policies/{id}", "POST /catalog/policies/{id}", "POST /catalog/policies/{id}/archive",
    ]

    /// The opportunity pages: the pipeline's kanban (or a list with pages), a new opportunity (also
    /// from a customer's page), and each opportunity's page (`addOpportunityDetail`).
    func addOpportunities(to router: Router<APIRequestContext>) {
        page(router, "opportunities") { request, context, web in
            try await opportunitiesPage(web, OpportunityFilters(query: request.uri.query ?? "", canManage: web.canManage))
        }
        page(router, "opportunities/new") { request, context, web in
            let customer = request.uri.queryParameters.get("customer").map { String($0) }
            return try await newOpportunityPage(web, posted: WebForm(pairs: customer.map { [("customer_id", $0)] } ?? []), refused: nil)
        }
        action(router, "opportunities") { request, context, web, form in
            let pipelines = try await rapport.opportunities.pipelines(by: web.caller).pipelines
            let products = try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
            var input = OpportunityForm.input(form, currency: form["currency"] ?? "CNY", creating: true, products: products)
            input.customer = form["customer_id"]
            input.pipeline = form["pipeline"] ?? pipelines.first { !$0.archived }?.key
            input.owner = web.canManage ? form["owner_id"] : nil
            do {
                let created = try await rapport.opportunities.create(input, by: web.caller)
                return web.redirect("/opportunities/" + Self.segment(created.opportunity.id.rawValue), notice: "opportunity_created")
            } catch let error as RapportError where error.code == .validationFailed {
                return try await newOpportunityPage(web, posted: form, refused: LeadFormRefusal(form: "new", error: error, posted: form),
                                                    status: .unprocessableContent)
            }
        }
        addOpportunityDetail(to: router)
    }

    /// The board of the chosen pipeline (or the list), for the reader's filters.
    func opportunitiesPage(_ web: WebContext, _ chosen: OpportunityFilters) async throws -> Response {
        var filters = chosen
        let pipelines = try await rapport.opportunities.pipelines(by: web.caller).pipelines
        let pipeline = pipelines.first { $0.key == filters.pipeline } ?? pipelines.first { !$0.archived } ?? pipelines[0]
        filters.pipeline = pipeline.key
        let me = web.user.id
        let mayUpdate = try await rapport.allows(web.caller, .update, .opportunity)
        var wording = OpportunityWording(locale: web.locale, pipelines: pipelines, now: rapport.clock.now())
        let owners = web.canManage
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : []
        func stageLabel(_ stage: StageDefinition) -> String { stage.label.text(for: web.locale.code) }
        var body = OpportunitiesBody(
            pipelines: pipelines.filter { !$0.archived || $0.key == pipeline.key }.map {
                .init(label: $0.label.text(for: web.locale.code), link: filters.link(pipeline: $0.key, stage: ""), current: $0.key == pipeline.key)
            },
            pipeline: pipeline.key, isBoard: filters.view == "board", boardLink: filters.link(view: "board"), listLink: filters.link(view: "list"),
            canManage: web.canManage,
            whose: WebOption.list([("mine", web.text("mine")), ("all", web.text(web.canManage ? "my_team" : "opp_all_visible"))], chosen: filters.whose),
            owners: WebOption.list([("", web.text("opp_any_owner"))] + owners.map { ($0.id.rawValue, $0.name) }, chosen: filters.owner),
            hasOwners: !owners.isEmpty,
            stages: WebOption.list([("", web.text("all_stages"))] + pipeline.stages.map { ($0.key, stageLabel($0)) }, chosen: filters.stage),
            statuses: WebOption.list([("", web.text("opp_any_status")), ("open", web.text("opp_status_open")), ("won", web.text("opp_status_won")),
                                      ("lost", web.text("opp_status_lost"))], chosen: filters.status),
            q: filters.q, returnTo: filters.link(), mayCreate: try await rapport.allows(web.caller, .create, .opportunity))
        if filters.view == "board" {
            let board = try await rapport.opportunities.board(pipeline.key, owner: filters.ownerID(me: me), cards: OpportunityPages.cardsPerColumn, by: web.caller)
            let items = board.cards.values.flatMap { $0 }
            try await name(items, into: &wording, web)
            body.columns = board.summary.columns.map { column in
                let cards = (board.cards[column.stage.key] ?? []).map { OpportunityCard($0, wording: wording, mayMove: mayUpdate) }
                return .init(key: column.stage.key, label: stageLabel(column.stage), probability: web.locale.percent(Double(column.probability) / 100),
                             count: web.locale.number(column.count), amount: wording.money(column.amount), weighted: wording.money(column.weighted),
                             cards: cards, hasCards: !cards.isEmpty,
                             more: column.count > cards.count ? filters.link(view: "list", stage: column.stage.key) : nil)
            }
            body.openSummary = web.text("opp_open_summary", ["n": web.locale.number(board.summary.openCount), "amount": wording.money(board.summary.openAmount),
                                                             "weighted": wording.money(board.summary.openWeighted)])
        } else {
            let cursor = try filters.cursor.map { try PageCursor(token: $0) }
            let page = try await rapport.opportunities.list(filters.listQuery(me: me), page: PageRequest(limit: 50, cursor: cursor), by: web.caller)
            try await name(page.items, into: &wording, web)
            body.rows = page.items.map { OpportunityCard($0, wording: wording, mayMove: false) }
            body.next = page.nextCursor.map { filters.link() + "&cursor=" + SavedView.encode($0.token) }
        }
        return web.page("opportunities", title: web.text("opportunities"), body)
    }

    /// Looks up the names of the owners and customers of `items` the reader may see.
    func name(_ items: [OpportunityUseCases.Item], into wording: inout OpportunityWording, _ web: WebContext) async throws {
        let people = Set(items.map(\.opportunity.ownerID) + items.flatMap { $0.collaborators.map(\.userID) })
        wording.people.merge(try await userNames(people, web)) { a, _ in a }
        // Owners and collaborators of other teams (a deal shared across teams): their names as the
        // colleague directory shows them to anyone.
        let unnamed = people.filter { wording.people[$0] == nil }
        wording.people.merge(try await rapport.users.colleagueNames(unnamed, by: web.caller)) { a, _ in a }
        wording.customers.merge(try await customerNames(Set(items.compactMap { OpportunityPages.customerID(of: $0.opportunity) }), web)) { a, _ in a }
    }

    /// The names of the customers `ids` the reader may see (the others are left out).
    func customerNames(_ ids: Set<RecordID>, _ web: WebContext) async throws -> [RecordID: String] {
        var names: [RecordID: String] = [:]
        for id in ids.sorted() {
            do {
                names[id] = try await rapport.customers.get(id.rawValue, by: web.caller).name
            } catch let error as RapportError where error.code == .notFound || error.code == .forbidden {
                continue
            }
        }
        return names
    }

    /// The new-opportunity form, filled with what was posted (and the refusal, if any).
    func newOpportunityPage(_ web: WebContext, posted: WebForm, refused: LeadFormRefusal?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let pipelines = try await rapport.opportunities.pipelines(by: web.caller).pipelines.filter { !$0.archived }
        var customerName: String?
        if let id = posted["customer_id"] {
            customerName = try? await rapport.customers.get(id, by: web.caller).name
        }
        let owners = web.canManage
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : []
        let products = try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let body = NewOpportunityBody(web: web, posted: posted, refused: refused, pipelines: pipelines, customerName: customerName,
                                      owners: owners.map { ($0.id.rawValue, $0.name) }, products: products)
        return web.page("opportunity_new", title: web.text("new_opportunity"), body, status: status)
    }
}
