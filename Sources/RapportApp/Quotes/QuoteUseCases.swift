import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Quotes (报价单) for opportunities: created for an opportunity the caller may change, priced
/// from the catalog by the one pricing function with the active sales policies and each line's
/// manual discount (a snapshot), revised while a draft, submitted for approval when the discount
/// is above the threshold (the owner's managers decide; never the owner), sent, then accepted,
/// declined or expired. Every status change is in the stage history (object `quote`) and the
/// audit log. Scope: the quote's owner scope, or whoever may see its opportunity.
public struct QuoteUseCases: Sendable {
    let rapport: Rapport

    /// A quote as the API shows it: with its approval requests and what may be done next.
    public struct Item: Sendable, Equatable {
        public var quote: Quote
        public var approvals: [QuoteApproval]
        /// The actions the status allows (the caller's rights are checked when one is taken).
        public var actions: [QuoteAction] { QuoteLifecycle.actions(from: quote.status) }
    }

    /// The caller's scope on quotes for `action`: their own quotes' scope, widened by the scope on
    /// the quotes' opportunities (none when the role may not do that on opportunities).
    func scope(_ caller: Caller, _ action: AccessAction) async throws -> QuoteScope {
        let own = try await rapport.scope(caller, action, .quote, anchor: .owner(column: "owner_id"), table: "quotes")
        let onOpportunity: AccessAction = action == .create ? .update : action
        let theirs = try? await rapport.scope(caller, onOpportunity, .opportunity, anchor: .owner(column: "owner_id"), table: "scope_o")
        return QuoteScope(quote: own, opportunity: theirs)
    }

    /// One quote with its approval requests; `not_found` outside the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Item {
        let quote = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in Item(quote: quote, approvals: try await QuoteStore(sql).approvals(of: quote.id)) }
    }

    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> Quote {
        let scope = try await scope(caller, action)
        guard let id = RecordID(parsing: id, prefix: .quote),
              let quote = try await rapport.database.read({ sql in try await QuoteStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("quote") }
        return quote
    }

    /// The quote's status history, oldest first (creation, submission, decisions, sending, the end).
    public func history(_ id: String, by caller: Caller) async throws -> [StageChange] {
        let quote = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await StageHistoryStore(sql).history(kind: .quote, of: quote.id) }
    }

    /// What a quote list asks for, as the caller sent it.
    public struct ListQuery: Sendable {
        public var status: String?
        public var opportunity: String?
        public var owner: String?

        public init(status: String? = nil, opportunity: String? = nil, owner: String? = nil) {
            self.status = status
            self.opportunity = opportunity
            self.owner = owner
        }
    }

    /// A page of quotes in the caller's scope, newest first (without their approval requests).
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<Item> {
        let scope = try await scope(caller, .read)
        var check = Validator()
        let status = check.choice(query.status, field: "status", of: QuoteStatus.self)
        func id(_ value: String?, _ field: String, _ prefix: IDPrefix) -> RecordID? {
            guard let value else { return nil }
            guard let id = RecordID(parsing: value, prefix: prefix) else {
                check.add(field, "invalid", "\(field) is not a \(prefix.rawValue)_ id.")
                return nil
            }
            return id
        }
        let filter = QuoteStore.ListFilter(status: status, opportunityID: id(query.opportunity, "opportunity_id", .opportunity),
                                           ownerID: id(query.owner, "owner_id", .user))
        try check.finish()
        return try await rapport.database.read { sql in
            try await QuoteStore(sql).list(filter, page: page, in: scope).map { Item(quote: $0, approvals: []) }
        }
    }

    /// A `conflict` for an action the quote's status does not allow (`reason` `quote_status`, and
    /// the current status in `quote_status`).
    static func wrongStatus(_ quote: Quote, _ action: QuoteAction) -> RapportError {
        let allowed = QuoteLifecycle.actions(from: quote.status).map(\.rawValue)
        return RapportError(.conflict, "A \(quote.status.rawValue) quote cannot be \(action.pastTense). Possible now: \(allowed.isEmpty ? "nothing" : allowed.joined(separator: ", ")).",
                            extra: ["reason": "quote_status", "quote_status": quote.status.rawValue])
    }
}

extension QuoteAction {
    /// For messages and audit actions (`quote.submitted`).
    var pastTense: String {
        switch self {
        case .submit: "submitted"
        case .approve: "approved"
        case .reject: "rejected"
        case .revise: "revised"
        case .send: "sent"
        case .accept: "accepted"
        case .decline: "declined"
        case .expire: "expired"
        }
    }
}

extension QuoteUseCases {
    /// What a printed quote shows besides the quote: the customer's name, the owner (the seller's
    /// representative), their team, and the opportunity's name.
    public struct Document: Sendable {
        public var item: Item
        public var customerName: String?
        public var owner: User?
        public var teamName: String?
        public var opportunityName: String?
    }

    /// A quote ready to print, for whoever may see it (`not_found` otherwise). Names only: no
    /// contact details of the customer.
    public func document(_ id: String, by caller: Caller) async throws -> Document {
        let quote = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in
            let owner = try await UserStore(sql).find(quote.ownerID)
            let team = try await (quote.teamID ?? owner?.teamID).asyncMap { try await TeamStore(sql).find($0) } ?? nil
            return Document(
                item: Item(quote: quote, approvals: try await QuoteStore(sql).approvals(of: quote.id)),
                customerName: try await quote.customerID.asyncMap { try await CustomerStore(sql).find($0)?.name } ?? nil,
                owner: owner, teamName: team?.name, opportunityName: try await OpportunityStore(sql).find(quote.opportunityID)?.name)
        }
    }
}

