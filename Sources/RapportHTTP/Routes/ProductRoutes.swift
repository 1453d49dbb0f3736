import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportStorage

/// The catalog (`/api/v1/products`), price books (`/api/v1/price-books`), sales policies
/// (`/api/v1/sales-policies`) and pricing a prospective order (`POST /api/v1/pricing/quote`).
/// DELETE archives: the record stays, inactive.
struct ProductRoutes {
    let rapport: Rapport

    static let productFields: Set<String> = ["sku", "name", "category", "unit", "active", "prices", "grant"]
    static let bookFields: Set<String> = ["key", "name", "currency", "active", "valid_from", "valid_until", "prices"]
    static let policyFields: Set<String> = ["name", "effect", "skus", "currency", "valid_from", "valid_until", "eligibility", "stacking", "priority", "active"]

    func add(to api: RouterGroup<APIRequestContext>) {
        addProducts(to: api)
        addPriceBooks(to: api)
        addPolicies(to: api)
        api.post("pricing/quote") { request, context in
            var body = try await JSONBody.read(request, accepts: ["currency", "customer_id", "is_new_customer", "channel", "at", "price_book", "rounding", "lines"])
            let currency = body.string("currency", required: true)
            let lines = body.objects("lines", accepts: ["sku", "quantity"]) { line in
                PricingUseCases.LineRequest(sku: line.string("sku", required: true) ?? "", quantity: line.integer("quantity", required: true) ?? 0)
            }
            if lines == nil && !body.errors.contains(where: { $0.field == "lines" }) {
                body.errors.append(FieldError(field: "lines", code: "required", message: "lines is required."))
            }
            let quoteRequest = PricingUseCases.Request(currency: currency ?? "", customer: body.string("customer_id"), isNewCustomer: body.bool("is_new_customer"),
                                                       channel: body.string("channel"), at: body.date("at"), priceBook: body.string("price_book"),
                                                       rounding: body.string("rounding"), lines: lines ?? [])
            try body.finish()
            return try JSONResponse.make(PriceQuoteDTO(try await rapport.pricing.quote(quoteRequest, by: context.caller)))
        }
    }

