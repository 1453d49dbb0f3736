import Foundation
import RapportApp
import RapportCore

/// A quote's form as pages post it (new quote, revise), read into the use case's input. Lines
/// come as rows of a product, a quantity and a manual discount written `12.5%` (basis points)
/// or `300` / `300.00` (an amount of the quote's currency); blank rows are left out. What cannot
/// be read is sent as a value the use case refuses, so the refusal names the row.
enum QuoteForm {
    /// One row of the lines' inputs, as posted or as filled from a record.
    struct Row: Equatable {
        var sku: String
        var quantity: String
        var discount: String
    }

    /// How many empty rows the forms offer beyond the lines already there (at least).
    static let spareRows = 2
    static let minimumRows = 3

    /// The rows as posted (every `sku`, `quantity` and `discount` in order, blanks kept).
    static func rows(_ form: WebForm) -> [Row] {
        func values(_ name: String) -> [String] { form.pairs.filter { $0.0 == name }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) } }
        let skus = values("sku"), quantities = values("quantity"), discounts = values("discount")
        return skus.indices.map { index in
            Row(sku: skus[index], quantity: index < quantities.count ? quantities[index] : "",
                discount: index < discounts.count ? discounts[index] : "")
        }
    }

    /// The rows of a quote's lines, as its revise form shows them.
    static func rows(_ quote: Quote) -> [Row] {
        quote.lines.map { Row(sku: $0.sku, quantity: String($0.quantity), discount: discountText($0.manualDiscount, currency: quote.currency)) }
    }

    /// The lines of the filled rows, with the row each came from (for errors at the right row).
    static func lines(_ rows: [Row], currency: String) -> (lines: [QuoteInput.Line], rows: [Int]) {
        var lines: [QuoteInput.Line] = []
        var from: [Int] = []
        for (index, row) in rows.enumerated() where !row.sku.isEmpty {
            lines.append(QuoteInput.Line(sku: row.sku, quantity: Int(row.quantity) ?? 0, discount: discount(row.discount, currency: currency)))
            from.append(index)
        }
        return (lines, from)
    }

    /// A manual discount as written: `12.5%` is 1 250 basis points, `300.00` an amount of
    /// `currency`; blank is none, anything else an out-of-range value the use case refuses.
    static func discount(_ text: String, currency: String) -> QuoteLineDiscount? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if trimmed.hasSuffix("%") || trimmed.hasSuffix("％") {
            let number = String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces)
            return .basisPoints(Money.minorUnits(number, digits: 2) ?? -1)
        }
        return .amount(Money.parse(trimmed, currency: currency)?.amountMinor ?? -1)
    }

    /// A manual discount as the form writes it back (`12.5%`, `300.00`).
    static func discountText(_ discount: QuoteLineDiscount?, currency: String) -> String {
        switch discount {
        case .basisPoints(let points)?:
            let whole = points / 100, fraction = points % 100
            return fraction == 0 ? "\(whole)%" : String(format: "%lld.%02lld", whole, fraction).replacingOccurrences(of: "0$", with: "", options: .regularExpression) + "%"
        case .amount(let minor)?: return Money(minor, currency).plainText
        case nil: return ""
        }
    }

    /// The input of a new-quote form (`creating`: blanks keep the defaults) or a revise form
    /// (every field as shown; blank notes and channel clear them).
    static func input(_ form: WebForm, currency: String, creating: Bool) -> (input: QuoteInput, rows: [Int]) {
        var input = QuoteInput()
        input.name = form["name"]
        if creating { input.currency = form["currency"]?.uppercased() }
        if let book = form["price_book"] { input.priceBook = .some(book) } else if !creating || form.pairs.contains(where: { $0.0 == "price_book" }) {
            input.priceBook = .some(nil)
        }
        input.validUntil = form["valid_until"]
        if let channel = form["channel"] { input.channel = .some(channel) } else if !creating { input.channel = .some(nil) }
        if let newness = form["new_customer"] { input.isNewCustomer = newness != "no" }
        if let notes = form["notes"] { input.notes = .some(notes) } else if !creating { input.notes = .some(nil) }
        input.rounding = form["rounding"]
        let parsed = Self.lines(Self.rows(form), currency: currency)
        input.lines = parsed.lines
        return (input, parsed.rows)
    }

    /// The error of `lines[i]…` fields in the reader's words, by the row they came from.
    static func rowErrors(_ refusal: LeadFormRefusal?, rows: [Int], locale: Localization.Locale) -> [Int: String] {
        guard let refusal else { return [:] }
        var messages: [Int: [String]] = [:]
        for error in refusal.error.fieldErrors where error.field.hasPrefix("lines[") {
            guard let line = Int(error.field.dropFirst(6).prefix { $0.isNumber }), line < rows.count else { continue }
            let part = error.field.contains(".discount") ? "quote_manual_discount" : error.field.hasSuffix(".quantity") ? "quantity" : "product"
            messages[rows[line], default: []].append(LeadFormRefusal.words(error, label: locale.text(part), locale: locale))
        }
        return messages.mapValues { $0.joined(separator: " ") }
    }
}

