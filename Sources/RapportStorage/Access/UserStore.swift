import Foundation
import RapportCore
import SQLKit

/// Users in storage. Every read that returns users takes a ``ScopeFilter``.
public struct UserStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "email", "name", "role", "rep_level", "team_id", "status", "locale", "version",
        "created_at", "updated_at", "last_login_at",
    ]

    /// The filters a user list accepts.
    public struct ListFilter: Sendable, Equatable {
        public var role: Role?
        public var status: User.Status?
        public var teamID: RecordID?
        /// Matches name or email (case-insensitive substring).
        public var query: String?

        public init(role: Role? = nil, status: User.Status? = nil, teamID: RecordID? = nil, query: String? = nil) {
            self.role = role
            self.status = status
            self.teamID = teamID
            self.query = query
        }
    }

    public func insert(_ user: User, passwordHash: String?) async throws {
        try await sql.insert(into: "users")
            .columns(Self.columns + ["password_hash"])
            .values(
                SQLBind(user.id.rawValue), SQLBind(user.email), SQLBind(user.name), SQLBind(user.role.rawValue),
                SQLBind(user.repLevel?.rawValue), SQLBind(user.teamID?.rawValue), SQLBind(user.status.rawValue),
                SQLBind(user.locale), SQLBind(user.version), SQLBind(user.createdAt.microsSinceEpoch),
                SQLBind(user.updatedAt.microsSinceEpoch), SQLBind(user.lastLoginAt?.microsSinceEpoch),
                SQLBind(passwordHash))
            .run()
    }

    /// One user within the filter's scope, or nil.
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> User? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "users") }).from("users")
            .where(SQLColumn("id", table: "users"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// One user regardless of scope (for the system itself: login, CLI, authentication).
    public func find(_ id: RecordID) async throws -> User? {
        try await sql.select().columns(Self.columns).from("users").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// A user and their password hash by normalised email (for login).
    public func findForLogin(email: String) async throws -> (User, String?)? {
        guard let row = try await sql.select().columns(Self.columns + ["password_hash"]).from("users")
            .where("email", .equal, email).first()
        else { return nil }
        return (try Self.decode(row), try row.optionalText("password_hash"))
    }

    /// A user by normalised email within the filter's scope, or nil.
    public func find(email: String, in scope: ScopeFilter) async throws -> User? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "users") }).from("users")
            .where(SQLColumn("email", table: "users"), .equal, SQLBind(email))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// A user by normalised email, regardless of scope.
    public func find(email: String) async throws -> User? {
        try await sql.select().columns(Self.columns).from("users").where("email", .equal, email).first().map(Self.decode)
    }

    /// A page of users in scope, ordered by id (creation order).
    public func list(_ filter: ListFilter, page: PageRequest, in scope: ScopeFilter) async throws -> Page<User> {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "users") }).from("users")
        if let role = filter.role { query.where(SQLColumn("role", table: "users"), .equal, SQLBind(role.rawValue)) }
        if let status = filter.status { query.where(SQLColumn("status", table: "users"), .equal, SQLBind(status.rawValue)) }
        if let team = filter.teamID { query.where(SQLColumn("team_id", table: "users"), .equal, SQLBind(team.rawValue)) }
        if let text = filter.query, !text.isEmpty {
            let pattern = "%" + SQLText.escapeLike(text.lowercased()) + "%"
            query.where(SQLQueryString("(lower(users.name) LIKE \(bind: pattern) ESCAPE '\\' OR users.email LIKE \(bind: pattern) ESCAPE '\\')"))
        }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "users"), .greaterThan, SQLBind(cursor.after)) }
        let rows = try await scope.apply(to: query).orderBy("id", .ascending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: \.id.rawValue)
    }

    /// The changes an update may make.
    public struct Changes: Sendable, Equatable {
        public var name: String?
        public var email: String?
        public var role: Role?
        public var repLevel: RepLevel??
        public var teamID: RecordID??
        public var locale: String??
        public var status: User.Status?
        /// A new bcrypt hash (the password itself never reaches storage).
        public var passwordHash: String?

        public init(
            name: String? = nil, email: String? = nil, role: Role? = nil, repLevel: RepLevel?? = nil,
            teamID: RecordID?? = nil, locale: String?? = nil, status: User.Status? = nil
        ) {
            self.name = name
            self.email = email
            self.role = role
            self.repLevel = repLevel
            self.teamID = teamID
            self.locale = locale
            self.status = status
        }
    }

    /// Applies `changes` if the stored version is `expectedVersion`; returns false on a version mismatch.
    public func update(_ id: RecordID, expectedVersion: Int64, _ changes: Changes, at now: Date) async throws -> Bool {
        let query = sql.update("users")
            .set("version", to: SQLQueryString("version + 1"))
            .set("updated_at", to: SQLBind(now.microsSinceEpoch))
        if let name = changes.name { query.set("name", to: SQLBind(name)) }
        if let email = changes.email { query.set("email", to: SQLBind(email)) }
        if let role = changes.role { query.set("role", to: SQLBind(role.rawValue)) }
        if let level = changes.repLevel { query.set("rep_level", to: SQLBind(level?.rawValue)) }
        if let team = changes.teamID { query.set("team_id", to: SQLBind(team?.rawValue)) }
        if let locale = changes.locale { query.set("locale", to: SQLBind(locale)) }
        if let hash = changes.passwordHash { query.set("password_hash", to: SQLBind(hash)) }
        if let status = changes.status {
            query.set("status", to: SQLBind(status.rawValue))
            query.set("disabled_at", to: SQLBind(status == .disabled ? now.microsSinceEpoch : nil))
        }
        let row = try await query.where("id", .equal, id.rawValue).where("version", .equal, expectedVersion)
            .returning("version").first()
        return row != nil
    }

    public func recordLogin(_ id: RecordID, at now: Date) async throws {
        try await sql.update("users").set("last_login_at", to: SQLBind(now.microsSinceEpoch)).where("id", .equal, id.rawValue).run()
    }

    /// Deletes a user; returns whether a row was deleted.
    public func delete(_ id: RecordID) async throws -> Bool {
        try await sql.delete(from: "users").where("id", .equal, id.rawValue).returning("id").first() != nil
    }

    /// How many active administrators exist (the last one may not be disabled or demoted).
    public func countActiveAdmins() async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("users")
            .where("role", .equal, Role.admin.rawValue).where("status", .equal, User.Status.active.rawValue).first()
        return Int(try row?.int("n") ?? 0)
    }

    /// How many users belong to a team.
    public func countMembers(of team: RecordID) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("users")
            .where("team_id", .equal, team.rawValue).first()
        return Int(try row?.int("n") ?? 0)
    }

    static func decode(_ row: any SQLRow) throws -> User {
        let roleText = try row.text("role")
        let statusText = try row.text("status")
        guard let role = Role(rawValue: roleText) else { throw CorruptRow(table: "users", column: "role") }
        guard let status = User.Status(rawValue: statusText) else { throw CorruptRow(table: "users", column: "status") }
        return User(
            id: try row.id("id"), email: try row.text("email"), name: try row.text("name"), role: role,
            repLevel: try row.optionalText("rep_level").flatMap(RepLevel.init(rawValue:)),
            teamID: try row.optionalID("team_id"), status: status, locale: try row.optionalText("locale"),
            version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"), lastLoginAt: try row.optionalDate("last_login_at"))
    }
}

/// Text helpers for SQL that both engines read the same way.
public enum SQLText {
    /// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
    public static func escapeLike(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
