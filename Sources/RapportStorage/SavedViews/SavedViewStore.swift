import Foundation
import RapportCore
import SQLKit

/// Users' saved views (`saved_views`). Every read and delete names the owning user: a view is
/// only ever its owner's.
public struct SavedViewStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = ["id", "user_id", "object", "name", "query", "position", "created_at"]

    /// Stores a new view (the unique name per user and list is the caller's to check first).
    public func insert(_ view: SavedView) async throws {
        try await sql.insertRows(into: "saved_views", columns: Self.columns, rows: [[
            .text(view.id.rawValue), .text(view.userID.rawValue), .text(view.object.rawValue), .text(view.name), .text(view.query),
            .integer(view.position), .integer(view.createdAt.microsSinceEpoch),
        ]])
    }

    /// A user's views, of one list or of all, in saved order (by list, then position).
    public func list(of user: RecordID, object: SavedView.Object?) async throws -> [SavedView] {
        let query = sql.select().columns(Self.columns).from("saved_views").where("user_id", .equal, user.rawValue)
        if let object { query.where("object", .equal, object.rawValue) }
        return try await query.orderBy("object").orderBy("position").orderBy("id").all().map(Self.decode)
    }

    /// One of the user's views by id, or by list and name.
    public func find(_ id: RecordID, of user: RecordID) async throws -> SavedView? {
        try await sql.select().columns(Self.columns).from("saved_views").where("id", .equal, id.rawValue).where("user_id", .equal, user.rawValue)
            .first().map(Self.decode)
    }

    public func find(named name: String, object: SavedView.Object, of user: RecordID) async throws -> SavedView? {
        try await sql.select().columns(Self.columns).from("saved_views").where("user_id", .equal, user.rawValue)
            .where("object", .equal, object.rawValue).where("name", .equal, name).first().map(Self.decode)
    }

    /// How many views the user keeps for a list, and the next position after them.
    public func tally(of user: RecordID, object: SavedView.Object) async throws -> (count: Int, nextPosition: Int64) {
        let row = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .column(SQLFunction("max", args: SQLColumn("position")), as: "last").from("saved_views")
            .where("user_id", .equal, user.rawValue).where("object", .equal, object.rawValue).first()
        let count = Int(try row?.int("n") ?? 0)
        return (count, (try row?.optionalInt("last")).map { $0 + 1 } ?? 0)
    }

    /// Deletes one of the user's views; false when the user has no such view.
    public func delete(_ id: RecordID, of user: RecordID) async throws -> Bool {
        try await sql.delete(from: "saved_views").where("id", .equal, id.rawValue).where("user_id", .equal, user.rawValue)
            .returning("id").first() != nil
    }

    static func decode(_ row: any SQLRow) throws -> SavedView {
        SavedView(id: try row.id("id"), userID: try row.id("user_id"), object: SavedView.Object(rawValue: try row.text("object")) ?? .lead,
                  name: try row.text("name"), query: try row.text("query"), position: try row.int("position"), createdAt: try row.date("created_at"))
    }
}
