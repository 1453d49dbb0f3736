import Foundation
import RapportCore
import SQLKit

/// Products (`products`) with their list prices (`product_prices` rows without a price book).
public struct ProductStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "sku", "name", "category", "unit", "active", "version", "created_at", "updated_at",
        "grant_unit", "grant_quantity", "grant_validity_days", "grant_validity_months",
    ]

    /// The grant columns' values (all null without a grant).
    static func grantValues(_ grant: EntitlementGrant?) -> [BulkValue] {
        [BulkValue(grant?.unit), BulkValue(grant?.quantity), BulkValue(grant?.validityDays.map(Int64.init)), BulkValue(grant?.validityMonths.map(Int64.init))]
    }

    /// What a product list asks for.
    public struct Filter: Sendable, Equatable {
        /// Text the SKU starts with or the name contains (no case).
        public var text: String?
        public var category: String?
        public var active: Bool?

        public init(text: String? = nil, category: String? = nil, active: Bool? = nil) {
            self.text = text
            self.category = category
            self.active = active
        }
    }

    /// Inserts a product with its list prices.
    public func insert(_ product: Product) async throws {
        try await sql.insertRows(into: "products", columns: Self.columns, rows: [[
            .text(product.id.rawValue), .text(product.sku), .text(product.name), BulkValue(product.category), .text(product.unit),
            .integer(product.active ? 1 : 0), .integer(product.version), .integer(product.createdAt.microsSinceEpoch),
            .integer(product.updatedAt.microsSinceEpoch),
        ] + Self.grantValues(product.grant)])
        try await writePrices(product)
    }

    /// Writes every field of `product` if the stored version is `expectedVersion`; false on a mismatch.
    public func replace(_ product: Product, expectedVersion: Int64) async throws -> Bool {
        let row = try await sql.update("products")
            .set("sku", to: SQLBind(product.sku)).set("name", to: SQLBind(product.name)).set("category", to: SQLBind(product.category))
            .set("unit", to: SQLBind(product.unit)).set("active", to: SQLBind(Int64(product.active ? 1 : 0)))
            .set("grant_unit", to: SQLBind(product.grant?.unit)).set("grant_quantity", to: SQLBind(product.grant?.quantity))
            .set("grant_validity_days", to: SQLBind(product.grant?.validityDays.map(Int64.init)))
            .set("grant_validity_months", to: SQLBind(product.grant?.validityMonths.map(Int64.init)))
            .set("version", to: SQLBind(expectedVersion + 1)).set("updated_at", to: SQLBind(product.updatedAt.microsSinceEpoch))
            .where("id", .equal, product.id.rawValue).where("version", .equal, expectedVersion).returning("id").first()
        guard row != nil else { return false }
        try await sql.delete(from: "product_prices").where("product_id", .equal, product.id.rawValue).where("price_book_id", .is, SQLLiteral.null).run()
        try await writePrices(product)
        return true
    }

    func writePrices(_ product: Product) async throws {
        try await sql.insertRows(into: "product_prices", columns: ["product_id", "currency", "price_book_id", "amount_minor"],
                                 rows: product.listPrices.sorted { $0.key < $1.key }.map { [.text(product.id.rawValue), .text($0.key), .null, .integer($0.value)] })
    }

    public func find(_ id: RecordID) async throws -> Product? {
        try await load(sql.select().columns(Self.columns).from("products").where("id", .equal, id.rawValue)).first
    }

    public func find(sku: String) async throws -> Product? {
        try await load(sql.select().columns(Self.columns).from("products").where("sku", .equal, sku)).first
    }

    /// The products with these SKUs (those that exist), by SKU.
    public func find(skus: Set<String>) async throws -> [String: Product] {
        guard !skus.isEmpty else { return [:] }
        var found: [String: Product] = [:]
        for chunk in skus.sorted().chunked(into: 500) {
            let query = sql.select().columns(Self.columns).from("products").where("sku", .in, SQLGroupExpression(chunk.map { SQLBind($0) }))
            for product in try await load(query) { found[product.sku] = product }
        }
        return found
    }

    /// Products in id (creation) order, a page at a time.
    public func list(_ filter: Filter, page: PageRequest) async throws -> Page<Product> {
        let query = sql.select().columns(Self.columns).from("products")
        if let text = filter.text?.lowercased() {
            let contains = "%" + SQLText.escapeLike(text) + "%"
            let starts = SQLText.escapeLike(text) + "%"
            query.where(SQLQueryString("(lower(name) LIKE \(bind: contains) ESCAPE '\\' OR lower(sku) LIKE \(bind: starts) ESCAPE '\\')"))
        }
        if let category = filter.category { query.where("category", .equal, category) }
        if let active = filter.active { query.where("active", .equal, Int64(active ? 1 : 0)) }
        if let cursor = page.cursor { query.where("id", .greaterThan, cursor.after) }
        let products = try await load(query.orderBy("id").limit(page.limit + 1))
        return Page(fetched: products, limit: page.limit, key: \.id.rawValue)
    }

    func load(_ query: SQLSelectBuilder) async throws -> [Product] {
        var products: [Product] = []
        for row in try await query.all() {
            var grant: EntitlementGrant?
            if let unit = try row.optionalText("grant_unit"), let quantity = try row.optionalInt("grant_quantity") {
                grant = EntitlementGrant(unit: unit, quantity: quantity, validityDays: try row.optionalInt("grant_validity_days").map { Int($0) },
                                         validityMonths: try row.optionalInt("grant_validity_months").map { Int($0) })
            }
            products.append(Product(id: try row.id("id"), sku: try row.text("sku"), name: try row.text("name"), category: try row.optionalText("category"),
                                    unit: try row.text("unit"), active: try row.int("active") != 0, grant: grant, version: try row.int("version"),
                                    createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")))
        }
        guard !products.isEmpty else { return [] }
        var prices: [RecordID: [String: Int64]] = [:]
        let rows = try await sql.select().columns("product_id", "currency", "amount_minor").from("product_prices")
            .where("product_id", .in, SQLGroupExpression(products.map { SQLBind($0.id.rawValue) })).where("price_book_id", .is, SQLLiteral.null).all()
        for row in rows { prices[try row.id("product_id"), default: [:]][try row.text("currency")] = try row.int("amount_minor") }
        return products.map { product in
            var product = product
            product.listPrices = prices[product.id] ?? [:]
            return product
        }
    }
}
