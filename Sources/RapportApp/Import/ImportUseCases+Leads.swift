import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ImportUseCases {
    /// The objects an import can fill.
    public static let customers = "customers"
    public static let leads = "leads"
    /// The objects of the web's import page.
    public static let objects = [customers, leads]
    /// Every object an import can fill: also an existing pipeline's team members, products,
    /// accounts and opportunities (API and command line).
    public static let allObjects = objects + PipelineImportKind.allCases.map(\.rawValue)

    /// The kind of record an object's import writes, for the audit log.
    static func auditKind(_ object: String) -> ObjectKind {
        switch PipelineImportKind(rawValue: object) {
        case .teamMembers: .user
        case .products: .product
        case .accounts: .customer
        case .opportunities: .opportunity
        case nil: object == leads ? .lead : .customer
        }
    }

    /// The dictionary an object's import reads.
    static func dictionaryObject(_ object: String) -> DictionaryObject {
        object == leads ? .lead : object == PipelineImportKind.opportunities.rawValue ? .opportunity : .customer
    }

    /// The guessed mapping of an object's import.
    static func suggest(_ object: String, headers: [String], dictionary: ObjectDictionary) -> [ImportColumn] {
        let keys = dictionary.fields.filter { !$0.archived }.map(\.key)
        if let kind = PipelineImportKind(rawValue: object) { return kind.suggest(headers: headers, customFieldKeys: keys) }
        return object == leads ? LeadImportFields.suggest(headers: headers, customFieldKeys: keys)
            : CustomerImportFields.suggest(headers: headers, customFieldKeys: keys)
    }

    /// Only lead imports start playbooks.
    static func checkStartPlaybooks(_ start: Bool?, object: String) throws(RapportError) {
        if start == true && object != leads {
            throw RapportError.validation([FieldError(field: "start_playbooks", code: "invalid", message: "Only lead imports start playbooks.")])
        }
    }

    /// Checks a mapping (and, with a header, that the file has its columns and the template's).
    static func validate(_ object: String, _ columns: [ImportColumn], options: ImportStore.Options, header: [String]?, dictionary: ObjectDictionary) throws(RapportError) {
        let keys = Set(dictionary.fields.filter { !$0.archived }.map(\.key))
        try checkStartPlaybooks(options.startPlaybooks, object: object)
        if let kind = PipelineImportKind(rawValue: object) {
            try kind.validate(columns, customFieldKeys: keys)
            try validatePipelineOptions(kind, options, dictionary: dictionary)
            if let header { _ = try ImportRowMapping.resolve(columns, header: header) }
            return
        }
        if object == leads {
            try LeadImportFields.validate(columns, customFieldKeys: keys, nameTemplate: options.nameTemplate)
            if let header { _ = try LeadRowMapper(columns: columns, header: header, dictionary: dictionary, users: [:], options: options) }
        } else {
            try CustomerImportFields.validate(columns, customFieldKeys: keys)
            if let header { _ = try CustomerRowMapper(columns: columns, header: header, dictionary: dictionary, users: [:], teams: [:]) }
        }
    }

    /// The columns a mapping ignores, as notes for the import's result ("not a field of the lead
    /// dictionary: ignored").
    public static func ignoredColumns(_ record: ImportStore.Record) -> [String] {
        record.columns.filter { $0.field == ImportColumn.ignore }.map(\.header)
    }

    /// Checks the pool a lead import names; when it names none and there is no `default` lead pool
    /// yet (a new installation), creates that pool with the standard rules, so ownerless leads
    /// have somewhere to wait.
    func ensureLeadPool(_ named: String?) async throws {
        if let named {
            _ = try await rapport.database.read { sql in try await LeadUseCases.importPool(named, sql) }
            return
        }
        guard try await rapport.database.read({ sql in try await PoolStore(sql).find(key: "default") }) == nil else { return }
        do {
            _ = try await rapport.pools.create(.init(key: "default", name: "Default", object: "lead"), by: .system("import"))
        } catch let error as RapportError where error.code == .conflict {
            // Created at the same moment by another import: there is one now.
        }
    }

    struct LeadBatchContext {
        let columns: [ImportColumn]
        let dictionary: ObjectDictionary
        let settings: CustomerSettings
        let assignees: Assignees
        let pool: RecordID?
        let scope: ScopeFilter
        let defaultOwner: RecordID?
        let actor: RecordID?
        let delimiter: UInt8
    }

    /// What every batch of a lead import needs, read once. Leads without an owner column go to
    /// `default_owner` when given; else they wait in the pool — when an administrator, a manager or
    /// the system imports them; a rep owns what they import, as a rep owns the leads they create.
    func leadBatchContext(_ record: ImportStore.Record, caller: Caller) async throws -> LeadBatchContext {
        let scope = try await rapport.scope(caller, .update, .lead, anchor: .owner(column: "owner_id"), table: "leads")
        let template = rapport.settings.dictionaryTemplate
        let assignable = try await assignees(caller)
        return try await rapport.database.read { sql in
            let dictionary = try await DictionaryUseCases.load(.lead, sql, template: template)
            let settings = try await CustomerSettings.load(sql)
            let mayLeaveInPool = caller.principal == nil || [.admin, .manager].contains(caller.principal!.role)
            let defaultOwner = try assignable.owner(record.options.defaultOwner, of: "leads") ?? (mayLeaveInPool ? nil : caller.actorID)
            let pool = try await LeadUseCases.importPool(record.options.pool, sql)
            return LeadBatchContext(columns: record.columns, dictionary: dictionary, settings: settings, assignees: assignable, pool: pool, scope: scope,
                                    defaultOwner: defaultOwner, actor: caller.actorID, delimiter: try Self.delimiter(record.options))
        }
    }

    func makeLeadProcessor(_ header: [String], record: ImportStore.Record, context: LeadBatchContext) throws -> LeadImportBatch {
        let now = rapport.clock.now()
        let mapper = try LeadRowMapper(columns: context.columns, header: header, dictionary: context.dictionary, users: context.assignees.users,
                                       options: record.options)
        if context.pool == nil && context.defaultOwner == nil && !context.columns.contains(where: { $0.field == "owner" }) {
            throw RapportError.validation([FieldError(field: "pool", code: "required",
                                                      message: "Leads without an owner wait in a pool: name a pool (or an owner), or create the \"default\" lead pool.")])
        }
        return LeadImportBatch(
            mapper: mapper, normaliser: LeadNormaliser(settings: context.settings, dictionary: context.dictionary, ids: rapport.ids, now: now),
            engine: LifecycleEngine(context.dictionary), policy: record.options.policy, defaultOwner: context.defaultOwner,
            ownerTeams: context.assignees.ownerTeams, pool: context.pool,
            startPlaybooks: record.options.startPlaybooks ?? false, scope: context.scope, actor: context.actor, ids: rapport.ids,
            rapport: rapport, now: now)
    }
}
