import Foundation

/// An amount of money: integer minor units of an ISO 4217 currency (fen for CNY, cents for
/// USD). Money never passes through floating point.
public struct Money: Sendable, Hashable, Codable {
    public var amountMinor: Int64
    public var currency: String

    public init(_ amountMinor: Int64, _ currency: String) {
        self.amountMinor = amountMinor
        self.currency = currency.uppercased()
    }

    enum CodingKeys: String, CodingKey {
        case amountMinor = "amount_minor"
        case currency
    }
}

/// How a fraction of a minor unit is settled. Pricing always says which one it used.
public enum Rounding: String, Sendable, Codable, CaseIterable {
    /// Half a unit and more goes up (away from zero): the usual commercial rule.
    case halfUp = "half_up"
    /// Half a unit goes to the even neighbour (banker's rounding).
    case halfEven = "half_even"
    /// Any fraction is dropped (towards zero): never charge a fraction the customer did not agree to.
    case down

    /// `value × numerator ÷ denominator`, rounded by this rule, in integers only (no overflow for
    /// any `Int64` value and ratio: the product is computed at double width).
    public func scale(_ value: Int64, by numerator: Int64, over denominator: Int64) -> Int64 {
        precondition(denominator > 0, "a ratio needs a positive denominator")
        let negative = (value < 0) != (numerator < 0)
        let product = value.magnitude.multipliedFullWidth(by: numerator.magnitude)
        if product.high >= denominator.magnitude { return negative ? -Int64.max : Int64.max }  // beyond any Int64
        let (quotient, remainder) = denominator.magnitude.dividingFullWidth(product)
        var magnitude = quotient
        let twice = remainder.multipliedReportingOverflow(by: 2)
        let comparison: Int = twice.overflow ? 1 : (twice.partialValue > denominator.magnitude ? 1 : (twice.partialValue == denominator.magnitude ? 0 : -1))
        switch self {
        case .down: break
        case .halfUp: if remainder != 0 && comparison >= 0 { magnitude += 1 }
        case .halfEven: if remainder != 0 && (comparison > 0 || (comparison == 0 && magnitude % 2 == 1)) { magnitude += 1 }
        }
        let result = Int64(clamping: magnitude)
        return negative ? -result : result
    }
}
