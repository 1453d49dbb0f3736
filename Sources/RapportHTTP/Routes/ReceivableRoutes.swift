import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// An order's receivables (`/api/v1/orders/{id}/receivables`, `payment-plan`, `payments`,
/// `refunds`, `cancellations`, `invoices`), voiding invoices, and the collections list (`/api/v1/receivables`).
struct ReceivableRoutes {
    let rapport: Rapport

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("orders/:id/receivables") { _, context in
            let books = try await rapport.receivables.books(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ReceivablesDTO(books), etag: books.planVersion ?? 0)
        }
        api.put("orders/:id/payment-plan") { request, context in
            var body = try await JSONBody.read(request, accepts: ["installments", "count", "first_due", "interval_months", "version"])
            let input = ReceivableUseCases.PlanInput(
                installments: body.objects("installments", accepts: ["due_date", "amount_minor"]) { line in
                    ReceivableUseCases.PlanInput.Line(dueDate: line.string("due_date", required: true), amountMinor: line.integer("amount_minor", required: true).map(Int64.init))
                },
                count: body.integer("count"), firstDue: body.string("first_due"), intervalMonths: body.integer("interval_months"))
            let version: Int64? = if request.headers[.ifMatch] != nil || body.has("version") { try request.expectedVersion(body: &body) } else { nil }
            try body.finish()
            let books = try await rapport.receivables.setPlan(try context.parameters.require("id"), input, expectedVersion: version, by: context.caller)
            return try JSONResponse.make(ReceivablesDTO(books), etag: books.planVersion ?? 0)
        }
        api.post("orders/:id/payments") { request, context in
            var body = try await JSONBody.read(request, accepts: ["amount", "received_on", "method", "reference", "note"])
            let input = ReceivableUseCases.PaymentInput(amount: body.decode("amount", as: Money.self, required: true), receivedOn: body.string("received_on"),
                                                        method: body.string("method"), reference: body.string("reference"), note: body.string("note"))
            try body.finish()
            let (payment, books) = try await rapport.receivables.recordPayment(try context.parameters.require("id"), input, by: context.caller)
            return try JSONResponse.make(PaymentRecordedDTO(payment: PaymentDTO(payment), receivables: ReceivablesDTO(books)), status: .created)
        }
        api.post("orders/:id/refunds") { request, context in
            var body = try await JSONBody.read(request, accepts: ["payment_id", "amount", "reason", "refunded_on", "cancels_due", "revoke_unconsumed", "lines"])
            let input = ReceivableUseCases.RefundInput(
                paymentID: body.string("payment_id"), amount: body.has("amount") ? body.decode("amount", as: Money.self) : nil,
                reason: body.string("reason", required: true), refundedOn: body.string("refunded_on"), cancelsDue: body.bool("cancels_due"),
                revokeUnconsumed: body.bool("revoke_unconsumed"), lines: body.strings("lines"))
            try body.finish()
            let outcome = try await rapport.receivables.refund(try context.parameters.require("id"), input, by: context.caller)
            return try JSONResponse.make(RefundsRecordedDTO(refunds: outcome.refunds.map(RefundDTO.init), cancellation: outcome.cancellation.map(CancellationDTO.init),
                                                            receivables: ReceivablesDTO(outcome.books)), status: .created)
        }
        api.post("orders/:id/cancellations") { request, context in
            var body = try await JSONBody.read(request, accepts: ["amount", "reason", "cancelled_on", "revoke_unconsumed", "lines"])
            let input = ReceivableUseCases.CancellationInput(
                amount: body.has("amount") ? body.decode("amount", as: Money.self) : nil, reason: body.string("reason", required: true),
                cancelledOn: body.string("cancelled_on"), revokeUnconsumed: body.bool("revoke_unconsumed"), lines: body.strings("lines"))
            try body.finish()
            let (cancellation, books) = try await rapport.receivables.cancelDues(try context.parameters.require("id"), input, by: context.caller)
            return try JSONResponse.make(CancellationRecordedDTO(cancellation: CancellationDTO(cancellation), receivables: ReceivablesDTO(books)), status: .created)
        }
        api.post("orders/:id/invoices") { request, context in
            var body = try await JSONBody.read(request, accepts: ["number", "amount", "issued_on", "buyer_name", "tax_id"])
            let input = ReceivableUseCases.InvoiceInput(number: body.string("number", required: true), amount: body.decode("amount", as: Money.self, required: true),
                                                        issuedOn: body.string("issued_on"), buyerName: body.string("buyer_name", required: true),
                                                        taxID: body.string("tax_id"))
            try body.finish()
            let invoice = try await rapport.receivables.issueInvoice(try context.parameters.require("id"), input, by: context.caller)
            return try JSONResponse.make(InvoiceDTO(invoice), status: .created)
        }
        api.post("invoices/:id/void") { request, context in
            var body = try await JSONBody.read(request, accepts: ["reason"])
            let reason = body.string("reason", required: true)
            try body.finish()
            return try JSONResponse.make(InvoiceDTO(try await rapport.receivables.voidInvoice(try context.parameters.require("id"), reason: reason, by: context.caller)))
        }
        api.get("receivables") { request, context in
            let query = ReceivableUseCases.ListQuery(status: request.query("status"), dueBefore: request.query("due_before"), owner: request.query("owner_id"),
                                                     team: request.query("team_id"), customer: request.query("customer_id"))
            let page = try await rapport.receivables.list(query, page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ReceivableRowDTO.init))
        }
    }
}

/// A payment recorded, and the order's books after it.
struct PaymentRecordedDTO: Encodable, Sendable {
    var payment: PaymentDTO
    var receivables: ReceivablesDTO
}

/// The refunds recorded (one per payment touched), the dues cancelled with them (revoking
/// entitlements of a partly paid order), and the order's books after them.
struct RefundsRecordedDTO: Encodable, Sendable {
    var refunds: [RefundDTO]
    @Nullable var cancellation: CancellationDTO?
    var receivables: ReceivablesDTO
}

/// Dues cancelled, and the order's books after it.
struct CancellationRecordedDTO: Encodable, Sendable {
    var cancellation: CancellationDTO
    var receivables: ReceivablesDTO
}
