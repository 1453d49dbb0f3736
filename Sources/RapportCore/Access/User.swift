import Foundation

/// A person who signs in to Rapport.
public struct User: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active
        case disabled
    }

    public var id: RecordID
    /// The sign-in email, normalised (trimmed, lowercased). Unique.
    public var email: String
    public var name: String
    public var role: Role
    public var repLevel: RepLevel?
    public var teamID: RecordID?
    public var status: Status
    /// The preferred language (`zh-Hans` or `en`), or nil to follow the browser.
    public var locale: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    public var lastLoginAt: Date?

    public init(
        id: RecordID, email: String, name: String, role: Role, repLevel: RepLevel?, teamID: RecordID?,
        status: Status, locale: String?, version: Int64, createdAt: Date, updatedAt: Date, lastLoginAt: Date?
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.repLevel = repLevel
        self.teamID = teamID
        self.status = status
        self.locale = locale
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastLoginAt = lastLoginAt
    }

    /// Locales the product speaks.
    public static let locales: Set<String> = ["zh-Hans", "en"]
}

/// A node of the team tree (company → department → group).
public struct Team: Sendable, Equatable {
    public var id: RecordID
    /// A short unique key for people and scripts (`sales-east`).
    public var key: String
    public var name: String
    public var parentID: RecordID?
    /// The materialised path (see ``TeamPath``).
    public var path: String
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RecordID, key: String, name: String, parentID: RecordID?, path: String, version: Int64,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.key = key
        self.name = name
        self.parentID = parentID
        self.path = path
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether `key` is a valid team key: like a rep level key, up to 64 characters.
    public static func isValidKey(_ key: String) -> Bool {
        key.utf8.count <= 64 && RepLevel.isValidKey(String(key.prefix(32)))
            && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }
    }
}

/// A credential: an API token or a browser session. Only its hash is stored.
public struct APIToken: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case api
        case session
    }

    public var id: RecordID
    public var userID: RecordID
    public var name: String
    public var kind: Kind
    /// The first characters of the secret, so people can tell their tokens apart.
    public var displayPrefix: String
    public var scopes: Set<TokenScope>
    public var createdAt: Date
    public var expiresAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: RecordID, userID: RecordID, name: String, kind: Kind, displayPrefix: String, scopes: Set<TokenScope>,
        createdAt: Date, expiresAt: Date, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.kind = kind
        self.displayPrefix = displayPrefix
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may be used at `now`.
    public func isUsable(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }
}
