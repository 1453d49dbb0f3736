import Foundation
import RapportApp
import RapportCore

/// The catalog's tabs: products, price books, sales policies, the price calculator.
struct CatalogTabs {
    var products = false
    var books = false
    var policies = false
    var calculator = false

    init(_ current: String) {
        products = current == "products"
        books = current == "books"
        policies = current == "policies"
        calculator = current == "calculator"
    }
}

/// A list of the catalog (products, price books or policies): a table whose first cell links to
/// the record, and — for those who configure pricing — the create form.
struct CatalogListBody {
    struct Row {
        var link: String
        var first: String
        var cells: [String]
        var active: Bool
    }

    var tabs: CatalogTabs
    var heading: String
    var path: String
    var headers: [String]
    var rows: [Row]
    var q: String
    var next: String?
    var mayWrite: Bool
    var createInputs: [WebInput]
    var createError: String?
    var createHeading: String
}

/// One product, price book or policy: its facts, a table (a book's prices), and for writers the
/// edit form (with the version: a stale form is refused) and the archive button.
struct CatalogItemBody {
    typealias Fact = LeadDetailBody.Fact

    struct Price {
        var sku: String
        var amount: String
    }

    var tabs: CatalogTabs
    var listPath: String
    var listLabel: String
    var name: String
    var active: Bool
    var facts: [Fact]
    var prices: [Price]
    var hasPrices: Bool
    var path: String
    var version: String
    var mayWrite: Bool
    var editInputs: [WebInput]
    var editError: String?
}

/// The price calculator: what to price (customer, price book, lines) and, once asked, the priced
/// lines, the totals and every policy applied or skipped with its reason.
struct CalculatorBody {
    struct LineInput {
        var index: String
        var skus: [WebOption]
        var quantity: String
    }

    struct Priced {
        var sku: String
        var name: String
        var quantity: String
        var unitPrice: String
        var source: String
        var list: String
        var discount: String
        var total: String
    }

    struct Policy {
        var name: String
        var detail: String
    }

    var tabs = CatalogTabs("calculator")
    var inputs: [WebInput]
    var lines: [LineInput]
    var formError: String?
    var priced: [Priced] = []
    var hasResult = false
    var subtotal = ""
    var discount = ""
    var total = ""
    var applied: [Policy] = []
    var skipped: [Policy] = []
    var pricedFor = ""
}

extension CalculatorBody {
    /// How many line rows the form offers.
    static let lineRows = 5

    init(posted: WebForm, refused: LeadFormRefusal?, books: [PriceBook], products: [Product], locale: Localization.Locale) {
        let specs = [
            CatalogForm.Spec("customer_id", "opp_customer_id"),
            CatalogForm.Spec("new_customer", "calc_new_customer", "select", options: [("yes", locale.text("yes")), ("no", locale.text("no"))]),
            CatalogForm.Spec("currency", "currency"),
            CatalogForm.Spec("price_book", "price_book", "select", options: [("", locale.text("calc_list_prices"))] + books.map { ($0.key, "\($0.name) (\($0.currency))") }),
            CatalogForm.Spec("channel", "policy_channel"),
            CatalogForm.Spec("rounding", "rounding", "select", options: Rounding.allCases.map { ($0.rawValue, locale.text("rounding_\($0.rawValue)")) }),
        ]
        let defaults = ["currency": "CNY", "new_customer": "yes", "rounding": "half_up"]
        inputs = CatalogForm.inputs(specs, prefix: "calc", value: { posted[$0] ?? defaults[$0] ?? "" }, refusal: refused, locale: locale)
        let skus = posted.all("sku")
        let quantities = posted.pairs.filter { $0.0 == "quantity" }.map(\.1)
        lines = (0..<Self.lineRows).map { row in
            let chosen = row < skus.count ? skus[row] : ""
            return LineInput(index: String(row + 1),
                             skus: WebOption.list([("", locale.text("choose"))] + products.map { ($0.sku, "\($0.sku) · \($0.name)") }, chosen: chosen),
                             quantity: row < quantities.count ? quantities[row] : (row == 0 ? "1" : ""))
        }
        formError = CatalogForm.summary(refused, specs: specs, locale: locale)
    }

    /// Shows a priced quote.
    mutating func show(_ quote: PricingUseCases.Quote, customer: String?, locale: Localization.Locale) {
        let currency = quote.result.currency
        func money(_ minor: Int64) -> String { locale.money(minor, currency: currency) }
        priced = quote.lines.map { line in
            Priced(sku: line.product.sku, name: line.product.name, quantity: locale.number(line.priced.quantity), unitPrice: money(line.priced.unitPriceMinor),
                   source: locale.text("price_source_\(line.source.rawValue)"), list: money(line.priced.listMinor),
                   discount: money(line.priced.discountMinor), total: money(line.priced.totalMinor))
        }
        hasResult = true
        subtotal = money(quote.result.subtotalMinor)
        discount = money(quote.result.discountMinor)
        total = money(quote.result.totalMinor)
        applied = quote.result.applied.map { Policy(name: $0.name, detail: "−" + money($0.discountMinor)) }
        skipped = quote.result.skipped.map { Policy(name: quote.policyNames[$0.policyID] ?? $0.policyID, detail: locale.text("policy_reason_\($0.reason.rawValue)")) }
        var facts = [locale.text(quote.isNewCustomer ? "calc_for_new" : "calc_for_existing")]
        if let customer { facts.append(customer) }
        if !quote.customerTags.isEmpty { facts.append(locale.text("policy_tags") + ": " + quote.customerTags.joined(separator: ", ")) }
        if let book = quote.priceBook { facts.append(locale.text("price_book") + ": " + book.name) }
        if let channel = quote.channel { facts.append(locale.text("policy_channel") + ": " + channel) }
        facts.append(locale.text("rounding_\(quote.result.rounding.rawValue)"))
        pricedFor = facts.joined(separator: " · ")
    }
}
