/// Money as people write it: `1,234.50` of a currency's major unit, read into minor units with
/// integers only (no floating point on the way).
extension Money {
    /// How many digits a currency's minor unit has (2 for most; 0 for JPY and KRW; 3 for the
    /// dinars and rials that count in thousandths).
    public static func minorDigits(_ currency: String) -> Int {
        ["JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3][currency.uppercased()] ?? 2
    }

    /// A decimal amount as written (`1234.5`, `1,234.50`, `¥ 99`, `9.9`) in minor units of a
    /// currency with `digits` decimal places; nil when it is not a plain non-negative number, has
    /// more decimals than the currency has, or does not fit in 64 bits.
    public static func minorUnits(_ text: String, digits: Int) -> Int64? {
        let cleaned = text.filter { !($0 == "," || $0 == "，" || $0 == " " || $0 == "¥" || $0 == "$" || $0 == "￥") }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty || parts.count == 2 else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= digits, (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }), !(whole + fraction).isEmpty else { return nil }
        var result: Int64 = 0
        for character in whole + fraction + String(repeating: "0", count: digits - fraction.count) {
            guard let digit = character.wholeNumberValue else { return nil }
            let (times, overflow) = result.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(Int64(digit))
            if overflow || carry { return nil }
            result = sum
        }
        return result
    }

    /// An amount of `currency` as written, in its minor units (see ``minorUnits(_:digits:)``).
    public static func parse(_ text: String, currency: String) -> Money? {
        minorUnits(text, digits: minorDigits(currency)).map { Money($0, currency) }
    }

    /// The amount in major units as plain text for an input (`1234.50`), without grouping.
    public var plainText: String {
        let digits = Self.minorDigits(currency)
        let magnitude = amountMinor.magnitude
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(magnitude % scale)
        let padded = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
        return (amountMinor < 0 ? "-" : "") + String(magnitude / scale) + (digits == 0 ? "" : "." + padded)
    }
}
