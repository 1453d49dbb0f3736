import Foundation
import RapportApp
import RapportCore

/// An order's receivables on its page: the totals, the instalments with where each stands today,
/// the payments, refunds and cancelled dues (with what they revoked) and invoices; and, for whoever
/// may change the order once it is signed, the forms to set the plan, record a payment, refund,
/// cancel dues, and issue or void
/// an invoice — each re-shown with its reasons when refused.
struct BooksSection {
    struct Total {
        var label: String
        var amount: String
        var tone: String
    }

    struct InstallmentLine {
        var number: String
        var due: String
        var amount: String
        var paid: String
        var cancelled: String
        var outstanding: String
        var state: String
        var stateKey: String
    }

    struct PaymentLine {
        var received: String
        var amount: String
        var method: String
        var reference: String
        var paymentNote: String?
        var recordedBy: String
    }

    struct RefundLine {
        var refunded: String
        var amount: String
        var reason: String
        var cancels: String
        var revoked: [String]
        var hasRevoked: Bool
    }

    struct CancellationLine {
        var cancelled: String
        var amount: String
        var reason: String
        var revoked: [String]
        var hasRevoked: Bool
    }

    struct InvoiceLine {
        var invoiceID: String
        var number: String
        var issued: String
        var amount: String
        var buyer: String
        var taxID: String
        var invoiceState: String
        var isVoid: Bool
        var voidReason: String
        var mayVoid: Bool
        var voidInput: WebInput
        var voidError: String?
    }

    var billable: Bool
    var currency: String
    var totals: [Total]
    var installments: [InstallmentLine]
    var hasInstallments: Bool
    var payments: [PaymentLine]
    var hasPayments: Bool
    var refunds: [RefundLine]
    var hasRefunds: Bool
    var cancellations: [CancellationLine]
    var hasCancellations: Bool
    var invoices: [InvoiceLine]
    var hasInvoices: Bool
    var mayRecord: Bool
    var planVersion: String
    var hasPlan: Bool
    var evenInputs: [WebInput] = []
    var evenError: String?
    var explicitInputs: [WebInput] = []
    var explicitError: String?
    var paymentInputs: [WebInput] = []
    var paymentError: String?
    var mayRefund: Bool
    var refundInputs: [WebInput] = []
    var refundError: String?
    var mayCancel: Bool
    var cancelInputs: [WebInput] = []
    var cancelError: String?
    var invoiceInputs: [WebInput] = []
    var invoiceError: String?

    /// The forms this section shows (by the name a refusal gives them).
    var shownForms: [String] {
        (mayRecord ? ["plan:even", "plan:explicit", "payment", "invoice"] : []) + (mayRefund ? ["refund"] : []) + (mayCancel ? ["cancel"] : [])
            + invoices.filter(\.mayVoid).map { "void:\($0.invoiceID)" }
    }

