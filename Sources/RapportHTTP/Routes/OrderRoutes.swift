import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/orders` (create, list, read, change drafts, history, and the lifecycle actions
/// submit, approve, reject, cancel, terminate, complete) and `POST /api/v1/opportunities/{id}/orders`
/// (a draft order from a won opportunity) and `POST /api/v1/quotes/{id}/orders` (from an accepted quote).
struct OrderRoutes {
    let rapport: Rapport

    static let writable: Set<String> = ["title", "lines", "effective_from", "effective_to", "owner_id"]

    static func input(_ body: inout JSONBody, creating: Bool) -> OrderInput {
        var input = OrderInput()
        input.title = body.string("title", required: creating)
        input.lines = body.objects("lines", accepts: ["sku", "quantity", "unit_price", "discount"]) { line in
            OrderInput.Line(sku: line.string("sku", required: true), quantity: line.integer("quantity", required: true),
                            unitPrice: line.decode("unit_price", as: Money.self), discount: line.decode("discount", as: Money.self))
        }
        input.effectiveFrom = body.nullableDate("effective_from")
        input.effectiveTo = body.nullableDate("effective_to")
        input.owner = body.string("owner_id")
        if creating {
            input.customer = body.string("customer_id", required: true)
            input.currency = body.string("currency", required: true)
        }
        return input
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("orders") { request, context in
            let query = OrderUseCases.ListQuery(customer: request.query("customer_id"), opportunity: request.query("opportunity_id"),
                                                owner: request.query("owner_id"), status: request.query("status"))
            let page = try await rapport.orders.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, OrderDTO.init))
        }
        api.post("orders") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["customer_id", "currency"]))
            let input = Self.input(&body, creating: true)
            try body.finish()
            let order = try await rapport.orders.create(input, by: context.caller)
            return try JSONResponse.make(OrderDTO(order), status: .created, etag: order.version, location: "/api/v1/orders/\(order.id)")
        }
        api.get("orders/:id") { _, context in
            let order = try await rapport.orders.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(OrderDTO(order), etag: order.version)
        }
        api.patch("orders/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["version"]), readOnly: ["customer_id", "currency"])
            let input = Self.input(&body, creating: false)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let order = try await rapport.orders.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(OrderDTO(order), etag: order.version)
        }
        api.get("orders/:id/history") { _, context in
            let history = try await rapport.orders.history(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: history, nextCursor: nil), StageChangeDTO.init))
        }
        for action in OrderUseCases.Action.allCases {
            api.post(RouterPath("orders/:id/\(action.rawValue)")) { request, context in
                var body = try await JSONBody.readOptional(request, accepts: ["reason", "version"])
                let reason = body.string("reason")
                let version = body.integer("version").map(Int64.init)
                try body.finish()
                let order = try await rapport.orders.act(action, on: try context.parameters.require("id"), reason: reason, expectedVersion: version,
                                                         by: context.caller)
                return try JSONResponse.make(OrderDTO(order), etag: order.version)
            }
        }
        api.post("opportunities/:id/orders") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["force", "title", "currency", "effective_from", "effective_to"])
            let from = OrderUseCases.FromOpportunity(force: body.bool("force") ?? false, title: body.string("title"), currency: body.string("currency"),
                                                     effectiveFrom: body.date("effective_from"), effectiveTo: body.date("effective_to"))
            try body.finish()
            let order = try await rapport.orders.create(fromOpportunity: try context.parameters.require("id"), from, by: context.caller)
            return try JSONResponse.make(OrderDTO(order), status: .created, etag: order.version, location: "/api/v1/orders/\(order.id)")
        }
        api.post("quotes/:id/orders") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["force", "title", "effective_from", "effective_to"])
            let from = OrderUseCases.FromQuote(force: body.bool("force") ?? false, title: body.string("title"),
                                               effectiveFrom: body.date("effective_from"), effectiveTo: body.date("effective_to"))
            try body.finish()
            let order = try await rapport.orders.create(fromQuote: try context.parameters.require("id"), from, by: context.caller)
            return try JSONResponse.make(OrderDTO(order), status: .created, etag: order.version, location: "/api/v1/orders/\(order.id)")
        }
    }
}
