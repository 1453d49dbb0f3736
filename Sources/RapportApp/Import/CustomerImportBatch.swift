import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// One batch of import rows: read, check, deduplicate (against the database and the file so
/// far), and — unless only validating — write, all in the caller's transaction.
struct CustomerImportBatch: ImportBatch {
    let mapper: CustomerRowMapper
    let normaliser: CustomerNormaliser
    let engine: LifecycleEngine
    let policy: DedupPolicy
    let defaultOwner: RecordID?
    let ownerTeams: [RecordID: RecordID?]
    let scope: ScopeFilter
    let actor: RecordID?
    let ids: any IDGenerating
    let now: Date

    typealias Result = ImportBatchResult
    typealias SeenKeys = ImportSeenKeys

    /// A batch read and checked, before any query: what to dedup and write, and the bad rows.
    struct Prepared: Sendable {
        var candidates: [(line: Int, customer: Customer, history: [StageChange], keys: [String])] = []
        var errors: [ImportStore.RowError] = []
        var erroneousLines: Set<Int> = []
    }

    /// Reads and checks rows: pure, so the next batch is prepared while this one is written.
    func prepare(_ records: [CSVReader.Record]) -> Prepared {
        var result = Prepared()
        var candidates: [(line: Int, customer: Customer, history: [StageChange], keys: [String])] = []
        for record in records {
            let (input, mappingErrors, headers) = mapper.input(record.fields)
            var customer = Customer(id: ids.next(.customer, at: now), kind: .person, name: "", stage: engine.dictionary.initialStage,
                                    stageEnteredAt: now, createdBy: actor, createdAt: now, updatedAt: now)
            var check = Validator()
            normaliser.apply(input, to: &customer, creating: true, check: &check)
            if let owner = input.owner ?? nil { customer.ownerID = RecordID(trusted: owner) } else { customer.ownerID = defaultOwner }
            if let team = input.team ?? nil { customer.teamID = RecordID(trusted: team) } else if let owner = customer.ownerID {
                customer.teamID = ownerTeams[owner] ?? nil
            }
            var errors = mappingErrors + check.errors.map { CustomerRowMapper.rename($0, headers) }
            var history: [StageChange] = []
            if errors.isEmpty {
                do {
                    let transition = try engine.apply(.create(stage: input.stage, at: now, by: actor), to: nil, filled: customer.filledFields)
                    customer.stage = transition.state.stage
                    customer.stageEnteredAt = transition.state.enteredAt
                    customer.lifecycle = engine.dictionary.stage(customer.stage)?.lifecycle
                    history = transition.effects.compactMap { if case .recordChange(let change) = $0 { change } else { nil } }
                } catch {
                    errors += error.rapportError(in: engine.dictionary).fieldErrors.map { CustomerRowMapper.rename($0, headers) }
                }
            }
            if !errors.isEmpty {
                result.erroneousLines.insert(record.line)
                result.errors += errors.map { ImportStore.RowError(line: Int64(record.line), field: $0.field, code: $0.code, message: $0.message) }
                continue
            }
            var keys = customer.contacts.filter(\.kind.isDedupKey).map { "\($0.kind.rawValue):\($0.value)" }
            if let ref = customer.externalRef { keys.append("external_ref:\(ref)") }
            candidates.append((record.line, customer, history, keys))
        }
        result.candidates = candidates
        return result
    }

    /// Deduplicates a prepared batch against the database and the file so far and, unless only
    /// validating, writes it — in the caller's transaction.
    func apply(_ prepared: Prepared, write: Bool, seen: inout SeenKeys, _ sql: any SQLDatabase) async throws -> Result {
        var result = Result()
        result.errors = prepared.errors
        result.erroneousLines = prepared.erroneousLines
        let candidates = prepared.candidates

        // Matches in the database, for every key of the batch at once.
        let store = CustomerStore(sql)
        let contactKeys = candidates.flatMap { $0.customer.contacts.filter(\.kind.isDedupKey).map { ($0.kind, $0.value) } }
        var existing: [String: RecordID] = [:]
        for match in try await store.matches(contactKeys) where existing["\(match.key):\(match.value)"] == nil {
            existing["\(match.key):\(match.value)"] = match.customerID
        }
        for (ref, id) in try await store.matches(externalRefs: candidates.compactMap(\.customer.externalRef)) { existing["external_ref:\(ref)"] = id }
        let visible = try await store.visible(Array(Set(existing.values)), in: scope)

        var created: [Customer] = []
        var createdHistory: [(Int, StageChange)] = []
        var folds: [RecordID: Customer] = [:]
        var newIndex: [String: Int] = [:]
        for candidate in candidates {
            let inBatch = candidate.keys.lazy.compactMap { newIndex[$0] }.first
            let inDatabase = candidate.keys.lazy.compactMap { existing[$0] }.first
            let earlierInFile = !write && candidate.keys.contains { seen.keys[$0] != nil }
            if inBatch != nil || inDatabase != nil || earlierInFile {
                switch policy {
                case .merge:
                    if let index = inBatch {
                        created[index] = created[index].absorbing(candidate.customer)
                        result.merged += 1
                        for key in candidate.keys where newIndex[key] == nil { newIndex[key] = index }
                        continue
                    }
                    if let id = inDatabase {
                        guard visible.contains(id) else {
                            result.erroneousLines.insert(candidate.line)
                            result.errors.append(.init(line: Int64(candidate.line), field: "", code: "duplicate",
                                                       message: "Matches a customer outside your scope; ask its owner or a manager."))
                            continue
                        }
                        folds[id] = (folds[id] ?? candidate.customer).absorbing(candidate.customer)
                        result.merged += 1
                        continue
                    }
                    result.merged += 1  // validating: a later row of the file merges into an earlier one
                    continue
                case .block:
                    result.erroneousLines.insert(candidate.line)
                    result.errors.append(.init(line: Int64(candidate.line), field: "", code: "duplicate",
                                               message: "Matches \(inDatabase.map { visible.contains($0) ? "customer \($0.rawValue)" : "an existing customer" } ?? "an earlier row of the file")."))
                    continue
                case .flag:
                    result.flagged += 1
                }
            }
            created.append(candidate.customer)
            for change in candidate.history { createdHistory.append((created.count - 1, change)) }
            for key in candidate.keys where newIndex[key] == nil { newIndex[key] = created.count - 1 }
            if !write { for key in candidate.keys { seen.keys[key] = 1 } }
        }
        result.created += Int64(created.count)
        guard write else { return result }

        try await store.insertRows(created)
        try await StageHistoryStore(sql).append(createdHistory.map { (.customer, created[$0.0].id, $0.1, ids.next(.stageChange, at: now)) })
        for (id, incoming) in folds.sorted(by: { $0.key < $1.key }) {
            guard let current = try await store.find(id) else { continue }
            var merged = current.absorbing(incoming)
            merged.updatedAt = now
            guard try await store.replace(merged, expectedVersion: current.version) else {
                throw RapportError(.unavailable, "A customer changed during the import; it will be retried.", retryAfterSeconds: 1)
            }
        }
        return result
    }
}
