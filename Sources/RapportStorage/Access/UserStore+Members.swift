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
