import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// API tokens: shown once, stored hashed, scoped, expiring, revocable.
public struct TokenUseCases: Sendable {
    let rapport: Rapport

    public struct NewToken: Sendable {
        public var name: String
        public var scopes: [String]?
        public var expiresInDays: Int?

        public init(name: String, scopes: [String]? = nil, expiresInDays: Int? = nil) {
            self.name = name
            self.scopes = scopes
            self.expiresInDays = expiresInDays
        }
    }

    private func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .token, anchor: .owner(column: "user_id"), table: "api_tokens")
    }

    /// Issues a token for the calling user. A token never has more scopes than the credential that made it.
    public func create(_ input: NewToken, by caller: Caller) async throws -> AuthUseCases.IssuedToken {
        guard let principal = caller.principal else { throw RapportError(.unauthorized, "No user is signed in.") }
        guard try await rapport.allows(caller, .create, .token) else { throw RapportError(.forbidden, "Your credential may not create tokens.") }
        var check = Validator()
        let name = check.require(input.name, field: "name", maxLength: 100)
        var scopes = TokenScope.full
        if let requested = input.scopes {
            scopes = []
            for (index, text) in requested.enumerated() {
                guard let scope = TokenScope(rawValue: text) else {
                    check.add("scopes[\(index)]", "invalid", "scopes may contain read and write.")
                    continue
                }
                guard principal.tokenScopes.contains(scope) else {
                    check.add("scopes[\(index)]", "not_allowed", "a token cannot have more scopes than the credential that creates it.")
                    continue
                }
                scopes.insert(scope)
            }
            if requested.isEmpty { check.add("scopes", "required", "scopes must name at least one scope.") }
            if scopes.contains(.write) { scopes.insert(.read) }
        }
        let days = input.expiresInDays ?? rapport.settings.defaultTokenDays
        if !(1...rapport.settings.maximumTokenDays).contains(days) {
            check.add("expires_in_days", "out_of_range", "expires_in_days must be from 1 to \(rapport.settings.maximumTokenDays).")
        }
        try check.finish()
        let now = rapport.clock.now()
        let secret = SecretMaker.make()
        let token = APIToken(
            id: rapport.ids.next(.token, at: now), userID: principal.userID, name: name, kind: .api,
            displayPrefix: String(secret.prefix(10)), scopes: scopes, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(days) * 86_400), lastUsedAt: nil, revokedAt: nil)
        try await rapport.transaction { sql in
            try await TokenStore(sql).insert(token, secretHash: Digest.sha256Hex(secret))
            try await rapport.record(rapport.event("token.created", by: caller, kind: .token, object: token.id.rawValue, details: ["scopes": TokenScope.format(scopes), "expires_in_days": String(days)]), in: sql)
        }
        return AuthUseCases.IssuedToken(token: token, secret: secret)
    }

    public func get(_ id: String, by caller: Caller) async throws -> APIToken {
        let filter = try await filter(caller, .read)
        guard let id = RecordID(parsing: id, prefix: .token),
              let token = try await rapport.database.read({ sql in try await TokenStore(sql).find(id, in: filter) })
        else { throw RapportError.notFound("token") }
        return token
    }

    /// Tokens in scope: one's own; administrators may ask for one user's or everyone's.
    public func list(user: String?, includeRevoked: Bool, page: PageRequest, by caller: Caller) async throws -> Page<APIToken> {
        let filter = try await filter(caller, .read)
        var userID: RecordID?
        if let user {
            guard let id = RecordID(parsing: user, prefix: .user) else {
                throw RapportError.validation([FieldError(field: "user_id", code: "invalid", message: "user_id is not a user id.")])
            }
            userID = id
        }
        return try await rapport.database.read { sql in
            try await TokenStore(sql).list(user: userID, includeRevoked: includeRevoked, page: page, in: filter)
        }
    }

    /// Revokes a token: it stops working on the very next request, in every instance.
    public func revoke(_ id: String, by caller: Caller) async throws -> APIToken {
        let token = try await get(id, by: caller)
        guard try await rapport.allows(caller, .delete, .token) else { throw RapportError(.forbidden, "Your credential may not revoke tokens.") }
        let now = rapport.clock.now()
        return try await rapport.transaction(changesAccess: true) { sql in
            if try await TokenStore(sql).revoke(token.id, at: now) {
                try await rapport.record(rapport.event("token.revoked", by: caller, kind: .token, object: token.id.rawValue, details: ["owner": token.userID.rawValue]), in: sql)
            }
            var revoked = token
            revoked.revokedAt = revoked.revokedAt ?? now
            return revoked
        }
    }
}
