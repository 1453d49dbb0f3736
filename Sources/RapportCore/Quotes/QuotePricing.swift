import Foundation

/// A quote's prices: the sales policies through ``Pricing/price(_:policies:context:rounding:)`` (the
/// one pricing function), then each line's manual discount on what the policies left, with the
/// same explicit rounding. Pure and integer-only.
public enum QuotePricing {
    /// The policies' result with the manual discounts applied.
    public struct Result: Sendable, Equatable {
        public var policies: Pricing.Result
        /// Per line, in the order given: taken off by hand, and what is left.
        public var manualDiscountMinor: [Int64]
        public var lineTotalMinor: [Int64]
        public var totals: QuoteTotals
    }

    /// Prices `lines` under `policies`, then takes each line's manual discount (`manual[i]`, nil for
    /// none) off what the policies left: basis points rounded by `rounding`, an amount at most
    /// the line's rest.
    public static func price(
        _ lines: [Pricing.Line], manual: [QuoteLineDiscount?], policies: [SalesPolicy], context: Pricing.Context, rounding: Rounding
    ) -> Result {
        let priced = Pricing.price(lines, policies: policies, context: context, rounding: rounding)
        var manualCuts: [Int64] = []
        var rests: [Int64] = []
        for (index, line) in priced.lines.enumerated() {
            let rest = line.totalMinor
            let cut: Int64
            switch index < manual.count ? manual[index] : nil {
            case .basisPoints(let points)?: cut = rounding.scale(rest, by: min(max(points, 0), 10_000), over: 10_000)
            case .amount(let minor)?: cut = min(max(minor, 0), rest)
            case nil: cut = 0
            }
            manualCuts.append(cut)
            rests.append(rest - cut)
        }
        let manualTotal = manualCuts.reduce(0, +)
        let discount = priced.discountMinor + manualTotal
        let totals = QuoteTotals(
            subtotalMinor: priced.subtotalMinor, policyDiscountMinor: priced.discountMinor, manualDiscountMinor: manualTotal, discountMinor: discount,
            totalMinor: priced.subtotalMinor - discount, discountBasisPoints: basisPoints(discount, of: priced.subtotalMinor))
        return Result(policies: priced, manualDiscountMinor: manualCuts, lineTotalMinor: rests, totals: totals)
    }

    /// `part` of `whole` in basis points, rounded half-up (0 for an empty whole).
    public static func basisPoints(_ part: Int64, of whole: Int64) -> Int64 {
        whole > 0 ? Rounding.halfUp.scale(part, by: 10_000, over: whole) : 0
    }

    /// Whether the discount is above `thresholdBasisPoints` of the subtotal, exactly (no rounding):
    /// discount × 10 000 > threshold × subtotal.
    public static func needsApproval(_ totals: QuoteTotals, thresholdBasisPoints: Int64) -> Bool {
        guard totals.discountMinor > 0 else { return false }
        let left = totals.discountMinor.multipliedFullWidth(by: 10_000)
        let right = max(thresholdBasisPoints, 0).multipliedFullWidth(by: max(totals.subtotalMinor, 0))
        return (left.high, left.low) > (right.high, right.low)
    }
}
