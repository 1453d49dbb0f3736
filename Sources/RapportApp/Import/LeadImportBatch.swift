import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// One batch of lead import rows: read, check, deduplicate as the API's lead create does (against
/// leads — contact details and external id — and customers, under the import's block, merge or
/// flag policy; against the file so far) and — unless only validating — write, all in the
/// caller's transaction.
struct LeadImportBatch: ImportBatch {
    let mapper: LeadRowMapper
    let normaliser: LeadNormaliser
    let engine: LifecycleEngine
    let policy: DedupPolicy
    let defaultOwner: RecordID?
    let ownerTeams: [RecordID: RecordID?]
    let pool: RecordID?
    /// Open leads given to a rep start the "lead assigned" playbooks (the import asked for it).
    let startPlaybooks: Bool
    /// Leads rows may fold into (the importer's edit scope).
    let scope: ScopeFilter
    let actor: RecordID?
    let ids: any IDGenerating
    let rapport: Rapport
    let now: Date

    struct Candidate: Sendable {
        var line: Int
        var lead: Lead
        var history: [StageChange]
        /// `column:value` of the dedup columns it has (phone, email, wechat_unionid, external_id).
        var keys: [String]
        var sourceLabel: String?
    }

    struct Prepared: Sendable {
        var candidates: [Candidate] = []
        var errors: [ImportStore.RowError] = []
        var erroneousLines: Set<Int> = []
    }

    func isOpen(_ lead: Lead) -> Bool { (engine.dictionary.stage(lead.status)?.category ?? .open) == .open }

    /// The stage a historic conversion enters: `converted`, else the first won stage.
    var convertedStage: String? {
        engine.dictionary.stage("converted").flatMap { $0.archived ? nil : $0.key }
            ?? engine.dictionary.stages.first { $0.category == .won && !$0.archived }?.key
    }

    func prepare(_ records: [CSVReader.Record]) -> Prepared {
        var result = Prepared()
        for record in records {
            let row = mapper.row(record.fields)
            var lead = Lead(id: ids.next(.lead, at: now), name: "", status: engine.dictionary.initialStage, statusEnteredAt: now,
                            poolID: pool, lastProgressAt: now, createdBy: actor, createdAt: now, updatedAt: now)
            var check = Validator()
            normaliser.apply(row.input, to: &lead, creating: true, check: &check)
            lead.ownerID = (row.input.owner ?? nil).map { RecordID(trusted: $0) } ?? defaultOwner
            if let owner = lead.ownerID {
                lead.teamID = ownerTeams[owner] ?? nil
                lead.assignedAt = now
            }
            var errors = row.errors + check.errors.map { CustomerRowMapper.rename($0, row.headers) }
            if lead.ownerID == nil && lead.poolID == nil {
                errors.append(FieldError(field: "pool", code: "required", message: "A lead without an owner waits in a pool: name a pool or an owner."))
            }
            var history: [StageChange] = []
            if errors.isEmpty {
                do {
                    let requested = row.converted ? convertedStage : row.input.status
                    let transition = try engine.apply(.create(stage: requested, at: now, by: actor), to: nil, filled: lead.filledFields)
                    lead.status = transition.state.stage
                    lead.statusEnteredAt = transition.state.enteredAt
                    // A historic conversion: converted before Rapport knew the lead, so no customer exists for it.
                    if engine.dictionary.stage(lead.status)?.category == .won { lead.convertedAt = now }
                    history = transition.effects.compactMap { if case .recordChange(let change) = $0 { change } else { nil } }
                } catch {
                    errors += error.rapportError(in: engine.dictionary).fieldErrors.map { CustomerRowMapper.rename($0, row.headers) }
                }
            }
            if !errors.isEmpty {
                result.erroneousLines.insert(record.line)
                result.errors += errors.map { ImportStore.RowError(line: Int64(record.line), field: $0.field, code: $0.code, message: $0.message) }
                continue
            }
            let keys = [("phone", lead.phone), ("email", lead.email), ("wechat_unionid", lead.wechatUnionid), ("external_id", lead.externalID)]
                .compactMap { column, value in value.map { "\(column):\($0)" } }
            result.candidates.append(Candidate(line: record.line, lead: lead, history: history, keys: keys, sourceLabel: row.sourceLabel))
        }
        return result
    }

