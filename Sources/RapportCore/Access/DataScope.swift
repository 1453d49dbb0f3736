/// How much of an object kind a role may see: its own records, its team subtree's, or all.
///
/// Scope is applied in SQL by the stores (never by filtering fetched rows), and records outside
/// it answer `not_found`, so their existence does not leak.
public enum DataScope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Records the user owns (and records shared with them).
    case own
    /// Records owned by anyone in the user's team or the teams below it.
    case subtree
    /// Every record.
    case all

    private var rank: Int {
        switch self {
        case .own: 0
        case .subtree: 1
        case .all: 2
        }
    }

    public static func < (lhs: DataScope, rhs: DataScope) -> Bool { lhs.rank < rhs.rank }
}

/// An action on an object kind.
public enum AccessAction: String, Sendable, Codable, CaseIterable {
    case read
    case create
    case update
    case delete
}

/// A kind of object that access rules speak of. Business areas add their own kinds.
public struct ObjectKind: RawRepresentable, Hashable, Sendable, Codable, Comparable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let user = ObjectKind(rawValue: "user")
    public static let team = ObjectKind(rawValue: "team")
    public static let token = ObjectKind(rawValue: "token")
    public static let audit = ObjectKind(rawValue: "audit")
    public static let role = ObjectKind(rawValue: "role")

    public static func < (lhs: ObjectKind, rhs: ObjectKind) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
