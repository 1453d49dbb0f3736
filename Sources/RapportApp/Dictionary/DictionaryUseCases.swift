import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The business dictionary: every object type's stages and custom fields, versioned. Until an
/// administrator saves a version, an object type reads the configured template's default.
public struct DictionaryUseCases: Sendable {
    let rapport: Rapport

    /// One object type's dictionary and its version (0 = the template, never saved).
    public struct Current: Sendable, Equatable {
        public var version: Int64
        public var dictionary: ObjectDictionary
        public var updatedAt: Date?

        public init(version: Int64, dictionary: ObjectDictionary, updatedAt: Date?) {
            self.version = version
            self.dictionary = dictionary
            self.updatedAt = updatedAt
        }
    }

    private func requireRead(_ caller: Caller) async throws {
        guard try await rapport.allows(caller, .read, .dictionary) else {
            throw RapportError(.forbidden, "Your role may not read the business dictionary.")
        }
    }

    /// Every object type's current dictionary.
    public func all(by caller: Caller) async throws -> [DictionaryObject: Current] {
        try await requireRead(caller)
        return try await rapport.database.read { sql in try await Self.current(sql, template: rapport.settings.dictionaryTemplate) }
    }

    /// One object type's current dictionary.
    public func get(_ object: String, by caller: Caller) async throws -> Current {
        try await requireRead(caller)
        let object = try Self.parse(object)
        let all = try await rapport.database.read { sql in try await Self.current(sql, template: rapport.settings.dictionaryTemplate) }
        guard let current = all[object] else { throw RapportError.notFound("dictionary") }
        return current
    }

    /// The ready-made dictionaries, by name (`education`, `b2b`).
    public func templates(by caller: Caller) async throws -> [(name: String, dictionary: BusinessDictionary)] {
        try await requireRead(caller)
        return [("education", .education), ("b2b", .b2b)]
    }

    /// Every saved version of one object type, newest first.
    public func versions(_ object: String, by caller: Caller) async throws -> [DictionaryStore.Version] {
        try await requireRead(caller)
        let object = try Self.parse(object)
        return try await rapport.database.read { sql in try await DictionaryStore(sql).versions(of: object) }
    }

    /// Saves a new version of one object type's dictionary. Stages (and fields) the edit removes
    /// but records still use are kept as archived, never deleted. `expectedVersion` guards against
    /// a lost update (nil = whatever is current).
    public func replace(_ object: String, with edited: ObjectDictionary, expectedVersion: Int64?, by caller: Caller) async throws -> Current {
        guard try await rapport.allows(caller, .update, .dictionary) else {
            throw RapportError(.forbidden, "Only administrators may change the business dictionary.")
        }
        let object = try Self.parse(object)
        guard edited.object == object else {
            throw RapportError.validation([FieldError(field: "object", code: "invalid", message: "object must be \(object.rawValue) on this path.")])
        }
        try edited.validate(builtInFields: Self.builtInFields(object))
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let current = try await Self.current(sql, template: rapport.settings.dictionaryTemplate)[object]
            let base = current?.version ?? 0
            if let expectedVersion, expectedVersion != base {
                throw RapportError(.preconditionFailed, "The dictionary was changed by someone else; fetch it again and retry.")
            }
            let inUse = try await Self.stagesInUse(object, sql)
            let fieldsInUse = try await Self.fieldsInUse(object, current: current?.dictionary, sql)
            let pipelinesInUse = object == .opportunity ? try await OpportunityStore(sql).stagesInUse() : [:]
            let edited = edited.aligned(after: current?.dictionary)
            let revised = (current?.dictionary.revised(to: edited, stagesInUse: inUse, fieldsInUse: fieldsInUse,
                                                       pipelineStagesInUse: pipelinesInUse) ?? edited).aligned(after: nil)
            try revised.validate(builtInFields: Self.builtInFields(object))
            try await DictionaryStore(sql).insert(revised, version: base + 1, at: now, by: caller.actorID)
            try await rapport.record(rapport.event("dictionary.changed", by: caller, kind: .dictionary, object: object.rawValue,
                                                   details: ["version": String(base + 1)]), in: sql)
            return Current(version: base + 1, dictionary: revised, updatedAt: now)
        }
    }

    static func parse(_ text: String) throws -> DictionaryObject {
        guard let object = DictionaryObject(rawValue: text) else { throw RapportError.notFound("dictionary") }
        return object
    }

    /// Built-in fields a guard may name, per object type.
    static func builtInFields(_ object: DictionaryObject) -> Set<String> {
        switch object {
        case .customer: Customer.builtInFields
        case .opportunity: Opportunity.builtInFields
        default: ["name", "owner_id", "team_id", "source", "amount", "expected_close_date", "phone", "email", "company", "title", "score"]
        }
    }

    /// Stage keys records of `object` use now (customers, and opportunities in any pipeline).
    static func stagesInUse(_ object: DictionaryObject, _ sql: any SQLDatabase) async throws -> Set<String> {
        switch object {
        case .customer: try await CustomerStore(sql).stagesInUse()
        case .opportunity: try await OpportunityStore(sql).stagesInUse().values.reduce(into: Set<String>()) { $0.formUnion($1) }
        default: []
        }
    }

    /// Custom-field keys that records of `object` may hold values for. Conservative and cheap at any
    /// size: once any record of the type has a custom value, every current field counts as in use
    /// (a removed field is archived, and its values stay readable).
    static func fieldsInUse(_ object: DictionaryObject, current: ObjectDictionary?, _ sql: any SQLDatabase) async throws -> Set<String> {
        guard let current else { return [] }
        let any: Bool
        switch object {
        case .customer: any = try await sql.raw("SELECT id FROM customers WHERE custom_fields <> '{}' LIMIT 1").first() != nil
        case .opportunity: any = try await OpportunityStore(sql).anyCustomValues()
        default: return []
        }
        // Opportunities keep their loss reason in a column: the option list is in use once any is lost.
        var used = any ? Set(current.fields.map(\.key)) : []
        if object == .opportunity, try await sql.raw("SELECT id FROM opportunities WHERE loss_reason IS NOT NULL LIMIT 1").first() != nil {
            used.insert(Opportunity.lossReasonField)
        }
        return used
    }

    /// The current dictionary of every object type: the saved version, else the template's.
    static func current(_ sql: any SQLDatabase, template: BusinessDictionary) async throws -> [DictionaryObject: Current] {
        let saved = try await DictionaryStore(sql).current()
        var result: [DictionaryObject: Current] = [:]
        for object in template.objects { result[object.object] = Current(version: 0, dictionary: object, updatedAt: nil) }
        for (object, version) in saved {
            result[object] = Current(version: version.version, dictionary: version.dictionary, updatedAt: version.createdAt)
        }
        return result
    }

    /// One object type's dictionary inside a use case's transaction (for engines and validation).
    static func load(_ object: DictionaryObject, _ sql: any SQLDatabase, template: BusinessDictionary) async throws -> ObjectDictionary {
        guard let current = try await current(sql, template: template)[object] else {
            throw RapportError(.internal, "The business dictionary has no \(object.rawValue) definition.")
        }
        return current.dictionary
    }
}
