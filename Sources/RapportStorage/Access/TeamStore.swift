import Foundation
import RapportCore
import SQLKit

/// The team tree in storage, with materialised paths for subtree scope.
public struct TeamStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "key", "name", "parent_id", "path", "version", "created_at", "updated_at"]

    public func insert(_ team: Team) async throws {
        try await sql.insert(into: "teams").columns(Self.columns)
            .values(
                SQLBind(team.id.rawValue), SQLBind(team.key), SQLBind(team.name), SQLBind(team.parentID?.rawValue),
                SQLBind(team.path), SQLBind(team.version), SQLBind(team.createdAt.microsSinceEpoch),
                SQLBind(team.updatedAt.microsSinceEpoch))
            .run()
    }

    /// One team in scope, or nil.
    public func find(_ id: RecordID, in scope: ScopeFilter) async throws -> Team? {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "teams") }).from("teams")
            .where(SQLColumn("id", table: "teams"), .equal, SQLBind(id.rawValue))
        return try await scope.apply(to: query).first().map(Self.decode)
    }

    /// One team regardless of scope (for the system itself).
    public func find(_ id: RecordID) async throws -> Team? {
        try await sql.select().columns(Self.columns).from("teams").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// A team by id (`team_…`) or by key, regardless of scope.
    public func find(reference: String) async throws -> Team? {
        if let id = RecordID(parsing: reference, prefix: .team) { return try await find(id) }
        return try await find(key: reference)
    }

    public func find(key: String) async throws -> Team? {
        try await sql.select().columns(Self.columns).from("teams").where("key", .equal, key).first().map(Self.decode)
    }

    /// A page of teams in scope, optionally only the children of one parent.
    public func list(parent: RecordID?, page: PageRequest, in scope: ScopeFilter) async throws -> Page<Team> {
        let query = sql.select().columns(Self.columns.map { SQLColumn($0, table: "teams") }).from("teams")
        if let parent { query.where(SQLColumn("parent_id", table: "teams"), .equal, SQLBind(parent.rawValue)) }
        if let cursor = page.cursor { query.where(SQLColumn("id", table: "teams"), .greaterThan, SQLBind(cursor.after)) }
        let rows = try await scope.apply(to: query).orderBy("id", .ascending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: \.id.rawValue)
    }

    /// Renames and/or moves a team if its version matches; moving rewrites the paths of its whole subtree.
    public func update(
        _ team: Team, expectedVersion: Int64, name: String?, key: String?, newParent: (id: RecordID?, path: String)?, at now: Date
    ) async throws -> Bool {
        let query = sql.update("teams")
            .set("version", to: SQLQueryString("version + 1"))
            .set("updated_at", to: SQLBind(now.microsSinceEpoch))
        if let name { query.set("name", to: SQLBind(name)) }
        if let key { query.set("key", to: SQLBind(key)) }
        if let newParent { query.set("parent_id", to: SQLBind(newParent.id?.rawValue)) }
        guard try await query.where("id", .equal, team.id.rawValue).where("version", .equal, expectedVersion)
            .returning("id").first() != nil
        else { return false }
        if let newParent, newParent.path != team.path {
            // Every path in the subtree starts with the old path: swap that prefix for the new one.
            let length = team.path.utf8.count
            try await sql.raw("""
                UPDATE teams SET path = \(bind: newParent.path) || substr(path, \(literal: length + 1))
                WHERE substr(path, 1, \(literal: length)) = \(bind: team.path)
                """).run()
        }
        return true
    }

    /// The paths of every team in the subtree rooted at `path` (the team itself included).
    public func subtreePaths(of path: String) async throws -> [String] {
        try await sql.select().column("path").from("teams").where(ScopeFilter.prefix("path", path)).all().map { try $0.text("path") }
    }

    public func countChildren(of id: RecordID) async throws -> Int {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("teams")
            .where("parent_id", .equal, id.rawValue).first()
        return Int(try row?.int("n") ?? 0)
    }

    public func delete(_ id: RecordID) async throws -> Bool {
        try await sql.delete(from: "teams").where("id", .equal, id.rawValue).returning("id").first() != nil
    }

    static func decode(_ row: any SQLRow) throws -> Team {
        Team(
            id: try row.id("id"), key: try row.text("key"), name: try row.text("name"),
            parentID: try row.optionalID("parent_id"), path: try row.text("path"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