    func apply(_ prepared: Prepared, write: Bool, seen: inout ImportSeenKeys, _ sql: any SQLDatabase) async throws -> ImportBatchResult {
        var result = ImportBatchResult()
        result.errors = prepared.errors
        result.erroneousLines = prepared.erroneousLines
        let candidates = prepared.candidates

        // Matches in the database, for every key of the batch at once.
        let store = LeadStore(sql)
        let pairs = candidates.flatMap { $0.keys.map { key in (column: String(key.prefix { $0 != ":" }), value: String(key.drop { $0 != ":" }.dropFirst())) } }
        var existing: [String: RecordID] = [:]
        for match in try await store.matches(pairs) where existing["\(match.column):\(match.value)"] == nil {
            existing["\(match.column):\(match.value)"] = match.leadID
        }
        let contactKinds: [String: ContactPoint.Kind] = ["phone": .phone, "email": .email, "wechat_unionid": .wechatUnionid]
        let customerKeys = Set(try await CustomerStore(sql).matches(pairs.compactMap { pair in contactKinds[pair.column].map { ($0, pair.value) } })
            .map { "\($0.key):\($0.value)" })
        let visible = try await store.visible(Array(Set(existing.values)), in: scope)

        var holding = try await HoldingLedger(for: candidates.map(\.lead), defaultPool: pool, isOpen: isOpen, sql)

        var created: [Lead] = []
        var createdHistory: [(Int, StageChange)] = []
        var labels: [String: String] = [:]
        var folds: [RecordID: Lead] = [:]
        var newIndex: [String: Int] = [:]
        for candidate in candidates {
            // A channel is known once any row names it, whether or not the row creates a lead.
            if let source = candidate.lead.source, let label = candidate.sourceLabel, labels[source] == nil { labels[source] = label }
            let inBatch = candidate.keys.lazy.compactMap { newIndex[$0] }.first
            let inDatabase = candidate.keys.lazy.compactMap { existing[$0] }.first
            let earlierInFile = !write && candidate.keys.contains { seen.keys[$0] != nil }
            let customer = candidate.keys.contains { customerKeys.contains($0) }
            // The same external id is the same lead: it can only be merged (or refused), never created twice.
            let sameExternal = candidate.lead.externalID != nil && candidate.keys.contains {
                $0.hasPrefix("external_id:") && (newIndex[$0] != nil || existing[$0] != nil || (!write && seen.keys[$0] != nil))
            }
            if inBatch != nil || inDatabase != nil || earlierInFile || customer {
                switch policy {
                case .block:
                    result.fail(candidate.line, code: "duplicate", "Matches \(inDatabase.map { visible.contains($0) ? "lead \($0.rawValue)" : "an existing lead" } ?? (customer ? "a customer" : "an earlier row of the file")).")
                    continue
                case .merge, .flag:
                    if policy == .merge || sameExternal {
                        if let index = inBatch {
                            created[index] = created[index].absorbing(candidate.lead)
                            result.merged += 1
                            for key in candidate.keys where newIndex[key] == nil { newIndex[key] = index }
                            continue
                        }
                        if let id = inDatabase {
                            guard visible.contains(id) else {
                                result.fail(candidate.line, code: "duplicate", "Matches a lead outside your scope; ask its owner or a manager.")
                                continue
                            }
                            folds[id] = (folds[id] ?? candidate.lead).absorbing(candidate.lead)
                            result.merged += 1
                            continue
                        }
                        if earlierInFile {
                            result.merged += 1  // validating: a later row of the file merges into an earlier one
                            continue
                        }
                    }
                    // Only a customer matches (merge), or the flag policy: created, and reported as flagged.
                    result.flagged += 1
                }
            }
            // A lead imported owned counts towards its owner's holding limit, as a lead created owned does.
            if case .holdingLimit(let limit, let held)? = holding.take(candidate.lead) {
                result.fail(candidate.line, code: ErrorCode.holdingLimitReached.rawValue,
                            "The owner already holds \(held) open leads of this pool; the limit is \(limit).", field: "owner")
                continue
            }
            created.append(candidate.lead)
            for change in candidate.history { createdHistory.append((created.count - 1, change)) }
            for key in candidate.keys where newIndex[key] == nil { newIndex[key] = created.count - 1 }
            if !write { for key in candidate.keys { seen.keys[key] = 1 } }
        }
        result.created += Int64(created.count)
        guard write else { return result }

        let router = LeadRouter(rapport: rapport, sql: sql, now: now)
        let (log, routed) = try await LeadUseCases.placeImported(&created, isOpen: { (engine.dictionary.stage($0.status)?.category ?? .open) == .open },
                                                                  defaultPool: pool, by: actor, router: router, ids: ids, at: now)
        try await store.insert(created.map { ($0, engine.dictionary.stage($0.status)?.category ?? .open) })
        try await store.log(log)
        try await router.record(routed, by: actor, startPlaybooks: startPlaybooks)
        if startPlaybooks {
            // Routed leads were observed by the router; these are the leads imported with an owner.
            let open = Set(created.filter(isOpen).map(\.id))
            try await rapport.recordLeadsAssigned(log.compactMap { entry in entry.to.flatMap { open.contains(entry.leadID) ? (entry.leadID, $0) : nil } },
                                                  at: now, in: sql)
        }
        try await store.recordSources(labels, at: now)
        try await StageHistoryStore(sql).append(createdHistory.map { (.lead, created[$0.0].id, $0.1, ids.next(.stageChange, at: now)) })
        for (id, incoming) in folds.sorted(by: { $0.key < $1.key }) {
            guard let current = try await store.find(id) else { continue }
            let merged = current.absorbing(incoming)
            guard merged != current else { continue }
            var changed = merged
            changed.updatedAt = now
            guard try await store.replace(changed, category: engine.dictionary.stage(changed.status)?.category ?? .open, expectedVersion: current.version) else {
                throw RapportError(.unavailable, "A lead changed during the import; it will be retried.", retryAfterSeconds: 1)
            }
        }
        return result
    }
}
