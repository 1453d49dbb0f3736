import Foundation
import RapportCore
import SQLKit

/// Typed relations between customers, stored once and read from either end.
public struct RelationStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    public func insert(_ relation: CustomerRelation, by actor: RecordID?) async throws {
        try await sql.insert(into: "customer_relations").columns("id", "from_id", "to_id", "type", "note", "created_by", "created_at")
            .values(SQLBind(relation.id.rawValue), SQLBind(relation.fromID.rawValue), SQLBind(relation.toID.rawValue),
                    SQLBind(relation.type.rawValue), SQLBind(relation.note), SQLBind(actor?.rawValue), SQLBind(relation.createdAt.microsSinceEpoch))
            .run()
    }

    /// Relations of a customer, either end, oldest first.
    public func relations(of customer: RecordID) async throws -> [CustomerRelation] {
        try await sql.select().columns("id", "from_id", "to_id", "type", "note", "created_at").from("customer_relations")
            .where("from_id", .equal, customer.rawValue).orWhere("to_id", .equal, customer.rawValue)
            .orderBy("id").all().map(Self.decode)
    }

    public func find(_ id: RecordID) async throws -> CustomerRelation? {
        try await sql.select().columns("id", "from_id", "to_id", "type", "note", "created_at").from("customer_relations")
            .where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    public func delete(_ id: RecordID) async throws -> Bool {
        try await sql.delete(from: "customer_relations").where("id", .equal, id.rawValue).returning("id").first() != nil
    }

    /// Points a customer's relations at another customer (a merge); returns what moved, to undo it.
    /// Relations that would duplicate an existing one or point a customer at itself are removed
    /// and returned separately so an undo can restore them.
    public func repoint(from old: RecordID, to new: RecordID) async throws -> (moved: [CustomerRelation], removed: [CustomerRelation]) {
        var moved: [CustomerRelation] = []
        var removed: [CustomerRelation] = []
        let existing = try await relations(of: new)
        for relation in try await relations(of: old) {
            var target = relation
            if target.fromID == old { target.fromID = new }
            if target.toID == old { target.toID = new }
            let clash = target.fromID == target.toID || existing.contains {
                $0.fromID == target.fromID && $0.toID == target.toID && $0.type == target.type
            }
            if clash {
                _ = try await delete(relation.id)
                removed.append(relation)
            } else {
                try await sql.update("customer_relations").set("from_id", to: SQLBind(target.fromID.rawValue))
                    .set("to_id", to: SQLBind(target.toID.rawValue)).where("id", .equal, relation.id.rawValue).run()
                moved.append(relation)
            }
        }
        return (moved, removed)
    }

    /// Restores relations exactly as they were (an undo).
    public func restore(_ relations: [CustomerRelation], by actor: RecordID?) async throws {
        for relation in relations {
            _ = try await delete(relation.id)
            try await insert(relation, by: actor)
        }
    }

    static func decode(_ row: any SQLRow) throws -> CustomerRelation {
        guard let type = CustomerRelation.RelationType(rawValue: try row.text("type")) else { throw CorruptRow(table: "customer_relations", column: "type") }
        return CustomerRelation(
            id: try row.id("id"), fromID: try row.id("from_id"), toID: try row.id("to_id"), type: type,
            note: try row.optionalText("note"), createdAt: try row.date("created_at"))
    }
}
