import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The product catalog (产品目录): administrators keep products with a unique SKU, a category, a
/// unit and list prices per currency; everyone signed in reads it. Products are archived, never
/// deleted.
public struct ProductUseCases: Sendable {
    let rapport: Rapport

    /// A list price as sent: an ISO 4217 currency and an amount in minor units.
    public struct Price: Sendable, Equatable {
        public var currency: String
        public var amountMinor: Int64

        public init(currency: String, amountMinor: Int64) {
            self.currency = currency
            self.amountMinor = amountMinor
        }
    }

    /// What creating or changing a product takes (nil = unchanged; `.some(nil)` clears the
    /// category). `prices` replaces every list price when sent.
    public struct Input: Sendable {
        public var sku: String?
        public var name: String?
        public var category: String??
        public var unit: String?
        public var active: Bool?
        public var prices: [Price]?
        /// What one unit sold grants; `.some(nil)` removes the grant.
        public var grant: EntitlementGrant??

        public init(sku: String? = nil, name: String? = nil, category: String?? = nil, unit: String? = nil, active: Bool? = nil, prices: [Price]? = nil,
                    grant: EntitlementGrant?? = nil) {
            self.grant = grant
            self.sku = sku
            self.name = name
            self.category = category
            self.unit = unit
            self.active = active
            self.prices = prices
        }
    }

    var records: CatalogRecords<Product> {
        CatalogRecords(rapport: rapport, find: { reference, sql in
            if let id = RecordID(parsing: reference, prefix: .product) { return try await ProductStore(sql).find(id) }
            return Catalog.isSKU(reference) ? try await ProductStore(sql).find(sku: reference) : nil
        }, save: { product, version, sql in try await ProductStore(sql).replace(product, expectedVersion: version) })
    }

    /// Creates a product (SKU and name required; `conflict` when the SKU is taken).
    public func create(_ input: Input, by caller: Caller) async throws -> Product {
        try await records.create(by: caller, details: { ["sku": $0.sku] }, make: { now, sql in
            var product = Product(id: rapport.ids.next(.product, at: now), sku: "", name: "", createdAt: now, updatedAt: now)
            try await apply(input, to: &product, creating: true, sql)
            return product
        }, insert: { product, sql in try await ProductStore(sql).insert(product) })
    }

    /// Changes a product, optionally only at `expectedVersion`.
    public func update(_ reference: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> Product {
        try await records.update(reference, expectedVersion: expectedVersion, by: caller) { product, sql in
            try await apply(input, to: &product, creating: false, sql)
        }
    }

    /// Archives a product: it stays in the catalog, inactive, and cannot be quoted.
    public func archive(_ reference: String, by caller: Caller) async throws -> Product {
        try await records.archive(reference, by: caller)
    }

    /// One product by id or SKU.
    public func get(_ reference: String, by caller: Caller) async throws -> Product {
        try await records.get(reference, by: caller)
    }

    /// Products in creation order: `q` starts the SKU or is in the name; by category; active or archived.
    public func list(_ filter: ProductStore.Filter, page: PageRequest, by caller: Caller) async throws -> Page<Product> {
        try await records.list(filters: ["q": filter.text, "category": filter.category], by: caller) { sql in
            try await ProductStore(sql).list(filter, page: page)
        }
    }

    func apply(_ input: Input, to product: inout Product, creating: Bool, _ sql: any SQLDatabase) async throws {
        var check = Validator()
        if let sku = input.sku {
            if !Catalog.isSKU(sku) {
                check.add("sku", "invalid", "sku is 1–64 of A-Z a-z 0-9 . _ -, starting with a letter or digit.")
            } else if sku.hasPrefix("prd_") {
                check.add("sku", "invalid", "sku must not start with prd_ (that is how ids start).")
            } else {
                product.sku = sku
            }
        } else if creating { check.add("sku", "required", "sku is required.") }
        if let name = input.name { product.name = check.text(name, field: "name", maxLength: 200, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let category = input.category {
            let text = category.map { check.text($0, field: "category", maxLength: 100) }
            product.category = text?.isEmpty == true ? nil : text
        }
        if let unit = input.unit { product.unit = check.text(unit, field: "unit", maxLength: 32, allowEmpty: false) }
        if let active = input.active { product.active = active }
        if let grant = input.grant {
            grant?.check(field: "grant", into: &check)
            product.grant = grant
        }
        if let prices = input.prices {
            var listPrices: [String: Int64] = [:]
            for (index, price) in prices.enumerated() {
                Catalog.checkCurrency(price.currency, field: "prices[\(index)].currency", into: &check)
                Catalog.checkAmount(price.amountMinor, field: "prices[\(index)].amount_minor", into: &check)
                if listPrices[price.currency] != nil { check.add("prices[\(index)].currency", "duplicate", "\(price.currency) has one list price.") }
                listPrices[price.currency] = price.amountMinor
            }
            if prices.count > 50 { check.add("prices", "too_many", "A product has at most 50 list prices.") }
            product.listPrices = listPrices
        }
        try check.finish()
        if let other = try await ProductStore(sql).find(sku: product.sku), other.id != product.id {
            throw RapportError(.conflict, "A product with SKU \(product.sku) already exists.", extra: ["field": "sku"])
        }
    }
}
