import Foundation
import RapportApp
import RapportCore

/// What an order's page is built from.
struct OrderPageData {
    var order: Order
    var history: [StageChange]
    var books: ReceivableUseCases.Books
    var entitlements: [Entitlement]
    var wording: OrderWording
    /// Whether the reader's role changes orders (the order is in their scope: they see it).
    var mayEdit: Bool
    /// An administrator, or a manager who does not own the order (four eyes).
    var mayApprove: Bool
    var owners: [(String, String)]
}

/// An order's page: its fields, lines, term, status with the moves the reader may make (each a
/// form, with a reason where one is asked), the stage history, the edit form while a draft (with
/// the version, so a stale form is refused), its entitlements, and its receivables.
struct OrderDetailBody {
    typealias Fact = LeadDetailBody.Fact
    typealias History = LeadDetailBody.Line

    struct Line {
        var sku: String
        var product: String
        var quantity: String
        var unitPrice: String
        var discount: String
        var total: String
    }

    /// One status move as a form.
    struct Move {
        var action: String
        var label: String
        var reasonInput: WebInput?
        var moveError: String?
        var secondary: Bool
        var confirmText: String?
    }

    var id: String
    var title: String
    var status: String
    var statusKey: String
    var customerLink: String?
    var opportunityLink: String?
    var quoteLink: String?
    var facts: [Fact]
    var lines: [Line]
    var total: String
    var history: [History]
    var moves: [Move] = []
    var hasMoves = false
    var moveNote: String?
    /// A refusal of a form the page no longer shows (the order moved meanwhile, or the reader may
    /// not do it), said at the top.
    var topError: String?
    var version: String
    var mayEdit: Bool
    var isDraft: Bool
    var editInputs: [WebInput] = []
    var editError: String?
    var entitlements: [EntitlementRow]
    var hasEntitlements: Bool
    var books: BooksSection

    init(_ data: OrderPageData, refused: LeadFormRefusal?) {
        let order = data.order
        let wording = data.wording
        let locale = wording.locale
        id = order.id.rawValue
        title = order.title
        status = wording.status(order.status)
        statusKey = order.status.rawValue
        customerLink = wording.customerLink(order.customerID)
        opportunityLink = order.opportunityID.map { "/opportunities/" + WebPages.segment($0.rawValue) }
        quoteLink = order.quoteID.map { "/quotes/" + WebPages.segment($0) + "/print" }
        var facts = [
            Fact(label: wording.text("customer"), value: wording.customer(order.customerID)),
            Fact(label: wording.text("status"), value: status + " · " + wording.time(order.statusEnteredAt)),
            Fact(label: wording.text("order_total"), value: wording.money(order.total)),
            Fact(label: wording.text("order_term"), value: wording.text("order_term_value", ["from": wording.day(order.effectiveFrom), "to": wording.day(order.effectiveTo)])),
            Fact(label: wording.text("owner"), value: wording.person(order.ownerID)),
        ]
        if let signed = order.signedAt { facts.append(Fact(label: wording.text("order_signed_at"), value: wording.time(signed))) }
        if let approver = order.approvedBy { facts.append(Fact(label: wording.text("order_approved_by"), value: wording.person(approver))) }
        if let reason = order.statusReason { facts.append(Fact(label: wording.text("order_status_reason"), value: reason)) }
        facts.append(Fact(label: wording.text("created"), value: wording.time(order.createdAt)))
        self.facts = facts
        lines = order.lines.map { line in
            Line(sku: line.sku, product: line.productName, quantity: locale.number(Int(clamping: line.quantity)), unitPrice: wording.money(line.unitPrice),
                 discount: line.discount.amountMinor == 0 ? "—" : wording.money(line.discount), total: wording.money(line.total))
        }
        total = wording.money(order.total)
        history = data.history.reversed().map { change in
            History(title: [change.from.map { wording.status($0) }, wording.status(change.to)].compactMap { $0 }.joined(separator: " → "),
                    detail: wording.person(change.by) + " · " + wording.time(change.at), note: change.reason)
        }
        version = String(order.version)
        mayEdit = data.mayEdit
        isDraft = order.status == .draft
        entitlements = data.entitlements.map { EntitlementRow($0, wording: wording, product: nil) }
        hasEntitlements = !entitlements.isEmpty
        books = BooksSection(data, refused: refused)
        if data.mayEdit {
            buildMoves(data, refused: refused)
            if isDraft { buildEditForm(data, refused: refused) }
        }
        if let refused, !shownForms.contains(refused.form) {
            let forbidden = refused.error.code == .forbidden && ["act:approve", "act:reject"].contains(refused.form)
            topError = FormFill(locale: locale, refused: refused, form: refused.form, prefix: "top").summary(key: forbidden ? "order_approve_forbidden" : nil)
        }
    }

    /// The forms this page shows (by the name a refusal gives them).
    var shownForms: Set<String> {
        var forms = Set(moves.map { "act:\($0.action)" } + books.shownForms)
        if mayEdit && isDraft { forms.insert("edit") }
        return forms
    }

    /// The moves the order's status allows, and the reader may make.
    mutating func buildMoves(_ data: OrderPageData, refused: LeadFormRefusal?) {
        let wording = data.wording
        let actions: [OrderUseCases.Action] =
            switch data.order.status {
            case .draft: [.submit, .cancel]
            case .pendingApproval: data.mayApprove ? [.approve, .reject] : []
            case .signed: [.terminate]
            case .effective: [.complete, .terminate]
            default: []
            }
        moves = actions.map { action in
            var fill = FormFill(locale: wording.locale, refused: refused, form: "act:\(action.rawValue)", prefix: "act-\(action.rawValue)")
            let asksReason = [.reject, .terminate, .cancel].contains(action)
            let reason = asksReason
                ? fill.input("reason", action == .cancel ? "status_reason" : "order_reason_required", value: "") : nil
            let forbidden = fill.refusal?.error.code == .forbidden && (action == .approve || action == .reject)
            return Move(action: action.rawValue, label: wording.text("order_action_\(action.rawValue)"), reasonInput: reason,
                        moveError: fill.summary(key: forbidden ? "order_approve_forbidden" : nil),
                        secondary: [.reject, .cancel, .terminate].contains(action),
                        confirmText: [.cancel, .terminate].contains(action) ? wording.text("order_confirm_\(action.rawValue)") : nil)
        }
        hasMoves = !moves.isEmpty
        if data.order.status == .pendingApproval && !data.mayApprove { moveNote = wording.text("order_awaiting_approval") }
    }

    mutating func buildEditForm(_ data: OrderPageData, refused: LeadFormRefusal?) {
        let order = data.order
        var fill = FormFill(locale: data.wording.locale, refused: refused, form: "edit", prefix: "edit")
        editInputs = [
            fill.input("title", "order_title", value: order.title),
            fill.input("lines", "order_lines_input", kind: "textarea", value: OrderPages.linesText(order.lines)),
            fill.input("effective_from", "order_effective_from", kind: "date", value: OrderPages.dateValue(order.effectiveFrom)),
            fill.input("effective_to", "order_effective_to", kind: "date", value: OrderPages.dateValue(order.effectiveTo)),
        ]
        if !data.owners.isEmpty {
            let chosen = fill.refusal == nil ? order.ownerID.rawValue : ""
            var owner = fill.input("owner_id", "owner", options: data.owners)
            if fill.refusal == nil { owner.options = WebOption.list(data.owners, chosen: chosen) }
            editInputs.append(owner)
        }
        editError = fill.summary()
    }
}
