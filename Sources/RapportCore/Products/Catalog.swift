import Foundation

/// The shapes catalog values must have: SKUs, currencies, keys, amounts.
public enum Catalog {
    /// Whether `text` is a SKU: 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
    public static func isSKU(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// Whether `text` is an ISO 4217 alphabetic code as written: three capital letters (`CNY`, `USD`).
    public static func isCurrency(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 3 && bytes.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// Whether `text` is a price book key: 1–64 of `a-z 0-9 _ -`, starting with a letter or digit.
    public static func isKey(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), isLowerAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// The largest amount the catalog accepts, in minor units (a trillion yuan in fen): sums of
    /// many lines stay far from `Int64`'s bounds.
    public static let maximumAmountMinor: Int64 = 100_000_000_000_000

    /// Checks a currency field, adding a field error when it is not a code.
    public static func checkCurrency(_ text: String, field: String, into check: inout Validator) {
        if !isCurrency(text) { check.add(field, "invalid", "\(field) must be an ISO 4217 code: three capital letters, e.g. CNY.") }
    }

    /// Checks an amount in minor units: a whole number from 0 to ``maximumAmountMinor``.
    public static func checkAmount(_ amount: Int64, field: String, into check: inout Validator) {
        if !(0...maximumAmountMinor).contains(amount) {
            check.add(field, "out_of_range", "\(field) is an amount in minor units from 0 to \(maximumAmountMinor).")
        }
    }

    /// Checks a validity window: `from` before `until` when both are set.
    public static func checkWindow(from: Date?, until: Date?, field: String = "valid_until", into check: inout Validator) {
        if let from, let until, from >= until { check.add(field, "invalid", "\(field) must be after valid_from.") }
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || isLowerAlphanumeric(byte)
    }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