    init(_ data: OrderPageData, refused: LeadFormRefusal?) {
        let books = data.books
        let order = data.order
        let wording = data.wording
        let locale = wording.locale
        let currency = order.currency
        func money(_ minor: Int64) -> String { wording.money(minor, currency) }
        billable = [.signed, .effective, .completed, .expired, .terminated].contains(order.status)
        self.currency = currency
        totals = [
            Total(label: wording.text("recv_order_total"), amount: money(order.total.amountMinor), tone: ""),
            Total(label: wording.text("recv_received"), amount: money(books.receivedMinor), tone: ""),
            Total(label: wording.text("recv_refunded"), amount: money(books.refundedMinor), tone: ""),
            Total(label: wording.text("recv_collected"), amount: money(books.collectedMinor), tone: "strong"),
            Total(label: wording.text("recv_cancelled"), amount: money(books.cancelledMinor), tone: ""),
            Total(label: wording.text("recv_outstanding"), amount: money(books.outstandingMinor), tone: "strong"),
            Total(label: wording.text("recv_overdue"), amount: money(books.overdueMinor), tone: books.overdueMinor > 0 ? "overdue" : ""),
            Total(label: wording.text("recv_invoiced"), amount: money(books.invoicedMinor), tone: ""),
        ]
        installments = books.installments.map { state in
            InstallmentLine(number: String(state.installment.number), due: wording.day(state.installment.dueDate), amount: money(state.installment.amountMinor),
                            paid: money(state.paidMinor), cancelled: state.cancelledMinor == 0 ? "—" : money(state.cancelledMinor),
                            outstanding: money(state.outstandingMinor), state: wording.text("recv_status_\(state.status.rawValue)"),
                            stateKey: state.status.rawValue)
        }
        hasInstallments = !installments.isEmpty
        payments = books.payments.map { record in
            PaymentLine(received: wording.day(record.payment.receivedOn), amount: money(record.payment.amountMinor),
                        method: record.method.map { wording.text("pay_method_\($0)") } ?? "—", reference: record.reference ?? "—",
                        paymentNote: record.note, recordedBy: wording.person(record.recordedBy))
        }
        hasPayments = !payments.isEmpty
        let entitlements = Dictionary(data.entitlements.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func described(_ revoked: [RefundRecord.Revoked]) -> [String] {
            revoked.map { item in
                let entitlement = entitlements[item.entitlementID]
                return wording.text("recv_revoked_line", ["sku": entitlement?.sku ?? item.orderLineID.rawValue,
                                                          "n": wording.quantity(item.quantity, unit: entitlement?.unit ?? "")])
            }
        }
        refunds = books.refunds.map { record in
            let revoked = described(record.revoked)
            return RefundLine(refunded: wording.day(record.refundedOn), amount: money(record.refund.amountMinor), reason: record.reason,
                              cancels: wording.text(record.refund.cancelsDue ? "recv_cancels_due_yes" : "recv_cancels_due_no"),
                              revoked: revoked, hasRevoked: !revoked.isEmpty)
        }
        hasRefunds = !refunds.isEmpty
        cancellations = books.cancellations.map { record in
            let revoked = described(record.revoked)
            return CancellationLine(cancelled: wording.day(record.cancelledOn), amount: money(record.cancellation.amountMinor), reason: record.reason,
                                    revoked: revoked, hasRevoked: !revoked.isEmpty)
        }
        hasCancellations = !cancellations.isEmpty
        mayCancel = data.mayEdit && billable && (books.outstandingMinor > 0 || books.planVersion == nil) && order.total.amountMinor > 0
        mayRecord = data.mayEdit && billable
        mayRefund = data.mayEdit && !books.payments.isEmpty
        invoices = books.invoices.map { invoice in
            var fill = FormFill(locale: locale, refused: refused, form: "void:\(invoice.id.rawValue)", prefix: "void-\(invoice.id.rawValue)")
            let input = fill.input("reason", "recv_void_reason")
            return InvoiceLine(invoiceID: invoice.id.rawValue, number: invoice.number, issued: wording.day(invoice.issuedOn), amount: wording.money(invoice.amount),
                               buyer: invoice.buyerName, taxID: invoice.taxID ?? "—", invoiceState: wording.text("recv_invoice_\(invoice.status.rawValue)"),
                               isVoid: invoice.status == .void, voidReason: invoice.voidReason ?? "", mayVoid: data.mayEdit && invoice.status == .issued,
                               voidInput: input, voidError: fill.summary())
        }
        hasInvoices = !invoices.isEmpty
        planVersion = books.planVersion.map(String.init) ?? ""
        hasPlan = books.planVersion != nil
        let today = books.today.description
        if mayRecord {
            var even = FormFill(locale: locale, refused: refused, form: "plan:even", prefix: "plan")
            evenInputs = [
                even.input("count", "recv_count", kind: "number", value: "3"),
                even.input("first_due", "recv_first_due", kind: "date", value: today),
                even.input("interval_months", "recv_interval_months", kind: "number", value: "1"),
            ]
            evenError = even.summary()
            var explicit = FormFill(locale: locale, refused: refused, form: "plan:explicit", prefix: "plan-rows")
            let rows = books.installments.map { "\($0.installment.dueDate) \(Money($0.installment.amountMinor, currency).plainText)" }.joined(separator: "\n")
            explicitInputs = [explicit.input("installments", "recv_installments_input", kind: "textarea", value: rows)]
            explicitError = explicit.summary()
            var payment = FormFill(locale: locale, refused: refused, form: "payment", prefix: "pay")
            paymentInputs = [
                payment.input("amount", "recv_amount", value: "", also: ["amount_minor"]),
                payment.input("received_on", "recv_received_on", kind: "date", value: today),
                payment.input("method", "recv_method", options: [("", locale.text("choose"))]
                    + PaymentRecord.methods.sorted().map { ($0, locale.text("pay_method_\($0)")) }),
                payment.input("reference", "recv_reference"),
                payment.input("note", "notes"),
            ]
            paymentError = payment.summary()
            var invoice = FormFill(locale: locale, refused: refused, form: "invoice", prefix: "inv")
            invoiceInputs = [
                invoice.input("number", "recv_invoice_number"),
                invoice.input("amount", "recv_amount", value: Money(max(0, order.total.amountMinor - books.cancelledMinor - books.invoicedMinor), currency).plainText),
                invoice.input("issued_on", "recv_issued_on", kind: "date", value: today),
                invoice.input("buyer_name", "recv_buyer", value: wording.customers[order.customerID] ?? ""),
                invoice.input("tax_id", "recv_tax_id"),
            ]
            invoiceError = invoice.summary()
        }
        if mayRefund {
            var refund = FormFill(locale: locale, refused: refused, form: "refund", prefix: "refund")
            let choices = books.payments.map { record in
                (record.payment.id.rawValue, wording.day(record.payment.receivedOn) + " · " + money(record.payment.amountMinor))
            }
            refundInputs = [
                refund.input("payment_id", "recv_refund_payment", options: [("", locale.text("recv_latest_payments"))] + choices),
                refund.input("amount", "recv_refund_amount", value: ""),
                refund.input("revoke_unconsumed", "recv_revoke", kind: "checks", options: [("1", locale.text("recv_revoke_unconsumed"))]),
                refund.input("cancels_due", "recv_cancels", kind: "checks", value: "1", options: [("1", locale.text("recv_cancels_due"))]),
                refund.input("reason", "order_reason_required"),
                refund.input("refunded_on", "recv_refunded_on", kind: "date", value: today),
            ]
            refundError = refund.summary()
        }
        if mayCancel {
            var cancel = FormFill(locale: locale, refused: refused, form: "cancel", prefix: "cancel")
            cancelInputs = [
                cancel.input("amount", "recv_cancel_amount", value: ""),
                cancel.input("revoke_unconsumed", "recv_revoke", kind: "checks", options: [("1", locale.text("recv_cancel_revoke"))]),
                cancel.input("reason", "order_reason_required"),
                cancel.input("cancelled_on", "recv_cancelled_on", kind: "date", value: today),
            ]
            cancelError = cancel.summary()
        }
    }
}

/// One instalment of the collections list.
struct ReceivableLine {
    var orderID: String
    var orderTitle: String
    var customer: String
    var number: String
    var due: String
    var amount: String
    var paid: String
    var outstanding: String
    var owner: String
    var overdue: Bool

