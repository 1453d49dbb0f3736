import Foundation
import RapportCore
import SQLKit

/// API tokens and sessions in storage. Only a hash of each secret is kept.
public struct TokenStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "user_id", "name", "kind", "display_prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at",
    ]

    public func insert(_ token: APIToken, secretHash: String) async throws {
        try await sql.insert(into: "api_tokens").columns(Self.columns + ["token_hash"])
            .values(
                SQLBind(token.id.rawValue), SQLBind(token.userID.rawValue), SQLBind(token.name), SQLBind(token.kind.rawValue),
                SQLBind(token.displayPrefix), SQLBind(TokenScope.format(token.scopes)),
                SQLBind(token.createdAt.microsSinceEpoch), SQLBind(token.expiresAt.microsSinceEpoch),
                SQLBind(token.lastUsedAt?.microsSinceEpoch), SQLBind(token.revokedAt?.microsSinceEpoch),
                SQLBind(secretHash))
            .run()
    }

    /// What authentication needs to know about a presented secret, in one query.
    public struct Credential: Sendable, Equatable {
        public var token: APIToken
        public var userStatus: User.Status
        public var principal: Principal
    }

    /// The token with this secret hash, with its user and team, or nil.
    public func credential(secretHash: String) async throws -> Credential? {
        let row = try await sql.raw("""
            SELECT t.id, t.user_id, t.name, t.kind, t.display_prefix, t.scopes, t.created_at, t.expires_at,
                   t.last_used_at, t.revoked_at, u.role, u.status, u.rep_level, u.team_id, tm.path AS team_path
            FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN teams tm ON tm.id = u.team_id
            WHERE t.token_hash = \(bind: secretHash)
            """).first()
        guard let row else { return nil }
        let token = try Self.decode(row)
        guard let role = Role(rawValue: try row.text("role")) else { throw CorruptRow(table: "users", column: "role") }
        guard let status = User.Status(rawValue: try row.text("status")) else { throw CorruptRow(table: "users", column: "status") }
        let principal = Principal(
            userID: token.userID, role: role, teamID: try row.optionalID("team_id"), teamPath: try row.optionalText("team_path"),
            repLevel: try row.optionalText("rep_level").flatMap(RepLevel.init(rawValue:)), tokenScopes: token.scopes,
            credentialID: token.id)
        return Credential(token: token, userStatus: status, principal: principal)
    }

    /// One token in scope (own tokens, or all for administrators).
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> APIToken? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "api_tokens") }).from("api_tokens")
            .where(SQLColumn("id", table: "api_tokens"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// A page of API tokens in scope (sessions are not listed), optionally of one user.
    public func list(user: RecordID?, includeRevoked: Bool, page: PageRequest, in scope: ScopeFilter) async throws -> Page<APIToken> {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "api_tokens") }).from("api_tokens")
            .where(SQLColumn("kind", table: "api_tokens"), .equal, SQLBind(APIToken.Kind.api.rawValue))
        if let user { query.where(SQLColumn("user_id", table: "api_tokens"), .equal, SQLBind(user.rawValue)) }
        if !includeRevoked { query.where(SQLColumn("revoked_at", table: "api_tokens"), .is, SQLLiteral.null) }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "api_tokens"), .greaterThan, SQLBind(cursor.after)) }
        let rows = try await scope.apply(to: query).orderBy("id", .ascending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: \.id.rawValue)
    }

    /// Revokes one token; returns false when it was already revoked or does not exist.
    public func revoke(_ id: RecordID, at now: Date) async throws -> Bool {
        try await sql.update("api_tokens").set("revoked_at", to: SQLBind(now.microsSinceEpoch))
            .where("id", .equal, id.rawValue).where("revoked_at", .is, SQLLiteral.null)
            .returning("id").first() != nil
    }

    /// Revokes every live credential of a user (tokens and sessions), but `kept`; returns how many.
    @discardableResult
    public func revokeAll(of user: RecordID, except kept: RecordID? = nil, at now: Date) async throws -> Int {
        let query = sql.update("api_tokens").set("revoked_at", to: SQLBind(now.microsSinceEpoch))
            .where("user_id", .equal, user.rawValue).where("revoked_at", .is, SQLLiteral.null)
        if let kept { query.where("id", .notEqual, kept.rawValue) }
        return try await query.returning("id").all().count
    }

    /// Records that a token was used (callers do this at most about once an hour per token).
    public func touch(_ id: RecordID, at now: Date) async throws {
        try await sql.update("api_tokens").set("last_used_at", to: SQLBind(now.microsSinceEpoch)).where("id", .equal, id.rawValue).run()
    }

    /// Deletes tokens that expired or were revoked before `cutoff`.
    public func purge(before cutoff: Date) async throws {
        try await sql.delete(from: "api_tokens")
            .where(SQLQueryString("expires_at < \(bind: cutoff.microsSinceEpoch) OR revoked_at < \(bind: cutoff.microsSinceEpoch)"))
            .run()
    }

    static func decode(_ row: any SQLRow) throws -> APIToken {
        guard let kind = APIToken.Kind(rawValue: try row.text("kind")) else { throw CorruptRow(table: "api_tokens", column: "kind") }
        return APIToken(
            id: try row.id("id"), userID: try row.id("user_id"), name: try row.text("name"), kind: kind,
            displayPrefix: try row.text("display_prefix"), scopes: TokenScope.parse(try row.text("scopes")),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
            lastUsedAt: try row.optionalDate("last_used_at"), revokedAt: try row.optionalDate("revoked_at"))
    }
}
