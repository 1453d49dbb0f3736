import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ImportUseCases {
    /// Saves a column mapping (with a lead import's name template and empty values) under a name
    /// for reuse, replacing one of the same name.
    public func saveMapping(name: String, columns: [ImportColumn], object: String = ImportUseCases.customers,
                            options: ImportStore.MappingOptions = .init(), by caller: Caller) async throws -> ImportStore.Mapping {
        try Self.checkObject(object)
        try await requireImport(caller, object: object)
        var check = Validator()
        let name = check.text(name, field: "name", maxLength: 100, allowEmpty: false)
        for (index, column) in columns.enumerated() {
            check.text(column.header, field: "columns[\(index)].header", maxLength: 200, allowEmpty: false)
        }
        if let template = options.nameTemplate, ImportTemplate(template) == nil {
            check.add("name_template", "invalid", "name_template names columns in braces, e.g. \"Lead {Lead Number}\".")
        }
        if let values = options.emptyValues, values.count > 50 || values.contains(where: { $0.count > 100 }) {
            check.add("empty_values", "invalid", "empty_values holds at most 50 values of at most 100 characters.")
        }
        try check.finish()
        // A saved lead mapping without a name column may lean on a name template given with each import.
        try Self.validate(object, columns, options: .init(nameTemplate: object == Self.leads ? options.nameTemplate ?? "{name}" : nil, currency: options.currency,
                                                          pipeline: options.pipeline, valueMaps: options.valueMaps), header: nil,
                          dictionary: try await dictionary(object, by: caller))
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let saved = try await ImportStore(sql).saveMapping(.init(
                id: rapport.ids.next(.importMapping, at: now), object: object, name: name, columns: columns, options: options,
                createdBy: caller.actorID, createdAt: now, updatedAt: now, version: 1))
            try await rapport.record(rapport.event("import.mapping_saved", by: caller, object: saved.id.rawValue), in: sql)
            return saved
        }
    }

    /// What a saved mapping keeps of an import's options.
    public static func mappingOptions(_ options: ImportStore.Options) -> ImportStore.MappingOptions {
        .init(nameTemplate: options.nameTemplate, emptyValues: options.emptyValues, currency: options.currency, pipeline: options.pipeline,
              valueMaps: options.valueMaps)
    }

    public func mappings(object: String = ImportUseCases.customers, by caller: Caller) async throws -> [ImportStore.Mapping] {
        try Self.checkObject(object)
        try await requireImport(caller, object: object)
        return try await rapport.database.read { sql in try await ImportStore(sql).mappings(object: object) }
    }

    public func mapping(_ id: String, by caller: Caller) async throws -> ImportStore.Mapping {
        try await requireImport(caller)
        guard let id = RecordID(parsing: id, prefix: .importMapping),
              let mapping = try await rapport.database.read({ sql in try await ImportStore(sql).mapping(id) })
        else { throw RapportError.notFound("mapping") }
        return mapping
    }

    public func deleteMapping(_ id: String, by caller: Caller) async throws {
        let mapping = try await mapping(id, by: caller)
        try await rapport.transaction { sql in
            guard try await ImportStore(sql).deleteMapping(mapping.id) else { throw RapportError.notFound("mapping") }
            try await rapport.record(rapport.event("import.mapping_deleted", by: caller, object: mapping.id.rawValue), in: sql)
        }
    }
}

extension ImportUseCases {
    /// The command line acting as a user (by email): their role, team and scope apply, as they would
    /// through the API, and the audit log names them.
    public func caller(actingAs email: String) async throws -> Caller {
        let user = try await rapport.users.find(email: email, by: .system("cli"))
        guard user.status == .active else { throw RapportError(.forbidden, "\(email) is disabled.") }
        let path = try await rapport.database.read { sql in try await user.teamID.asyncMap { try await TeamStore(sql).find($0)?.path } ?? nil }
        return Caller(principal: Principal(userID: user.id, role: user.role, teamID: user.teamID, teamPath: path, repLevel: user.repLevel), channel: "cli")
    }
}
