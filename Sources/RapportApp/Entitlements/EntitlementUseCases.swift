import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Entitlements (权益) granted by effective orders: read by whoever can read the customer or the
/// order; consumed idempotently (a key per consumption: the same key and body give the same
/// result once, another body under the same key is refused); expired and proposed for renewal by
/// the daily job; revoked, as to their unconsumed part, by refunds.
public struct EntitlementUseCases: Sendable {
    let rapport: Rapport

    /// The scope `caller` has for `action`: the entitlement kind must allow it; then the customers
    /// and orders the caller may read (or change) decide which entitlements.
    func scope(_ caller: Caller, _ action: AccessAction) async throws -> EntitlementScope {
        _ = try await rapport.scope(caller, action, .entitlement, anchor: .owner(column: "owner_id"), table: "entitlements")
        let recordAction: AccessAction = action == .read ? .read : .update
        let customers = try await rapport.scope(caller, recordAction, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        let orders: ScopeFilter
        if try await rapport.allows(caller, recordAction, .order) {
            orders = try await rapport.scope(caller, recordAction, .order, anchor: .owner(column: "owner_id"), table: "orders")
        } else {
            // No order access: only the customer decides (an owner's own id never owns an order here).
            orders = customers.matchingNothing(table: "orders")
        }
        return EntitlementScope(customers: customers, orders: orders)
    }

    func load(_ id: String, by caller: Caller, _ action: AccessAction) async throws -> Entitlement {
        let scope = try await scope(caller, action)
        guard let id = RecordID(parsing: id, prefix: .entitlement),
              let found = try await rapport.database.read({ sql in try await EntitlementStore(sql).find(id, in: scope) })
        else { throw RapportError.notFound("entitlement") }
        return found
    }

    /// One entitlement; `not_found` when the caller can read neither its customer nor its order.
    public func get(_ id: String, by caller: Caller) async throws -> Entitlement {
        try await load(id, by: caller, .read)
    }

    /// What a list asks for, as sent.
    public struct ListQuery: Sendable {
        public var customer: String?
        public var order: String?
        public var status: String?
        public var expiringBefore: Date?

        public init(customer: String? = nil, order: String? = nil, status: String? = nil, expiringBefore: Date? = nil) {
            self.customer = customer
            self.order = order
            self.status = status
            self.expiringBefore = expiringBefore
        }
    }

    /// A page of entitlements in scope, newest first.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<Entitlement> {
        let scope = try await scope(caller, .read)
        var check = Validator()
        var filter = EntitlementStore.ListFilter(status: check.choice(query.status, field: "status", of: EntitlementStatus.self),
                                                 expiringBefore: query.expiringBefore)
        if let customer = query.customer {
            filter.customerID = RecordID(parsing: customer, prefix: .customer)
            if filter.customerID == nil { check.add("customer_id", "invalid", "customer_id is not a cus_ id.") }
        }
        if let order = query.order {
            filter.orderID = RecordID(parsing: order, prefix: .order)
            if filter.orderID == nil { check.add("order_id", "invalid", "order_id is not an ord_ id.") }
        }
        try check.finish()
        return try await rapport.database.read { sql in try await EntitlementStore(sql).list(filter, page: page, in: scope) }
    }

    /// A customer's entitlements; `not_found` when the caller cannot read the customer.
    public func list(ofCustomer id: String, page: PageRequest, by caller: Caller) async throws -> Page<Entitlement> {
        let customer = try await rapport.customers.load(id, by: caller, .read)
        return try await list(ListQuery(customer: customer.id.rawValue), page: page, by: caller)
    }

