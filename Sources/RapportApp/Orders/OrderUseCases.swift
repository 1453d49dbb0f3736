import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Orders and contracts (订单/合同): created directly, from a won opportunity, or by another use
/// case from an ``OrderDraft`` (an accepted quote); read and listed in the caller's scope (owners,
/// their managers' subtrees, everyone for administrators); changed only as drafts; moved through
/// ``OrderLifecycle`` with every move in the stage history and the audit log.
public struct OrderUseCases: Sendable {
    let rapport: Rapport

    func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .order, anchor: .owner(column: "owner_id"), table: "orders")
    }

    /// One order; `not_found` outside the caller's scope.
    public func get(_ id: String, by caller: Caller) async throws -> Order {
        try await load(id, by: caller, .read)
    }

    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> Order {
        let scope = try await filter(caller, action)
        guard let id = RecordID(parsing: id, prefix: .order),
              let order = try await rapport.database.read({ sql in try await OrderStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("order") }
        return order
    }

    /// The order's stage history, oldest first.
    public func history(_ id: String, by caller: Caller) async throws -> [StageChange] {
        let order = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await StageHistoryStore(sql).history(.order, of: order.id) }
    }

    /// What a list asks for, as sent.
    public struct ListQuery: Sendable {
        public var customer: String?
        public var opportunity: String?
        public var owner: String?
        public var status: String?

        public init(customer: String? = nil, opportunity: String? = nil, owner: String? = nil, status: String? = nil) {
            self.customer = customer
            self.opportunity = opportunity
            self.owner = owner
            self.status = status
        }
    }

    /// A page of orders in scope, newest first.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<Order> {
        let scope = try await filter(caller, .read)
        var check = Validator()
        func id(_ text: String?, _ field: String, _ prefix: IDPrefix) -> RecordID? {
            guard let text else { return nil }
            guard let parsed = RecordID(parsing: text, prefix: prefix) else {
                check.add(field, "invalid", "\(field) is not a \(prefix.rawValue)_ id.")
                return nil
            }
            return parsed
        }
        let filter = OrderStore.ListFilter(
            customerID: id(query.customer, "customer_id", .customer), opportunityID: id(query.opportunity, "opportunity_id", .opportunity),
            ownerID: id(query.owner, "owner_id", .user), status: check.choice(query.status, field: "status", of: OrderStatus.self))
        try check.finish()
        return try await rapport.database.read { sql in try await OrderStore(sql).list(filter, page: page, in: scope) }
    }

    // MARK: Creating

    /// Creates a draft order for a customer the caller can see, owned by the caller unless a
    /// manager or administrator names another owner. Each line names a catalog SKU; its unit price
    /// defaults to the product's list price in the order's currency.
    public func create(_ input: OrderInput, by caller: Caller) async throws -> Order {
        _ = try await filter(caller, .create)
        let customerScope = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        var check = Validator()
        let title = input.title.map { check.text($0, field: "title", maxLength: 200, allowEmpty: false) }
        if input.title == nil { check.add("title", "required", "title is required.") }
        let customerID = input.customer.flatMap { RecordID(parsing: $0, prefix: .customer) }
        if input.customer == nil { check.add("customer_id", "required", "customer_id is required.") }
        let currency = input.currency ?? ""
        if input.currency == nil { check.add("currency", "required", "currency is required.") } else {
            Catalog.checkCurrency(currency, field: "currency", into: &check)
        }
        if input.lines?.isEmpty ?? true { check.add("lines", "required", "An order has at least one line.") }
        return try await rapport.transaction { sql in
            if input.customer != nil {
                var visible = false
                if let customerID { visible = try await CustomerStore(sql).find(customerID, in: customerScope) != nil }
                if !visible { check.add("customer_id", "invalid", "customer_id must be a customer you can see.") }
            }
            let owner = try await resolveOwner(input.owner, by: caller, check: &check, sql)
            let lines = try await draftLines(input.lines ?? [], currency: currency, check: &check, sql)
            let (from, to) = (input.effectiveFrom ?? nil, input.effectiveTo ?? nil)
            Catalog.checkWindow(from: from, until: to, field: "effective_to", into: &check)
            try check.finish()
            let draft = OrderDraft(title: title ?? "", customerID: customerID ?? RecordID(trusted: ""), currency: currency, lines: lines,
                                   ownerID: owner.id, effectiveFrom: from, effectiveTo: to)
            return try await insert(draft, teamID: owner.teamID, by: caller, sql)
        }
    }

    /// Creates a draft order from a draft another use case decided (an accepted quote, a won
    /// opportunity), in its own transaction: the caller must be allowed to create orders; the
    /// customer must exist; every SKU must be an active catalog product; totals must fit.
    public func create(from draft: OrderDraft, by caller: Caller) async throws -> Order {
        _ = try await filter(caller, .create)
        return try await rapport.transaction { sql in try await create(from: draft, by: caller, in: sql) }
    }

    /// ``create(from:by:)`` inside the caller's transaction `sql` (the caller has checked that it
    /// may create orders).
    public func create(from draft: OrderDraft, by caller: Caller, in sql: any SQLDatabase) async throws -> Order {
        var check = Validator()
        check.text(draft.title, field: "title", maxLength: 200, allowEmpty: false)
        Catalog.checkCurrency(draft.currency, field: "currency", into: &check)
        Catalog.checkWindow(from: draft.effectiveFrom, until: draft.effectiveTo, field: "effective_to", into: &check)
        if draft.lines.isEmpty { check.add("lines", "required", "An order has at least one line.") }
        if try await CustomerStore(sql).find(draft.customerID) == nil { check.add("customer_id", "invalid", "customer_id is not a customer.") }
        let owner = try await UserStore(sql).find(draft.ownerID)
        if owner?.status != .active { check.add("owner_id", "invalid", "owner_id must be an active user.") }
        try check.finish()
        return try await insert(draft, teamID: owner?.teamID, by: caller, sql)
    }

    /// Checks and totals the draft's lines against the catalog, then stores the order, its
    /// creation in the history and the audit entry.
    func insert(_ draft: OrderDraft, teamID: RecordID?, by caller: Caller, _ sql: any SQLDatabase) async throws -> Order {
        let now = rapport.clock.now()
        var check = Validator()
        let products = try await ProductStore(sql).find(skus: Set(draft.lines.map(\.sku)))
        let (lines, total) = OrderPricing.lines(draft.lines, currency: draft.currency, products: products, check: &check) { rapport.ids.next(.orderLine, at: now) }
        try check.finish()
        let transition = OrderLifecycle.create(at: now, by: caller.actorID)
        let order = Order(
            id: rapport.ids.next(.order, at: now), title: draft.title, customerID: draft.customerID, opportunityID: draft.opportunityID,
            quoteID: draft.quoteID, currency: draft.currency, lines: lines, total: total ?? Money(0, draft.currency), statusEnteredAt: now,
            effectiveFrom: draft.effectiveFrom, effectiveTo: draft.effectiveTo, ownerID: draft.ownerID, teamID: teamID, createdBy: caller.actorID,
            createdAt: now, updatedAt: now)
        try await OrderStore(sql).insert(order)
        try await rapport.recordTransition(transition, object: .order, of: order.id, owner: order.ownerID, at: now, in: sql)
        var details = ["total_minor": String(order.total.amountMinor), "currency": order.currency]
        if let opportunity = draft.opportunityID { details["opportunity_id"] = opportunity.rawValue }
        if let quote = draft.quoteID { details["quote_id"] = quote }
        try await rapport.record(rapport.event("order.created", by: caller, kind: .order, object: order.id.rawValue, details: details), in: sql)
        return order
    }

    /// The lines as sent, with each unit price defaulting to the product's list price.
    func draftLines(_ lines: [OrderInput.Line], currency: String, check: inout Validator, _ sql: any SQLDatabase) async throws -> [OrderDraft.Line] {
        if lines.count > Order.maximumLines { check.add("lines", "too_many", "An order has at most \(Order.maximumLines) lines.") }
        let products = try await ProductStore(sql).find(skus: Set(lines.compactMap(\.sku).filter(Catalog.isSKU)))
        var result: [OrderDraft.Line] = []
        for (index, line) in lines.enumerated() {
            let path = "lines[\(index)]"
            guard let sku = line.sku else { check.add("\(path).sku", "required", "\(path).sku is required."); continue }
            guard let quantity = line.quantity else { check.add("\(path).quantity", "required", "\(path).quantity is required."); continue }
            guard let price = line.unitPrice ?? products[sku]?.listPrices[currency].map({ Money($0, currency) }) else {
                if products[sku] != nil { check.add("\(path).unit_price", "required", "\(sku) has no list price in \(currency); give unit_price.") }
                else { check.add("\(path).sku", "invalid", "\(path).sku is not an active catalog product.") }
                continue
            }
            result.append(OrderDraft.Line(sku: sku, quantity: Int64(quantity), unitPrice: price, discount: line.discount ?? Money(0, currency)))
        }
        return result
    }

    /// The owner named on create: reps only themselves; managers and administrators any active
    /// user they can see; the system must name one.
    func resolveOwner(_ owner: String?, by caller: Caller, check: inout Validator, _ sql: any SQLDatabase) async throws -> (id: RecordID, teamID: RecordID?) {
        guard let owner else {
            if caller.principal == nil { check.add("owner_id", "required", "owner_id is required when the system creates an order.") }
            return (caller.effectivePrincipal.userID, caller.principal?.teamID)
        }
        let role = caller.principal?.role
        guard let id = RecordID(parsing: owner, prefix: .user),
              let user = try await rapport.assignableOwner(id, mayAssign: role == nil || role == .admin || role == .manager, by: caller, sql)
        else {
            check.add("owner_id", "invalid", "owner_id must be an active user you may give orders to.")
            return (caller.effectivePrincipal.userID, caller.principal?.teamID)
        }
        return (user.id, user.teamID)
    }
}
