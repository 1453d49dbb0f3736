import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// An order's receivables forms (plan, payment, refund, cancelled dues, invoice, void) and the collections
    /// list `/receivables`. Amounts are typed in major units and read with integers only.
    func addReceivables(to router: Router<APIRequestContext>) {
        orderAction(router, "orders/:id/plan", form: { "plan:" + ($0["mode"] == "explicit" ? "explicit" : "even") }) { id, _, web, form in
            let version = form["plan_version"].flatMap { Int64($0) }
            let input: ReceivableUseCases.PlanInput
            if form["mode"] == "explicit" {
                let order = try await rapport.orders.get(id, by: web.caller)
                input = .init(installments: OrderPages.installments(form["installments"] ?? "", currency: order.currency))
            } else {
                input = .init(count: form["count"].map { Int($0) ?? -1 }, firstDue: form["first_due"] ?? "",
                              intervalMonths: form["interval_months"].map { Int($0) ?? -1 })
            }
            _ = try await rapport.receivables.setPlan(id, input, expectedVersion: version, by: web.caller)
            return "plan_saved"
        }
        orderAction(router, "orders/:id/payments", form: { _ in "payment" }) { id, _, web, form in
            let order = try await rapport.orders.get(id, by: web.caller)
            let input = ReceivableUseCases.PaymentInput(amount: OrderPages.money(form["amount"], currency: order.currency), receivedOn: form["received_on"],
                                                        method: form["method"], reference: form["reference"], note: form["note"])
            _ = try await rapport.receivables.recordPayment(id, input, by: web.caller)
            return "payment_recorded"
        }
        orderAction(router, "orders/:id/refunds", form: { _ in "refund" }) { id, _, web, form in
            let order = try await rapport.orders.get(id, by: web.caller)
            let input = ReceivableUseCases.RefundInput(
                paymentID: form["payment_id"], amount: OrderPages.money(form["amount"], currency: order.currency), reason: form["reason"],
                refundedOn: form["refunded_on"], cancelsDue: form["cancels_due"] == "1", revokeUnconsumed: form["revoke_unconsumed"] == "1")
            _ = try await rapport.receivables.refund(id, input, by: web.caller)
            return "refund_recorded"
        }
        orderAction(router, "orders/:id/cancellations", form: { _ in "cancel" }) { id, _, web, form in
            let order = try await rapport.orders.get(id, by: web.caller)
            let input = ReceivableUseCases.CancellationInput(amount: OrderPages.money(form["amount"], currency: order.currency), reason: form["reason"],
                                                             cancelledOn: form["cancelled_on"], revokeUnconsumed: form["revoke_unconsumed"] == "1")
            _ = try await rapport.receivables.cancelDues(id, input, by: web.caller)
            return "dues_cancelled"
        }
        orderAction(router, "orders/:id/invoices", form: { _ in "invoice" }) { id, _, web, form in
            let order = try await rapport.orders.get(id, by: web.caller)
            let input = ReceivableUseCases.InvoiceInput(number: form["number"], amount: OrderPages.money(form["amount"], currency: order.currency),
                                                        issuedOn: form["issued_on"], buyerName: form["buyer_name"], taxID: form["tax_id"])
            _ = try await rapport.receivables.issueInvoice(id, input, by: web.caller)
            return "invoice_issued"
        }
        // The form carries its invoice's id too, so a refusal is shown at that invoice's form.
        orderAction(router, "orders/:id/invoices/:invoice/void", form: { "void:" + ($0["invoice_id"] ?? "") }) { id, context, web, form in
            let invoice = try context.parameters.require("invoice")
            guard try await rapport.receivables.books(id, by: web.caller).invoices.contains(where: { $0.id.rawValue == invoice }) else {
                throw RapportError.notFound("invoice")
            }
            _ = try await rapport.receivables.voidInvoice(invoice, reason: form["reason"], by: web.caller)
            return "invoice_voided"
        }
        page(router, "receivables") { request, _, web in
            let query = Self.query(request)
            let status = query["status"].flatMap { ["open", "overdue", "all"].contains($0) ? $0 : nil } ?? "open"
            let owner = web.canManage ? query["owner"].map { String($0.prefix(64)) } : nil
            let page = try PageRequest.parse(limit: nil, cursor: query["cursor"])
            let found = try await rapport.receivables.list(.init(status: status, owner: owner), page: page, by: web.caller)
            var wording = OrderWording(locale: web.locale, now: rapport.clock.now())
            wording.customers = try await customerNames(Set(found.items.map(\.customerID)), web)
            wording.people = try await userNames(Set(found.items.map(\.ownerID)), web)
            let owners = web.canManage
                ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items.map { ($0.id.rawValue, $0.name) } : []
            let body = ReceivablesBody(web: web, found: found, status: status, owner: owner, wording: wording, today: today, owners: owners,
                                       first: page.cursor == nil)
            return web.page("receivables", title: web.text("receivables"), body)
        }
    }

    /// Today in the business's calendar (for overdue badges).
    var today: CalendarDate { CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone) }

    /// How many instalments are overdue in the reader's scope (counted up to a page), or nil when
    /// the reader may not read orders.
    func overdueCount(_ web: WebContext) async throws -> String? {
        guard try await rapport.allows(web.caller, .read, .order) else { return nil }
        let page = try await rapport.receivables.list(.init(status: "overdue"), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller)
        return web.locale.number(page.items.count) + (page.nextCursor == nil ? "" : "+")
    }
}