    /// An entitlement's consumptions, oldest first.
    public func consumptions(_ id: String, page: PageRequest, by caller: Caller) async throws -> Page<EntitlementConsumption> {
        let entitlement = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await EntitlementStore(sql).consumptions(of: entitlement.id, page: page) }
    }

    // MARK: Consuming

    /// A consumption as sent.
    public struct ConsumeRequest: Sendable, Equatable {
        public var quantity: Int64
        /// Required: the same key with the same request is applied once.
        public var idempotencyKey: String
        public var note: String?
        /// When it was consumed (now by default; never in the future).
        public var occurredAt: Date?

        public init(quantity: Int64, idempotencyKey: String, note: String? = nil, occurredAt: Date? = nil) {
            self.quantity = quantity
            self.idempotencyKey = idempotencyKey
            self.note = note
            self.occurredAt = occurredAt
        }
    }

    /// What a consumption did: the entitlement after it, the consumption row, and whether this
    /// was a replay of an earlier request with the same key (nothing consumed again).
    public struct ConsumeResult: Sendable, Equatable {
        public var entitlement: Entitlement
        public var consumption: EntitlementConsumption
        public var replayed: Bool
    }

    /// Consumes `quantity` of an active entitlement the caller may change. Refusals change nothing:
    /// more than the balance (`insufficient_balance`), an entitlement not active or past its expiry
    /// (`entitlement_not_active`), the key used before with another request (`consumption_key_reused`).
    public func consume(_ id: String, _ request: ConsumeRequest, by caller: Caller) async throws -> ConsumeResult {
        var check = Validator()
        if !IdempotencyUseCases.isValidKey(request.idempotencyKey) {
            check.add("idempotency_key", "invalid", "idempotency_key is 1 to 255 visible ASCII characters.")
        }
        if !(1...Self.maximumQuantity).contains(request.quantity) {
            check.add("quantity", "out_of_range", "quantity is a whole number from 1 to \(Self.maximumQuantity).")
        }
        let note = request.note.map { check.text($0, field: "note", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        let now = rapport.clock.now()
        if let occurred = request.occurredAt, occurred > now { check.add("occurred_at", "invalid", "occurred_at cannot be in the future.") }
        try check.finish()
        let existing = try await load(id, by: caller, .update)
        let fingerprint = "\(request.quantity)\n\(note ?? "")\n\(request.occurredAt.map { String($0.microsSinceEpoch) } ?? "")"
        let hash = Digest.sha256Hex(Array(fingerprint.utf8))
        // A concurrent consumption of the same entitlement bumps its version: read again and retry.
        for _ in 0..<5 {
            let outcome: ConsumeResult? = try await rapport.transaction { sql in
                let store = EntitlementStore(sql)
                guard let entitlement = try await store.find(existing.id) else { throw RapportError.notFound("entitlement") }
                if let earlier = try await store.consumption(of: entitlement.id, key: request.idempotencyKey) {
                    guard earlier.requestHash == hash else {
                        throw RapportError(.consumptionKeyReused, "This idempotency_key was used with a different consumption.",
                                           extra: ["consumption_id": earlier.id.rawValue])
                    }
                    return ConsumeResult(entitlement: entitlement, consumption: earlier, replayed: true)
                }
                let next: Entitlement
                switch entitlement.consuming(request.quantity, at: now) {
                case .success(let consumed): next = consumed
                case .failure(let refusal): throw refusal.rapportError
                }
                guard try await store.replace(next, expectedVersion: entitlement.version) else { return nil }
                let consumption = EntitlementConsumption(
                    id: rapport.ids.next(.consumption, at: now), entitlementID: entitlement.id, quantity: request.quantity, note: note,
                    occurredAt: request.occurredAt ?? now, recordedAt: now, recordedBy: caller.actorID, idempotencyKey: request.idempotencyKey,
                    requestHash: hash)
                try await store.insert(consumption)
                try await rapport.record(rapport.event("entitlement.consumed", by: caller, kind: .entitlement, object: entitlement.id.rawValue, details: [
                    "quantity": String(request.quantity), "balance": String(next.balance), "consumption_id": consumption.id.rawValue,
                ]), in: sql)
                var stored = next
                stored.version = entitlement.version + 1
                return ConsumeResult(entitlement: stored, consumption: consumption, replayed: false)
            }
            if let outcome { return outcome }
        }
        throw RapportError(.unavailable, "The entitlement is being changed by others; try again.", retryAfterSeconds: 1)
    }

    /// The most one consumption takes.
    public static let maximumQuantity: Int64 = 1_000_000_000_000
}

extension ScopeFilter {
    /// A filter on `table` that lets no row through (a kind the caller may not read at all).
    func matchingNothing(table: String) -> ScopeFilter {
        ScopeFilter(Principal(userID: RecordID(trusted: "usr_none"), role: principal.role, tokenScopes: []), .own, kind: kind,
                    anchor: .owner(column: "owner_id"), table: table)
    }
}
