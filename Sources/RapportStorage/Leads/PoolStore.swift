import Foundation
import RapportCore
import SQLKit

/// Pools with their member teams, administrators and rules.
public struct PoolStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Inserts a pool with its teams and administrators.
    public func insert(_ pool: Pool) async throws {
        try await sql.insert(into: "pools")
            .columns("id", "key", "name", "object", "rules", "archived", "version", "created_at", "updated_at")
            .values(SQLBind(pool.id.rawValue), SQLBind(pool.key), SQLBind(pool.name), SQLBind(pool.object.rawValue),
                    SQLBind(JSONText.encode(pool.rules)), SQLBind(Int64(pool.archived ? 1 : 0)), SQLBind(pool.version),
                    SQLBind(pool.createdAt.microsSinceEpoch), SQLBind(pool.updatedAt.microsSinceEpoch))
            .run()
        try await writeMembers(pool)
    }

    /// Writes every field of `pool` if the stored version is `expectedVersion`; false on a mismatch.
    public func replace(_ pool: Pool, expectedVersion: Int64) async throws -> Bool {
        let row = try await sql.update("pools")
            .set("key", to: SQLBind(pool.key)).set("name", to: SQLBind(pool.name)).set("rules", to: SQLBind(JSONText.encode(pool.rules)))
            .set("archived", to: SQLBind(Int64(pool.archived ? 1 : 0))).set("version", to: SQLBind(expectedVersion + 1))
            .set("updated_at", to: SQLBind(pool.updatedAt.microsSinceEpoch))
            .where("id", .equal, pool.id.rawValue).where("version", .equal, expectedVersion).returning("id").first()
        guard row != nil else { return false }
        try await sql.delete(from: "pool_teams").where("pool_id", .equal, pool.id.rawValue).run()
        try await sql.delete(from: "pool_admins").where("pool_id", .equal, pool.id.rawValue).run()
        try await writeMembers(pool)
        return true
    }

    func writeMembers(_ pool: Pool) async throws {
        try await sql.insertRows(into: "pool_teams", columns: ["pool_id", "team_id"],
                                 rows: Set(pool.memberTeamIDs).sorted().map { [.text(pool.id.rawValue), .text($0.rawValue)] })
        try await sql.insertRows(into: "pool_admins", columns: ["pool_id", "user_id"],
                                 rows: Set(pool.adminIDs).sorted().map { [.text(pool.id.rawValue), .text($0.rawValue)] })
    }

    /// One pool by id.
    public func find(_ id: RecordID) async throws -> Pool? {
        try await load(sql.select().columns(Self.columns).from("pools").where("id", .equal, id.rawValue)).first
    }

    /// One pool by key.
    public func find(key: String) async throws -> Pool? {
        try await load(sql.select().columns(Self.columns).from("pools").where("key", .equal, key)).first
    }

    /// Every pool, by key (archived ones only when asked).
    public func all(object: Pool.Object? = nil, includeArchived: Bool = false) async throws -> [Pool] {
        let query = sql.select().columns(Self.columns).from("pools")
        if let object { query.where("object", .equal, object.rawValue) }
        if !includeArchived { query.where("archived", .equal, Int64(0)) }
        return try await load(query.orderBy("key"))
    }

    static let columns = ["id", "key", "name", "object", "rules", "archived", "version", "created_at", "updated_at"]

    func load(_ query: SQLSelectBuilder) async throws -> [Pool] {
        var pools: [Pool] = []
        for row in try await query.all() {
            guard let object = Pool.Object(rawValue: try row.text("object")) else { throw CorruptRow(table: "pools", column: "object") }
            pools.append(Pool(id: try row.id("id"), key: try row.text("key"), name: try row.text("name"), object: object,
                              rules: (try? JSONText.decode(PoolRules.self, from: try row.text("rules"))) ?? PoolRules(),
                              archived: try row.int("archived") != 0, version: try row.int("version"),
                              createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")))
        }
        guard !pools.isEmpty else { return [] }
        let ids = pools.map { SQLBind($0.id.rawValue) }
        var teams: [RecordID: [RecordID]] = [:]
        for row in try await sql.select().columns("pool_id", "team_id").from("pool_teams").where("pool_id", .in, SQLGroupExpression(ids)).orderBy("team_id").all() {
            teams[try row.id("pool_id"), default: []].append(try row.id("team_id"))
        }
        var admins: [RecordID: [RecordID]] = [:]
        for row in try await sql.select().columns("pool_id", "user_id").from("pool_admins").where("pool_id", .in, SQLGroupExpression(ids)).orderBy("user_id").all() {
            admins[try row.id("pool_id"), default: []].append(try row.id("user_id"))
        }
        return pools.map { pool in
            var pool = pool
            pool.memberTeamIDs = teams[pool.id] ?? []
            pool.adminIDs = admins[pool.id] ?? []
            return pool
        }
    }
}
