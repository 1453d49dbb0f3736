import Foundation
import RapportApp
import RapportCore

/// Words and formats the order pages share: money, days, statuses, names the reader may see.
struct OrderWording {
    var locale: Localization.Locale
    var now: Date
    var people: [RecordID: String] = [:]
    var customers: [RecordID: String] = [:]

    func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }

    func money(_ minor: Int64, _ currency: String) -> String { locale.money(minor, currency: currency) }

    func money(_ amount: Money) -> String { locale.money(amount.amountMinor, currency: amount.currency) }

    /// An instant as a day (no time).
    func day(_ date: Date?) -> String {
        guard let date else { return "—" }
        let formatter = locale.dateFormatter()
        formatter.timeStyle = .none
        return formatter.string(from: date)
    }

    /// A calendar day as the reader writes dates.
    func day(_ date: CalendarDate) -> String {
        LeadFilters.day(date.description).map { day($0) } ?? date.description
    }

    func time(_ date: Date) -> String { locale.dateFormatter().string(from: date) }

    func customer(_ id: RecordID) -> String { customers[id] ?? "—" }

    /// A link to the customer's page, when the reader may see it.
    func customerLink(_ id: RecordID) -> String? { customers[id] == nil ? nil : "/customers/" + WebPages.segment(id.rawValue) }

    func person(_ id: RecordID?) -> String { id.map { people[$0] ?? text("someone") } ?? text("system") }

    func status(_ status: OrderStatus) -> String { text("order_status_\(status.rawValue)") }

    func status(_ raw: String) -> String { locale.strings["order_status_\(raw)"] ?? raw }

    /// A count of a unit (`48 lessons`, `48 课时`).
    func quantity(_ count: Int64, unit: String) -> String {
        let number = locale.number(Int(clamping: count))
        return locale.strings["ent_unit_\(unit)"].map { text("ent_count", ["n": number, "unit": $0]) } ?? "\(number) \(unit)"
    }
}

/// The inputs of one form of a page, filled with the record's values or, after a refusal of this
/// form, with what was posted and the reasons at each input; what no input shows goes in `summary`.
struct FormFill {
    let locale: Localization.Locale
    /// The refusal, when it was of this form.
    let refusal: LeadFormRefusal?
    let prefix: String
    private(set) var shown: [String] = []

    init(locale: Localization.Locale, refused: LeadFormRefusal?, form: String, prefix: String) {
        self.locale = locale
        refusal = refused?.form == form ? refused : nil
        self.prefix = prefix
    }

    /// An input `name` labelled by `labelKey` (`also`: the use case's other names for it).
    mutating func input(_ name: String, _ labelKey: String, kind: String = "text", value: String = "", options: [(String, String)]? = nil,
                        also: [String] = []) -> WebInput {
        shown += [name] + also
        let label = locale.text(labelKey)
        let filled = refusal.map { refusal in refusal.posted.pairs.last { $0.0 == name }?.1 ?? "" } ?? value
        let errors = ([name] + also).compactMap { OpportunityForm.message(refusal, $0, label: label, locale: locale) }
        let error = errors.isEmpty ? nil : errors.joined(separator: " ")
        if let options {
            return WebInput(id: "\(prefix)-\(name)", name: name, label: label, value: "", kind: kind == "checks" ? "checks" : "select",
                            options: WebOption.list(options, chosen: filled), error: error)
        }
        return WebInput(id: "\(prefix)-\(name)", name: name, label: label, value: filled, kind: kind, error: error)
    }

    /// The refusal in the reader's words, with the field errors no input shows (`key`: a more
    /// telling sentence than the error code's).
    func summary(key: String? = nil) -> String? {
        guard let refusal else { return nil }
        let rest = refusal.error.fieldErrors.filter { error in
            !shown.contains { error.field == $0 || error.field.hasPrefix($0 + ".") || error.field.hasPrefix($0 + "[") }
        }
        let head = key ?? (refusal.error.code == .preconditionFailed ? "opp_stale_form" : "error_\(refusal.error.code.rawValue)")
        return ([locale.text(head)] + rest.map { LeadFormRefusal.words($0, label: $0.field, locale: locale) }).joined(separator: " ")
    }
}

