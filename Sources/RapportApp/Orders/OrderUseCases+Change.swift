import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OrderUseCases {
    /// Changes a draft order: title, lines, term, owner (managers and administrators). Any other
    /// status is a `conflict`; the customer and currency stay.
    public func update(_ id: String, _ input: OrderInput, expectedVersion: Int64?, by caller: Caller) async throws -> Order {
        guard input.customer == nil, input.currency == nil else {
            var check = Validator()
            if input.customer != nil { check.add("customer_id", "read_only", "An order stays with its customer.") }
            if input.currency != nil { check.add("currency", "read_only", "An order keeps its currency.") }
            throw RapportError.validation(check.errors)
        }
        let existing = try await load(id, by: caller, .update)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            guard existing.status == .draft else {
                throw RapportError(.conflict, "The order is \(existing.status.rawValue); only a draft is changed.", extra: ["order_status": existing.status.rawValue])
            }
            var order = existing
            var check = Validator()
            if let title = input.title { order.title = check.text(title, field: "title", maxLength: 200, allowEmpty: false) }
            if let from = input.effectiveFrom { order.effectiveFrom = from }
            if let to = input.effectiveTo { order.effectiveTo = to }
            Catalog.checkWindow(from: order.effectiveFrom, until: order.effectiveTo, field: "effective_to", into: &check)
            if let owner = input.owner, RecordID(parsing: owner, prefix: .user) != existing.ownerID {
                let role = caller.principal?.role
                if role == nil || role == .admin || role == .manager {
                    let resolved = try await resolveOwner(owner, by: caller, check: &check, sql)
                    (order.ownerID, order.teamID) = (resolved.id, resolved.teamID)
                } else {
                    check.add("owner_id", "forbidden", "Only managers and administrators give an order to another owner.")
                }
            }
            if let lines = input.lines {
                if lines.isEmpty { check.add("lines", "required", "An order has at least one line.") }
                let drafted = try await draftLines(lines, currency: order.currency, check: &check, sql)
                try check.finish()
                let products = try await ProductStore(sql).find(skus: Set(drafted.map(\.sku)))
                let (priced, total) = OrderPricing.lines(drafted, currency: order.currency, products: products, check: &check) { rapport.ids.next(.orderLine, at: now) }
                order.lines = priced
                if let total { order.total = total }
            }
            try check.finish()
            order.updatedAt = now
            let version = expectedVersion ?? existing.version
            guard try await OrderStore(sql).replace(order, expectedVersion: version, lines: input.lines != nil) else {
                throw RapportError(.preconditionFailed, "The order was changed by someone else; fetch it again and retry.")
            }
            order.version = version + 1
            var details: [String: String] = ["total_minor": String(order.total.amountMinor)]
            if order.ownerID != existing.ownerID { (details["from_owner"], details["to_owner"]) = (existing.ownerID.rawValue, order.ownerID.rawValue) }
            try await rapport.record(rapport.event("order.updated", by: caller, kind: .order, object: order.id.rawValue, details: details), in: sql)
            return order
        }
    }

    /// What moves an order, by whom.
    public enum Action: String, Sendable, CaseIterable {
        /// draft → pending_approval (whoever may change the order).
        case submit
        /// pending_approval → signed, and on to effective when its term has begun (the owner's
        /// manager or an administrator; never the owner unless an administrator).
        case approve
        /// pending_approval → draft, with a reason (as approve).
        case reject
        /// draft → cancelled.
        case cancel
        /// signed or effective → terminated, with a reason.
        case terminate
        /// effective → completed.
        case complete
    }

    /// Moves an order by `action`: the lifecycle engine decides whether the move is allowed from
    /// where the order is (`conflict` otherwise, and nothing changes); the move is stored with its
    /// history and audit entry in one transaction, at `expectedVersion` when given. A submission
    /// asks the approvers in their inboxes (`order.approval_requested`: the owner's team managers,
    /// else the nearest ones above, else the administrators; never the owner or the submitter);
    /// the decision tells the owner (`order.approved`, `order.rejected`).
    public func act(_ action: Action, on id: String, reason: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> Order {
        var check = Validator()
        let reason = reason.map { check.text($0, field: "reason", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        if reason == nil, action == .reject || action == .terminate { check.add("reason", "required", "A reason is required to \(action.rawValue) an order.") }
        try check.finish()
        let existing = try await load(id, by: caller, .update)
        if action == .approve || action == .reject { try Self.requireApprover(existing, caller) }
        let now = rapport.clock.now()
        let target: OrderStatus =
            switch action {
            case .submit: .pendingApproval
            case .approve: .signed
            case .reject: .draft
            case .cancel: .cancelled
            case .terminate: .terminated
            case .complete: .completed
            }
        return try await rapport.transaction { sql in
            var order = try await move(existing, to: target, reason: reason, expectedVersion: expectedVersion, action: "order.\(Self.past(action))",
                                       by: caller, at: now, sql)
            if action == .approve, order.effectiveFrom.map({ $0 <= now }) ?? true {
                order = try await becomeEffective(order, by: caller, at: now, sql)
            }
            if action == .submit {
                let approvers = try await rapport.approvers(for: order.ownerID, excluding: [order.ownerID, caller.actorID].compactMap { $0 }, sql)
                try await rapport.askApprovers(approvers, about: (.order, order.id.rawValue), request: "\(order.id.rawValue):\(order.version)", details: [
                    "order_id": order.id.rawValue, "total_minor": String(order.total.amountMinor), "currency": order.currency,
                ], sql)
            }
            return order
        }
    }

    /// The audit word of an action: `order.submitted`, `order.approved`, ….
    static func past(_ action: Action) -> String {
        switch action {
        case .submit: "submitted"
        case .approve: "approved"
        case .reject: "rejected"
        case .cancel: "cancelled"
        case .terminate: "terminated"
        case .complete: "completed"
        }
    }

    /// Approvals are four-eyes: an administrator, or a manager whose scope holds the order (the
    /// owner's manager), and never the owner unless an administrator. The system may approve.
    static func requireApprover(_ order: Order, _ caller: Caller) throws {
        guard let principal = caller.principal else { return }
        guard principal.role == .admin || principal.role == .manager else {
            throw RapportError(.forbidden, "Only the owner's manager or an administrator approves or rejects an order.")
        }
        if principal.userID == order.ownerID && !principal.isAdmin {
            throw RapportError(.forbidden, "You cannot approve or reject your own order; the manager above you or an administrator does.")
        }
    }

    /// Applies one move and stores it: the row (if the version matches), the history, the audit.
    func move(
        _ existing: Order, to target: OrderStatus, reason: String?, expectedVersion: Int64?, action: String, by caller: Caller, at now: Date,
        _ sql: any SQLDatabase
    ) async throws -> Order {
        let transition = try OrderLifecycle.move(from: existing.status, enteredAt: existing.statusEnteredAt, to: target, at: now, by: caller.actorID,
                                                 reason: reason)
        var order = existing
        order.status = target
        order.statusEnteredAt = now
        order.updatedAt = now
        if reason != nil || target == .draft || target == .cancelled || target == .terminated { order.statusReason = reason }
        if target == .signed {
            order.signedAt = now
            order.approvedBy = caller.actorID
        }
        if target == .effective, order.effectiveFrom == nil { order.effectiveFrom = now }
        let version = expectedVersion ?? existing.version
        guard try await OrderStore(sql).replace(order, expectedVersion: version, lines: false) else {
            throw RapportError(.preconditionFailed, "The order was changed by someone else; fetch it again and retry.")
        }
        order.version = version + 1
        try await rapport.recordTransition(transition, object: .order, of: order.id, owner: order.ownerID, at: now, in: sql)
        var details = ["from": existing.status.rawValue, "to": target.rawValue]
        if let reason { details["reason"] = reason }
        try await rapport.record(rapport.event(action, by: caller, kind: .order, object: order.id.rawValue, details: details), in: sql)
        if target == .signed || (target == .draft && existing.status == .pendingApproval) {
            let notices = rapport.notifications
            try await notices.send([notices.make(order.ownerID, action, details: details, about: (.order, order.id.rawValue))], in: sql)
        }
        return order
    }

    /// signed → effective: the move, then the entitlements its lines grant, in `sql`.
    func becomeEffective(_ order: Order, by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws -> Order {
        let effective = try await move(order, to: .effective, reason: nil, expectedVersion: order.version, action: "order.effective", by: caller,
                                       at: now, sql)
        try await rapport.entitlements.grant(for: effective, by: caller, at: now, sql)
        return effective
    }
}
