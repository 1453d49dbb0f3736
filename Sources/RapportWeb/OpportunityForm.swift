import Foundation
import RapportApp
import RapportCore

/// An opportunity's fields as its forms post them, read into the use case's input. Money is
/// written in major units (`12,345.60`) and read with integers only; what cannot be read is sent
/// as a value the use case refuses, so the refusal names the input.
enum OpportunityForm {
    /// The lines as a form writes them: one per row, `SKU quantity [unit price]`.
    static func linesText(_ lines: [OpportunityLine]) -> String {
        lines.map { "\($0.sku) \($0.quantity) \($0.unitPrice.plainText)" }.joined(separator: "\n")
    }

    /// The input of a create (`creating`: blanks are left out) or edit form (blanks clear).
    static func input(_ form: WebForm, currency raw: String, creating: Bool, products: [Product] = []) -> OpportunityInput {
        let currency = raw.uppercased()
        var input = OpportunityInput()
        input.name = form["name"] ?? (creating ? nil : "")
        let lines = form["lines"].map { self.lines($0, currency: currency, products: products) }
        if let amount = form["amount"] {
            input.amount = .some(Money.parse(amount, currency: currency) ?? Money(-1, currency))
        } else if !creating, lines?.isEmpty != false {
            input.amount = .some(nil)
        }
        if let date = form["expected_close_date"] { input.expectedCloseDate = .some(date) } else if !creating { input.expectedCloseDate = .some(nil) }
        if let source = form["source"] { input.source = .some(source) } else if !creating { input.source = .some(nil) }
        let competitors = (form["competitors"] ?? "").split(whereSeparator: { $0 == "," || $0 == "，" })
            .map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !creating || !competitors.isEmpty { input.competitors = competitors }
        if !creating {
            input.probability = .some(form["probability"].map { Int($0) ?? -1 })
        }
        if let lines { input.lines = lines } else if !creating { input.lines = [] }
        return input
    }

    /// Lines from their text: `SKU quantity [unit price]` per row; without a price, the product's
    /// list price in the currency (when the catalog has one).
    static func lines(_ text: String, currency: String, products: [Product]) -> [OpportunityInput.Line] {
        text.split(whereSeparator: \.isNewline).compactMap { row -> OpportunityInput.Line? in
            let parts = row.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "×" || $0 == "@" }).map(String.init)
            guard let sku = parts.first else { return nil }
            let quantity = parts.count > 1 ? Int(parts[1]) : nil
            var price: Money?
            if parts.count > 2 {
                price = Money.parse(parts[2...].joined(), currency: currency) ?? Money(-1, currency)
            } else if let listed = products.first(where: { $0.sku == sku })?.listPrices[currency] {
                price = Money(listed, currency)
            }
            return OpportunityInput.Line(sku: sku, quantity: quantity, unitPrice: price)
        }
    }

    /// The field errors of a refusal that belong to the input `name` (`amount` takes
    /// `amount.amount_minor`, `lines` takes `lines[2].sku`).
    static func message(_ refusal: LeadFormRefusal?, _ name: String, label: String, locale: Localization.Locale) -> String? {
        guard let refusal else { return nil }
        let errors = refusal.error.fieldErrors.filter { $0.field == name || $0.field.hasPrefix(name + ".") || $0.field.hasPrefix(name + "[") }
        guard !errors.isEmpty else { return nil }
        return errors.map { error in
            let row = error.field.hasPrefix("lines[") ? (Int(error.field.dropFirst(6).prefix { $0.isNumber }).map { locale.text("opp_line_n", ["n": String($0 + 1)]) + ": " } ?? "") : ""
            return row + LeadFormRefusal.words(error, label: label, locale: locale)
        }.joined(separator: " ")
    }

    /// The inputs both forms share, filled from `values` (what was posted, or the record).
    static func inputs(_ values: (String) -> String, refusal: LeadFormRefusal?, locale: Localization.Locale, prefix: String) -> [WebInput] {
        func input(_ name: String, _ label: String, _ kind: String) -> WebInput {
            WebInput(id: "\(prefix)-\(name)", name: name, label: locale.text(label), value: values(name), kind: kind,
                     error: message(refusal, name, label: locale.text(label), locale: locale))
        }
        return [
            input("name", "name", "text"),
            input("amount", "opp_amount", "text"),
            input("currency", "currency", "text"),
            input("expected_close_date", "expected_close_date", "date"),
            input("source", "source", "text"),
            input("competitors", "competitors", "text"),
        ]
    }

    /// The lines' input (a textarea, with its format explained in the label's hint).
    static func linesInput(_ value: String, refusal: LeadFormRefusal?, locale: Localization.Locale, prefix: String) -> WebInput {
        WebInput(id: "\(prefix)-lines", name: "lines", label: locale.text("opp_lines_input"), value: value, kind: "textarea",
                 error: message(refusal, "lines", label: locale.text("opp_lines"), locale: locale))
    }
}