/// An order as a row of a list.
struct OrderRow {
    var id: String
    var title: String
    var customer: String
    var status: String
    var statusKey: String
    var total: String
    var owner: String
    var created: String

    init(_ order: Order, wording: OrderWording) {
        id = order.id.rawValue
        title = order.title
        customer = wording.customer(order.customerID)
        status = wording.status(order.status)
        statusKey = order.status.rawValue
        total = wording.money(order.total)
        owner = wording.person(order.ownerID)
        created = wording.day(order.createdAt)
    }
}

/// The orders list: filters, rows and pages.
struct OrdersBody {
    var rows: [OrderRow]
    var statuses: [WebOption]
    var whose: [WebOption]
    var owners: [WebOption]
    var hasOwners: Bool
    var customerFilter: String?
    var customerFilterName: String
    var clearCustomer: String
    var next: String?
    var firstPage: String?
    var mayCreate: Bool
    var newLink: String

    init(web: WebContext, found: Page<Order>, filters: OrderFilters, wording: OrderWording, owners: [(String, String)], mayCreate: Bool, first: Bool) {
        rows = found.items.map { OrderRow($0, wording: wording) }
        statuses = WebOption.list([("", web.text("order_any_status"))] + OrderStatus.allCases.map { ($0.rawValue, wording.status($0)) }, chosen: filters.status ?? "")
        whose = WebOption.list([("all", web.text(web.canManage ? "my_team" : "opp_all_visible")), ("mine", web.text("mine"))], chosen: filters.whose)
        self.owners = WebOption.list([("", web.text("opp_any_owner"))] + owners, chosen: filters.owner ?? "")
        hasOwners = !owners.isEmpty
        customerFilter = filters.customer
        customerFilterName = filters.customer.flatMap { RecordID(parsing: $0, prefix: .customer) }.flatMap { wording.customers[$0] } ?? "—"
        var cleared = filters
        cleared.customer = nil
        clearCustomer = cleared.link()
        next = found.nextCursor.map { filters.link(cursor: $0.token) }
        firstPage = first ? nil : filters.link()
        self.mayCreate = mayCreate
        newLink = "/orders/new" + (filters.customer.map { "?customer=" + WebPages.segment($0) } ?? "")
    }
}

/// The new-order form.
struct NewOrderBody {
    var customerID: String?
    var customerName: String?
    var inputs: [WebInput]
    var formError: String?
    var skus: String

    init(web: WebContext, posted: WebForm, refused: LeadFormRefusal?, customerName: String?, owners: [(String, String)], products: [Product]) {
        let locale = web.locale
        var fill = FormFill(locale: locale, refused: refused, form: "new", prefix: "new")
        var inputs: [WebInput] = []
        if let customerName, let id = posted["customer_id"] {
            customerID = id
            self.customerName = customerName
        } else {
            inputs.append(fill.input("customer_id", "opp_customer_id", value: posted["customer_id"] ?? ""))
        }
        inputs += [
            fill.input("title", "order_title", value: posted["title"] ?? ""),
            fill.input("currency", "currency", value: posted["currency"] ?? "CNY"),
            fill.input("lines", "order_lines_input", kind: "textarea", value: posted["lines"] ?? ""),
            fill.input("effective_from", "order_effective_from", kind: "date", value: posted["effective_from"] ?? ""),
            fill.input("effective_to", "order_effective_to", kind: "date", value: posted["effective_to"] ?? ""),
        ]
        if !owners.isEmpty { inputs.append(fill.input("owner_id", "owner", options: [("", locale.text("opp_owner_me"))] + owners)) }
        self.inputs = inputs
        formError = fill.summary()
        skus = products.prefix(30).map { product in
            let prices = product.listPrices.sorted { $0.key < $1.key }.map { locale.money($0.value, currency: $0.key) }.joined(separator: " / ")
            return "\(product.sku) (\(product.name)\(prices.isEmpty ? "" : ", " + prices))"
        }.joined(separator: " · ")
    }
}
