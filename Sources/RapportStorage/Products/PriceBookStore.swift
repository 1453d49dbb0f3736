import Foundation
import RapportCore
import SQLKit

/// Price books (`price_books`) with their prices (`product_prices` rows naming the book).
public struct PriceBookStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "key", "name", "currency", "active", "valid_from", "valid_until", "version", "created_at", "updated_at"]

    /// Inserts a book with its prices.
    public func insert(_ book: PriceBook) async throws {
        try await sql.insertRows(into: "price_books", columns: Self.columns, rows: [[
            .text(book.id.rawValue), .text(book.key), .text(book.name), .text(book.currency), .integer(book.active ? 1 : 0),
            BulkValue(book.validFrom?.microsSinceEpoch), BulkValue(book.validUntil?.microsSinceEpoch), .integer(book.version),
            .integer(book.createdAt.microsSinceEpoch), .integer(book.updatedAt.microsSinceEpoch),
        ]])
        try await writeEntries(book)
    }

    /// Writes every field of `book` (and replaces its prices) if the stored version is
    /// `expectedVersion`; false on a mismatch.
    public func replace(_ book: PriceBook, expectedVersion: Int64) async throws -> Bool {
        let row = try await sql.update("price_books")
            .set("key", to: SQLBind(book.key)).set("name", to: SQLBind(book.name)).set("currency", to: SQLBind(book.currency))
            .set("active", to: SQLBind(Int64(book.active ? 1 : 0))).set("valid_from", to: SQLBind(book.validFrom?.microsSinceEpoch))
            .set("valid_until", to: SQLBind(book.validUntil?.microsSinceEpoch)).set("version", to: SQLBind(expectedVersion + 1))
            .set("updated_at", to: SQLBind(book.updatedAt.microsSinceEpoch))
            .where("id", .equal, book.id.rawValue).where("version", .equal, expectedVersion).returning("id").first()
        guard row != nil else { return false }
        try await sql.delete(from: "product_prices").where("price_book_id", .equal, book.id.rawValue).run()
        try await writeEntries(book)
        return true
    }

    func writeEntries(_ book: PriceBook) async throws {
        try await sql.insertRows(into: "product_prices", columns: ["product_id", "currency", "price_book_id", "amount_minor"],
                                 rows: book.entries.map { [.text($0.productID.rawValue), .text(book.currency), .text(book.id.rawValue), .integer($0.amountMinor)] })
    }

    public func find(_ id: RecordID) async throws -> PriceBook? {
        try await load(sql.select().columns(Self.columns).from("price_books").where("id", .equal, id.rawValue)).first
    }

    public func find(key: String) async throws -> PriceBook? {
        try await load(sql.select().columns(Self.columns).from("price_books").where("key", .equal, key)).first
    }

    /// Books in id (creation) order, a page at a time; `text` is found in the key or the name.
    public func list(text: String?, active: Bool?, page: PageRequest) async throws -> Page<PriceBook> {
        let query = sql.select().columns(Self.columns).from("price_books")
        if let text = text?.lowercased() {
            let contains = "%" + SQLText.escapeLike(text) + "%"
            query.where(SQLQueryString("(lower(name) LIKE \(bind: contains) ESCAPE '\\' OR key LIKE \(bind: contains) ESCAPE '\\')"))
        }
        if let active { query.where("active", .equal, Int64(active ? 1 : 0)) }
        if let cursor = page.cursor { query.where("id", .greaterThan, cursor.after) }
        return Page(fetched: try await load(query.orderBy("id").limit(page.limit + 1)), limit: page.limit, key: \.id.rawValue)
    }

    func load(_ query: SQLSelectBuilder) async throws -> [PriceBook] {
        var books: [PriceBook] = []
        for row in try await query.all() {
            books.append(PriceBook(id: try row.id("id"), key: try row.text("key"), name: try row.text("name"), currency: try row.text("currency"),
                                   active: try row.int("active") != 0, validFrom: try row.optionalDate("valid_from"),
                                   validUntil: try row.optionalDate("valid_until"), version: try row.int("version"),
                                   createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")))
        }
        guard !books.isEmpty else { return [] }
        var entries: [RecordID: [PriceBook.Entry]] = [:]
        let rows = try await sql.select().column(SQLColumn("price_book_id", table: "product_prices")).column(SQLColumn("product_id", table: "product_prices"))
            .column(SQLColumn("amount_minor", table: "product_prices")).column(SQLColumn("sku", table: "products"))
            .from("product_prices").join("products", on: SQLColumn("id", table: "products"), .equal, SQLColumn("product_id", table: "product_prices"))
            .where(SQLColumn("price_book_id", table: "product_prices"), .in, SQLGroupExpression(books.map { SQLBind($0.id.rawValue) }))
            .all()
        for row in rows {
            entries[try row.id("price_book_id"), default: []].append(
                PriceBook.Entry(productID: try row.id("product_id"), sku: try row.text("sku"), amountMinor: try row.int("amount_minor")))
        }
        return books.map { book in
            var book = book
            book.entries = (entries[book.id] ?? []).sorted { $0.sku < $1.sku }  // byte order, the same on both engines
            return book
        }
    }
}
