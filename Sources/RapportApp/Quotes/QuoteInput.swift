import Foundation
import RapportCore

/// A quote's fields as a caller sends them: nil leaves a field as it is (on a change); a double
/// optional's `.some(nil)` clears it.
public struct QuoteInput: Sendable {
    /// One line: a SKU of the catalog, a quantity, and an optional manual discount.
    public struct Line: Sendable, Equatable {
        public var sku: String
        public var quantity: Int
        public var discount: QuoteLineDiscount?

        public init(sku: String, quantity: Int, discount: QuoteLineDiscount? = nil) {
            self.sku = sku
            self.quantity = quantity
            self.discount = discount
        }
    }

    public var name: String?
    public var currency: String?
    /// A price book's key or id; `.some(nil)` prices from the list.
    public var priceBook: String??
    /// The last valid day, `YYYY-MM-DD`.
    public var validUntil: String?
    public var channel: String??
    public var isNewCustomer: Bool?
    public var notes: String??
    /// `half_up`, `half_even` or `down`.
    public var rounding: String?
    public var lines: [Line]?

    public init(
        name: String? = nil, currency: String? = nil, priceBook: String?? = nil, validUntil: String? = nil, channel: String?? = nil,
        isNewCustomer: Bool? = nil, notes: String?? = nil, rounding: String? = nil, lines: [Line]? = nil
    ) {
        self.name = name
        self.currency = currency
        self.priceBook = priceBook
        self.validUntil = validUntil
        self.channel = channel
        self.isNewCustomer = isNewCustomer
        self.notes = notes
        self.rounding = rounding
        self.lines = lines
    }

    /// Whether the input changes what the quote is priced from.
    var repricing: Bool {
        currency != nil || priceBook != nil || channel != nil || isNewCustomer != nil || rounding != nil || lines != nil
    }
}
