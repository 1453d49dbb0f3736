import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension QuoteUseCases {
    /// Submits a draft: above the approval threshold it waits for a manager (an approval request
    /// to the owner's team managers, else the administrators, each notified in the app); within
    /// it, it is approved at once. Refused once the validity date has passed.
    public func submit(_ id: String, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Item {
        let existing = try await load(id, by: caller, .update)
        guard existing.status == .draft else { throw Self.wrongStatus(existing, .submit) }
        let now = rapport.clock.now()
        try Self.requireValid(existing, at: now)
        return try await rapport.transaction { sql in
            let settings = try await QuoteSettings.load(sql)
            let needsApproval = QuotePricing.needsApproval(existing.totals, thresholdBasisPoints: settings.approvalThresholdBasisPoints)
            var quote = existing
            quote.submittedAt = now
            var details = ["discount_bp": String(existing.totals.discountBasisPoints), "threshold_bp": String(settings.approvalThresholdBasisPoints)]
            if needsApproval {
                let approvers = try await rapport.approvers(for: existing.ownerID, excluding: [existing.ownerID, caller.actorID].compactMap { $0 }, sql)
                let approval = QuoteApproval(
                    id: rapport.ids.next(.quoteApproval, at: now), quoteID: existing.id, requestedBy: caller.actorID, requestedAt: now,
                    discountBasisPoints: existing.totals.discountBasisPoints, thresholdBasisPoints: settings.approvalThresholdBasisPoints, approverIDs: approvers)
                try await QuoteStore(sql).insert(approval)
                try await rapport.askApprovers(approvers, about: (.quote, existing.id.rawValue), request: approval.id.rawValue, details: [
                    "quote_id": existing.id.rawValue, "discount_bp": details["discount_bp"] ?? "", "threshold_bp": details["threshold_bp"] ?? "",
                ], sql)
                details["approval_id"] = approval.id.rawValue
                details["approvers"] = approvers.map(\.rawValue).joined(separator: ",")
            } else {
                quote.approvedAt = now
                quote.approvedBy = nil
            }
            return try await save(quote, from: existing, action: .submit, needsApproval: needsApproval, reason: nil, expectedVersion: expectedVersion,
                                  by: caller, details: details, sql)
        }
    }

    /// A manager's decision on a pending quote: approved (then it may be sent) or rejected (back to
    /// draft, with the comment as the reason). Only an administrator, or a manager over the owner's
    /// team, and never the quote's owner or the one who submitted it. The comment is recorded with
    /// who and when in the approval request, the history and the audit log; rejecting needs one.
    public func decide(_ id: String, approve: Bool, comment: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Item {
        let action: QuoteAction = approve ? .approve : .reject
        var check = Validator()
        let comment = comment.map { check.text($0, field: "comment", maxLength: 1_000, multiline: true) }.flatMap { $0.isEmpty ? nil : $0 }
        if !approve && comment == nil { check.add("comment", "required", "A rejection needs a comment: the reason, for the owner.") }
        try check.finish()
        let existing = try await load(id, by: caller, .read)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = QuoteStore(sql)
            let pending = try await store.approvals(of: existing.id).last { $0.decision == .pending }
            try await requireApprover(existing, request: pending, caller: caller, sql)
            guard existing.status == .pendingApproval else { throw Self.wrongStatus(existing, action) }
            var quote = existing
            if approve {
                quote.approvedAt = now
                quote.approvedBy = caller.actorID
            } else {
                quote.submittedAt = nil
            }
            _ = try await store.decide(pendingOf: existing.id, approve ? .approved : .rejected, by: caller.actorID, at: now, comment: comment)
            let notices = rapport.notifications
            try await notices.send([notices.make(existing.ownerID, approve ? "quote.approved" : "quote.rejected",
                                                 details: ["quote_id": existing.id.rawValue], about: (.quote, existing.id.rawValue))], in: sql)
            var details: [String: String] = [:]
            if let pending { details["approval_id"] = pending.id.rawValue }
            if let comment { details["comment"] = comment }
            return try await save(quote, from: existing, action: action, reason: comment, expectedVersion: expectedVersion, by: caller, details: details, sql)
        }
    }

    /// Sends an approved quote to the customer (while it is valid).
    public func send(_ id: String, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Item {
        try await act(id, .send, expectedVersion: expectedVersion, by: caller) { quote, now, _ in
            try Self.requireValid(quote, at: now)
            quote.sentAt = now
        }
    }

    /// Records the customer's acceptance of a sent quote (while it is valid). It becomes the
    /// opportunity's accepted quote: an opportunity has at most one.
    public func accept(_ id: String, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Item {
        try await act(id, .accept, expectedVersion: expectedVersion, by: caller) { quote, now, sql in
            try Self.requireValid(quote, at: now)
            if let other = try await QuoteStore(sql).accepted(ofOpportunity: quote.opportunityID), other != quote.id {
                throw RapportError(.conflict, "The opportunity already has an accepted quote.", extra: ["reason": "opportunity_has_accepted_quote"])
            }
            quote.acceptedAt = now
        }
    }

    /// Records that the customer declined a sent quote, with their reason if given.
    public func decline(_ id: String, reason: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Item {
        var check = Validator()
        let reason = reason.map { check.text($0, field: "reason", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        try check.finish()
        return try await act(id, .decline, reason: reason, expectedVersion: expectedVersion, by: caller) { quote, now, _ in
            quote.declinedAt = now
            quote.declineReason = reason
        }
    }

    /// An action by someone who may change the quote: the status must allow it; `change` checks
    /// and fills in the rest inside the transaction.
    func act(
        _ id: String, _ action: QuoteAction, reason: String? = nil, expectedVersion: Int64?, by caller: Caller,
        _ change: (inout Quote, Date, any SQLDatabase) async throws -> Void
    ) async throws -> Item {
        let existing = try await load(id, by: caller, .update)
        guard QuoteLifecycle.target(of: action, from: existing.status) != nil else { throw Self.wrongStatus(existing, action) }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var quote = existing
            try await change(&quote, now, sql)
            return try await save(quote, from: existing, action: action, reason: reason, expectedVersion: expectedVersion, by: caller, details: [:], sql)
        }
    }

    /// Stores a status change: the row (if the version still matches), the history entry and
    /// the audit entry (`quote.<past tense>`), in the caller's transaction.
    func save(
        _ quote: Quote, from existing: Quote, action: QuoteAction, needsApproval: Bool = false, reason: String?, expectedVersion: Int64?,
        by caller: Caller, details: [String: String], _ sql: any SQLDatabase
    ) async throws -> Item {
        guard let target = QuoteLifecycle.target(of: action, from: existing.status, needsApproval: needsApproval) else {
            throw Self.wrongStatus(existing, action)
        }
        let now = rapport.clock.now()
        var quote = quote
        quote.status = target
        quote.statusChangedAt = now
        quote.updatedAt = now
        let version = expectedVersion ?? existing.version
        guard try await QuoteStore(sql).replace(quote, expectedVersion: version) else {
            throw RapportError(.preconditionFailed, "The quote was changed by someone else; fetch it again and retry.")
        }
        quote.version = version + 1
        let change = QuoteLifecycle.change(from: existing.status, to: target, at: now, by: caller.actorID, reason: reason)
        try await StageHistoryStore(sql).append(kinds: [(.quote, quote.id, change, rapport.ids.next(.stageChange, at: now))])
        var details = details
        details["from"] = existing.status.rawValue
        details["to"] = target.rawValue
        try await rapport.record(rapport.event("quote.\(action.pastTense)", by: caller, kind: .quote, object: quote.id.rawValue, details: details), in: sql)
        return Item(quote: quote, approvals: try await QuoteStore(sql).approvals(of: quote.id))
    }

    /// A quote past its validity date is not submitted, sent or accepted (409, `reason` `quote_lapsed`).
    static func requireValid(_ quote: Quote, at now: Date) throws {
        if QuoteLifecycle.hasLapsed(validUntil: quote.validUntil, today: QuoteLifecycle.day(of: now)) {
            throw RapportError(.conflict, "The quote was valid until \(quote.validUntil).", extra: ["reason": "quote_lapsed", "valid_until": quote.validUntil])
        }
    }
}