    private func addProducts(to api: RouterGroup<APIRequestContext>) {
        api.get("products") { request, context in
            let filter = ProductStore.Filter(text: request.query("q"), category: request.query("category"), active: try Self.flag(request, "active"))
            let page = try await rapport.products.list(filter, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ProductDTO.init))
        }
        let products = rapport.products
        addRecord(to: api, "products", fields: Self.productFields, input: Self.productInput, dto: ProductDTO.init,
                  create: { try await products.create($0, by: $1) }, get: { try await products.get($0, by: $1) },
                  update: { try await products.update($0, $1, expectedVersion: $2, by: $3) }, archive: { try await products.archive($0, by: $1) })
    }

    private func addPriceBooks(to api: RouterGroup<APIRequestContext>) {
        api.get("price-books") { request, context in
            let page = try await rapport.priceBooks.list(text: request.query("q"), active: try Self.flag(request, "active"), page: try request.pageRequest(),
                                                         by: context.caller)
            return try JSONResponse.make(ListResponse(page, PriceBookDTO.init))
        }
        let books = rapport.priceBooks
        addRecord(to: api, "price-books", fields: Self.bookFields, input: Self.bookInput, dto: PriceBookDTO.init,
                  create: { try await books.create($0, by: $1) }, get: { try await books.get($0, by: $1) },
                  update: { try await books.update($0, $1, expectedVersion: $2, by: $3) }, archive: { try await books.archive($0, by: $1) })
    }

    private func addPolicies(to api: RouterGroup<APIRequestContext>) {
        api.get("sales-policies") { request, context in
            let page = try await rapport.salesPolicies.list(text: request.query("q"), active: try Self.flag(request, "active"), page: try request.pageRequest(),
                                                            by: context.caller)
            return try JSONResponse.make(ListResponse(page, SalesPolicyDTO.init))
        }
        let policies = rapport.salesPolicies
        addRecord(to: api, "sales-policies", fields: Self.policyFields, input: Self.policyInput, dto: SalesPolicyDTO.init,
                  create: { try await policies.create($0, by: $1) }, get: { try await policies.get($0, by: $1) },
                  update: { try await policies.update($0, $1, expectedVersion: $2, by: $3) }, archive: { try await policies.archive($0, by: $1) })
    }

    /// The routes every catalog record has: `POST path`, and `GET`, `PATCH` (If-Match) and
    /// `DELETE` (archive) of `path/:id`.
    private func addRecord<Record: CatalogRecordDTO, Input, DTO: Encodable & Sendable>(
        to api: RouterGroup<APIRequestContext>, _ path: String, fields: Set<String>, input: @escaping @Sendable (inout JSONBody) -> Input,
        dto: @escaping @Sendable (Record) -> DTO, create: @escaping @Sendable (Input, Caller) async throws -> Record,
        get: @escaping @Sendable (String, Caller) async throws -> Record, update: @escaping @Sendable (String, Input, Int64?, Caller) async throws -> Record,
        archive: @escaping @Sendable (String, Caller) async throws -> Record
    ) {
        api.post(RouterPath(path)) { request, context in
            var body = try await JSONBody.read(request, accepts: fields)
            let made = input(&body)
            try body.finish()
            let record = try await create(made, context.caller)
            return try JSONResponse.make(dto(record), status: .created, etag: record.version, location: "/api/v1/\(path)/\(record.id)")
        }
        api.get(RouterPath("\(path)/:id")) { _, context in
            let record = try await get(try context.parameters.require("id"), context.caller)
            return try JSONResponse.make(dto(record), etag: record.version)
        }
        api.patch(RouterPath("\(path)/:id")) { request, context in
            var body = try await JSONBody.read(request, accepts: fields.union(["version"]))
            let change = input(&body)
            let version = try request.expectedVersion(body: &body)
            try body.finish()
            let record = try await update(try context.parameters.require("id"), change, version, context.caller)
            return try JSONResponse.make(dto(record), etag: record.version)
        }
        api.delete(RouterPath("\(path)/:id")) { _, context in
            _ = try await archive(try context.parameters.require("id"), context.caller)
            return JSONResponse.noContent()
        }
    }

    /// A `true`/`false` query parameter (422 otherwise).
    static func flag(_ request: Request, _ name: String) throws -> Bool? {
        guard let text = request.query(name) else { return nil }
        guard text == "true" || text == "false" else {
            throw RapportError.validation([FieldError(field: name, code: "invalid", message: "\(name) is true or false.")])
        }
        return text == "true"
    }

    static func productInput(_ body: inout JSONBody) -> ProductUseCases.Input {
        var input = ProductUseCases.Input(
            sku: body.string("sku"), name: body.string("name"), category: body.nullableString("category"), unit: body.string("unit"), active: body.bool("active"),
            prices: body.objects("prices", accepts: ["currency", "amount_minor"]) { price in
                ProductUseCases.Price(currency: price.string("currency", required: true) ?? "", amountMinor: Int64(price.integer("amount_minor", required: true) ?? 0))
            })
        if case .null? = body.fields["grant"] {
            input.grant = .some(nil)
        } else {
            input.grant = body.nested("grant", accepts: ["unit", "quantity", "validity_days", "validity_months"]) { grant in
                EntitlementGrant(unit: grant.string("unit", required: true) ?? "", quantity: Int64(grant.integer("quantity", required: true) ?? 0),
                                 validityDays: grant.integer("validity_days"), validityMonths: grant.integer("validity_months"))
            }.map { .some($0) }
        }
        return input
    }

    static func bookInput(_ body: inout JSONBody) -> PriceBookUseCases.Input {
        PriceBookUseCases.Input(
            key: body.string("key"), name: body.string("name"), currency: body.string("currency"), active: body.bool("active"),
            validFrom: body.nullableDate("valid_from"), validUntil: body.nullableDate("valid_until"),
            prices: body.objects("prices", accepts: ["sku", "amount_minor"]) { price in
                PriceBookUseCases.Entry(sku: price.string("sku", required: true) ?? "", amountMinor: Int64(price.integer("amount_minor", required: true) ?? 0))
            })
    }

    static func policyInput(_ body: inout JSONBody) -> SalesPolicyUseCases.Input {
        var input = SalesPolicyUseCases.Input(
            name: body.string("name"), skus: body.strings("skus"), currency: body.nullableString("currency"), validFrom: body.nullableDate("valid_from"),
            validUntil: body.nullableDate("valid_until"), stacking: body.string("stacking"), priority: body.integer("priority"), active: body.bool("active"))
        input.effect = body.nested("effect", accepts: ["kind", "basis_points", "amount_minor", "items", "price_minor", "sku", "max_quantity"]) { effect in
            PolicyEffect(kind: effect.string("kind", required: true) ?? "", basisPoints: effect.integer("basis_points").map(Int64.init),
                         amountMinor: effect.integer("amount_minor").map(Int64.init),
                         items: effect.objects("items", accepts: ["sku", "quantity"]) { item in
                             PolicyEffect.Item(sku: item.string("sku", required: true) ?? "", quantity: item.integer("quantity", required: true) ?? 0)
                         },
                         priceMinor: effect.integer("price_minor").map(Int64.init), sku: effect.string("sku"), maxQuantity: effect.integer("max_quantity"))
        }
        input.eligibility = body.nested("eligibility", accepts: ["tags_any", "customers", "channels", "minimum_subtotal_minor"]) { rules in
            SalesPolicyUseCases.Eligibility(tagsAny: rules.strings("tags_any") ?? [], customers: rules.string("customers") ?? "any",
                                            channels: rules.strings("channels") ?? [], minimumSubtotalMinor: rules.integer("minimum_subtotal_minor").map(Int64.init))
        }
        return input
    }
}

/// A catalog record as its routes need it: the id for `Location`, the version for `ETag`.
protocol CatalogRecordDTO: Sendable {
    var id: RecordID { get }
    var version: Int64 { get }
}

extension Product: CatalogRecordDTO {}
extension PriceBook: CatalogRecordDTO {}
extension SalesPolicyRecord: CatalogRecordDTO {}

extension JSONBody {
    /// An RFC 3339 time where null means "clear": absent → nil, null → .some(nil).
    mutating func nullableDate(_ key: String) -> Date?? {
        switch fields[key] {
        case nil: return nil
        case .null?: return .some(nil)
        default: return date(key).map { .some($0) }
        }
    }

    /// An object field read by `read` with its own accepted fields; its errors are named `key.field`.
    mutating func nested<T>(_ key: String, accepts: Set<String>, _ read: (inout JSONBody) -> T) -> T? {
        guard let fields = object(key) else { return nil }
        var nested = JSONBody(fields: fields)
        for name in fields.keys.sorted() where !accepts.contains(name) {
            nested.errors.append(FieldError(field: name, code: "unknown_field", message: "\(name) is not a field here."))
        }
        let value = read(&nested)
        errors.append(contentsOf: nested.errors.map { FieldError(field: "\(key).\($0.field)", code: $0.code, message: $0.message) })
        return value
    }
}
