import Foundation
import RapportCore
import SQLKit

extension UserStore {
    /// The active users of a team and every team below it, ordered by id.
    public func activeMembers(ofSubtree path: String) async throws -> [User] {
        try await sql.select().columns(Self.columns.map { SQLColumn($0, table: "users") }).from("users")
            .join("teams", on: SQLColumn("id", table: "teams"), .equal, SQLColumn("team_id", table: "users"))
            .where(ScopeFilter.prefix("teams.path", path))
            .where(SQLColumn("status", table: "users"), .equal, SQLBind(User.Status.active.rawValue))
            .orderBy(SQLColumn("id", table: "users")).all().map(Self.decode)
    }
}

extension UserStore {
    /// The active users with `role`, ordered by id.
    public func active(role: Role) async throws -> [User] {
        try await sql.select().columns(Self.columns).from("users").where("role", .equal, role.rawValue)
            .where("status", .equal, User.Status.active.rawValue).orderBy("id").all().map(Self.decode)
    }
}

extension UserStore {
    /// A person as colleagues see them in the directory: name and team, nothing else.
    public struct Colleague: Sendable, Equatable {
        public var id: RecordID
        public var name: String
        public var teamID: RecordID?
        public var teamName: String?
    }

    /// A page of the active users, by id, whose name holds `nameContains` (case-insensitive), with
    /// their team's name: everyone in the company, whatever the reader's scope (names only).
    public func colleagues(nameContains text: String?, page: PageRequest) async throws -> Page<Colleague> {
        let query = sql.select()
            .column(SQLColumn("id", table: "users")).column(SQLColumn("name", table: "users")).column(SQLColumn("team_id", table: "users"))
            .column(SQLColumn("name", table: "teams"), as: "team_name").from("users")
            .join("teams", method: SQLJoinMethod.left, on: SQLColumn("id", table: "teams"), .equal, SQLColumn("team_id", table: "users"))
            .where(SQLColumn("status", table: "users"), .equal, SQLBind(User.Status.active.rawValue))
        if let text, !text.isEmpty {
            let pattern = "%" + SQLText.escapeLike(text.lowercased()) + "%"
            query.where(SQLQueryString("lower(users.name) LIKE \(bind: pattern) ESCAPE '\\'"))
        }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "users"), .greaterThan, SQLBind(cursor.after)) }
        let rows = try await query.orderBy(SQLColumn("id", table: "users")).limit(page.limit + 1).all()
        let fetched = try rows.map { row in
            Colleague(id: try row.id("id"), name: try row.text("name"), teamID: try row.optionalID("team_id"), teamName: try row.optionalText("team_name"))
        }
        return Page(fetched: fetched, limit: page.limit, key: \.id.rawValue)
    }

    /// The names of those of `ids` who are active users (names only, as the directory shows them).
    public func colleagueNames(_ ids: Set<RecordID>) async throws -> [RecordID: String] {
        var names: [RecordID: String] = [:]
        for chunk in ids.sorted().map(\.rawValue).chunked(into: 500) where !chunk.isEmpty {
            let rows = try await sql.select().column("id").column("name").from("users")
                .where("id", .in, SQLGroupExpression(chunk.map { SQLBind($0) }))
                .where("status", .equal, User.Status.active.rawValue).all()
            for row in rows { names[try row.id("id")] = try row.text("name") }
        }
        return names
    }
}
