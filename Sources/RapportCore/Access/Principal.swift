/// Who is acting: the authenticated user, with what the request may do.
///
/// Every use case takes a principal; every store query that returns records applies its scope.
public struct Principal: Sendable, Equatable {
    public var userID: RecordID
    public var role: Role
    public var teamID: RecordID?
    /// The materialised path of the user's team (`/team_A/team_B/`), for subtree scope in SQL.
    public var teamPath: String?
    public var repLevel: RepLevel?
    /// What the credential allows (an API token may be read-only).
    public var tokenScopes: Set<TokenScope>
    /// The credential used, for audit (a token id), if any.
    public var credentialID: RecordID?

    public init(
        userID: RecordID, role: Role, teamID: RecordID? = nil, teamPath: String? = nil,
        repLevel: RepLevel? = nil, tokenScopes: Set<TokenScope> = TokenScope.full, credentialID: RecordID? = nil
    ) {
        self.userID = userID
        self.role = role
        self.teamID = teamID
        self.teamPath = teamPath
        self.repLevel = repLevel
        self.tokenScopes = tokenScopes
        self.credentialID = credentialID
    }

    public var isAdmin: Bool { role == .admin }
}

/// What an API token may do. A token never grants more than its user's role allows.
public enum TokenScope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read records.
    case read
    /// Create, change and delete records.
    case write

    public static let full: Set<TokenScope> = [.read, .write]

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a space-separated list (the storage form); unknown words are dropped.
    public static func parse(_ text: String) -> Set<TokenScope> {
        Set(text.split(separator: " ").compactMap { TokenScope(rawValue: String($0)) })
    }

    /// The storage form of a set: sorted, space-separated.
    public static func format(_ scopes: Set<TokenScope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }
}
