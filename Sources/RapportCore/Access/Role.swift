/// A user's role. Roles decide which actions a user may take on which object kinds, and with
/// which data scope (``ScopePolicy``).
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case admin
    case manager
    case rep
    case service
    case marketer
    case partner
    case analyst
    case readOnly = "read_only"

    /// Roles that may never write business records.
    public var isReadOnly: Bool { self == .readOnly || self == .analyst }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A rep level, used by assignment and holding limits (e.g. `junior`, `senior`, `expert`).
/// Companies name their own levels; a level is a short lowercase key.
public struct RepLevel: RawRepresentable, Hashable, Sendable, Codable {
    public let rawValue: String

    /// Accepts 1–32 characters of `a-z`, `0-9`, `_` and `-`, starting with a letter.
    public init?(rawValue: String) {
        guard RepLevel.isValidKey(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static let junior = RepLevel(rawValue: "junior")!
    public static let senior = RepLevel(rawValue: "senior")!
    public static let expert = RepLevel(rawValue: "expert")!

    /// Whether `text` is a valid key: a lowercase letter, then up to 31 of `a-z 0-9 _ -`.
    public static func isValidKey(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let level = RepLevel(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a rep level key"))
        }
        self = level
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
