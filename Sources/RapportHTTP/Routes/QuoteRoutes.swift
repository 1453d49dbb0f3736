import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/quotes` (and creating one with `POST /api/v1/opportunities/{id}/quotes`): revise,
/// submit, approve or reject, send, accept or decline, history; `/api/v1/settings/quotes`.
struct QuoteRoutes {
    let rapport: Rapport

    static let writable: Set<String> = ["name", "currency", "price_book", "valid_until", "channel", "is_new_customer", "notes", "rounding", "lines"]

    static func input(_ body: inout JSONBody) -> QuoteInput {
        var input = QuoteInput()
        input.name = body.string("name")
        input.currency = body.string("currency")
        input.priceBook = body.nullableString("price_book")
        input.validUntil = body.string("valid_until")
        input.channel = body.nullableString("channel")
        input.isNewCustomer = body.bool("is_new_customer")
        input.notes = body.nullableString("notes")
        input.rounding = body.string("rounding")
        input.lines = body.objects("lines", accepts: ["sku", "quantity", "discount"]) { line in
            QuoteInput.Line(sku: line.string("sku", required: true) ?? "", quantity: line.integer("quantity", required: true) ?? 0,
                            discount: discount(&line))
        }
        return input
    }

    /// A line's manual discount: `{"basis_points": n}` or `{"amount_minor": n}`, exactly one.
    static func discount(_ line: inout JSONBody) -> QuoteLineDiscount? {
        guard let fields = line.object("discount") else { return nil }
        var nested = JSONBody(fields: fields)
        for name in fields.keys.sorted() where name != "basis_points" && name != "amount_minor" {
            nested.errors.append(FieldError(field: name, code: "unknown_field", message: "\(name) is not a field here."))
        }
        let points = nested.integer("basis_points")
        let amount = nested.integer("amount_minor")
        if nested.errors.isEmpty && (points == nil) == (amount == nil) {
            nested.errors.append(FieldError(field: "basis_points", code: "invalid", message: "A discount has basis_points or amount_minor (exactly one)."))
        }
        line.errors.append(contentsOf: nested.errors.map { FieldError(field: "discount.\($0.field)", code: $0.code, message: $0.message) })
        if let points { return .basisPoints(Int64(points)) }
        return amount.map { .amount(Int64($0)) }
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.post("opportunities/:id/quotes") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable)
            let input = Self.input(&body)
            try body.finish()
            let item = try await rapport.quotes.create(for: try context.parameters.require("id"), input, by: context.caller)
            return try JSONResponse.make(QuoteDTO(item), status: .created, etag: item.quote.version, location: "/api/v1/quotes/\(item.quote.id)")
        }
        api.get("quotes") { request, context in
            let query = QuoteUseCases.ListQuery(status: request.query("status"), opportunity: request.query("opportunity_id"), owner: request.query("owner_id"))
            let page = try await rapport.quotes.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, QuoteDTO.init))
        }
        api.get("quotes/:id") { _, context in
            let item = try await rapport.quotes.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(QuoteDTO(item), etag: item.quote.version)
        }
        api.patch("quotes/:id") { request, context in
            var body = try await JSONBody.read(request, accepts: Self.writable.union(["version"]))
            let input = Self.input(&body)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let item = try await rapport.quotes.update(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(QuoteDTO(item), etag: item.quote.version)
        }
        api.get("quotes/:id/history") { _, context in
            let history = try await rapport.quotes.history(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: history, nextCursor: nil), StageChangeDTO.init))
        }
        action(api, "submit") { id, _, version, caller in try await rapport.quotes.submit(id, expectedVersion: version, by: caller) }
        action(api, "approve", text: "comment") { id, comment, version, caller in
            try await rapport.quotes.decide(id, approve: true, comment: comment, expectedVersion: version, by: caller)
        }
        action(api, "reject", text: "comment") { id, comment, version, caller in
            try await rapport.quotes.decide(id, approve: false, comment: comment, expectedVersion: version, by: caller)
        }
        action(api, "send") { id, _, version, caller in try await rapport.quotes.send(id, expectedVersion: version, by: caller) }
        action(api, "accept") { id, _, version, caller in try await rapport.quotes.accept(id, expectedVersion: version, by: caller) }
        action(api, "decline", text: "reason") { id, reason, version, caller in
            try await rapport.quotes.decline(id, reason: reason, expectedVersion: version, by: caller)
        }
        api.get("settings/quotes") { _, context in
            try JSONResponse.make(QuoteSettingsDTO(try await rapport.quotes.settings(by: context.caller)))
        }
        api.put("settings/quotes") { request, context in
            var body = try await JSONBody.read(request, accepts: ["approval_threshold_bp", "default_validity_days"])
            let threshold = body.integer("approval_threshold_bp", required: true)
            let days = body.integer("default_validity_days")
            try body.finish()
            let current = try await rapport.quotes.settings(by: context.caller)
            let settings = QuoteSettings(approvalThresholdBasisPoints: Int64(threshold ?? 0), defaultValidityDays: days ?? current.defaultValidityDays)
            return try JSONResponse.make(QuoteSettingsDTO(try await rapport.quotes.setSettings(settings, by: context.caller)))
        }
    }

    /// `POST /quotes/{id}/<name>`: an optional body with `version` (the quote's, to guard against
    /// a concurrent change) and the action's one text field (`comment`, `reason`), if it has one.
    private func action(
        _ api: RouterGroup<APIRequestContext>, _ name: String, text: String? = nil,
        _ run: @escaping @Sendable (String, String?, Int64?, Caller) async throws -> QuoteUseCases.Item
    ) {
        api.post(RouterPath("quotes/:id/" + name)) { request, context in
            var body = try await JSONBody.readOptional(request, accepts: Set([text, "version"].compactMap { $0 }))
            let value = text.flatMap { body.string($0) }
            let version = body.integer("version").map(Int64.init)
            try body.finish()
            let item = try await run(try context.parameters.require("id"), value, version, context.caller)
            return try JSONResponse.make(QuoteDTO(item), etag: item.quote.version)
        }
    }
}
