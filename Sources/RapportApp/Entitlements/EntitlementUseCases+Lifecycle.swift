import Foundation
import Logging
import RapportCore
import RapportStorage
import SQLKit

extension EntitlementUseCases {
    /// Grants what an order that just became effective grants: one entitlement per line whose
    /// product declares a grant (per unit × quantity), from the order's start, until the grant's
    /// validity (else the end of the order's term). A line granted before is skipped.
    func grant(for order: Order, by caller: Caller, at now: Date, _ sql: any SQLDatabase) async throws {
        let store = EntitlementStore(sql)
        let already = Set(try await store.granted(byOrder: order.id).map(\.orderLineID))
        let startsAt = order.effectiveFrom ?? now
        var made: [Entitlement] = []
        for line in order.lines where !already.contains(line.id) {
            guard let product = try await ProductStore(sql).find(line.productID), let grant = product.grant else { continue }
            guard let granted = grant.granted(for: line.quantity) else {
                throw RapportError(.conflict, "Line \(line.sku) grants more \(grant.unit) than can be counted.")
            }
            let expiresAt = grant.expiry(from: startsAt) ?? order.effectiveTo
            var entitlement = Entitlement(
                id: rapport.ids.next(.entitlement, at: now), customerID: order.customerID, orderID: order.id, orderLineID: line.id,
                productID: product.id, sku: line.sku, unit: grant.unit, granted: granted, startsAt: startsAt, expiresAt: expiresAt,
                createdAt: now, updatedAt: now)
            entitlement.status = entitlement.status(at: now)
            made.append(entitlement)
        }
        try await store.insert(made)
        for entitlement in made {
            try await rapport.record(rapport.event("entitlement.granted", by: caller, kind: .entitlement, object: entitlement.id.rawValue, details: [
                "order_id": order.id.rawValue, "order_line_id": entitlement.orderLineID.rawValue, "unit": entitlement.unit,
                "granted": String(entitlement.granted),
            ]), in: sql)
        }
    }

    /// What revoking an order line's entitlement did.
    public struct Revocation: Sendable, Equatable {
        public var entitlement: Entitlement
        /// How much was revoked now (the balance there was; 0 when it was revoked before).
        public var revoked: Int64
    }

    /// Revokes exactly the unconsumed balance of the entitlement an order line granted, inside the
    /// caller's transaction (a refund's): status revoked, balance 0, consumed unchanged, with an
    /// audit entry. Nil when the line granted nothing; revoking again revokes nothing more.
    public func revokeUnconsumed(orderLine: RecordID, reason: String, by caller: Caller, in sql: any SQLDatabase) async throws -> Revocation? {
        let store = EntitlementStore(sql)
        guard let entitlement = try await store.granted(byOrderLine: orderLine) else { return nil }
        let now = rapport.clock.now()
        let (next, revoked) = entitlement.revokingUnconsumed(at: now)
        guard next != entitlement else { return Revocation(entitlement: entitlement, revoked: 0) }
        guard try await store.replace(next, expectedVersion: entitlement.version) else {
            throw RapportError(.preconditionFailed, "The entitlement was changed at the same time; try again.")
        }
        var stored = next
        stored.version = entitlement.version + 1
        try await rapport.record(rapport.event("entitlement.revoked", by: caller, kind: .entitlement, object: entitlement.id.rawValue, details: [
            "order_line_id": orderLine.rawValue, "revoked": String(revoked), "consumed": String(next.consumed), "reason": String(reason.prefix(500)),
        ]), in: sql)
        return Revocation(entitlement: stored, revoked: revoked)
    }

    /// ``revokeUnconsumed(orderLine:reason:by:in:)`` in its own transaction, for a caller who may
    /// change the order (`not_found` otherwise).
    public func revokeUnconsumed(orderLine: String, reason: String, by caller: Caller) async throws -> Revocation? {
        guard let line = RecordID(parsing: orderLine, prefix: .orderLine) else { throw RapportError.notFound("order line") }
        let orders = try await rapport.scope(caller, .update, .order, anchor: .owner(column: "owner_id"), table: "orders")
        return try await rapport.transaction { sql in
            guard let orderID = try await OrderStore(sql).order(ofLine: line), try await OrderStore(sql).find(orderID, in: orders) != nil else {
                throw RapportError.notFound("order line")
            }
            return try await revokeUnconsumed(orderLine: line, reason: reason, by: caller, in: sql)
        }
    }

    // MARK: The daily job

    /// The job kind that expires entitlements and proposes renewals.
    public static let dailyKind = "entitlements.daily"

    /// Marks entitlements past their expiry expired, then makes the renewal opportunities that are
    /// due. Returns how many expired and how many renewals were made.
    @discardableResult
    public func runDaily() async throws -> (expired: Int, renewals: Int) {
        let caller = Caller.system("job")
        var expired = 0
        var seen: Set<RecordID> = []
        while true {
            let now = rapport.clock.now()
            let due = try await rapport.database.read { sql in try await EntitlementStore(sql).dueToExpire(at: now, limit: 500) }.filter { !seen.contains($0) }
            if due.isEmpty { break }
            for id in due {
                seen.insert(id)
                expired += try await rapport.transaction { sql -> Int in
                    let store = EntitlementStore(sql)
                    guard let entitlement = try await store.find(id), let next = entitlement.expiring(at: now),
                          try await store.replace(next, expectedVersion: entitlement.version)
                    else { return 0 }
                    try await rapport.record(rapport.event("entitlement.expired", by: caller, kind: .entitlement, object: id.rawValue,
                                                           details: ["balance": String(next.balance)]), in: sql)
                    return 1
                }
            }
        }
        return (expired, try await proposeRenewals(by: caller))
    }

