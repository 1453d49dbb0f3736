import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Price books (价格表): prices in one currency for some products, valid in a window. A quote
/// that names a book prices each product from it when the book has the product, and at the
/// product's list price otherwise.
public struct PriceBookUseCases: Sendable {
    let rapport: Rapport

    /// A product's price in the book, as sent.
    public struct Entry: Sendable, Equatable {
        public var sku: String
        public var amountMinor: Int64

        public init(sku: String, amountMinor: Int64) {
            self.sku = sku
            self.amountMinor = amountMinor
        }
    }

    /// What creating or changing a book takes (nil = unchanged; `.some(nil)` opens a window's
    /// end). `prices` replaces every price of the book when sent.
    public struct Input: Sendable {
        public var key: String?
        public var name: String?
        public var currency: String?
        public var active: Bool?
        public var validFrom: Date??
        public var validUntil: Date??
        public var prices: [Entry]?

        public init(key: String? = nil, name: String? = nil, currency: String? = nil, active: Bool? = nil, validFrom: Date?? = nil,
                    validUntil: Date?? = nil, prices: [Entry]? = nil) {
            self.key = key
            self.name = name
            self.currency = currency
            self.active = active
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.prices = prices
        }
    }

    var records: CatalogRecords<PriceBook> {
        CatalogRecords(rapport: rapport, find: { reference, sql in try await Self.find(reference, sql) },
                       save: { book, version, sql in try await PriceBookStore(sql).replace(book, expectedVersion: version) })
    }

    /// A book by id (`pbk_…`) or key.
    static func find(_ reference: String, _ sql: any SQLDatabase) async throws -> PriceBook? {
        if let id = RecordID(parsing: reference, prefix: .priceBook) { return try await PriceBookStore(sql).find(id) }
        return Catalog.isKey(reference) ? try await PriceBookStore(sql).find(key: reference) : nil
    }

    /// Creates a book (key, name and currency required; `conflict` when the key is taken).
    public func create(_ input: Input, by caller: Caller) async throws -> PriceBook {
        try await records.create(by: caller, details: { ["key": $0.key] }, make: { now, sql in
            var book = PriceBook(id: rapport.ids.next(.priceBook, at: now), key: "", name: "", currency: "", createdAt: now, updatedAt: now)
            try await apply(input, to: &book, creating: true, sql)
            return book
        }, insert: { book, sql in try await PriceBookStore(sql).insert(book) })
    }

    public func update(_ reference: String, _ input: Input, expectedVersion: Int64?, by caller: Caller) async throws -> PriceBook {
        try await records.update(reference, expectedVersion: expectedVersion, by: caller) { book, sql in
            try await apply(input, to: &book, creating: false, sql)
        }
    }

    /// Archives a book: quotes can no longer name it.
    public func archive(_ reference: String, by caller: Caller) async throws -> PriceBook {
        try await records.archive(reference, by: caller)
    }

    /// One book by id or key, with its prices.
    public func get(_ reference: String, by caller: Caller) async throws -> PriceBook {
        try await records.get(reference, by: caller)
    }

    /// Books in creation order: `q` is in the key or the name; active or archived.
    public func list(text: String?, active: Bool?, page: PageRequest, by caller: Caller) async throws -> Page<PriceBook> {
        try await records.list(filters: ["q": text], by: caller) { sql in try await PriceBookStore(sql).list(text: text, active: active, page: page) }
    }

    func apply(_ input: Input, to book: inout PriceBook, creating: Bool, _ sql: any SQLDatabase) async throws {
        var check = Validator()
        if let key = input.key {
            if !Catalog.isKey(key) {
                check.add("key", "invalid", "key is 1–64 of a-z 0-9 _ -, starting with a letter or digit.")
            } else if key.hasPrefix("pbk_") {
                check.add("key", "invalid", "key must not start with pbk_ (that is how ids start).")
            }
            book.key = key
        } else if creating { check.add("key", "required", "key is required.") }
        if let name = input.name { book.name = check.text(name, field: "name", maxLength: 200, allowEmpty: false) } else if creating {
            check.add("name", "required", "name is required.")
        }
        if let currency = input.currency {
            Catalog.checkCurrency(currency, field: "currency", into: &check)
            book.currency = currency
        } else if creating { check.add("currency", "required", "currency is required.") }
        if let active = input.active { book.active = active }
        if let validFrom = input.validFrom { book.validFrom = validFrom }
        if let validUntil = input.validUntil { book.validUntil = validUntil }
        Catalog.checkWindow(from: book.validFrom, until: book.validUntil, into: &check)
        if let prices = input.prices {
            if prices.count > PriceBook.maximumEntries { check.add("prices", "too_many", "A book holds at most \(PriceBook.maximumEntries) prices.") }
            let products = try await ProductStore(sql).find(skus: Set(prices.map(\.sku).filter(Catalog.isSKU)))
            var seen: Set<String> = []
            var entries: [PriceBook.Entry] = []
            for (index, price) in prices.enumerated() {
                Catalog.checkAmount(price.amountMinor, field: "prices[\(index)].amount_minor", into: &check)
                guard let product = products[price.sku] else {
                    check.add("prices[\(index)].sku", "not_found", "No product has SKU \(price.sku).")
                    continue
                }
                if !seen.insert(price.sku).inserted { check.add("prices[\(index)].sku", "duplicate", "\(price.sku) is priced twice.") }
                entries.append(PriceBook.Entry(productID: product.id, sku: product.sku, amountMinor: price.amountMinor))
            }
            book.entries = entries.sorted { $0.sku < $1.sku }
        }
        try check.finish()
        if let other = try await PriceBookStore(sql).find(key: book.key), other.id != book.id {
            throw RapportError(.conflict, "A price book with key \(book.key) already exists.", extra: ["field": "key"])
        }
    }
}
