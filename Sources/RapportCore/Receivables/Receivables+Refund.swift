import Foundation

extension ReceivablesLedger {
    /// The value of what a customer has not used of an order line: the line's total × unconsumed ÷
    /// granted, rounded down (never refund a fraction of a minor unit the customer did not pay).
    /// 48 lessons for ¥4,800.00 with 10 consumed → ¥3,800.00.
    public static func unconsumedValue(lineTotalMinor: Int64, granted: Int64, consumed: Int64) -> Int64 {
        guard granted > 0, lineTotalMinor > 0 else { return 0 }
        let unconsumed = min(max(granted - consumed, 0), granted)
        return Rounding.down.scale(lineTotalMinor, by: unconsumed, over: granted)
    }
}
