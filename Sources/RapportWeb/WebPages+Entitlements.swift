import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The entitlement pages (权益): the list with customer and status filters, and each
    /// entitlement's page with its balance, consumption history and the consume form. The form
    /// carries a fresh idempotency key each time it is shown, so a double submit consumes once.
    func addEntitlements(to router: Router<APIRequestContext>) {
        page(router, "entitlements") { request, _, web in
            let query = Self.query(request)
            let status = query["status"].flatMap { EntitlementStatus(rawValue: $0) == nil ? nil : $0 }
            let customer = query["customer"].map { String($0.prefix(64)) }
            let page = try PageRequest.parse(limit: nil, cursor: query["cursor"])
            let found = try await rapport.entitlements.list(.init(customer: customer, status: status), page: page, by: web.caller)
            var wording = OrderWording(locale: web.locale, now: rapport.clock.now())
            let customerIDs = found.items.map(\.customerID) + [customer.flatMap { RecordID(parsing: $0, prefix: .customer) }].compactMap { $0 }
            wording.customers = try await customerNames(Set(customerIDs), web)
            let body = EntitlementsBody(web: web, found: found, status: status, customer: customer, wording: wording,
                                        products: try await productNames(web), first: page.cursor == nil)
            return web.page("entitlements", title: web.text("entitlements"), body)
        }
        page(router, "entitlements/:id") { request, context, web in
            try await entitlementPage(web, try context.parameters.require("id"), cursor: Self.query(request)["cursor"])
        }
        action(router, "entitlements/:id/consume") { _, context, web, form in
            let id = try context.parameters.require("id")
            let request = EntitlementUseCases.ConsumeRequest(quantity: form["quantity"].map { Int64($0) ?? 0 } ?? 0,
                                                             idempotencyKey: form["idempotency_key"] ?? "", note: form["note"])
            do {
                let result = try await rapport.entitlements.consume(id, request, by: web.caller)
                return web.redirect("/entitlements/" + Self.segment(id), notice: result.replayed ? "consumption_replayed" : "consumed")
            } catch let error as RapportError where ![.notFound, .unauthorized, .internal, .unavailable].contains(error.code) {
                return try await entitlementPage(web, id, refused: LeadFormRefusal(form: "consume", error: error, posted: form),
                                                 status: Problem.status(of: error.code))
            }
        }
    }

    /// An entitlement's page as the reader may see it (`not_found` outside their scope).
    func entitlementPage(_ web: WebContext, _ id: String, cursor: String? = nil, refused: LeadFormRefusal? = nil,
                         status: HTTPResponse.Status = .ok) async throws -> Response {
        let entitlement = try await rapport.entitlements.get(id, by: web.caller)
        let page = try PageRequest.parse(limit: "200", cursor: cursor)
        let consumptions = try await rapport.entitlements.consumptions(id, page: page, by: web.caller)
        var wording = OrderWording(locale: web.locale, now: rapport.clock.now())
        wording.customers = try await customerNames([entitlement.customerID], web)
        wording.people = try await userNames(Set(consumptions.items.compactMap(\.recordedBy)), web)
        var orderVisible = false
        if try await rapport.allows(web.caller, .read, .order) {
            do {
                _ = try await rapport.orders.get(entitlement.orderID.rawValue, by: web.caller)
                orderVisible = true
            } catch let error as RapportError where error.code == .notFound {}
        }
        let mayConsume = try await rapport.allows(web.caller, .update, .entitlement)
        let body = EntitlementDetailBody(web: web, entitlement: entitlement, consumptions: consumptions, wording: wording,
                                         product: try await productNames(web)[entitlement.productID], orderVisible: orderVisible,
                                         mayConsume: mayConsume, refused: refused)
        return web.page("entitlement", title: web.text("entitlement"), body, status: status)
    }

    /// The catalog's product names (everyone reads the catalog), by id.
    func productNames(_ web: WebContext) async throws -> [RecordID: String] {
        guard try await rapport.allows(web.caller, .read, .product) else { return [:] }
        let products = try await rapport.products.list(.init(), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        return Dictionary(products.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// A customer's orders and entitlements for their 360 page (what the reader may see of them).
    func customerCommerce(_ web: WebContext, _ customerID: RecordID) async throws -> CustomerCommerce? {
        let seesOrders = try await rapport.allows(web.caller, .read, .order)
        let seesEntitlements = try await rapport.allows(web.caller, .read, .entitlement)
        guard seesOrders || seesEntitlements else { return nil }
        var wording = OrderWording(locale: web.locale, now: rapport.clock.now())
        wording.customers = [customerID: ""]
        let orders = seesOrders ? try await rapport.orders.list(.init(customer: customerID.rawValue), page: PageRequest(limit: 5), by: web.caller) : nil
        wording.people = try await userNames(Set(orders?.items.map(\.ownerID) ?? []), web)
        let entitlements = seesEntitlements
            ? try await rapport.entitlements.list(.init(customer: customerID.rawValue), page: PageRequest(limit: 10), by: web.caller) : nil
        return CustomerCommerce(web: web, customerID: customerID, orders: orders, entitlements: entitlements, wording: wording,
                                products: entitlements?.items.isEmpty == false ? try await productNames(web) : [:],
                                mayOrder: try await rapport.allows(web.caller, .create, .order))
    }
}
