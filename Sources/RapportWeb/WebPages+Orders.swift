import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The order, receivable and entitlement pages (listed in ``WebRoutes/pageRoutes``).
    static let orderPageRoutes: Set<String> = [
        "GET /orders", "GET /orders/new", "POST /orders", "GET /orders/{id}", "POST /orders/{id}/edit", "POST /orders/{id}/act",
        "POST /opportunities/{id}/order",
        "POST /orders/{id}/plan", "POST /orders/{id}/payments", "POST /orders/{id}/refunds", "POST /orders/{id}/cancellations", "POST /orders/{id}/invoices",
        "POST /orders/{id}/invoices/{invoice}/void", "GET /receivables",
        "GET /entitlements", "GET /entitlements/{id}", "POST /entitlements/{id}/consume",
    ]

    /// The order pages: the list (status, customer and owner filters, pages), a new order (also
    /// from a customer's page, or from a won opportunity), and each order's page with its status
    /// moves, its edit form while a draft, and its receivables (``addReceivables(to:)``).
    func addOrders(to router: Router<APIRequestContext>) {
        page(router, "orders") { request, _, web in
            try await ordersPage(web, Self.query(request))
        }
        page(router, "orders/new") { request, _, web in
            let customer = Self.query(request)["customer"]
            return try await newOrderPage(web, posted: WebForm(pairs: customer.map { [("customer_id", $0)] } ?? []), refused: nil)
        }
        action(router, "orders") { _, _, web, form in
            var errors: [FieldError] = []
            let currency = (form["currency"] ?? "CNY").uppercased()
            var input = OrderInput(title: form["title"], customer: form["customer_id"], currency: currency,
                                   lines: OrderPages.lines(form["lines"] ?? "", currency: currency),
                                   effectiveFrom: .some(OrderPages.date(form["effective_from"], field: "effective_from", into: &errors)),
                                   effectiveTo: .some(OrderPages.date(form["effective_to"], field: "effective_to", into: &errors)))
            input.owner = web.canManage ? form["owner_id"] : nil
            do {
                if !errors.isEmpty { throw RapportError.validation(errors) }
                let order = try await rapport.orders.create(input, by: web.caller)
                return web.redirect("/orders/" + Self.segment(order.id.rawValue), notice: "order_created")
            } catch let error as RapportError where error.code == .validationFailed {
                return try await newOrderPage(web, posted: form, refused: LeadFormRefusal(form: "new", error: error, posted: form), status: .unprocessableContent)
            }
        }
        action(router, "opportunities/:id/order") { _, context, web, form in
            let id = try context.parameters.require("id")
            do {
                let order = try await rapport.orders.create(fromOpportunity: id, .init(title: form["title"], currency: form["currency"]), by: web.caller)
                return web.redirect("/orders/" + Self.segment(order.id.rawValue), notice: "order_created")
            } catch let error as RapportError where error.code == .conflict && error.extra["order_id"] != nil {
                return web.redirect("/orders/" + Self.segment(error.extra["order_id"] ?? ""), notice: "order_exists")
            }
        }
        page(router, "orders/:id") { _, context, web in
            try await orderPage(web, try context.parameters.require("id"))
        }
        orderAction(router, "orders/:id/edit", form: { _ in "edit" }) { id, _, web, form in
            let current = try await rapport.orders.get(id, by: web.caller)
            var errors: [FieldError] = []
            var input = OrderInput(title: form["title"] ?? "", lines: OrderPages.lines(form["lines"] ?? "", currency: current.currency),
                                   effectiveFrom: .some(OrderPages.date(form["effective_from"], field: "effective_from", into: &errors)),
                                   effectiveTo: .some(OrderPages.date(form["effective_to"], field: "effective_to", into: &errors)))
            input.owner = web.canManage ? form["owner_id"] : nil
            let version = form["version"].flatMap { Int64($0) }
            if version == nil { errors.append(FieldError(field: "version", code: "required", message: "The form's version is missing.")) }
            if !errors.isEmpty { throw RapportError.validation(errors) }
            _ = try await rapport.orders.update(id, input, expectedVersion: version, by: web.caller)
            return "order_saved"
        }
        orderAction(router, "orders/:id/act", form: { "act:" + ($0["action"] ?? "") }) { id, _, web, form in
            guard let action = form["action"].flatMap(OrderUseCases.Action.init(rawValue:)) else {
                throw RapportError.validation([FieldError(field: "action", code: "invalid", message: "action names no order action.")])
            }
            _ = try await rapport.orders.act(action, on: id, reason: form["reason"], expectedVersion: form["version"].flatMap { Int64($0) }, by: web.caller)
            return "order_" + action.rawValue
        }
        addReceivables(to: router)
        addEntitlements(to: router)
    }

    /// A form of an order's page: `work` does it and names the notice; a refusal (anything but
    /// not found) re-shows the page with the reason at the form `form` names, and nothing changed.
    func orderAction(_ router: Router<APIRequestContext>, _ path: RouterPath, form name: @escaping @Sendable (WebForm) -> String,
                     _ work: @escaping @Sendable (String, APIRequestContext, WebContext, WebForm) async throws -> String) {
        action(router, path) { _, context, web, form in
            let id = try context.parameters.require("id")
            do {
                let notice = try await work(id, context, web, form)
                return web.redirect("/orders/" + Self.segment(id), notice: notice)
            } catch let error as RapportError where ![.notFound, .unauthorized, .internal, .unavailable].contains(error.code) {
                return try await orderPage(web, id, refused: LeadFormRefusal(form: name(form), error: error, posted: form), status: Problem.status(of: error.code))
            }
        }
    }

    /// The orders list for the reader's filters.
    func ordersPage(_ web: WebContext, _ query: WebForm) async throws -> Response {
        let filters = OrderFilters(query, canManage: web.canManage)
        let page = try PageRequest.parse(limit: nil, cursor: query["cursor"])
        let found = try await rapport.orders.list(filters.listQuery(me: web.user.id), page: page, by: web.caller)
        var wording = OrderWording(locale: web.locale, now: rapport.clock.now())
        wording.customers = try await customerNames(Set(found.items.map(\.customerID) + [filters.customer].compactMap { $0.flatMap { RecordID(parsing: $0, prefix: .customer) } }), web)
        wording.people = try await userNames(Set(found.items.map(\.ownerID)), web)
        let owners = web.canManage
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items.map { ($0.id.rawValue, $0.name) } : []
        let body = OrdersBody(web: web, found: found, filters: filters, wording: wording, owners: owners,
                              mayCreate: try await rapport.allows(web.caller, .create, .order), first: page.cursor == nil)
        return web.page("orders", title: web.text("orders"), body)
    }

    /// The new-order form, filled with what was posted (and the refusal, if any).
    func newOrderPage(_ web: WebContext, posted: WebForm, refused: LeadFormRefusal?, status: HTTPResponse.Status = .ok) async throws -> Response {
        var customerName: String?
        if let id = posted["customer_id"] { customerName = try? await rapport.customers.get(id, by: web.caller).name }
        let owners = web.canManage
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items.map { ($0.id.rawValue, $0.name) } : []
        let products = try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let body = NewOrderBody(web: web, posted: posted, refused: refused, customerName: customerName, owners: owners, products: products)
        return web.page("order_new", title: web.text("order_new"), body, status: status)
    }

    /// An order's page as the reader may see it (`not_found` outside their scope), with a refused
    /// form's reason at that form.
    func orderPage(_ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let order = try await rapport.orders.get(id, by: web.caller)
        let history = try await rapport.orders.history(id, by: web.caller)
        let books = try await rapport.receivables.books(id, by: web.caller)
        let entitlements = try await rapport.allows(web.caller, .read, .entitlement)
            ? try await rapport.entitlements.list(.init(order: order.id.rawValue), page: PageRequest(limit: 100), by: web.caller).items : []
        var wording = OrderWording(locale: web.locale, now: rapport.clock.now())
        wording.customers = try await customerNames([order.customerID], web)
        let people = Set([order.ownerID] + [order.approvedBy].compactMap { $0 } + history.compactMap(\.by) + books.payments.compactMap(\.recordedBy)
                         + books.refunds.compactMap(\.recordedBy))
        wording.people = try await userNames(people, web)
        let mayEdit = try await rapport.allows(web.caller, .update, .order)
        let owners = web.canManage && mayEdit && order.status == .draft
            ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items.map { ($0.id.rawValue, $0.name) } : []
        let data = OrderPageData(order: order, history: history, books: books, entitlements: entitlements, wording: wording, mayEdit: mayEdit,
                                 mayApprove: web.isAdmin || (web.role == .manager && order.ownerID != web.user.id), owners: owners)
        return web.page("order", title: order.title, OrderDetailBody(data, refused: refused), status: status)
    }
}

