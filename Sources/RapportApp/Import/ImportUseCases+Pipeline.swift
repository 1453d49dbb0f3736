import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Imports of an existing sales pipeline — team members, products, accounts, opportunities (see
/// ``PipelineImportKind``) — through the same machinery as customers and leads: staged files,
/// mappings guessed or saved, dry runs, per-line errors, and warnings (rows imported all the same,
/// with what was done to their values counted).
extension ImportUseCases {
    /// Who may run a pipeline import: administrators for users and the catalog; whoever may create
    /// customers or opportunities for accounts and opportunities.
    func requirePipelineImport(_ caller: Caller, _ kind: PipelineImportKind) async throws {
        switch kind {
        case .teamMembers:
            guard try await rapport.allows(caller, .create, .user) else { throw RapportError(.forbidden, "Only administrators import team members.") }
        case .products:
            guard try await rapport.allows(caller, .create, .pricing) else { throw RapportError(.forbidden, "Only administrators import products.") }
        case .accounts:
            _ = try await rapport.scope(caller, .create, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        case .opportunities:
            _ = try await rapport.scope(caller, .create, .opportunity, anchor: .owner(column: "owner_id"), table: "opportunities")
        }
    }

    /// Checks what a pipeline import's options name: the currency, and for opportunities the
    /// pipeline and the stages the value map sends rows to.
    static func validatePipelineOptions(_ kind: PipelineImportKind, _ options: ImportStore.Options, dictionary: ObjectDictionary) throws(RapportError) {
        var check = Validator()
        if let currency = options.currency, !Catalog.isCurrency(currency.uppercased()) { check.add("currency", "invalid", "currency is an ISO 4217 code such as USD.") }
        if let domain = options.emailDomain {
            var scratch = Validator()
            _ = Credentials.normaliseEmail("x@\(domain)", into: &scratch)
            if !scratch.isValid { check.add("email_domain", "invalid", "email_domain is a domain such as example.com.") }
        }
        if kind == .opportunities {
            if let pipeline = OpportunityImportContext.pipeline(options.pipeline, in: dictionary) {
                for (value, key) in options.valueMaps?["stage"] ?? [:] where pipeline.stage(key) == nil || pipeline.stage(key)?.archived == true {
                    check.add("value_maps.stage", "invalid", "\"\(value)\" maps to \(key), no stage of the pipeline \(pipeline.key).")
                }
            } else {
                check.add("pipeline", "invalid", "pipeline must be an active pipeline of the opportunity dictionary.")
            }
        }
        try check.finish()
    }

    /// Runs a pipeline import with its kind's batch processor.
    func processPipeline(_ kind: PipelineImportKind, _ record: ImportStore.Record, caller: Caller, batchSize: Int,
                         progress: @escaping @Sendable (ImportStore.Record) throws -> Void) async throws -> ImportStore.Record {
        let delimiter = try Self.delimiter(record.options)
        let now = rapport.clock.now()
        let options = record.options
        func reader(_ header: [String]) throws -> PipelineRowReader { try PipelineRowReader(columns: record.columns, header: header, options: options) }
        switch kind {
        case .teamMembers:
            let domain = options.emailDomain ?? "imported.invalid"
            let finished = try await process(record, delimiter: delimiter, batchSize: batchSize, progress: progress) { header in
                TeamMemberImportBatch(reader: try reader(header), emailDomain: domain, caller: caller, rapport: rapport, now: now)
            }
            rapport.access.invalidate()
            return finished
        case .products:
            return try await process(record, delimiter: delimiter, batchSize: batchSize, progress: progress) { header in
                ProductImportBatch(reader: try reader(header), currency: options.currency?.uppercased(), caller: caller, rapport: rapport, now: now)
            }
        case .accounts:
            let context = try await batchContext(record, caller: caller)
            return try await process(record, delimiter: delimiter, batchSize: batchSize, progress: progress) { header in
                let (columns, extended, extra) = AccountImportBatch.columns(record.columns, header: header)
                let mapper = try CustomerRowMapper(columns: columns, header: extended, dictionary: context.dictionary, users: context.users, teams: context.teams)
                return AccountImportBatch(inner: makeProcessor(mapper, record: record, context: context), reader: try reader(header), extra: extra,
                                          dictionary: context.dictionary, currency: options.currency?.uppercased())
            }
        case .opportunities:
            let context = try await opportunityContext(record, caller: caller)
            return try await process(record, delimiter: delimiter, batchSize: batchSize, progress: progress) { header in
                OpportunityImportBatch(reader: try reader(header), context: context, actor: caller.actorID, ids: rapport.ids, now: now)
            }
        }
    }

    /// What every batch of an opportunity import needs, read once.
    func opportunityContext(_ record: ImportStore.Record, caller: Caller) async throws -> OpportunityImportContext {
        let customerScope = try await rapport.scope(caller, .read, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        let assignable = try await assignees(caller)
        let template = rapport.settings.dictionaryTemplate
        return try await rapport.database.read { sql in
            let dictionary = try await DictionaryUseCases.load(.opportunity, sql, template: template)
            try Self.validatePipelineOptions(.opportunities, record.options, dictionary: dictionary)
            var products: [Product] = []
            var page = PageRequest(limit: PageRequest.maximumLimit)
            while true {
                let found = try await ProductStore(sql).list(.init(), page: page)
                products += found.items
                guard let next = found.nextCursor else { break }
                page.cursor = next
            }
            // Reps give opportunities only to themselves, as on create.
            let mayAssign = caller.principal == nil || [.admin, .manager].contains(caller.principal!.role)
            var owners = assignable
            if !mayAssign, let me = caller.actorID {
                owners.users = owners.users.filter { $0.value.id == me }
                owners.names = owners.names.mapValues { $0.filter { $0 == me } }.filter { !$0.value.isEmpty }
            }
            return OpportunityImportContext(
                pipeline: OpportunityImportContext.pipeline(record.options.pipeline, in: dictionary)!, dictionary: dictionary, owners: owners,
                products: products, currency: record.options.currency?.uppercased(), customerScope: customerScope)
        }
    }
}

/// The pipeline, stages, owners, products and loss reasons an opportunity import resolves rows
/// against: read once per import, pure after that.
struct OpportunityImportContext: Sendable {
    let pipeline: PipelineDefinition
    let lossReasonField: FieldDefinition?
    let users: [String: (id: RecordID, team: RecordID?)]
    let names: [String: [RecordID]]
    let ownerTeams: [RecordID: RecordID?]
    let currency: String?
    let customerScope: ScopeFilter
    let productsBySKU: [String: Product]
    let productsByName: [String: Product]
    let productsByKey: [String: [Product]]
    let stages: [String: StageDefinition]

    init(pipeline: PipelineDefinition, dictionary: ObjectDictionary, owners: ImportUseCases.Assignees, products: [Product], currency: String?,
         customerScope: ScopeFilter) {
        self.pipeline = pipeline
        lossReasonField = dictionary.field(Opportunity.lossReasonField)
        users = owners.users
        names = owners.names
        ownerTeams = owners.ownerTeams
        self.currency = currency
        self.customerScope = customerScope
        let active = products.filter(\.active)
        productsBySKU = Dictionary(active.map { ($0.sku, $0) }, uniquingKeysWith: { first, _ in first })
        productsByName = Dictionary(active.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var byKey: [String: [Product]] = [:]
        for product in active {
            for key in Set([ImportMatchKey.normalised(product.sku), ImportMatchKey.normalised(product.name)]) where !key.isEmpty {
                if !(byKey[key] ?? []).contains(where: { $0.id == product.id }) { byKey[key, default: []].append(product) }
            }
        }
        productsByKey = byKey
        var stages: [String: StageDefinition] = [:]
        for stage in pipeline.stages where !stage.archived {
            for name in [stage.key, stage.label.en, stage.label.zhHans] { stages[ImportMatchKey.normalised(name)] = stage }
        }
        for stage in pipeline.stages where !stage.archived { stages[stage.key] = stage }
        self.stages = stages
    }

    /// The named active pipeline, else the first active one.
    static func pipeline(_ key: String?, in dictionary: ObjectDictionary) -> PipelineDefinition? {
        let active = dictionary.pipelinesOrDefault.filter { !$0.archived }
        return key.map { key in active.first { $0.key == key } } ?? active.first
    }

    enum OwnerMatch {
        case found(RecordID, RecordID?)
        case ambiguous
        case missing
    }

    /// A user by email, id or name (case, spaces and punctuation aside).
    func owner(_ text: String) -> OwnerMatch {
        if let user = users[text.lowercased()] ?? users[text] { return .found(user.id, user.team) }
        let matches = names[ImportMatchKey.normalised(text)] ?? []
        if matches.count > 1 { return .ambiguous }
        guard let id = matches.first else { return .missing }
        return .found(id, ownerTeams[id] ?? nil)
    }

    /// A stage by key (as a value map gives it) or by key or label, case, spaces and punctuation aside.
    func stage(_ text: String) -> StageDefinition? { stages[text] ?? stages[ImportMatchKey.normalised(text)] }

    /// A product by SKU or name (exact: no warning), else by either ignoring case, spaces and
    /// punctuation when that names one product (`fuzzy`: reported).
    func product(_ text: String) -> (product: Product, fuzzy: Bool)? {
        if let product = productsBySKU[text] ?? productsByName[text.lowercased()] { return (product, false) }
        let candidates = productsByKey[ImportMatchKey.normalised(text)] ?? []
        return candidates.count == 1 ? (candidates[0], true) : nil
    }

    /// A loss reason: an active option of the dictionary's `loss_reason` field by key or label.
    func lossReason(_ text: String) -> String? {
        guard let field = lossReasonField else { return DictionaryKey.isValid(text) ? text : nil }
        let key = ImportMatchKey.normalised(text)
        return field.options.first { !$0.archived && [$0.key, $0.label.en, $0.label.zhHans].contains { ImportMatchKey.normalised($0) == key } }?.key
    }

    /// The loss reason of a lost row without one: `other` when the dictionary has it.
    var defaultLossReason: String? {
        guard let field = lossReasonField else { return nil }
        return field.options.first { $0.key == "other" && !$0.archived }?.key ?? field.options.first { !$0.archived }?.key
    }
}
