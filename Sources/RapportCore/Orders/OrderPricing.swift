import Foundation

/// Turns an order's lines as decided (SKU, quantity, unit price, discount) into checked, totalled
/// order lines against the catalog: every SKU an active product (its name is kept as it is now),
/// quantities 1 … 1 000 000, prices and discounts in the order's currency and within the
/// catalog's bounds, and no total that overflows 64 bits. Problems become field errors.
public enum OrderPricing {
    /// One line to check: as ``Order`` lines are sent or copied.
    public struct Line: Sendable, Equatable {
        public var sku: String
        public var quantity: Int64
        public var unitPrice: Money
        public var discount: Money

        /// No discount by default (0 in the unit price's currency).
        public init(sku: String, quantity: Int64, unitPrice: Money, discount: Money? = nil) {
            self.sku = sku
            self.quantity = quantity
            self.unitPrice = unitPrice
            self.discount = discount ?? Money(0, unitPrice.currency)
        }
    }

    /// The largest quantity one line orders.
    public static let maximumQuantity: Int64 = 1_000_000

    /// The lines and their total, or field errors (`lines[i].…`) in `check` and a nil total.
    public static func lines(
        _ lines: [Line], currency: String, products: [String: Product], check: inout Validator, newID: () -> RecordID
    ) -> ([OrderLine], Money?) {
        var result: [OrderLine] = []
        let currency = currency.uppercased()
        for (index, line) in lines.enumerated() {
            let path = "lines[\(index)]"
            guard let product = products[line.sku], product.active else {
                check.add("\(path).sku", "invalid", "\(path).sku must be an active catalog product.")
                continue
            }
            var valid = true
            if !(1...maximumQuantity).contains(line.quantity) {
                check.add("\(path).quantity", "out_of_range", "\(path).quantity is from 1 to \(maximumQuantity).")
                valid = false
            }
            for (field, money) in [("unit_price", line.unitPrice), ("discount", line.discount)] {
                if money.currency != currency {
                    check.add("\(path).\(field).currency", "invalid", "\(path).\(field) must be in the order's currency \(currency).")
                    valid = false
                } else if !(0...Catalog.maximumAmountMinor).contains(money.amountMinor) {
                    check.add("\(path).\(field).amount_minor", "out_of_range", "\(path).\(field) is from 0 to \(Catalog.maximumAmountMinor) minor units.")
                    valid = false
                }
            }
            guard valid else { continue }
            switch OrderArithmetic.lineTotal(quantity: line.quantity, unitPrice: line.unitPrice, discount: line.discount) {
            case .success(let total):
                result.append(OrderLine(id: newID(), productID: product.id, sku: product.sku, productName: product.name, quantity: line.quantity,
                                        unitPrice: line.unitPrice, discount: line.discount, total: total))
            case .failure(.overflow):
                check.add(path, "overflow", "\(path): quantity × unit_price is too large to hold.")
            case .failure(.discountExceedsAmount):
                check.add("\(path).discount", "out_of_range", "\(path).discount is larger than quantity × unit_price.")
            case .failure(.currencyMismatch):
                check.add("\(path).discount.currency", "invalid", "\(path).discount must be in the order's currency.")
            }
        }
        guard result.count == lines.count else { return (result, nil) }
        switch OrderArithmetic.total(result.map(\.total), currency: currency) {
        case .success(let total): return (result, total)
        case .failure:
            check.add("lines", "overflow", "The order's total is too large to hold.")
            return (result, nil)
        }
    }
}