/// The inputs of a quote's form (new or revise), filled and with their errors.
struct QuoteFormView {
    struct LineRow {
        var number: String
        var skus: [WebOption]
        var quantity: String
        var discount: String
        var rowError: String?
        var invalid: Bool
    }

    var prefix: String
    var inputs: [WebInput]
    var lineRows: [LineRow]
    var formError: String?

    /// `values` gives each field's value (posted, or the record's); `rows` the lines; `postedRows`
    /// maps each posted line back to its row (for errors).
    init(values: (String) -> String, rows: [QuoteForm.Row], refusal: LeadFormRefusal?, postedRows: [Int], books: [PriceBook], products: [Product],
         creating: Bool, locale: Localization.Locale, prefix: String) {
        self.prefix = prefix
        func message(_ name: String, _ label: String) -> String? { OpportunityForm.message(refusal, name, label: locale.text(label), locale: locale) }
        func input(_ name: String, _ label: String, _ kind: String, options: [(String, String)]? = nil) -> WebInput {
            WebInput(id: "\(prefix)-\(name)", name: name, label: locale.text(label), value: values(name), kind: options == nil ? kind : "select",
                     options: options.map { WebOption.list($0, chosen: values(name)) } ?? [], error: message(name, label))
        }
        var inputs = [input("name", "quote_name", "text")]
        if creating { inputs.append(input("currency", "currency", "text")) }
        inputs += [
            input("price_book", "price_book", "select", options: [("", locale.text("calc_list_prices"))] + books.map { ($0.key, "\($0.name) (\($0.currency))") }),
            input("valid_until", "quote_valid_until", "date"),
            input("channel", "policy_channel", "text"),
            input("new_customer", "calc_new_customer", "select", options: [("yes", locale.text("yes")), ("no", locale.text("no"))]),
            input("rounding", "rounding", "select", options: Rounding.allCases.map { ($0.rawValue, locale.text("rounding_\($0.rawValue)")) }),
            input("notes", "quote_notes", "textarea"),
        ]
        self.inputs = inputs
        let errors = QuoteForm.rowErrors(refusal, rows: postedRows, locale: locale)
        let choices = [("", locale.text("choose"))] + products.map { product in
            let prices = product.listPrices.sorted { $0.key < $1.key }.map { locale.money($0.value, currency: $0.key) }.joined(separator: " / ")
            return (product.sku, "\(product.sku) · \(product.name)\(prices.isEmpty ? "" : " · " + prices)")
        }
        let count = max(rows.count + QuoteForm.spareRows, QuoteForm.minimumRows)
        self.lineRows = (0..<count).map { index in
            let row = index < rows.count ? rows[index] : QuoteForm.Row(sku: "", quantity: "", discount: "")
            return LineRow(number: String(index + 1), skus: WebOption.list(choices, chosen: row.sku), quantity: row.quantity, discount: row.discount,
                           rowError: errors[index], invalid: errors[index] != nil)
        }
        let shown: Set<String> = ["name", "currency", "price_book", "valid_until", "channel", "new_customer", "rounding", "notes"]
        formError = refusal.map { refusal in
            let rest = refusal.error.fieldErrors.filter { error in
                !shown.contains(error.field) && !(error.field.hasPrefix("lines[") && Int(error.field.dropFirst(6).prefix { $0.isNumber }).map { $0 < postedRows.count } == true)
            }
            return ([locale.text("error_\(refusal.error.code.rawValue)")] + rest.map { LeadFormRefusal.words($0, label: $0.field, locale: locale) })
                .joined(separator: " ")
        }
    }
}