    /// One renewal opportunity per entitlement that is due (``Entitlement/renewalReason(at:settings:)``),
    /// in the settings' renewal pipeline, owned by the customer's owner (else the order's), source
    /// `renewal_job`, remembered on the entitlement in the same transaction, with a notification to
    /// the owner. An entitlement whose renewal cannot be made (an owner gone) is logged and skipped.
    func proposeRenewals(by caller: Caller) async throws -> Int {
        let settings = try await rapport.database.read { sql in try await Self.settings(sql) }
        let customerScope = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        var made = 0
        var cursor: RecordID?
        while true {
            let now = rapport.clock.now()
            let expiringBy = now.addingTimeInterval(TimeInterval(settings.renewalDaysBeforeExpiry) * 86_400)
            let candidates = try await rapport.database.read { sql in
                try await EntitlementStore(sql).renewalCandidates(expiringBy: expiringBy, percent: settings.renewalBalancePercent, after: cursor, limit: 200)
            }
            guard let last = candidates.last else { break }
            cursor = last.id
            for candidate in candidates where candidate.renewalReason(at: now, settings: settings) != nil {
                do {
                    made += try await rapport.transaction { sql in
                        try await proposeRenewal(of: candidate.id, settings: settings, customerScope: customerScope, by: caller, at: now, sql)
                    }
                } catch let error as RapportError where error.code == .validationFailed {
                    rapport.logger.warning("renewal not proposed", metadata: [
                        "entitlement": .string(candidate.id.rawValue), "fields": .string(error.fieldErrors.map(\.field).joined(separator: ",")),
                    ])
                }
            }
        }
        return made
    }

    private func proposeRenewal(
        of id: RecordID, settings: EntitlementSettings, customerScope: ScopeFilter, by caller: Caller, at now: Date, _ sql: any SQLDatabase
    ) async throws -> Int {
        let store = EntitlementStore(sql)
        guard let entitlement = try await store.find(id), let reason = entitlement.renewalReason(at: now, settings: settings),
              let order = try await OrderStore(sql).find(entitlement.orderID),
              let customer = try await CustomerStore(sql).find(entitlement.customerID)
        else { return 0 }
        let owner = customer.ownerID ?? order.ownerID
        let line = order.lines.first { $0.id == entitlement.orderLineID }
        let input = OpportunityInput(
            name: String("续费 Renewal · \(line?.productName ?? entitlement.sku) · \(customer.name)".prefix(200)), customer: customer.id.rawValue,
            pipeline: settings.renewalPipeline, owner: owner.rawValue, source: .some("renewal_job"),
            lines: line.map { [OpportunityInput.Line(sku: $0.sku, quantity: Int(clamping: $0.quantity), unitPrice: $0.unitPrice)] })
        let opportunity = try await rapport.opportunities.create(input, by: caller, customerScope: customerScope, in: sql).opportunity
        var next = entitlement
        next.renewalOpportunityID = opportunity.id
        next.updatedAt = now
        guard try await store.replace(next, expectedVersion: entitlement.version) else {
            throw RapportError(.preconditionFailed, "The entitlement changed while its renewal was made; the job retries.")
        }
        let details = ["opportunity_id": opportunity.id.rawValue, "reason": reason, "balance": String(entitlement.balance)]
        try await rapport.record(rapport.event("entitlement.renewal_proposed", by: caller, kind: .entitlement, object: id.rawValue, details: details), in: sql)
        let notices = rapport.notifications
        try await notices.send([notices.make(opportunity.ownerID, "entitlement.renewal_due", details: details.merging(["entitlement_id": id.rawValue]) { $1 },
                                             about: (.opportunity, opportunity.id.rawValue))], in: sql)
        return 1
    }

    // MARK: Settings

    static let settingsKey = "entitlements"

    static func settings(_ sql: any SQLDatabase) async throws -> EntitlementSettings {
        try await SettingsStore(sql).get(settingsKey, as: EntitlementSettings.self) ?? EntitlementSettings()
    }

    /// The renewal settings (everyone who may read entitlements).
    public func settings(by caller: Caller) async throws -> EntitlementSettings {
        _ = try await rapport.scope(caller, .read, .entitlement, anchor: .owner(column: "owner_id"), table: "entitlements")
        return try await rapport.database.read { sql in try await Self.settings(sql) }
    }

    /// Replaces the renewal settings (administrators with a token that may write).
    public func setSettings(_ settings: EntitlementSettings, by caller: Caller) async throws -> EntitlementSettings {
        guard caller.principal == nil || (caller.principal?.role == .admin && caller.principal?.tokenScopes.contains(.write) == true) else {
            throw RapportError(.forbidden, "Only administrators, with a token that may write, change settings.")
        }
        var check = Validator()
        settings.check(into: &check)
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await SettingsStore(sql).set(Self.settingsKey, to: settings, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("settings.changed", by: caller, details: ["key": Self.settingsKey]), in: sql)
            return settings
        }
    }
}
