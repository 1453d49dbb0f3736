import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// A colleague as the directory shows them: name and team only.
public struct ColleagueDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    @Nullable public var teamId: String?
    @Nullable public var teamName: String?

    enum CodingKeys: String, CodingKey {
        case id, name
        case teamId = "team_id", teamName = "team_name"
    }

    public init(_ colleague: UserStore.Colleague) {
        id = colleague.id.rawValue
        name = colleague.name
        teamId = colleague.teamID?.rawValue
        teamName = colleague.teamName
    }
}

/// A user as the API shows it.
public struct UserDTO: Encodable, Sendable {
    public var id: String
    public var email: String
    public var name: String
    public var role: String
    @Nullable public var repLevel: String?
    @Nullable public var teamId: String?
    public var status: String
    @Nullable public var locale: String?
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date
    @Nullable public var lastLoginAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, email, name, role, status, locale, version
        case repLevel = "rep_level", teamId = "team_id", createdAt = "created_at", updatedAt = "updated_at", lastLoginAt = "last_login_at"
    }

    public init(_ user: User) {
        id = user.id.rawValue
        email = user.email
        name = user.name
        role = user.role.rawValue
        repLevel = user.repLevel?.rawValue
        teamId = user.teamID?.rawValue
        status = user.status.rawValue
        locale = user.locale
        version = user.version
        createdAt = user.createdAt
        updatedAt = user.updatedAt
        lastLoginAt = user.lastLoginAt
    }

}

/// `GET /me`: the user and what the presented credential allows.
public struct MeDTO: Encodable, Sendable {
    public var user: UserDTO
    public var tokenScopes: [String]

    enum CodingKeys: String, CodingKey {
        case user
        case tokenScopes = "token_scopes"
    }
}

/// A team as the API shows it.
public struct TeamDTO: Encodable, Sendable {
    public var id: String
    public var key: String
    public var name: String
    @Nullable public var parentId: String?
    public var depth: Int
    public var version: Int64
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, key, name, depth, version
        case parentId = "parent_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ team: Team) {
        id = team.id.rawValue
        key = team.key
        name = team.name
        parentId = team.parentID?.rawValue
        depth = TeamPath.depth(team.path)
        version = team.version
        createdAt = team.createdAt
        updatedAt = team.updatedAt
    }

}

/// An API token as the API shows it (never the secret, except once at creation).
public struct TokenDTO: Encodable, Sendable {
    public var id: String
    public var userId: String
    public var name: String
    public var displayPrefix: String
    public var scopes: [String]
    public var createdAt: Date
    public var expiresAt: Date
    @Nullable public var lastUsedAt: Date?
    @Nullable public var revokedAt: Date?
    /// The secret: present only in the response that created the token.
    public var token: String?

    enum CodingKeys: String, CodingKey {
        case id, name, scopes, token
        case userId = "user_id", displayPrefix = "display_prefix", createdAt = "created_at", expiresAt = "expires_at"
        case lastUsedAt = "last_used_at", revokedAt = "revoked_at"
    }

    public init(_ token: APIToken, secret: String? = nil) {
        id = token.id.rawValue
        userId = token.userID.rawValue
        name = token.name
        displayPrefix = token.displayPrefix
        scopes = token.scopes.sorted().map(\.rawValue)
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
        self.token = secret
    }

}

/// `POST /auth/token`: the secret, shown once, and when it expires.
public struct SignInDTO: Encodable, Sendable {
    public var token: String
    public var tokenId: String
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case token
        case tokenId = "token_id"
        case expiresAt = "expires_at"
    }
}

/// An audit log entry as the API shows it.
public struct AuditEntryDTO: Encodable, Sendable {
    public var seq: Int64
    public var id: String
    public var at: Date
    @Nullable public var actorId: String?
    public var action: String
    @Nullable public var objectKind: String?
    @Nullable public var objectId: String?
    @Nullable public var address: String?
    public var details: [String: String]
    public var prevHash: String
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case seq, id, at, action, address, details, hash
        case actorId = "actor_id", objectKind = "object_kind", objectId = "object_id", prevHash = "prev_hash"
    }

    public init(_ entry: AuditEntry) {
        seq = entry.seq
        id = entry.id.rawValue
        at = entry.at
        actorId = entry.actorID?.rawValue
        action = entry.action
        objectKind = entry.objectKind
        objectId = entry.objectID
        address = entry.address
        details = entry.details
        prevHash = entry.previousHash
        hash = entry.hash
    }

}

/// The result of checking the audit chain.
public struct AuditVerificationDTO: Encodable, Sendable {
    public var intact: Bool
    public var checked: Int64
    @Nullable public var firstBrokenSeq: Int64?
    @Nullable public var reason: String?

    enum CodingKeys: String, CodingKey {
        case intact, checked, reason
        case firstBrokenSeq = "first_broken_seq"
    }

}

/// A role with its scope and actions per object kind.
public struct RoleDTO: Encodable, Sendable {
    public struct KindAccess: Encodable, Sendable {
        public var scope: String
        public var actions: [String]
    }

    public var role: String
    public var access: [String: KindAccess]

    public init(_ role: RoleUseCases.RoleAccess) {
        self.role = role.role.rawValue
        var access: [String: KindAccess] = [:]
        for entry in role.kinds {
            access[entry.kind.rawValue] = KindAccess(scope: entry.scope?.rawValue ?? "none", actions: entry.actions.map(\.rawValue))
        }
        self.access = access
    }
}
