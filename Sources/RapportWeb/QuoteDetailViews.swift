import Foundation
import RapportApp
import RapportCore

/// What a quote's page is built from.
struct QuotePageData {
    var item: QuoteUseCases.Item
    var history: [StageChange]
    var wording: QuoteWording
    var opportunityName: String?
    var thresholdBasisPoints: Int64
    /// Whether the reader may change the quote (revise, submit, send, record the answer).
    var mayChange: Bool
    var mayDecide: Bool
    var mayOrder: Bool
    /// The orders made from the quote.
    var orders: [Order]
    var books: [PriceBook]
    var products: [Product]
}

/// A quote's page: its lines with every discount, the totals, the sales policies applied and
/// skipped (with the reason), the approval requests and the status history; and the actions its
/// status allows, as forms, for those who may take them: revise (with the version), submit
/// (saying whether a manager must approve), approve or reject with a comment, send, accept,
/// decline, and create the order; a link to print it.
struct QuoteDetailBody {
    typealias Fact = LeadDetailBody.Fact
    typealias History = LeadDetailBody.Line

    typealias Line = QuotePrintBody.Line
    typealias Policy = CalculatorBody.Policy

    struct Approval {
        var title: String
        var detail: String
        var approvalComment: String?
    }

    struct OrderLink {
        var link: String
        var title: String
        var orderStatus: String
    }

    var id: String
    var name: String
    var status: String
    var statusKey: String
    var opportunityLink: String
    var opportunityName: String
    var customerLink: String?
    var facts: [Fact]
    var lines: [Line]
    var subtotal: String
    var policyDiscount: String
    var manualDiscount: String
    var discount: String
    var total: String
    var approvalNote: String
    var needsApproval: Bool
    var applied: [Policy]
    var skipped: [Policy]
    var approvals: [Approval]
    var history: [History]
    var version: String
    var actionError: String?
    var canSubmit = false
    var canDecide = false
    var waitingFor: String?
    var canSend = false
    var canAnswer = false
    var canOrder = false
    var orderTitle = ""
    var orders: [OrderLink] = []
    var hasOrders = false
    var hasActions = false
    var mayRevise = false
    var reviseNote: String?
    var revise: QuoteFormView?