/// The new-opportunity form.
struct NewOpportunityBody {
    var customerID: String?
    var customerName: String?
    var customerInput: WebInput?
    var inputs: [WebInput]
    var lines: WebInput
    var pipeline: WebInput
    var owner: WebInput?
    var formError: String?
    var skus: String

    init(web: WebContext, posted: WebForm, refused: LeadFormRefusal?, pipelines: [PipelineDefinition], customerName: String?,
         owners: [(String, String)], products: [Product]) {
        let locale = web.locale
        if let customerName, let id = posted["customer_id"] {
            customerID = id
            self.customerName = customerName
        } else {
            customerInput = WebInput(id: "new-customer", name: "customer_id", label: locale.text("opp_customer_id"), value: posted["customer_id"] ?? "",
                                     kind: "text", error: OpportunityForm.message(refused, "customer_id", label: locale.text("customer"), locale: locale))
        }
        inputs = OpportunityForm.inputs({ name in posted[name] ?? (name == "currency" ? "CNY" : "") }, refusal: refused, locale: locale, prefix: "new")
        lines = OpportunityForm.linesInput(posted["lines"] ?? "", refusal: refused, locale: locale, prefix: "new")
        pipeline = WebInput(id: "new-pipeline", name: "pipeline", label: locale.text("pipeline"), value: "", kind: "select",
                            options: WebOption.list(pipelines.map { ($0.key, $0.label.text(for: locale.code)) }, chosen: posted["pipeline"]),
                            error: OpportunityForm.message(refused, "pipeline", label: locale.text("pipeline"), locale: locale))
        if !owners.isEmpty {
            owner = WebInput(id: "new-owner", name: "owner_id", label: locale.text("owner"), value: "", kind: "select",
                             options: WebOption.list([("", locale.text("opp_owner_me"))] + owners, chosen: posted["owner_id"]),
                             error: OpportunityForm.message(refused, "owner_id", label: locale.text("owner"), locale: locale))
        }
        let shown: Set<String> = ["customer_id", "name", "amount", "currency", "expected_close_date", "source", "competitors", "lines", "pipeline", "owner_id"]
        formError = refused.map { refusal in
            let rest = refusal.error.fieldErrors.filter { error in !shown.contains { error.field == $0 || error.field.hasPrefix($0 + ".") || error.field.hasPrefix($0 + "[") } }
            return ([locale.text("error_\(refusal.error.code.rawValue)")] + rest.map { LeadFormRefusal.words($0, label: $0.field, locale: locale) }).joined(separator: " ")
        }
        skus = products.prefix(30).map { product in
            let prices = product.listPrices.sorted { $0.key < $1.key }.map { locale.money($0.value, currency: $0.key) }.joined(separator: " / ")
            return "\(product.sku) (\(product.name)\(prices.isEmpty ? "" : ", " + prices))"
        }.joined(separator: " · ")
    }
}
