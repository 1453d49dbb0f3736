/// An opaque record identifier with a type prefix, sortable by creation time.
///
/// The text form is `prefix_` followed by 26 Crockford base-32 characters: 48 bits of
/// milliseconds since the Unix epoch, then 80 bits of entropy (a ULID body). Ids created later
/// sort after ids created earlier, so lists ordered by id are ordered by creation.
///
/// ```swift
/// let id = RecordID.make(.user, millis: 1_764_000_000_000, entropy: (0x1234, 0x5678_9abc_def0_1234))
/// id.description // "usr_01KB…"
/// ```
public struct RecordID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The full text form, e.g. `usr_01KB3Y8N4QZJ9V6E2T1XWMC0PD`.
    public let rawValue: String

    /// Wraps a text form that is already known to be valid (from storage).
    public init(trusted rawValue: String) { self.rawValue = rawValue }

    /// Parses a client-supplied id, accepting only the given prefix and a well-formed body.
    public init?(parsing text: String, prefix: IDPrefix) {
        let head = prefix.rawValue + "_"
        guard text.hasPrefix(head) else { return nil }
        let body = text.utf8.dropFirst(head.utf8.count)
        guard body.count == 26, body.allSatisfy({ Crockford.value(of: $0) != nil }) else { return nil }
        self.rawValue = text
    }

    /// Builds an id from a creation time and 80 bits of entropy (`hi` uses its low 16 bits).
    public static func make(_ prefix: IDPrefix, millis: UInt64, entropy: (hi: UInt16, lo: UInt64)) -> RecordID {
        // 128 bits: 48 time bits, 16 + 64 entropy bits; encoded as 26 base-32 digits (130 bits, top 2 zero).
        let high: UInt64 = (millis & 0xFFFF_FFFF_FFFF) << 16 | UInt64(entropy.hi)
        let low: UInt64 = entropy.lo
        var digits = [UInt8](repeating: 0, count: 26)
        for index in 0..<26 {
            let bitFromRight = (25 - index) * 5
            let value: UInt64
            if bitFromRight >= 64 {
                value = (high >> UInt64(bitFromRight - 64)) & 0x1F
            } else if bitFromRight + 5 <= 64 {
                value = (low >> UInt64(bitFromRight)) & 0x1F
            } else {
                let lowPart = low >> UInt64(bitFromRight)
                let highPart = high << UInt64(64 - bitFromRight)
                value = (lowPart | highPart) & 0x1F
            }
            digits[index] = Crockford.alphabet[Int(value)]
        }
        return RecordID(trusted: prefix.rawValue + "_" + String(decoding: digits, as: UTF8.self))
    }

    public var description: String { rawValue }

    public static func < (lhs: RecordID, rhs: RecordID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The type prefix of a ``RecordID``. Later business areas add their own (`cus`, `lead`, `opp`…).
public struct IDPrefix: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let user = IDPrefix(rawValue: "usr")
    public static let team = IDPrefix(rawValue: "team")
    public static let token = IDPrefix(rawValue: "tok")
    public static let audit = IDPrefix(rawValue: "aud")
    public static let request = IDPrefix(rawValue: "req")
}

/// Crockford's base-32 alphabet (no I, L, O, U), as used by ULIDs.
enum Crockford {
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static func value(of byte: UInt8) -> UInt8? {
        guard let index = alphabet.firstIndex(of: byte) else { return nil }
        return UInt8(index)
    }
}
