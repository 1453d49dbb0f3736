import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The catalog: products, price books and sales policies (everyone reads; those who configure
    /// pricing create, edit with the version, and archive), and the price calculator
    /// (`PricingUseCases.quote`: priced lines, totals, every policy applied or skipped and why).
    func addCatalog(to router: Router<APIRequestContext>) {
        page(router, "catalog") { request, context, web in try await productsPage(web, request) }
        page(router, "catalog/products/:id") { request, context, web in try await productPage(web, try context.parameters.require("id")) }
        catalogForms(router, "catalog/products", list: { web, refused, status in try await productsPage(web, nil, refused: refused, status: status) },
                     item: { web, id, refused, status in try await productPage(web, id, refused: refused, status: status) },
                     create: { form, caller in try await rapport.products.create(CatalogForm.product(form, creating: true), by: caller).id },
                     update: { id, form, version, caller in
                         _ = try await rapport.products.update(id, CatalogForm.product(form, creating: false), expectedVersion: version, by: caller)
                     },
                     archive: { id, caller in _ = try await rapport.products.archive(id, by: caller) })
        page(router, "catalog/price-books") { request, context, web in try await booksPage(web, request) }
        page(router, "catalog/price-books/:id") { request, context, web in try await bookPage(web, try context.parameters.require("id")) }
        catalogForms(router, "catalog/price-books", list: { web, refused, status in try await booksPage(web, nil, refused: refused, status: status) },
                     item: { web, id, refused, status in try await bookPage(web, id, refused: refused, status: status) },
                     create: { form, caller in try await rapport.priceBooks.create(CatalogForm.book(form, creating: true), by: caller).id },
                     update: { id, form, version, caller in
                         _ = try await rapport.priceBooks.update(id, CatalogForm.book(form, creating: false), expectedVersion: version, by: caller)
                     },
                     archive: { id, caller in _ = try await rapport.priceBooks.archive(id, by: caller) })
        page(router, "catalog/policies") { request, context, web in try await policiesPage(web, request) }
        page(router, "catalog/policies/:id") { request, context, web in try await policyPage(web, try context.parameters.require("id")) }
        catalogForms(router, "catalog/policies", list: { web, refused, status in try await policiesPage(web, nil, refused: refused, status: status) },
                     item: { web, id, refused, status in try await policyPage(web, id, refused: refused, status: status) },
                     create: { form, caller in try await rapport.salesPolicies.create(CatalogForm.policy(form, creating: true), by: caller).id },
                     update: { id, form, version, caller in
                         _ = try await rapport.salesPolicies.update(id, CatalogForm.policy(form, creating: false), expectedVersion: version, by: caller)
                     },
                     archive: { id, caller in _ = try await rapport.salesPolicies.archive(id, by: caller) })
        addCalculator(to: router)
    }

    /// The forms of one kind of catalog record under `base`: create (`POST base`), edit with the
    /// version (`POST base/{id}`) and archive (`POST base/{id}/archive`). A refused create re-shows
    /// the list with its form, a refused edit the record's page; done ones redirect to the record.
    func catalogForms(
        _ router: Router<APIRequestContext>, _ base: String,
        list: @escaping @Sendable (WebContext, LeadFormRefusal, HTTPResponse.Status) async throws -> Response,
        item: @escaping @Sendable (WebContext, String, LeadFormRefusal?, HTTPResponse.Status) async throws -> Response,
        create: @escaping @Sendable (WebForm, Caller) async throws -> RecordID,
        update: @escaping @Sendable (String, WebForm, Int64, Caller) async throws -> Void,
        archive: @escaping @Sendable (String, Caller) async throws -> Void
    ) {
        action(router, RouterPath(base)) { request, context, web, form in
            do {
                let id = try await create(form, web.caller)
                return web.redirect("/\(base)/" + Self.segment(id.rawValue), notice: "catalog_saved")
            } catch let error as RapportError where [.validationFailed, .conflict].contains(error.code) {
                return try await list(web, LeadFormRefusal(form: "create", error: error, posted: form), Problem.status(of: error.code))
            }
        }
        action(router, RouterPath(base + "/:id")) { request, context, web, form in
            let id = try context.parameters.require("id")
            do {
                try await update(id, form, try Self.version(form), web.caller)
            } catch let error as RapportError where [.validationFailed, .conflict, .preconditionFailed].contains(error.code) {
                return try await item(web, id, LeadFormRefusal(form: "edit", error: error, posted: form), Problem.status(of: error.code))
            }
            return web.redirect("/\(base)/" + Self.segment(id), notice: "catalog_saved")
        }
        action(router, RouterPath(base + "/:id/archive")) { request, context, web, form in
            let id = try context.parameters.require("id")
            try await archive(id, web.caller)
            return web.redirect("/\(base)/" + Self.segment(id), notice: "catalog_archived")
        }
    }

    /// The version a catalog edit form was filled at.
    static func version(_ form: WebForm) throws -> Int64 {
        guard let version = form["version"].flatMap({ Int64($0) }) else {
            throw RapportError.validation([FieldError(field: "version", code: "required", message: "The form's version is missing.")])
        }
        return version
    }

    /// One page of a catalog list from the address's `q` and `cursor`.
    static func listPage(_ request: Request?) throws -> (q: String?, page: PageRequest) {
        let q = request?.uri.queryParameters.get("q").map { String(String($0).trimmingWhitespace().prefix(100)) }.flatMap { $0.isEmpty ? nil : $0 }
        let cursor = try request?.uri.queryParameters.get("cursor").map { try PageCursor(token: String($0)) }
        return (q, PageRequest(limit: 50, cursor: cursor))
    }

    static func nextLink(_ path: String, q: String?, _ cursor: PageCursor?) -> String? {
        cursor.map { path + "?" + (q.map { "q=" + SavedView.encode($0) + "&" } ?? "") + "cursor=" + SavedView.encode($0.token) }
    }

    func mayConfigurePricing(_ web: WebContext) async throws -> Bool {
        try await rapport.allows(web.caller, .update, .pricing)
    }

    func productsPage(_ web: WebContext, _ request: Request?, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (q, page) = try Self.listPage(request)
        let found = try await rapport.products.list(.init(text: q), page: page, by: web.caller)
        let specs = CatalogForm.productSpecs.filter { $0.name != "active" }
        let mayWrite = try await mayConfigurePricing(web)
        let body = CatalogListBody(
            tabs: CatalogTabs("products"), heading: web.text("products"), path: "/catalog",
            headers: [web.text("sku"), web.text("name"), web.text("category"), web.text("unit"), web.text("list_prices")],
            rows: found.items.map { product in
                .init(link: "/catalog/products/" + Self.segment(product.id.rawValue), first: product.sku,
                      cells: [product.name, product.category ?? "—", product.unit,
                              product.listPrices.sorted { $0.key < $1.key }.map { web.locale.money($0.value, currency: $0.key) }.joined(separator: " · ")],
                      active: product.active)
            },
            q: q ?? "", next: Self.nextLink("/catalog", q: q, found.nextCursor), mayWrite: mayWrite,
            createInputs: CatalogForm.inputs(specs, prefix: "new", value: refused.map { CatalogForm.posted($0.posted) } ?? CatalogForm.productValues(nil),
                                             refusal: refused, locale: web.locale),
            createError: CatalogForm.summary(refused, specs: specs, locale: web.locale), createHeading: web.text("new_product"))
        return web.page("catalog", title: web.text("catalog"), body, status: status)
    }

    func productPage(_ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let product = try await rapport.products.get(id, by: web.caller)
        let specs = CatalogForm.productSpecs
        let body = CatalogItemBody(
            tabs: CatalogTabs("products"), listPath: "/catalog", listLabel: web.text("products"), name: "\(product.sku) · \(product.name)", active: product.active,
            facts: [.init(label: web.text("category"), value: product.category ?? "—"), .init(label: web.text("unit"), value: product.unit),
                    .init(label: web.text("list_prices"), value: product.listPrices.sorted { $0.key < $1.key }.map { web.locale.money($0.value, currency: $0.key) }.joined(separator: " · "))],
            prices: [], hasPrices: false, path: "/catalog/products/" + Self.segment(product.id.rawValue), version: String(product.version),
            mayWrite: try await mayConfigurePricing(web),
            editInputs: CatalogForm.inputs(specs, prefix: "edit", value: refused.map { CatalogForm.posted($0.posted) } ?? CatalogForm.productValues(product),
                                           refusal: refused, locale: web.locale),
            editError: CatalogForm.summary(refused, specs: specs, locale: web.locale))
        return web.page("catalog_item", title: product.name, body, status: status)
    }

    func booksPage(_ web: WebContext, _ request: Request?, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (q, page) = try Self.listPage(request)
        let found = try await rapport.priceBooks.list(text: q, active: nil, page: page, by: web.caller)
        let specs = CatalogForm.bookSpecs.filter { $0.name != "active" }
        let body = CatalogListBody(
            tabs: CatalogTabs("books"), heading: web.text("price_books"), path: "/catalog/price-books",
            headers: [web.text("key"), web.text("name"), web.text("currency"), web.text("validity"), web.text("book_prices")],
            rows: found.items.map { book in
                .init(link: "/catalog/price-books/" + Self.segment(book.id.rawValue), first: book.key,
                      cells: [book.name, book.currency, CatalogForm.windowText(from: book.validFrom, until: book.validUntil, locale: web.locale),
                              web.locale.number(book.entries.count)], active: book.active)
            },
            q: q ?? "", next: Self.nextLink("/catalog/price-books", q: q, found.nextCursor), mayWrite: try await mayConfigurePricing(web),
            createInputs: CatalogForm.inputs(specs, prefix: "new", value: refused.map { CatalogForm.posted($0.posted) } ?? CatalogForm.bookValues(nil),
                                             refusal: refused, locale: web.locale),
            createError: CatalogForm.summary(refused, specs: specs, locale: web.locale), createHeading: web.text("new_price_book"))
        return web.page("catalog", title: web.text("price_books"), body, status: status)
    }

    func bookPage(_ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let book = try await rapport.priceBooks.get(id, by: web.caller)
        let specs = CatalogForm.bookSpecs
        let body = CatalogItemBody(
            tabs: CatalogTabs("books"), listPath: "/catalog/price-books", listLabel: web.text("price_books"), name: book.name, active: book.active,
            facts: [.init(label: web.text("key"), value: book.key), .init(label: web.text("currency"), value: book.currency),
                    .init(label: web.text("validity"), value: CatalogForm.windowText(from: book.validFrom, until: book.validUntil, locale: web.locale))],
            prices: book.entries.map { .init(sku: $0.sku, amount: web.locale.money($0.amountMinor, currency: book.currency)) }, hasPrices: !book.entries.isEmpty,
            path: "/catalog/price-books/" + Self.segment(book.id.rawValue), version: String(book.version), mayWrite: try await mayConfigurePricing(web),
            editInputs: CatalogForm.inputs(specs, prefix: "edit", value: refused.map { CatalogForm.posted($0.posted) } ?? CatalogForm.bookValues(book),
                                           refusal: refused, locale: web.locale),
            editError: CatalogForm.summary(refused, specs: specs, locale: web.locale))
        return web.page("catalog_item", title: book.name, body, status: status)
    }

    func policiesPage(_ web: WebContext, _ request: Request?, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (q, page) = try Self.listPage(request)
        let found = try await rapport.salesPolicies.list(text: q, active: nil, page: page, by: web.caller)
        let specs = CatalogForm.policySpecs(web.locale).filter { $0.name != "active" }
        let body = CatalogListBody(
            tabs: CatalogTabs("policies"), heading: web.text("sales_policies"), path: "/catalog/policies",
            headers: [web.text("name"), web.text("policy_effect"), web.text("validity"), web.text("policy_eligibility"), web.text("policy_stacking")],
            rows: found.items.map { record in
                let policy = record.policy
                return .init(link: "/catalog/policies/" + Self.segment(record.id.rawValue), first: policy.name,
                             cells: [CatalogForm.effectText(policy, locale: web.locale),
                                     CatalogForm.windowText(from: policy.validFrom, until: policy.validUntil, locale: web.locale),
                                     CatalogForm.eligibilityText(policy, locale: web.locale),
                                     web.text("policy_stacking_\(policy.stacking.rawValue)")], active: record.active)
            },
            q: q ?? "", next: Self.nextLink("/catalog/policies", q: q, found.nextCursor), mayWrite: try await mayConfigurePricing(web),
            createInputs: CatalogForm.inputs(specs, prefix: "new", value: refused.map { CatalogForm.posted($0.posted) } ?? CatalogForm.policyValues(nil),
                                             refusal: refused, locale: web.locale),
            createError: CatalogForm.summary(refused, specs: specs, locale: web.locale), createHeading: web.text("new_policy"))
        return web.page("catalog", title: web.text("sales_policies"), body, status: status)
    }

    func policyPage(_ web: WebContext, _ id: String, refused: LeadFormRefusal? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let record = try await rapport.salesPolicies.get(id, by: web.caller)
        let policy = record.policy
        let specs = CatalogForm.policySpecs(web.locale)
        let body = CatalogItemBody(
            tabs: CatalogTabs("policies"), listPath: "/catalog/policies", listLabel: web.text("sales_policies"), name: policy.name, active: record.active,
            facts: [.init(label: web.text("policy_effect"), value: CatalogForm.effectText(policy, locale: web.locale)),
                    .init(label: web.text("validity"), value: CatalogForm.windowText(from: policy.validFrom, until: policy.validUntil, locale: web.locale)),
                    .init(label: web.text("policy_eligibility"), value: CatalogForm.eligibilityText(policy, locale: web.locale)),
                    .init(label: web.text("policy_stacking"), value: web.text("policy_stacking_\(policy.stacking.rawValue)")),
                    .init(label: web.text("policy_priority"), value: String(policy.priority))],
            prices: [], hasPrices: false, path: "/catalog/policies/" + Self.segment(record.id.rawValue), version: String(record.version),
            mayWrite: try await mayConfigurePricing(web),
            editInputs: CatalogForm.inputs(specs, prefix: "edit", value: refused.map { CatalogForm.posted($0.posted) } ?? CatalogForm.policyValues(record),
                                           refusal: refused, locale: web.locale),
            editError: CatalogForm.summary(refused, specs: specs, locale: web.locale))
        return web.page("catalog_item", title: policy.name, body, status: status)
    }

    func addCalculator(to router: Router<APIRequestContext>) {
        page(router, "catalog/calculator") { request, context, web in
            let customer = request.uri.queryParameters.get("customer").map { String($0) }
            return try await calculatorPage(web, posted: WebForm(pairs: customer.map { [("customer_id", $0)] } ?? []), quote: nil, refused: nil)
        }
        action(router, "catalog/calculator") { request, context, web, form in
            let skus = form.pairs.filter { $0.0 == "sku" }.map(\.1)
            let quantities = form.pairs.filter { $0.0 == "quantity" }.map(\.1)
            let lines = zip(skus, quantities + Array(repeating: "", count: max(0, skus.count - quantities.count)))
                .filter { !$0.0.trimmingWhitespace().isEmpty }
                .map { PricingUseCases.LineRequest(sku: $0.0.trimmingWhitespace(), quantity: Int($0.1.trimmingWhitespace()) ?? 0) }
            let request = PricingUseCases.Request(
                currency: (form["currency"] ?? "").uppercased(), customer: form["customer_id"], isNewCustomer: form["new_customer"] != "no",
                channel: form["channel"], priceBook: form["price_book"], rounding: form["rounding"], lines: lines)
            do {
                let quote = try await rapport.pricing.quote(request, by: web.caller)
                return try await calculatorPage(web, posted: form, quote: quote, refused: nil)
            } catch let error as RapportError where error.code == .validationFailed {
                return try await calculatorPage(web, posted: form, quote: nil, refused: LeadFormRefusal(form: "calculator", error: error, posted: form),
                                                status: .unprocessableContent)
            }
        }
    }

    func calculatorPage(_ web: WebContext, posted: WebForm, quote: PricingUseCases.Quote?, refused: LeadFormRefusal?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let books = try await rapport.priceBooks.list(text: nil, active: true, page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let products = try await rapport.products.list(.init(active: true), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        var body = CalculatorBody(posted: posted, refused: refused, books: books, products: products, locale: web.locale)
        if let quote {
            var customer: String?
            if let id = quote.customerID { customer = try await rapport.customers.get(id.rawValue, by: web.caller).name }
            body.show(quote, customer: customer, locale: web.locale)
        }
        return web.page("catalog_calculator", title: web.text("price_calculator"), body, status: status)
    }
}
