import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ImportUseCases {
    /// Rows written per transaction by a server's import runner: short transactions, so the
    /// other writes of a busy server wait at most a fraction of a second for the writer.
    public static let batchSize = 4_000
    /// Rows written per transaction when an import has the database to itself (the CLI): fewer,
    /// larger commits write each index page fewer times (1,000,000 rows: 69 s at 4,000, 56 s at 16,000).
    public static let bulkBatchSize = 16_000
    /// A worker that has not reported for this long is presumed dead; another may resume its import.
    static let staleAfter: TimeInterval = 120

    /// Runs every import that is waiting (or whose worker died), one after another.
    /// Returns how many it ran. The server's import runner calls this; so may tests and the CLI.
    @discardableResult
    public func runPending(worker: String, batchSize: Int = ImportUseCases.batchSize, progress: @escaping @Sendable (ImportStore.Record) throws -> Void = { _ in }) async throws -> Int {
        let now = rapport.clock.now()
        let ids = try await rapport.database.read { sql in
            try await ImportStore(sql).claimable(staleBefore: now.addingTimeInterval(-Self.staleAfter))
        }
        var ran = 0
        for id in ids where try await run(id, worker: worker, batchSize: batchSize, progress: progress) != nil { ran += 1 }
        return ran
    }

    /// Runs one import if this worker can claim it; resumes after the last committed batch.
    /// Returns nil when another worker has it.
    @discardableResult
    public func run(_ id: RecordID, worker: String, batchSize: Int = ImportUseCases.batchSize, progress: @escaping @Sendable (ImportStore.Record) throws -> Void = { _ in }) async throws -> ImportStore.Record? {
        let now = rapport.clock.now()
        let claimed = try await rapport.transaction { sql in
            try await ImportStore(sql).claim(id, worker: worker, at: now, staleBefore: now.addingTimeInterval(-Self.staleAfter))
        }
        guard claimed, var record = try await rapport.database.read({ sql in try await ImportStore(sql).find(id) }) else { return nil }
        do {
            record = try await process(record, batchSize: max(1, batchSize), progress: progress)
        } catch let error as RapportError where error.code == .validationFailed || error.code == .forbidden || error.code == .notFound {
            record = try await finish(record, status: .failed, failure: error.detail + " " + error.fieldErrors.map(\.message).joined(separator: " "))
        } catch let error as CSVReader.Failure {
            guard case .unterminatedQuote(let line) = error else { throw error }
            record = try await finish(record, status: .failed, failure: "The file is not valid CSV: a quoted field opened on line \(line) never ends.")
        }
        try progress(record)
        return record
    }

    /// The caller an import acts as: the user who started it, as they are now (role, team), or the system.
    func actingCaller(_ record: ImportStore.Record) async throws -> Caller {
        guard let userID = record.createdBy else { return .system("import") }
        let principal = try await rapport.database.read { sql -> Principal? in
            guard let user = try await UserStore(sql).find(userID), user.status == .active else { return nil }
            let path = try await user.teamID.asyncMap { try await TeamStore(sql).find($0)?.path } ?? nil
            return Principal(userID: user.id, role: user.role, teamID: user.teamID, teamPath: path, repLevel: user.repLevel)
        }
        guard let principal else { throw RapportError(.forbidden, "The user who started this import is no longer active.") }
        return Caller(principal: principal, channel: "import")
    }

    func finish(_ record: ImportStore.Record, status: ImportStore.Status, failure: String? = nil) async throws -> ImportStore.Record {
        let now = rapport.clock.now()
        var record = record
        record.status = status
        record.failure = failure
        if status == .completed, record.counters.created > 10_000 {
            try await rapport.database.write { sql in try await sql.refreshStatistics() }
        }
        return try await rapport.transaction { sql in
            let store = ImportStore(sql)
            try await store.update(record.id, status: status, counters: record.counters, at: now, failure: failure, finished: true)
            if status == .completed || status == .failed || status == .cancelled { try await store.deleteChunks(record.id) }
            var details = ["status": status.rawValue, "created": String(record.counters.created), "merged": String(record.counters.merged),
                           "flagged": String(record.counters.flagged), "errors": String(record.counters.errors)]
            details["rows"] = String(record.counters.processed)
            try await rapport.record(rapport.event("import.finished", by: Caller(principal: nil, channel: "import"), kind: Self.auditKind(record.object),
                                                   object: record.id.rawValue, details: details), in: sql)
            guard let stored = try await store.find(record.id) else { throw RapportError.notFound("import") }
            return stored
        }
    }

    /// The work: a validation pass when asked (dry run, all-or-nothing), then the writing pass,
    /// with the batch processor of the import's object.
    func process(_ record: ImportStore.Record, batchSize: Int, progress: @escaping @Sendable (ImportStore.Record) throws -> Void) async throws -> ImportStore.Record {
        let caller = try await actingCaller(record)
        if let kind = PipelineImportKind(rawValue: record.object) {
            return try await processPipeline(kind, record, caller: caller, batchSize: batchSize, progress: progress)
        }
        if record.object == ImportUseCases.leads {
            let context = try await leadBatchContext(record, caller: caller)
            return try await process(record, delimiter: context.delimiter, batchSize: batchSize, progress: progress) { header in
                try makeLeadProcessor(header, record: record, context: context)
            }
        }
        let context = try await batchContext(record, caller: caller)
        return try await process(record, delimiter: context.delimiter, batchSize: batchSize, progress: progress) { header in
            let mapper = try CustomerRowMapper(columns: context.mapperColumns, header: header, dictionary: context.dictionary,
                                               users: context.users, teams: context.teams)
            return makeProcessor(mapper, record: record, context: context)
        }
    }

    func process<Batch: ImportBatch>(_ record: ImportStore.Record, delimiter: UInt8, batchSize: Int,
                                     progress: @escaping @Sendable (ImportStore.Record) throws -> Void,
                                     make: @escaping ([String]) throws -> Batch) async throws -> ImportStore.Record {
        var record = record
        let validateFirst = record.options.dryRun || (record.options.allOrNothing && record.status != .running)
        if validateFirst {
            record.status = .validating
            record.counters = ImportStore.Counters()
            record.warnings = []
            try await rapport.transaction { sql in try await ImportStore(sql).clearErrors(record.id) }
            var seen = ImportSeenKeys()
            record = try await pass(record, delimiter: delimiter, batchSize: batchSize, write: false, seen: &seen, progress: progress, make: make)
            if record.options.dryRun { return try await finish(record, status: .validated) }
            if record.counters.errors > 0 {
                return try await finish(record, status: .failed,
                                        failure: "\(record.counters.errors) rows have errors; nothing was imported (all-or-nothing).")
            }
            record.counters = ImportStore.Counters()
            record.warnings = []
        }
        record.status = .running
        var seen = ImportSeenKeys()
        record = try await pass(record, delimiter: delimiter, batchSize: batchSize, write: true, seen: &seen, progress: progress, make: make)
        return try await finish(record, status: .completed)
    }

    struct BatchContext {
        let mapperColumns: [ImportColumn]
        let dictionary: ObjectDictionary
        let settings: CustomerSettings
        let users: [String: (id: RecordID, team: RecordID?)]
        let ownerTeams: [RecordID: RecordID?]
        let teams: [String: RecordID]
        let scope: ScopeFilter
        let defaultOwner: RecordID?
        let actor: RecordID?
        let delimiter: UInt8
    }

    /// What every batch needs, read once: dictionary, settings, assignable users and teams, scope.
    func batchContext(_ record: ImportStore.Record, caller: Caller) async throws -> BatchContext {
        // Rows fold only into customers the importer may edit.
        let scope = try await rapport.scope(caller, .update, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        let template = rapport.settings.dictionaryTemplate
        let assignable = try await assignees(caller)
        return try await rapport.database.read { sql in
            let dictionary = try await DictionaryUseCases.load(.customer, sql, template: template)
            let settings = try await CustomerSettings.load(sql)
            let defaultOwner = try assignable.owner(record.options.defaultOwner, of: "customers") ?? caller.actorID
            return BatchContext(mapperColumns: record.columns, dictionary: dictionary, settings: settings, users: assignable.users, ownerTeams: assignable.ownerTeams,
                                teams: assignable.teams, scope: scope, defaultOwner: defaultOwner, actor: caller.actorID, delimiter: try Self.delimiter(record.options))
        }
    }

    /// The users (by lowercased email and id) and teams (by key and id) an importer may assign
    /// records to — administrators and managers anyone in their scope, others only themselves —
    /// and each assignable user's team.
    struct Assignees {
        var users: [String: (id: RecordID, team: RecordID?)] = [:]
        var ownerTeams: [RecordID: RecordID?] = [:]
        var teams: [String: RecordID] = [:]
        /// Users by name (``ImportMatchKey/normalised(_:)``): pipeline exports name their reps.
        var names: [String: [RecordID]] = [:]

        /// The user an import's `default_owner` names, if any; an error when it is not one of them.
        func owner(_ named: String?, of object: String) throws(RapportError) -> RecordID? {
            guard let named else { return nil }
            guard let user = users[named] else {
                throw RapportError.validation([FieldError(field: "default_owner", code: "invalid", message: "default_owner must be an active user you may assign \(object) to.")])
            }
            return user.id
        }
    }

    func assignees(_ caller: Caller) async throws -> Assignees {
        let userScope = try await rapport.scope(caller, .read, .user, anchor: .userTable, table: "users")
        let teamScope = try await rapport.scope(caller, .read, .team, anchor: .teamTable, table: "teams")
        let mayAssignOthers = caller.principal == nil || [.admin, .manager].contains(caller.principal!.role)
        return try await rapport.database.read { sql in
            var result = Assignees()
            var page = PageRequest(limit: PageRequest.maximumLimit)
            while true {
                let found = try await UserStore(sql).list(.init(status: .active), page: page, in: userScope)
                for user in found.items where mayAssignOthers || user.id == caller.actorID {
                    result.users[user.email.lowercased()] = (user.id, user.teamID)
                    result.users[user.id.rawValue] = (user.id, user.teamID)
                    result.ownerTeams[user.id] = user.teamID
                    result.names[ImportMatchKey.normalised(user.name), default: []].append(user.id)
                }
                guard let next = found.nextCursor else { break }
                page.cursor = next
            }
            if let me = caller.principal?.userID, result.ownerTeams[me] == nil { result.ownerTeams[me] = caller.principal?.teamID }
            let teamQuery = sql.select().columns("id", "key").from("teams")
            // Administrators assign any team, managers their subtree, other roles none (a team column errs).
            for row in try await (mayAssignOthers ? teamScope.apply(to: teamQuery) : teamQuery.where(SQLLiteral.boolean(false))).all() {
                let id = RecordID(trusted: try row.decode(column: "id", as: String.self))
                result.teams[id.rawValue] = id
                result.teams[try row.decode(column: "key", as: String.self).lowercased()] = id
            }
            return result
        }
    }

    /// One pass over the stored file: batches of rows, each in one transaction with its counters,
    /// skipping the rows a previous (interrupted) run already committed. While one batch is being
    /// written, the next is read and checked (pure work) on another core.
    func pass<Batch: ImportBatch>(_ record: ImportStore.Record, delimiter: UInt8, batchSize: Int, write: Bool, seen: inout ImportSeenKeys,
                                  progress: @escaping @Sendable (ImportStore.Record) throws -> Void,
                                  make: ([String]) throws -> Batch) async throws -> ImportStore.Record {
        var record = record
        var reader = CSVReader(delimiter: delimiter)
        var carry: [UInt8] = []
        var seq = 0
        var skip = record.counters.processed
        var header: [String]?
        var queue: [[CSVReader.Record]] = []
        var pending: [CSVReader.Record] = []
        var processor: Batch?
        var finished = false
        var prepared: Batch.Prepared?

        /// Reads chunks until two batches are queued or the file ends.
        func fill() async throws {
            while !finished && queue.count < 2 {
                let chunk = try await rapport.database.read { sql in try await ImportStore(sql).chunk(record.id, seq: seq) }
                seq += 1
                if let chunk { carry += Array(chunk.utf8) }
                finished = chunk == nil
                let (records, consumed) = try reader.parse(carry, final: finished)
                carry.removeFirst(consumed)
                for item in records {
                    if header == nil {
                        header = item.fields.map { $0.trimmingWhitespace() }
                        processor = try make(header!)
                        continue
                    }
                    if skip > 0 {
                        skip -= 1
                        continue
                    }
                    pending.append(item)
                    if pending.count == batchSize {
                        queue.append(pending)
                        pending = []
                    }
                }
                if finished && !pending.isEmpty {
                    queue.append(pending)
                    pending = []
                }
            }
        }

        try await fill()
        while let batch = queue.first, let processor {
            let current = prepared ?? processor.prepare(batch)
            let next = queue.count > 1 ? queue[1] : nil
            async let upcoming: Batch.Prepared? = next.map { processor.prepare($0) }
            record = try await runBatch(batch.count, current, processor: processor, record: record, write: write, seen: &seen)
            prepared = await upcoming
            queue.removeFirst()
            try progress(record)
            try await fill()
        }
        if record.counters.total == nil || record.counters.total! < record.counters.processed { record.counters.total = record.counters.processed }
        return record
    }

    func makeProcessor(_ mapper: CustomerRowMapper, record: ImportStore.Record, context: BatchContext) -> CustomerImportBatch {
        let now = rapport.clock.now()
        return CustomerImportBatch(
            mapper: mapper, normaliser: CustomerNormaliser(settings: context.settings, dictionary: context.dictionary, ids: rapport.ids, now: now),
            engine: LifecycleEngine(context.dictionary), policy: record.options.policy, defaultOwner: context.defaultOwner,
            ownerTeams: context.ownerTeams, scope: context.scope, actor: context.actor, ids: rapport.ids, now: now)
    }

    func runBatch<Batch: ImportBatch>(_ rows: Int, _ prepared: Batch.Prepared, processor: Batch, record: ImportStore.Record,
                                      write: Bool, seen: inout ImportSeenKeys) async throws -> ImportStore.Record {
        let now = rapport.clock.now()
        var record = record
        let seenBefore = seen
        let warningsBefore = record.warnings
        let (counters, updatedSeen, warnings) = try await rapport.transaction { sql in
            var local = seenBefore
            let result = try await processor.apply(prepared, write: write, seen: &local, sql)
            var counters = record.counters
            counters.processed += Int64(rows)
            counters.created += result.created
            counters.merged += result.merged
            counters.flagged += result.flagged
            counters.errors += Int64(result.erroneousLines.count)
            var warnings = warningsBefore
            ImportWarning.merge(result.warnings, into: &warnings)
            let store = ImportStore(sql)
            try await store.insertErrors(record.id, result.errors)
            try await store.update(record.id, status: write ? .running : .validating, counters: counters, at: now, warnings: warnings)
            return (counters, local, warnings)
        }
        seen = updatedSeen
        record.counters = counters
        record.warnings = warnings
        record.status = write ? .running : .validating
        return record
    }
}
