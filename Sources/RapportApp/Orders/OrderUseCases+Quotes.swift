import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OrderUseCases {
    /// What ordering an accepted quote takes besides the quote.
    public struct FromQuote: Sendable {
        /// Make another order even though one (not cancelled) exists for the quote.
        public var force: Bool
        /// The order's title (the quote's name by default).
        public var title: String?
        public var effectiveFrom: Date?
        public var effectiveTo: Date?

        public init(force: Bool = false, title: String? = nil, effectiveFrom: Date? = nil, effectiveTo: Date? = nil) {
            self.force = force
            self.title = title
            self.effectiveFrom = effectiveFrom
            self.effectiveTo = effectiveTo
        }
    }

    /// A draft order from an accepted quote the caller can see: the customer of the quote's
    /// opportunity, the quote's owner, team and currency, and its lines at the quote's unit
    /// prices with each line's discounts (the sales policies' and the manual one together), so
    /// the order's total is the quote's. The quote is recorded on the order (`quote_id`).
    /// `conflict` when the quote is not accepted, or already has an order that is not cancelled
    /// (unless `force`); `validation_failed` when its opportunity has no customer.
    public func create(fromQuote id: String, _ request: FromQuote, by caller: Caller) async throws -> Order {
        _ = try await filter(caller, .create)
        let quote = try await rapport.quotes.load(id, by: caller, .read)
        guard quote.status == .accepted else {
            throw RapportError(.conflict, "The quote is \(quote.status.rawValue); only an accepted quote is ordered.",
                               extra: ["reason": "quote_status", "quote_status": quote.status.rawValue])
        }
        var check = Validator()
        let title = request.title.map { check.text($0, field: "title", maxLength: 200, allowEmpty: false) } ?? String(quote.name.prefix(200))
        if quote.customerID == nil {
            check.add("customer_id", "required", "The quote's opportunity has no customer yet; attach its account first.")
        }
        try check.finish()
        guard let customerID = quote.customerID else { throw RapportError.validation(check.errors) }
        return try await rapport.transaction { sql in
            if !request.force, let existing = try await OrderStore(sql).live(fromQuote: quote.id.rawValue, opportunity: quote.opportunityID).first {
                throw RapportError(.conflict, "The quote already has order \(existing); send force to make another.",
                                   extra: ["reason": "quote_ordered", "order_id": existing.rawValue])
            }
            let draft = OrderDraft(
                title: title, customerID: customerID, opportunityID: quote.opportunityID, quoteID: quote.id.rawValue, currency: quote.currency,
                lines: Self.lines(of: quote), ownerID: quote.ownerID, effectiveFrom: request.effectiveFrom, effectiveTo: request.effectiveTo)
            return try await create(from: draft, team: quote.teamID, by: caller, in: sql)
        }
    }

    /// The order lines of a quote: each line's SKU and quantity at its unit price, less what the
    /// sales policies and the manual discount took off it (so each line's total is the quote's).
    public static func lines(of quote: Quote) -> [OrderDraft.Line] {
        quote.lines.map { line in
            OrderDraft.Line(sku: line.sku, quantity: Int64(line.quantity), unitPrice: Money(line.unitPriceMinor, quote.currency),
                            discount: Money(line.policyDiscountMinor + line.manualDiscountMinor, quote.currency))
        }
    }

    /// ``create(from:by:in:)``, then the order placed with `team` (the team of the record it came
    /// from, which may differ from the owner's current team).
    func create(from draft: OrderDraft, team: RecordID?, by caller: Caller, in sql: any SQLDatabase) async throws -> Order {
        var order = try await create(from: draft, by: caller, in: sql)
        if order.teamID != team {
            order.teamID = team
            _ = try await OrderStore(sql).replace(order, expectedVersion: order.version, lines: false)
            order.version += 1
        }
        return order
    }
}
