import Foundation
import RapportApp
import RapportCore

/// The quote list's filters as the address carries them: status, whose (mine or everything the
/// reader may see), one owner (managers), one opportunity, and the page.
struct QuoteFilters {
    var status = ""
    var whose = "mine"
    var owner = ""
    var opportunity = ""
    var cursor: String?

    init(query raw: String, canManage: Bool) {
        for (key, value) in SavedView.decode(raw) {
            let value = String(value.trimmingWhitespace().prefix(100))
            switch key {
            case "status": status = QuoteStatus(rawValue: value) == nil ? "" : value
            case "whose": whose = value == "all" ? "all" : "mine"
            case "owner": owner = canManage ? value : ""
            case "opportunity": opportunity = value
            case "cursor": cursor = value.isEmpty ? nil : value
            default: break
            }
        }
        // An opportunity's quotes are all of them, whoever owns them.
        if !opportunity.isEmpty && owner.isEmpty { whose = "all" }
    }

    /// The address of these filters (without the cursor).
    func link() -> String {
        let pairs = [("status", status), ("whose", whose == "all" ? "all" : ""), ("owner", owner), ("opportunity", opportunity)]
        let query = pairs.filter { !$0.1.isEmpty }.map { "\($0.0)=\(SavedView.encode($0.1))" }.joined(separator: "&")
        return "/quotes" + (query.isEmpty ? "" : "?" + query)
    }

    func listQuery(me: RecordID) -> QuoteUseCases.ListQuery {
        QuoteUseCases.ListQuery(status: status.isEmpty ? nil : status, opportunity: opportunity.isEmpty ? nil : opportunity,
                                owner: !owner.isEmpty ? owner : whose == "mine" ? me.rawValue : nil)
    }
}

/// Names and wording the quote pages share: people, customers, money, percentages, dates.
struct QuoteWording {
    var locale: Localization.Locale
    var people: [RecordID: String] = [:]
    var customers: [RecordID: String] = [:]

    func money(_ minor: Int64, _ currency: String) -> String { locale.money(minor, currency: currency) }
    func percent(_ basisPoints: Int64) -> String { locale.percent(Double(basisPoints) / 10_000) }
    func person(_ id: RecordID?) -> String { id.flatMap { people[$0] } ?? locale.text("someone") }
    func customer(_ id: RecordID?) -> String { id.map { customers[$0] ?? locale.text("someone") } ?? locale.text("quote_no_customer") }
    func date(_ instant: Date) -> String { locale.dateFormatter().string(from: instant) }
    func status(_ status: QuoteStatus) -> String { locale.text("quote_status_\(status.rawValue)") }
}

/// One quote as a row of a list or an entry of the approval inbox.
struct QuoteRow {
    var id: String
    var name: String
    var customer: String
    var status: String
    var statusKey: String
    var total: String
    var discount: String
    var validUntil: String
    var owner: String
    var requested: String
    var threshold: String
    var version: String

    init(_ item: QuoteUseCases.Item, wording: QuoteWording) {
        let quote = item.quote
        id = quote.id.rawValue
        name = quote.name
        customer = wording.customer(quote.customerID)
        status = wording.status(quote.status)
        statusKey = quote.status.rawValue
        total = wording.money(quote.totals.totalMinor, quote.currency)
        discount = wording.percent(quote.totals.discountBasisPoints)
        validUntil = quote.validUntil
        version = String(quote.version)
        owner = wording.person(quote.ownerID)
        let pending = item.approvals.last { $0.decision == .pending }
        requested = pending.map { wording.locale.text("quote_requested_by", ["name": wording.person($0.requestedBy), "date": wording.date($0.requestedAt)]) } ?? ""
        threshold = pending.map {
            wording.locale.text("quote_discount_vs_threshold", ["discount": wording.percent($0.discountBasisPoints), "threshold": wording.percent($0.thresholdBasisPoints)])
        } ?? ""
    }
}

/// The quote list: filters, rows, the next page.
struct QuotesBody {
    var statuses: [WebOption]
    var whose: [WebOption]
    var owners: [WebOption]
    var hasOwners: Bool
    var opportunity: String
    var opportunityName: String?
    var rows: [QuoteRow]
    var next: String?
    var inboxLink: Bool
}

/// The approval inbox: the quotes waiting for the reader's decision, each with approve and
/// reject forms (a rejection needs a comment).
struct QuoteInboxBody {
    var rows: [QuoteRow]
    var next: String?
    var returnTo: String
}
