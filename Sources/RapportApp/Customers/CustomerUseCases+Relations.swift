import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension CustomerUseCases {
    /// A relation as seen from one customer: its name from this end and the other customer.
    public struct RelationView: Sendable, Equatable {
        public var id: RecordID
        /// e.g. `parent_of` from the parent, `child_of` from the child.
        public var type: String
        public var otherID: RecordID
        public var otherName: String
        public var otherKind: Customer.Kind
        public var note: String?
        public var createdAt: Date
    }

    /// Relates two customers. `type` may be a stored name (`parent_of`) or an inverse (`child_of`):
    /// either way it reads correctly from both ends. Both customers must be within the caller's scope.
    public func relate(_ id: String, to otherID: String, type: String, note: String?, by caller: Caller) async throws -> RelationView {
        let customer = try await load(id, by: caller, .update)
        var check = Validator()
        let parsed = CustomerRelation.RelationType.parse(type)
        if parsed == nil { check.add("type", "invalid", "type must be one of: \(CustomerRelation.RelationType.allNames.joined(separator: ", ")).") }
        let note = note.map { check.text($0, field: "note", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        guard let other = RecordID(parsing: otherID, prefix: .customer) else {
            check.add("customer_id", "invalid", "customer_id is not a customer id.")
            try check.finish()
            throw RapportError.notFound("customer")
        }
        if other == customer.id { check.add("customer_id", "invalid", "A customer cannot be related to itself.") }
        try check.finish()
        let target = try await load(other.rawValue, by: caller, .read)
        let now = rapport.clock.now()
        let (relationType, swapped) = parsed!
        let relation = CustomerRelation(
            id: rapport.ids.next(.relation, at: now), fromID: swapped ? target.id : customer.id, toID: swapped ? customer.id : target.id,
            type: relationType, note: note, createdAt: now)
        try await rapport.transaction { sql in
            let existing = try await RelationStore(sql).relations(of: customer.id)
            let symmetric = relation.type == .spouseOf
            if existing.contains(where: {
                $0.type == relation.type && (($0.fromID == relation.fromID && $0.toID == relation.toID)
                    || (symmetric && $0.fromID == relation.toID && $0.toID == relation.fromID))
            }) {
                throw RapportError(.conflict, "These customers are already related that way.")
            }
            try await RelationStore(sql).insert(relation, by: caller.actorID)
            try await rapport.record(rapport.event("customer.related", by: caller, kind: .customer, object: customer.id.rawValue,
                                                   details: ["relation": relation.id.rawValue, "type": relationType.rawValue]), in: sql)
        }
        return RelationView(id: relation.id, type: relation.name(seenFrom: customer.id), otherID: target.id, otherName: target.name,
                            otherKind: target.kind, note: note, createdAt: now)
    }

    /// Removes a relation of a customer.
    public func unrelate(_ id: String, relation relationID: String, by caller: Caller) async throws {
        let customer = try await load(id, by: caller, .update)
        guard let relationID = RecordID(parsing: relationID, prefix: .relation) else { throw RapportError.notFound("relation") }
        try await rapport.transaction { sql in
            guard let relation = try await RelationStore(sql).find(relationID), relation.fromID == customer.id || relation.toID == customer.id,
                  try await RelationStore(sql).delete(relationID)
            else { throw RapportError.notFound("relation") }
            try await rapport.record(rapport.event("customer.unrelated", by: caller, kind: .customer, object: customer.id.rawValue,
                                                   details: ["relation": relationID.rawValue]), in: sql)
        }
    }

    /// A customer's relations, both ways. Related customers outside the caller's scope are shown
    /// by id and kind only (their name is withheld).
    public func relations(_ id: String, by caller: Caller) async throws -> [RelationView] {
        let customer = try await load(id, by: caller, .read)
        let scope = try await filter(caller, .read)
        return try await rapport.database.read { sql in try await Self.relationViews(of: customer.id, scope: scope, sql) }
    }

    static func relationViews(of customer: RecordID, scope: ScopeFilter, _ sql: any SQLDatabase) async throws -> [RelationView] {
        let relations = try await RelationStore(sql).relations(of: customer)
        let others = relations.map { $0.other(than: customer) }
        let visible = try await CustomerStore(sql).visible(others, in: scope)
        var names: [RecordID: (String, Customer.Kind)] = [:]
        if !others.isEmpty {
            let rows = try await sql.select().columns("id", "name", "kind").from("customers")
                .where("id", .in, SQLGroupExpression(others.map { SQLBind($0.rawValue) })).all()
            for row in rows {
                let id = RecordID(trusted: try row.decode(column: "id", as: String.self))
                let kind = Customer.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .person
                names[id] = (visible.contains(id) ? try row.decode(column: "name", as: String.self) : "", kind)
            }
        }
        return relations.map { relation in
            let other = relation.other(than: customer)
            return RelationView(id: relation.id, type: relation.name(seenFrom: customer), otherID: other, otherName: names[other]?.0 ?? "",
                                otherKind: names[other]?.1 ?? .person, note: relation.note, createdAt: relation.createdAt)
        }
    }
}
