import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OrderUseCases {
    /// What ordering a won opportunity takes besides the opportunity.
    public struct FromOpportunity: Sendable {
        /// Make another order even though one (not cancelled) exists for the opportunity.
        public var force: Bool
        public var title: String?
        /// Used when the opportunity has neither an amount nor lines that name a currency.
        public var currency: String?
        public var effectiveFrom: Date?
        public var effectiveTo: Date?

        public init(force: Bool = false, title: String? = nil, currency: String? = nil, effectiveFrom: Date? = nil, effectiveTo: Date? = nil) {
            self.force = force
            self.title = title
            self.currency = currency
            self.effectiveFrom = effectiveFrom
            self.effectiveTo = effectiveTo
        }
    }

    /// A draft order from a won opportunity the caller can see: its customer, owner, team,
    /// currency and lines (priced as on the opportunity). `conflict` when the opportunity is not
    /// won, or already has an order that is not cancelled (unless `force`).
    public func create(fromOpportunity id: String, _ request: FromOpportunity, by caller: Caller) async throws -> Order {
        _ = try await filter(caller, .create)
        let opportunity = try await rapport.opportunities.load(id, by: caller, .read)
        guard opportunity.statusCategory == .won else {
            throw RapportError(.conflict, "The opportunity is \(opportunity.statusCategory.rawValue) (\(opportunity.stage)); only a won opportunity is ordered.",
                               extra: ["stage": opportunity.stage])
        }
        var check = Validator()
        let title = request.title.map { check.text($0, field: "title", maxLength: 200, allowEmpty: false) } ?? String(opportunity.name.prefix(200))
        let currency = opportunity.amount?.currency ?? opportunity.lines.first?.unitPrice.currency ?? request.currency
        if let named = request.currency, named != currency {
            check.add("currency", "invalid", "The opportunity is in \(currency ?? "no currency"); the order keeps its currency.")
        }
        if currency == nil { check.add("currency", "required", "The opportunity names no currency; give currency.") }
        if opportunity.lines.isEmpty { check.add("lines", "required", "The opportunity has no product lines to order.") }
        if opportunity.customerID == nil { check.add("customer_id", "required", "The opportunity has no customer yet; attach its account first.") }
        try check.finish()
        guard let customerID = opportunity.customerID else { throw RapportError.validation(check.errors) }
        return try await rapport.transaction { sql in
            if !request.force, let existing = try await OrderStore(sql).live(fromOpportunity: opportunity.id).first {
                throw RapportError(.conflict, "The opportunity already has order \(existing); send force to make another.",
                                   extra: ["order_id": existing.rawValue])
            }
            let draft = OrderDraft(
                title: title, customerID: customerID, opportunityID: opportunity.id, currency: currency ?? "",
                lines: opportunity.lines.map { OrderDraft.Line(sku: $0.sku, quantity: $0.quantity, unitPrice: $0.unitPrice) },
                ownerID: opportunity.ownerID, effectiveFrom: request.effectiveFrom, effectiveTo: request.effectiveTo)
            // The order sits with the opportunity's team, as the opportunity did.
            return try await create(from: draft, team: opportunity.teamID, by: caller, in: sql)
        }
    }

    // MARK: The daily job

    /// The job kind that starts and ends contract terms.
    public static let dailyKind = "orders.daily"

    /// Signed orders whose term has begun become effective (granting their entitlements);
    /// effective orders whose term has ended expire. One order per transaction, each re-checked,
    /// so running twice changes nothing twice. Returns how many became effective and expired.
    @discardableResult
    public func runDaily() async throws -> (effective: Int, expired: Int) {
        let caller = Caller.system("job")
        var counts = (effective: 0, expired: 0)
        for (status, column) in [(OrderStatus.signed, "effective_from"), (.effective, "effective_to")] {
            var seen: Set<RecordID> = []
            while true {
                let now = rapport.clock.now()
                let due = try await rapport.database.read { sql in try await OrderStore(sql).due(status, column, at: now, limit: 200) }
                    .filter { !seen.contains($0) }
                if due.isEmpty { break }
                for id in due {
                    seen.insert(id)
                    let moved = try await rapport.transaction { sql -> Bool in
                        guard let order = try await OrderStore(sql).find(id), order.status == status else { return false }
                        if status == .signed {
                            _ = try await becomeEffective(order, by: caller, at: now, sql)
                        } else {
                            _ = try await move(order, to: .expired, reason: nil, expectedVersion: order.version, action: "order.expired", by: caller, at: now, sql)
                        }
                        return true
                    }
                    if moved && status == .signed { counts.effective += 1 } else if moved { counts.expired += 1 }
                }
            }
        }
        return counts
    }
}
