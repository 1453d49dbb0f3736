import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// The forms of a quote's page: revise (with the version), submit, approve or reject with a
    /// comment (also from the approval inbox), send, accept, decline with a reason, and create
    /// the order. A refused one re-shows the quote's page with the refusal in the reader's words
    /// (and its status: 422, 409, 403, 412); a done one redirects with a notice.
    func addQuoteActions(to router: Router<APIRequestContext>) {
        action(router, "quotes/:id/revise") { _, context, web, form in
            let id = try context.parameters.require("id")
            let current = try await rapport.quotes.get(id, by: web.caller).quote
            let input = QuoteForm.input(form, currency: current.currency, creating: false).input
            do {
                _ = try await rapport.quotes.update(id, input, expectedVersion: try Self.version(form), by: web.caller)
            } catch let error as RapportError where error.code == .validationFailed {
                return try await quotePage(web, id, refused: LeadFormRefusal(form: "revise", error: error, posted: form), status: .unprocessableContent)
            } catch let error as RapportError where Self.shownOnQuote.contains(error.code) {
                return try await quotePage(web, id, refused: LeadFormRefusal(form: "action", error: error, posted: form), status: Problem.status(of: error.code))
            }
            return web.redirect("/quotes/" + Self.segment(id), notice: "quote_saved")
        }
        quoteAction(router, "submit", notice: "quote_submitted") { id, form, web in
            _ = try await rapport.quotes.submit(id, expectedVersion: try Self.version(form), by: web.caller)
        }
        quoteAction(router, "approve", notice: "quote_approved") { id, form, web in
            _ = try await rapport.quotes.decide(id, approve: true, comment: form["comment"], expectedVersion: try Self.version(form), by: web.caller)
        }
        quoteAction(router, "reject", notice: "quote_rejected") { id, form, web in
            _ = try await rapport.quotes.decide(id, approve: false, comment: form["comment"], expectedVersion: try Self.version(form), by: web.caller)
        }
        quoteAction(router, "send", notice: "quote_sent") { id, form, web in
            _ = try await rapport.quotes.send(id, expectedVersion: try Self.version(form), by: web.caller)
        }
        quoteAction(router, "accept", notice: "quote_accepted") { id, form, web in
            _ = try await rapport.quotes.accept(id, expectedVersion: try Self.version(form), by: web.caller)
        }
        quoteAction(router, "decline", notice: "quote_declined") { id, form, web in
            _ = try await rapport.quotes.decline(id, reason: form["reason"], expectedVersion: try Self.version(form), by: web.caller)
        }
        action(router, "quotes/:id/orders") { _, context, web, form in
            let id = try context.parameters.require("id")
            let order: Order
            do {
                order = try await rapport.orders.create(fromQuote: id, .init(title: form["title"]), by: web.caller)
            } catch let error as RapportError where Self.shownOnQuote.contains(error.code) || error.code == .validationFailed {
                return try await quotePage(web, id, refused: LeadFormRefusal(form: "order", error: error, posted: form), status: Problem.status(of: error.code))
            }
            return web.redirect("/orders/" + Self.segment(order.id.rawValue), notice: "order_created_from_quote")
        }
    }

    /// Refusals shown on the quote's page rather than as an error page (not found stays a 404).
    static let shownOnQuote: Set<ErrorCode> = [.conflict, .forbidden, .preconditionFailed, .preconditionRequired]

    /// `POST /quotes/{id}/<name>`: runs `act`, then back to the quote (or to `return_to`, a page
    /// of this site, such as the approval inbox) with `notice`.
    private func quoteAction(_ router: Router<APIRequestContext>, _ name: String, notice: String,
                             _ act: @escaping @Sendable (String, WebForm, WebContext) async throws -> Void) {
        action(router, RouterPath("quotes/:id/" + name)) { _, context, web, form in
            let id = try context.parameters.require("id")
            do {
                try await act(id, form, web)
            } catch let error as RapportError where Self.shownOnQuote.contains(error.code) || error.code == .validationFailed {
                return try await quotePage(web, id, refused: LeadFormRefusal(form: name, error: error, posted: form), status: Problem.status(of: error.code))
            }
            return web.redirect(form["return_to"] ?? "/quotes/" + Self.segment(id), notice: notice)
        }
    }
}
