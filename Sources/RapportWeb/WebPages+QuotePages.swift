import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The quote pages (listed in ``WebRoutes/pageRoutes``).
    static let quotePageRoutes: Set<String> = [
        "GET /quotes", "GET /quotes/approvals", "GET /quotes/{id}", "GET /quotes/{id}/print", "GET /opportunities/{id}/quotes/new",
        "POST /opportunities/{id}/quotes", "POST /quotes/{id}/revise", "POST /quotes/{id}/submit", "POST /quotes/{id}/approve", "POST /quotes/{id}/reject",
        "POST /quotes/{id}/send", "POST /quotes/{id}/accept", "POST /quotes/{id}/decline", "POST /quotes/{id}/orders",
    ]

    /// The quote list (status, whose and owner filters, pages), the approval inbox, a new quote
    /// from an opportunity's page, and each quote's page with its actions (`addQuoteActions`).
    func addQuotePages(to router: Router<APIRequestContext>) {
        page(router, "quotes") { request, _, web in
            try await quotesPage(web, QuoteFilters(query: request.uri.query ?? "", canManage: web.canManage))
        }
        page(router, "quotes/approvals") { request, _, web in
            let cursor = try request.uri.queryParameters.get("cursor").map { try PageCursor(token: String($0)) }
            let page = try await rapport.quotes.approvalInbox(page: PageRequest(limit: 50, cursor: cursor), by: web.caller)
            var wording = try await quoteWording(page.items, web)
            for item in page.items { wording.people.merge(try await rapport.quotes.names(in: item)) { _, named in named } }
            let body = QuoteInboxBody(rows: page.items.map { QuoteRow($0, wording: wording) },
                                      next: page.nextCursor.map { "/quotes/approvals?cursor=" + SavedView.encode($0.token) }, returnTo: "/quotes/approvals")
            return web.page("quote_approvals", title: web.text("quote_inbox"), body)
        }
        page(router, "quotes/:id") { _, context, web in
            try await quotePage(web, try context.parameters.require("id"))
        }
        page(router, "opportunities/:id/quotes/new") { _, context, web in
            try await newQuotePage(web, try context.parameters.require("id"), posted: nil, refused: nil)
        }
        action(router, "opportunities/:id/quotes") { _, context, web, form in
            let id = try context.parameters.require("id")
            let opportunity = try await rapport.opportunities.get(id, by: web.caller).opportunity
            let currency = form["currency"]?.uppercased() ?? opportunity.amount?.currency ?? ""
            let (input, rows) = QuoteForm.input(form, currency: currency, creating: true)
            do {
                let created = try await rapport.quotes.create(for: id, input, by: web.caller)
                return web.redirect("/quotes/" + Self.segment(created.quote.id.rawValue), notice: "quote_created")
            } catch let error as RapportError where error.code == .validationFailed {
                return try await newQuotePage(web, id, posted: form, refused: (LeadFormRefusal(form: "new", error: error, posted: form), rows),
                                              status: .unprocessableContent)
            }
        }
        addQuoteActions(to: router)
    }

    /// A page of the reader's quotes for the filters.
    func quotesPage(_ web: WebContext, _ filters: QuoteFilters) async throws -> Response {
        let cursor = try filters.cursor.map { try PageCursor(token: $0) }
        let page = try await rapport.quotes.list(filters.listQuery(me: web.user.id), page: PageRequest(limit: 50, cursor: cursor), by: web.caller)
        let wording = try await quoteWording(page.items, web)
        let owners = web.canManage
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : []
        var opportunityName: String?
        if !filters.opportunity.isEmpty {
            opportunityName = try await rapport.opportunities.get(filters.opportunity, by: web.caller).opportunity.name
        }
        let body = QuotesBody(
            statuses: WebOption.list([("", web.text("all_statuses"))] + QuoteStatus.allCases.map { ($0.rawValue, web.text("quote_status_\($0.rawValue)")) },
                                     chosen: filters.status),
            whose: WebOption.list([("mine", web.text("mine")), ("all", web.text(web.canManage ? "my_team" : "opp_all_visible"))], chosen: filters.whose),
            owners: WebOption.list([("", web.text("opp_any_owner"))] + owners.map { ($0.id.rawValue, $0.name) }, chosen: filters.owner),
            hasOwners: !owners.isEmpty, opportunity: filters.opportunity, opportunityName: opportunityName,
            rows: page.items.map { QuoteRow($0, wording: wording) },
            next: page.nextCursor.map { filters.link() + (filters.link().contains("?") ? "&" : "?") + "cursor=" + SavedView.encode($0.token) },
            inboxLink: web.canManage)
        return web.page("quotes", title: web.text("quotes"), body)
    }

    /// The names of the owners, requesters and customers of `items` the reader may see.
    func quoteWording(_ items: [QuoteUseCases.Item], _ web: WebContext) async throws -> QuoteWording {
        var wording = QuoteWording(locale: web.locale)
        let people = items.flatMap { [$0.quote.ownerID] + $0.approvals.flatMap { $0.approverIDs + [$0.requestedBy, $0.decidedBy].compactMap { $0 } } }
        wording.people = try await userNames(Set(people), web)
        wording.customers = try await customerNames(Set(items.compactMap(\.quote.customerID)), web)
        return wording
    }

    /// The new-quote form for an opportunity the reader may change (filled with its lines, or
    /// with what was posted and the refusal).
    func newQuotePage(_ web: WebContext, _ id: String, posted: WebForm?, refused: (LeadFormRefusal, [Int])?,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let item = try await rapport.opportunities.get(id, by: web.caller)
        let opportunity = item.opportunity
        guard try await mayChange(item, web), try await rapport.allows(web.caller, .create, .quote) else { throw RapportError(.forbidden, "You may not quote this opportunity.") }
        let settings = try await rapport.quotes.settings(by: web.caller)
        let books = try await rapport.priceBooks.list(text: nil, active: true, page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let products = try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let today = QuoteLifecycle.day(of: rapport.clock.now())
        let defaults: [String: String] = [
            "name": opportunity.name, "currency": opportunity.amount?.currency ?? opportunity.lines.first?.unitPrice.currency ?? "CNY",
            "valid_until": QuoteLifecycle.day(today, plus: settings.defaultValidityDays) ?? today, "new_customer": "yes", "rounding": Rounding.halfUp.rawValue,
        ]
        let rows = posted.map { QuoteForm.rows($0) } ?? opportunity.lines.map { QuoteForm.Row(sku: $0.sku, quantity: String($0.quantity), discount: "") }
        let form = QuoteFormView(values: { name in posted.map { $0.pairs.last { $0.0 == name }?.1 ?? "" } ?? defaults[name] ?? "" }, rows: rows,
                                 refusal: refused?.0, postedRows: refused?.1 ?? [], books: books, products: products, creating: true, locale: web.locale, prefix: "new")
        var customer = web.text("quote_no_customer")
        if let customerID = opportunity.customerID { customer = try await customerNames([customerID], web)[customerID] ?? web.text("someone") }
        let body = NewQuoteBody(opportunityID: opportunity.id.rawValue, opportunityName: opportunity.name, customer: customer, form: form,
                                thresholdNote: web.text("quote_threshold_note", ["threshold": QuoteWording(locale: web.locale).percent(settings.approvalThresholdBasisPoints)]))
        return web.page("quote_new", title: web.text("quote_new"), body, status: status)
    }

    /// A quote's page as the reader may see it (`not_found` outside their scope).
    func quotePage(_ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let item = try await rapport.quotes.get(id, by: web.caller)
        let quote = item.quote
        let history = try await rapport.quotes.history(id, by: web.caller)
        var wording = try await quoteWording([item], web)
        // The people the quote mentions, by name, even where the reader may not see their profiles.
        wording.people.merge(try await rapport.quotes.names(in: item, history: history)) { _, named in named }
        let opportunityName = try? await rapport.opportunities.get(quote.opportunityID.rawValue, by: web.caller).opportunity.name
        let mayOrder = try await rapport.allows(web.caller, .create, .order)
        var orders: [Order] = []
        if try await rapport.allows(web.caller, .read, .order) {
            let page = try await rapport.orders.list(.init(opportunity: quote.opportunityID.rawValue), page: PageRequest(limit: PageRequest.maximumLimit),
                                                     by: web.caller)
            orders = page.items.filter { $0.quoteID == quote.id.rawValue }
        }
        let mayChange = try await rapport.allows(web.caller, .update, .quote)
        let revisable = mayChange && QuoteLifecycle.isRevisable(quote.status)
        let data = QuotePageData(
            item: item, history: history, wording: wording, opportunityName: opportunityName,
            thresholdBasisPoints: try await rapport.quotes.settings(by: web.caller).approvalThresholdBasisPoints, mayChange: mayChange,
            mayDecide: try await rapport.quotes.mayDecide(item, by: web.caller), mayOrder: mayOrder, orders: orders,
            books: revisable ? try await rapport.priceBooks.list(text: nil, active: true, page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : [],
            products: revisable ? try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : [])
        return web.page("quote", title: web.text("quote_title", ["name": quote.name]), QuoteDetailBody(data, refused: refused), status: status)
    }
}
