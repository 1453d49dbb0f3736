import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Pricing a prospective order (报价试算): the lines' prices from a price book or the list, every
/// active sales policy evaluated by ``Pricing/price(_:policies:context:rounding:)``, and the
/// reason each policy did or did not apply. Reads only; everyone who may read the catalog.
public struct PricingUseCases: Sendable {
    let rapport: Rapport

    /// One line as asked for.
    public struct LineRequest: Sendable, Equatable {
        public var sku: String
        public var quantity: Int

        public init(sku: String, quantity: Int) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    /// What a quote is for, as the caller sent it.
    public struct Request: Sendable {
        public var currency: String
        /// A customer id: their tags count for eligibility (within the caller's scope).
        public var customer: String?
        /// Whether the buyer is a new customer; until orders exist, a customer counts as new
        /// unless this says otherwise.
        public var isNewCustomer: Bool?
        public var channel: String?
        /// When the order is priced (validity windows are read at this instant); now by default.
        public var at: Date?
        /// A price book's key or id.
        public var priceBook: String?
        /// `half_up` (default), `half_even` or `down`.
        public var rounding: String?
        public var lines: [LineRequest]

        public init(currency: String, customer: String? = nil, isNewCustomer: Bool? = nil, channel: String? = nil, at: Date? = nil,
                    priceBook: String? = nil, rounding: String? = nil, lines: [LineRequest]) {
            self.currency = currency
            self.customer = customer
            self.isNewCustomer = isNewCustomer
            self.channel = channel
            self.at = at
            self.priceBook = priceBook
            self.rounding = rounding
            self.lines = lines
        }
    }

    /// Where a line's unit price came from.
    public enum PriceSource: String, Sendable {
        case list
        case priceBook = "price_book"
    }

    /// A priced line with its product.
    public struct Line: Sendable {
        public var product: Product
        public var source: PriceSource
        public var priced: Pricing.PricedLine
    }

    /// The priced order and what it was priced for.
    public struct Quote: Sendable {
        public var at: Date
        public var priceBook: PriceBook?
        public var customerID: RecordID?
        public var customerTags: [String]
        public var isNewCustomer: Bool
        public var channel: String?
        public var lines: [Line]
        public var result: Pricing.Result
        /// Every evaluated policy's name, by id (for the explanation).
        public var policyNames: [String: String]
    }

    /// The most lines one quote prices.
    public static let maximumLines = 200

    /// Prices `request`. Refused (422, naming the field) when a SKU is unknown or archived, a
    /// product has no price in the currency, or the price book is unknown, archived, outside its
    /// window or in another currency.
    public func quote(_ request: Request, by caller: Caller) async throws -> Quote {
        try await CatalogRecords<Product>.requireRead(rapport, caller)
        let (rounding, channel) = try Self.check(request)
        var tags: [String] = []
        var customerID: RecordID?
        if let reference = request.customer {
            do {
                let customer = try await rapport.customers.get(reference, by: caller)
                tags = customer.tags
                customerID = customer.id
            } catch let error as RapportError where error.code == .notFound {
                throw RapportError.validation([FieldError(field: "customer_id", code: "not_found", message: "No customer with that id (that you may see).")])
            }
        }
        let at = request.at ?? rapport.clock.now()
        let loaded = try await rapport.database.read { sql in try await Self.load(request, at: at, sql) }
        let context = Pricing.Context(currency: request.currency, at: at, customerTags: Set(tags), isNewCustomer: request.isNewCustomer ?? true, channel: channel)
        let result = Pricing.price(loaded.pricingLines, policies: loaded.policies, context: context, rounding: rounding)
        return Quote(at: at, priceBook: loaded.book, customerID: customerID, customerTags: tags.sorted(), isNewCustomer: context.isNewCustomer, channel: channel,
                     lines: zip(loaded.lines, result.lines).map { Line(product: $0.product, source: $0.source, priced: $1) }, result: result,
                     policyNames: loaded.policyNames)
    }

    /// What pricing reads from the catalog in one go: the price book, each line's product and
    /// unit price, and the active sales policies. Prices both the price check above and stored
    /// quotes (``QuoteUseCases``), so both price the same way.
    struct Loaded: Sendable {
        var book: PriceBook?
        var lines: [(product: Product, quantity: Int, unitPrice: Int64, source: PriceSource)]
        var policies: [SalesPolicy]