/// The filters of the orders list, read from the address (unknown values dropped).
struct OrderFilters: Sendable {
    var status: String?
    var customer: String?
    /// `mine` or `all` (what the reader may see).
    var whose: String
    /// A manager's chosen owner.
    var owner: String?

    init(_ query: WebForm, canManage: Bool) {
        status = query["status"].flatMap { OrderStatus(rawValue: $0) == nil ? nil : $0 }
        customer = query["customer"].map { String($0.prefix(64)) }
        whose = query["whose"] == "mine" ? "mine" : "all"
        owner = canManage ? query["owner"].map { String($0.prefix(64)) } : nil
    }

    func listQuery(me: RecordID) -> OrderUseCases.ListQuery {
        .init(customer: customer, owner: owner ?? (whose == "mine" ? me.rawValue : nil), status: status)
    }

    /// This list's address, with a cursor or without.
    func link(cursor: String? = nil) -> String {
        var query: [(String, String)] = []
        if let status { query.append(("status", status)) }
        if let customer { query.append(("customer", customer)) }
        if whose == "mine" { query.append(("whose", "mine")) }
        if let owner { query.append(("owner", owner)) }
        if let cursor { query.append(("cursor", cursor)) }
        return WebPages.queryPath("/orders", query)
    }
}

/// Helpers the order, receivable and entitlement pages share: reading what forms post.
enum OrderPages {
    /// The lines as a form writes them: one per row, `SKU quantity [unit price] [discount]`.
    static func linesText(_ lines: [OrderLine]) -> String {
        lines.map { line in
            "\(line.sku) \(line.quantity) \(line.unitPrice.plainText)" + (line.discount.amountMinor == 0 ? "" : " \(line.discount.plainText)")
        }.joined(separator: "\n")
    }

