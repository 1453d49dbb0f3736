import Foundation
import RapportApp
import RapportCore

/// An entitlement as a row of a list.
struct EntitlementRow {
    var entitlementID: String
    var what: String
    var customer: String
    var granted: String
    var consumed: String
    var revoked: String
    var balance: String
    var expires: String
    var entState: String
    var entStateKey: String

    init(_ entitlement: Entitlement, wording: OrderWording, product: String?) {
        entitlementID = entitlement.id.rawValue
        what = product.map { "\($0) (\(entitlement.sku))" } ?? entitlement.sku
        customer = wording.customer(entitlement.customerID)
        granted = wording.quantity(entitlement.granted, unit: entitlement.unit)
        consumed = wording.locale.number(Int(clamping: entitlement.consumed))
        revoked = wording.locale.number(Int(clamping: entitlement.revoked))
        balance = wording.quantity(entitlement.balance, unit: entitlement.unit)
        expires = entitlement.expiresAt.map { wording.day($0) } ?? wording.text("ent_no_expiry")
        entState = wording.text("ent_status_\(entitlement.status.rawValue)")
        entStateKey = entitlement.status.rawValue
    }
}

/// The entitlements list: status and customer filters, rows and pages.
struct EntitlementsBody {
    var entitlements: [EntitlementRow]
    var statuses: [WebOption]
    var customerFilter: String?
    var customerFilterName: String
    var clearCustomer: String
    var next: String?
    var firstPage: String?

    init(web: WebContext, found: Page<Entitlement>, status: String?, customer: String?, wording: OrderWording, products: [RecordID: String], first: Bool) {
        entitlements = found.items.map { EntitlementRow($0, wording: wording, product: products[$0.productID]) }
        statuses = WebOption.list([("", web.text("order_any_status"))] + EntitlementStatus.allCases.map { ($0.rawValue, web.text("ent_status_\($0.rawValue)")) },
                                  chosen: status ?? "")
        customerFilter = customer
        customerFilterName = customer.flatMap { RecordID(parsing: $0, prefix: .customer) }.flatMap { wording.customers[$0] } ?? "—"
        func link(customer: String?, cursor: String? = nil) -> String {
            WebPages.queryPath("/entitlements", (status.map { [("status", $0)] } ?? []) + (customer.map { [("customer", $0)] } ?? [])
                               + (cursor.map { [("cursor", $0)] } ?? []))
        }
        clearCustomer = link(customer: nil)
        next = found.nextCursor.map { link(customer: customer, cursor: $0.token) }
        firstPage = first ? nil : link(customer: customer)
    }
}

/// An entitlement's page: what it grants and what is left, its consumption history, and the
/// consume form (with a fresh idempotency key) for those who may consume it while it is active.
struct EntitlementDetailBody {
    typealias Fact = LeadDetailBody.Fact

    struct Consumption {
        var occurred: String
        var quantity: String
        var consumptionNote: String?
        var recordedBy: String
    }

    var id: String
    var heading: String
    var entState: String
    var entStateKey: String
    var balance: String
    var facts: [Fact]
    var customerLink: String?
    var orderLink: String?
    var renewalLink: String?
    var consumptions: [Consumption]
    var moreConsumptions: String?
    var mayConsume: Bool
    var consumeInputs: [WebInput] = []
    var consumeError: String?
    var idempotencyKey: String

    init(web: WebContext, entitlement: Entitlement, consumptions page: Page<EntitlementConsumption>, wording: OrderWording, product: String?,
         orderVisible: Bool, mayConsume: Bool, refused: LeadFormRefusal?) {
        id = entitlement.id.rawValue
        heading = product.map { "\($0) (\(entitlement.sku))" } ?? entitlement.sku
        entState = wording.text("ent_status_\(entitlement.status.rawValue)")
        entStateKey = entitlement.status.rawValue
        balance = wording.quantity(entitlement.balance, unit: entitlement.unit)
        facts = [
            Fact(label: wording.text("customer"), value: wording.customer(entitlement.customerID)),
            Fact(label: wording.text("ent_granted"), value: wording.quantity(entitlement.granted, unit: entitlement.unit)),
            Fact(label: wording.text("ent_consumed"), value: wording.quantity(entitlement.consumed, unit: entitlement.unit)),
            Fact(label: wording.text("ent_revoked"), value: wording.quantity(entitlement.revoked, unit: entitlement.unit)),
            Fact(label: wording.text("ent_balance"), value: balance),
            Fact(label: wording.text("ent_starts"), value: wording.day(entitlement.startsAt)),
            Fact(label: wording.text("ent_expires"), value: entitlement.expiresAt.map { wording.day($0) } ?? wording.text("ent_no_expiry")),
            Fact(label: wording.text("status"), value: entState),
        ]
        customerLink = wording.customerLink(entitlement.customerID)
        orderLink = orderVisible ? "/orders/" + WebPages.segment(entitlement.orderID.rawValue) : nil
        renewalLink = entitlement.renewalOpportunityID.map { "/opportunities/" + WebPages.segment($0.rawValue) }
        consumptions = page.items.map { item in
            Consumption(occurred: wording.time(item.occurredAt), quantity: wording.quantity(item.quantity, unit: entitlement.unit),
                        consumptionNote: item.note, recordedBy: wording.person(item.recordedBy))
        }
        moreConsumptions = page.nextCursor.map { "/entitlements/" + WebPages.segment(entitlement.id.rawValue) + "?cursor=" + SavedView.encode($0.token) }
        self.mayConsume = mayConsume && entitlement.status == .active
        idempotencyKey = UUID().uuidString.lowercased()
        guard self.mayConsume || refused != nil else { return }
        var fill = FormFill(locale: wording.locale, refused: refused, form: "consume", prefix: "consume")
        consumeInputs = [fill.input("quantity", "ent_quantity", kind: "number", value: "1"), fill.input("note", "notes")]
        let key: String? =
            switch refused?.error.code {
            case .insufficientBalance?: "ent_insufficient_balance"
            case .entitlementNotActive?: "ent_not_active"
            default: nil
            }
        consumeError = fill.summary(key: key)
        self.mayConsume = mayConsume
    }
}

/// A customer's orders and entitlements on their 360 page.
struct CustomerCommerce {
    var customerID: String
    var seesOrders: Bool
    var orderRows: [OrderRow]
    var moreOrders: Bool
    var mayOrder: Bool
    var seesEntitlements: Bool
    var entitlements: [EntitlementRow]

    init(web: WebContext, customerID: RecordID, orders: Page<Order>?, entitlements: Page<Entitlement>?, wording: OrderWording,
         products: [RecordID: String], mayOrder: Bool) {
        self.customerID = customerID.rawValue
        seesOrders = orders != nil
        orderRows = orders?.items.map { OrderRow($0, wording: wording) } ?? []
        moreOrders = orders?.nextCursor != nil
        self.mayOrder = mayOrder
        seesEntitlements = entitlements != nil
        self.entitlements = entitlements?.items.map { EntitlementRow($0, wording: wording, product: products[$0.productID]) } ?? []
    }
}