    init(_ row: ReceivableRow, wording: OrderWording, today: CalendarDate) {
        orderID = row.orderID.rawValue
        orderTitle = row.orderTitle
        customer = wording.customer(row.customerID)
        number = String(row.installment.number)
        due = wording.day(row.installment.dueDate)
        amount = wording.money(row.installment.amountMinor, row.currency)
        paid = wording.money(row.paidMinor, row.currency)
        outstanding = wording.money(row.outstandingMinor, row.currency)
        owner = wording.person(row.ownerID)
        overdue = row.installment.dueDate < today && row.outstandingMinor > 0
    }
}

/// The collections list (应收): open, overdue or all instalments in the reader's scope, earliest
/// due first; managers choose an owner.
struct ReceivablesBody {
    var rows: [ReceivableLine]
    var tabs: [OpportunitiesBody.Tab]
    var owners: [WebOption]
    var hasOwners: Bool
    var status: String
    var next: String?
    var firstPage: String?

    init(web: WebContext, found: Page<ReceivableRow>, status: String, owner: String?, wording: OrderWording, today: CalendarDate,
         owners: [(String, String)], first: Bool) {
        rows = found.items.map { ReceivableLine($0, wording: wording, today: today) }
        func link(_ status: String, cursor: String? = nil) -> String {
            WebPages.queryPath("/receivables", [("status", status)] + (owner.map { [("owner", $0)] } ?? []) + (cursor.map { [("cursor", $0)] } ?? []))
        }
        tabs = ["open", "overdue", "all"].map { .init(label: web.text("recv_list_\($0)"), link: link($0), current: $0 == status) }
        self.owners = WebOption.list([("", web.text("opp_any_owner"))] + owners, chosen: owner ?? "")
        hasOwners = !owners.isEmpty
        self.status = status
        next = found.nextCursor.map { link(status, cursor: $0.token) }
        firstPage = first ? nil : link(status)
    }
}