    /// Lines from their text; what cannot be read is sent as a value the use case refuses.
    static func lines(_ text: String, currency: String) -> [OrderInput.Line] {
        text.split(whereSeparator: \.isNewline).compactMap { row -> OrderInput.Line? in
            let parts = row.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "×" || $0 == "@" }).map(String.init)
            guard let sku = parts.first else { return nil }
            let quantity = parts.count > 1 ? (Int(parts[1]) ?? -1) : nil
            let price = parts.count > 2 ? (Money.parse(parts[2], currency: currency) ?? Money(-1, currency)) : nil
            let discount = parts.count > 3 ? (Money.parse(parts[3], currency: currency) ?? Money(-1, currency)) : nil
            return OrderInput.Line(sku: sku, quantity: quantity, unitPrice: price, discount: discount)
        }
    }

    /// A day typed as `YYYY-MM-DD` (the start of that day in China), nil when blank; an unreadable
    /// one adds a field error.
    static func date(_ text: String?, field: String, into errors: inout [FieldError]) -> Date? {
        guard let text else { return nil }
        guard let day = LeadFilters.day(text) else {
            errors.append(FieldError(field: field, code: "invalid", message: "\(field) is a date YYYY-MM-DD."))
            return nil
        }
        return day
    }

    /// An instant as the day a date input shows (`YYYY-MM-DD`, in China).
    static func dateValue(_ date: Date?) -> String {
        date.map { CalendarDate($0, in: TimeZone(identifier: "Asia/Shanghai") ?? .gmt).description } ?? ""
    }

    /// An amount typed in major units (`1,234.50`) in `currency`, or one the use case refuses.
    static func money(_ text: String?, currency: String) -> Money? {
        text.map { Money.parse($0, currency: currency) ?? Money(-1, currency) }
    }

    /// Instalments typed one per row: `YYYY-MM-DD amount`.
    static func installments(_ text: String, currency: String) -> [ReceivableUseCases.PlanInput.Line] {
        text.split(whereSeparator: \.isNewline).compactMap { row in
            let parts = row.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let due = parts.first else { return nil }
            let amount = parts.count > 1 ? (Money.parse(parts[1...].joined(), currency: currency)?.amountMinor ?? -1) : nil
            return .init(dueDate: due, amountMinor: amount)
        }
    }
}
