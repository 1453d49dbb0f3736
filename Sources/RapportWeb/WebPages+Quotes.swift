import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

/// The printable quote (`GET /quotes/{id}/print`): seller, customer, lines with their discounts,
/// the sales policies applied, totals and validity, laid out for paper by the print rules of
/// app.css. Whoever may see the quote may print it; anyone else gets 404. The other quote pages
/// are in `addQuotePages`.
extension WebPages {
    func addQuotes(to router: Router<APIRequestContext>) {
        page(router, "quotes/:id/print") { _, context, web in
            let document = try await rapport.quotes.document(try context.parameters.require("id"), by: web.caller)
            let body = QuotePrintBody(web: web, document: document)
            return web.page("quote_print", title: web.text("quote_title", ["name": document.item.quote.name]), body)
        }
        addQuotePages(to: router)
    }
}

/// The printed quote, worded and formatted for the reader.
struct QuotePrintBody {
    struct Line {
        var sku: String
        var name: String
        var quantity: String
        var unitPrice: String
        var list: String
        var policyDiscount: String
        var manualDiscount: String
        var total: String
    }

    struct Policy {
        var name: String
        var discount: String
    }

    var id: String
    var name: String
    var status: String
    var statusKey: String
    var seller: String
    var sellerEmail: String
    var team: String?
    var customer: String
    var opportunity: String?
    var created: String
    var validUntil: String
    var sent: String?
    var accepted: String?
    var currency: String
    var priceBook: String?
    var lines: [Line]
    var policies: [Policy]
    var hasPolicies: Bool
    var subtotal: String
    var policyDiscount: String
    var manualDiscount: String
    var discount: String
    var discountPercent: String
    var total: String
    var rounding: String
    var notes: String?
    var pricedAt: String

    init(web: WebContext, document: QuoteUseCases.Document) {
        let quote = document.item.quote
        let locale = web.locale
        let dates = locale.dateFormatter()
        func money(_ minor: Int64) -> String { locale.money(minor, currency: quote.currency) }
        func percent(_ basisPoints: Int64) -> String { locale.percent(Double(basisPoints) / 10_000) }
        id = quote.id.rawValue
        name = quote.name
        statusKey = quote.status.rawValue
        status = web.text("quote_status_\(quote.status.rawValue)")
        seller = document.owner?.name ?? ""
        sellerEmail = document.owner?.email ?? ""
        team = document.teamName
        customer = document.customerName ?? web.text("quote_no_customer")
        opportunity = document.opportunityName
        created = dates.string(from: quote.createdAt)
        validUntil = quote.validUntil
        sent = quote.sentAt.map { dates.string(from: $0) }
        accepted = quote.acceptedAt.map { dates.string(from: $0) }
        currency = quote.currency
        priceBook = quote.priceBookKey
        lines = Self.lines(of: quote, locale: locale)
        policies = quote.applied.map { Policy(name: $0.name, discount: money($0.discountMinor)) }
        hasPolicies = !policies.isEmpty
        subtotal = money(quote.totals.subtotalMinor)
        policyDiscount = money(quote.totals.policyDiscountMinor)
        manualDiscount = money(quote.totals.manualDiscountMinor)
        discount = money(quote.totals.discountMinor)
        discountPercent = percent(quote.totals.discountBasisPoints)
        total = money(quote.totals.totalMinor)
        rounding = web.text("quote_rounding_\(quote.rounding.rawValue)")
        notes = quote.notes
        pricedAt = dates.string(from: quote.pricedAt)
    }
}

extension QuotePrintBody {
    /// A quote's lines worded for the reader (the printed quote and the quote's page).
    static func lines(of quote: Quote, locale: Localization.Locale) -> [Line] {
        func money(_ minor: Int64) -> String { locale.money(minor, currency: quote.currency) }
        return quote.lines.map { line in
            let manual: String =
                switch line.manualDiscount {
                case .basisPoints(let points)?: "\(locale.percent(Double(points) / 10_000)) (\(money(line.manualDiscountMinor)))"
                case .amount?: money(line.manualDiscountMinor)
                case nil: "—"
                }
            return Line(sku: line.sku, name: line.name, quantity: "\(locale.number(line.quantity)) \(line.unit)", unitPrice: money(line.unitPriceMinor),
                        list: money(line.listMinor), policyDiscount: line.policyDiscountMinor == 0 ? "—" : money(line.policyDiscountMinor),
                        manualDiscount: manual, total: money(line.totalMinor))
        }
    }
}
