import Foundation
import RapportApp
import RapportCore

/// The catalog's forms as posted, read into the use cases' inputs (money in major units, read
/// with integers; dates as calendar days in the readers' time zone, `valid until` inclusive), and
/// their inputs filled from a record or from what was posted, with each refusal at its input.
enum CatalogForm {
    /// One input: its name, label key, kind, and the error paths it shows (`prices` shows `prices[0].currency`).
    struct Spec {
        var name: String
        var label: String
        var kind: String
        var paths: [String]
        var options: [(String, String)] = []

        init(_ name: String, _ label: String, _ kind: String = "text", paths: [String]? = nil, options: [(String, String)] = []) {
            self.name = name
            self.label = label
            self.kind = kind
            self.paths = paths ?? [name]
            self.options = options
        }
    }

    /// The inputs of `specs`, valued by `value` (posted text after a refusal, else the record's).
    static func inputs(_ specs: [Spec], prefix: String, value: (String) -> String, refusal: LeadFormRefusal?, locale: Localization.Locale) -> [WebInput] {
        specs.map { spec in
            let label = locale.text(spec.label)
            let errors = refusal?.error.fieldErrors.filter { error in
                spec.paths.contains { error.field == $0 || error.field.hasPrefix($0 + ".") || error.field.hasPrefix($0 + "[") }
            } ?? []
            let message = errors.isEmpty ? nil : errors.map { LeadFormRefusal.words($0, label: label, locale: locale) }.joined(separator: " ")
            let current = value(spec.name)
            let options = spec.kind == "check"
                ? [WebOption(value: "true", label: label, selected: current == "true")]
                : WebOption.list(spec.options, chosen: current)
            return WebInput(id: "\(prefix)-\(spec.name)", name: spec.name, label: label, value: current, kind: spec.kind == "check" ? "checks" : spec.kind,
                            options: options, error: message)
        }
    }

    /// The refusal's words for errors no input of `specs` shows.
    static func summary(_ refusal: LeadFormRefusal?, specs: [Spec], locale: Localization.Locale) -> String? {
        guard let refusal else { return nil }
        let paths = specs.flatMap(\.paths)
        let rest = refusal.error.fieldErrors.filter { error in !paths.contains { error.field == $0 || error.field.hasPrefix($0 + ".") || error.field.hasPrefix($0 + "[") } }
        let head = refusal.error.code == .preconditionFailed ? locale.text("opp_stale_form") : locale.text("error_\(refusal.error.code.rawValue)")
        return ([head] + rest.map { LeadFormRefusal.words($0, label: $0.field, locale: locale) }).joined(separator: " ")
    }

    /// The value a posted form gives `name` (as typed, blank when absent), for re-showing it.
    static func posted(_ form: WebForm) -> (String) -> String {
        { name in form.pairs.last { $0.0 == name }?.1 ?? "" }
    }

    /// Rows of text (`CNY 199.00`, `SKU 99`): one entry per non-blank row, split at the first space.
    static func rows(_ text: String?) -> [(String, String)] {
        (text ?? "").split(whereSeparator: \.isNewline).compactMap { row in
            let parts = row.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard let first = parts.first, !first.isEmpty else { return nil }
            return (first, parts.count > 1 ? parts[1] : "")
        }
    }

    /// A comma-separated list, trimmed, blanks dropped.
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == "，" }).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// An amount in minor units as typed in major units of `currency` (-1, refused as out of range, when unreadable).
    static func minor(_ text: String, currency: String) -> Int64 {
        Money.minorUnits(text, digits: Money.minorDigits(currency)) ?? -1
    }

    /// A calendar day's start (`from`), or the next day's (`until`, so the day itself is included).
    static func day(_ text: String?, inclusiveEnd: Bool = false) -> Date?? {
        guard let text, !text.isEmpty else { return .some(nil) }
        guard let start = LeadFilters.day(text) else { return nil }  // not a day (a browser sends YYYY-MM-DD): unchanged
        return .some(inclusiveEnd ? start.addingTimeInterval(86_400) : start)
    }

    /// A window's day as a date input shows it (the last day included for `until`).
    static func dayText(_ date: Date?, inclusiveEnd: Bool = false) -> String {
        guard let date else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: inclusiveEnd ? date.addingTimeInterval(-1) : date)
    }

    // MARK: Products

    static let productSpecs = [
        Spec("sku", "sku"), Spec("name", "name"), Spec("category", "category"), Spec("unit", "unit"),
        Spec("prices", "list_prices", "textarea"), Spec("active", "active", "check"),
    ]

    static func product(_ form: WebForm, creating: Bool) -> ProductUseCases.Input {
        ProductUseCases.Input(
            sku: form["sku"] ?? (creating ? nil : ""), name: form["name"] ?? (creating ? nil : ""), category: .some(form["category"]),
            unit: form["unit"] ?? (creating ? nil : Product.defaultUnit), active: creating ? nil : form["active"] == "true",
            prices: rows(form["prices"]).map { currency, amount in
                ProductUseCases.Price(currency: currency.uppercased(), amountMinor: minor(amount, currency: currency))
            })
    }

    static func productValues(_ product: Product?) -> (String) -> String {
        { name in
            guard let product else { return name == "unit" ? Product.defaultUnit : "" }
            switch name {
            case "sku": return product.sku
            case "name": return product.name
            case "category": return product.category ?? ""
            case "unit": return product.unit
            case "prices": return product.listPrices.sorted { $0.key < $1.key }.map { "\($0.key) \(Money($0.value, $0.key).plainText)" }.joined(separator: "\n")
            case "active": return product.active ? "true" : ""
            default: return ""
            }
        }
    }

    // MARK: Price books

    static let bookSpecs = [
        Spec("key", "key"), Spec("name", "name"), Spec("currency", "currency"), Spec("valid_from", "valid_from", "date"),
        Spec("valid_until", "valid_until", "date"), Spec("prices", "book_prices", "textarea"), Spec("active", "active", "check"),
    ]

    static func book(_ form: WebForm, creating: Bool) -> PriceBookUseCases.Input {
        let currency = (form["currency"] ?? "").uppercased()
        return PriceBookUseCases.Input(
            key: form["key"] ?? (creating ? nil : ""), name: form["name"] ?? (creating ? nil : ""), currency: form["currency"].map { $0.uppercased() },
            active: creating ? nil : form["active"] == "true", validFrom: day(form["valid_from"]), validUntil: day(form["valid_until"], inclusiveEnd: true),
            prices: rows(form["prices"]).map { PriceBookUseCases.Entry(sku: $0.0, amountMinor: minor($0.1, currency: currency)) })
    }

    static func bookValues(_ book: PriceBook?) -> (String) -> String {
        { name in
            guard let book else { return name == "currency" ? "CNY" : "" }
            switch name {
            case "key": return book.key
            case "name": return book.name
            case "currency": return book.currency
            case "valid_from": return dayText(book.validFrom)
            case "valid_until": return dayText(book.validUntil, inclusiveEnd: true)
            case "prices": return book.entries.map { "\($0.sku) \(Money($0.amountMinor, book.currency).plainText)" }.joined(separator: "\n")
            case "active": return book.active ? "true" : ""
            default: return ""
            }
        }
    }
}