    init(_ data: QuotePageData, refused: LeadFormRefusal?) {
        let quote = data.item.quote
        let wording = data.wording
        let locale = wording.locale
        func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }
        func money(_ minor: Int64) -> String { wording.money(minor, quote.currency) }
        id = quote.id.rawValue
        name = quote.name
        status = wording.status(quote.status)
        statusKey = quote.status.rawValue
        opportunityLink = "/opportunities/" + WebPages.segment(quote.opportunityID.rawValue)
        opportunityName = data.opportunityName ?? text("quote_opportunity")
        customerLink = quote.customerID.flatMap { wording.customers[$0] == nil ? nil : "/customers/" + WebPages.segment($0.rawValue) }
        var facts = [
            Fact(label: text("customer"), value: wording.customer(quote.customerID)),
            Fact(label: text("owner"), value: wording.person(quote.ownerID)),
            Fact(label: text("quote_valid_until"), value: quote.validUntil),
            Fact(label: text("currency"), value: quote.currency),
            Fact(label: text("price_book"), value: quote.priceBookKey ?? text("calc_list_prices")),
            Fact(label: text("calc_new_customer"), value: text(quote.isNewCustomer ? "yes" : "no")),
        ]
        if let channel = quote.channel { facts.append(Fact(label: text("policy_channel"), value: channel)) }
        facts.append(Fact(label: text("rounding"), value: text("rounding_\(quote.rounding.rawValue)")))
        facts.append(Fact(label: text("quote_priced_on"), value: wording.date(quote.pricedAt)))
        for (key, instant) in [("quote_submitted_on", quote.submittedAt), ("quote_approved_on", quote.approvedAt), ("quote_sent", quote.sentAt),
                               ("quote_accepted", quote.acceptedAt), ("quote_declined_on", quote.declinedAt), ("quote_expired_on", quote.expiredAt)] {
            if let instant { facts.append(Fact(label: text(key), value: wording.date(instant))) }
        }
        if let reason = quote.declineReason { facts.append(Fact(label: text("quote_decline_reason"), value: reason)) }
        if let notes = quote.notes { facts.append(Fact(label: text("quote_notes"), value: notes)) }
        self.facts = facts
        lines = QuotePrintBody.lines(of: quote, locale: locale)
        subtotal = money(quote.totals.subtotalMinor)
        policyDiscount = "−" + money(quote.totals.policyDiscountMinor)
        manualDiscount = "−" + money(quote.totals.manualDiscountMinor)
        discount = "−" + money(quote.totals.discountMinor) + " (" + wording.percent(quote.totals.discountBasisPoints) + ")"
        total = money(quote.totals.totalMinor)
        needsApproval = QuotePricing.needsApproval(quote.totals, thresholdBasisPoints: data.thresholdBasisPoints)
        approvalNote = text(needsApproval ? "quote_needs_approval" : "quote_within_threshold",
                            ["discount": wording.percent(quote.totals.discountBasisPoints), "threshold": wording.percent(data.thresholdBasisPoints)])
        applied = quote.applied.map { Policy(name: $0.name, detail: "−" + money($0.discountMinor)) }
        skipped = quote.skipped.map { Policy(name: $0.name.isEmpty ? $0.policyID : $0.name, detail: text("policy_reason_\($0.reason)")) }
        approvals = data.item.approvals.reversed().map { approval in
            var detail = text("quote_requested_by", ["name": wording.person(approval.requestedBy), "date": wording.date(approval.requestedAt)])
            if let by = approval.decidedBy, let at = approval.decidedAt { detail += " · " + text("quote_decided_by", ["name": wording.person(by), "date": wording.date(at)]) }
            return Approval(title: text("quote_decision_\(approval.decision.rawValue)") + " · "
                                + text("quote_discount_vs_threshold", ["discount": wording.percent(approval.discountBasisPoints),
                                                                       "threshold": wording.percent(approval.thresholdBasisPoints)]),
                            detail: detail, approvalComment: approval.comment)
        }
        history = data.history.reversed().map { change in
            let from = change.from.flatMap(QuoteStatus.init(rawValue:)).map { wording.status($0) }
            let to = QuoteStatus(rawValue: change.to).map { wording.status($0) } ?? change.to
            return History(title: [from, to].compactMap { $0 }.joined(separator: " → "), detail: wording.person(change.by) + " · " + wording.date(change.at),
                           note: change.reason)
        }
        version = String(quote.version)
        if let refused, refused.form != "revise" { actionError = Self.refusal(refused.error, locale: locale) }
        buildActions(data)
        guard mayRevise else { return }
        let revising = refused?.form == "revise" ? refused : nil
        let record: [String: String] = [
            "name": quote.name, "price_book": quote.priceBookKey ?? "", "valid_until": quote.validUntil, "channel": quote.channel ?? "",
            "new_customer": quote.isNewCustomer ? "yes" : "no", "rounding": quote.rounding.rawValue, "notes": quote.notes ?? "",
        ]
        let posted = revising.map { QuoteForm.rows($0.posted) }
        revise = QuoteFormView(values: { name in revising.map { $0.posted.pairs.last { $0.0 == name }?.1 ?? "" } ?? record[name] ?? "" },
                               rows: posted ?? QuoteForm.rows(quote), refusal: revising,
                               postedRows: revising.map { QuoteForm.lines(QuoteForm.rows($0.posted), currency: quote.currency).rows } ?? [],
                               books: data.books.filter { $0.currency == quote.currency }, products: data.products, creating: false, locale: locale, prefix: "revise")
        if quote.status != .draft { reviseNote = text("quote_revise_back_to_draft") }
    }

    mutating func buildActions(_ data: QuotePageData) {
        let quote = data.item.quote
        let wording = data.wording
        let possible = Set(data.item.actions)
        canSubmit = data.mayChange && possible.contains(.submit)
        canDecide = data.mayDecide
        if quote.status == .pendingApproval && !canDecide, let pending = data.item.approvals.last(where: { $0.decision == .pending }) {
            waitingFor = wording.locale.text("quote_waiting_for", ["names": pending.approverIDs.map { wording.person($0) }.joined(separator: ", ")])
        }
        canSend = data.mayChange && possible.contains(.send)
        canAnswer = data.mayChange && possible.contains(.accept)
        orders = data.orders.map { order in
            OrderLink(link: "/orders/" + WebPages.segment(order.id.rawValue), title: order.title,
                      orderStatus: OrderLifecycle.dictionary.stage(order.status.rawValue)?.label.text(for: wording.locale.code) ?? order.status.rawValue)
        }
        hasOrders = !orders.isEmpty
        canOrder = data.mayOrder && quote.status == .accepted && !data.orders.contains { $0.status != .cancelled }
        orderTitle = quote.name
        mayRevise = data.mayChange && QuoteLifecycle.isRevisable(quote.status)
        hasActions = canSubmit || canDecide || waitingFor != nil || canSend || canAnswer || canOrder || hasOrders
    }

    /// A refused action in the reader's words: the quote's own reasons (own quote, wrong status,
    /// lapsed, already ordered…) when the refusal names one, else the error and its fields.
    static func refusal(_ error: RapportError, locale: Localization.Locale) -> String {
        if let reason = error.extra["reason"], locale.strings["quote_error_\(reason)"] != nil {
            var values = error.extra
            if let status = error.extra["quote_status"] { values["status"] = locale.text("quote_status_\(status)") }
            return locale.text("quote_error_\(reason)", values)
        }
        let fields = error.fieldErrors.map { LeadFormRefusal.words($0, label: locale.strings["quote_field_\($0.field)"] ?? $0.field, locale: locale) }
        return ([locale.text("error_\(error.code.rawValue)")] + fields).joined(separator: " ")
    }
}

/// The new-quote form for an opportunity.
struct NewQuoteBody {
    var opportunityID: String
    var opportunityName: String
    var customer: String
    var form: QuoteFormView
    var thresholdNote: String
}