        /// The lines as the pricing function takes them.
        var pricingLines: [Pricing.Line] {
            lines.map { Pricing.Line(sku: $0.product.sku, quantity: $0.quantity, unitPriceMinor: $0.unitPrice) }
        }

        /// Every evaluated policy's name, by id (for the explanation).
        var policyNames: [String: String] { Dictionary(policies.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// Checks what a request says by itself (currency, rounding, channel, the number of lines and
    /// their quantities); returns the rounding and the channel.
    static func check(_ request: Request) throws -> (Rounding, String?) {
        var check = Validator()
        Catalog.checkCurrency(request.currency, field: "currency", into: &check)
        let rounding = request.rounding.map { Rounding(rawValue: $0) } ?? .halfUp
        if rounding == nil { check.add("rounding", "invalid", "rounding is half_up, half_even or down.") }
        let channel = request.channel.map { check.text($0, field: "channel", maxLength: 50) }
        if request.lines.isEmpty || request.lines.count > Self.maximumLines {
            check.add("lines", "invalid", "A quote has 1 to \(Self.maximumLines) lines.")
        }
        for (index, line) in request.lines.enumerated() where !(1...100_000).contains(line.quantity) {
            check.add("lines[\(index)].quantity", "out_of_range", "quantity is from 1 to 100000.")
        }
        try check.finish()
        return (rounding ?? .halfUp, channel)
    }

    /// Reads the price book, the lines' prices and the active policies for `request` at `at`.
    static func load(_ request: Request, at: Date, _ sql: any SQLDatabase) async throws -> Loaded {
        let book = try await priceBook(request, at: at, sql)
        let lines = try await price(request, book: book, sql)
        return Loaded(book: book, lines: lines, policies: try await SalesPolicyStore(sql).active().map(\.policy))
    }

    static func priceBook(_ request: Request, at: Date, _ sql: any SQLDatabase) async throws -> PriceBook? {
        guard let reference = request.priceBook else { return nil }
        func refuse(_ code: String, _ message: String) -> RapportError {
            RapportError.validation([FieldError(field: "price_book", code: code, message: message)])
        }
        guard let book = try await PriceBookUseCases.find(reference, sql) else { throw refuse("not_found", "No price book with that key or id.") }
        guard book.active else { throw refuse("inactive", "The price book \(book.key) is archived.") }
        guard book.isValid(at: at) else { throw refuse("not_valid", "The price book \(book.key) is not valid at that time.") }
        guard book.currency == request.currency else { throw refuse("currency_mismatch", "The price book \(book.key) is in \(book.currency).") }
        return book
    }

    /// Each line's product and unit price: the book's price when it has one, else the list price.
    static func price(_ request: Request, book: PriceBook?, _ sql: any SQLDatabase) async throws
        -> [(product: Product, quantity: Int, unitPrice: Int64, source: PriceSource)] {
        let products = try await ProductStore(sql).find(skus: Set(request.lines.map(\.sku).filter(Catalog.isSKU)))
        let bookPrices = Dictionary((book?.entries ?? []).map { ($0.productID, $0.amountMinor) }, uniquingKeysWith: { first, _ in first })
        var check = Validator()
        var priced: [(Product, Int, Int64, PriceSource)] = []
        for (index, line) in request.lines.enumerated() {
            let field = "lines[\(index)].sku"
            guard let product = products[line.sku] else {
                check.add(field, "not_found", "No product has SKU \(line.sku).")
                continue
            }
            guard product.active else {
                check.add(field, "inactive", "\(line.sku) is archived.")
                continue
            }
            let price: (Int64, PriceSource)
            if let amount = bookPrices[product.id] {
                price = (amount, .priceBook)
            } else if let amount = product.listPrices[request.currency] {
                price = (amount, .list)
            } else {
                check.add(field, "no_price", "\(line.sku) has no price in \(request.currency).")
                continue
            }
            // Bounded lines keep every sum of a quote (200 lines) far from Int64's limits.
            let amount = Int64(line.quantity).multipliedReportingOverflow(by: price.0)
            if amount.overflow || amount.partialValue > Catalog.maximumAmountMinor {
                check.add("lines[\(index)].quantity", "out_of_range", "The line comes to more than \(Catalog.maximumAmountMinor) minor units.")
            }
            priced.append((product, line.quantity, price.0, price.1))
        }
        try check.finish()
        return priced
    }
}
