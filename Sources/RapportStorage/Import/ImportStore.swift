import Foundation
import RapportCore
import SQLKit

/// Imports in storage: each run with its options, counters and heartbeat, the uploaded file in
/// chunks (so any instance can resume it), and the per-line errors.
public struct ImportStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// How an import runs.
    public struct Options: Sendable, Codable, Equatable {
        /// Check every row and report, writing nothing.
        public var dryRun: Bool
        /// Import nothing when any row is bad (otherwise bad rows are skipped and reported).
        public var allOrNothing: Bool
        /// What a row matching an existing customer does (imports default to merge).
        public var policy: DedupPolicy
        /// The owner of rows without an owner column (a user id); nil = the importing user.
        public var defaultOwner: String?
        /// `,` (default), `;` or a tab.
        public var delimiter: String
        /// Leads: the pool (id or key) that imported leads belong to and ownerless ones wait in;
        /// nil = the `default` lead pool.
        public var pool: String?
        /// The name of rows whose name column is empty (or of every row when no column maps to
        /// name), from other columns: `Lead {Lead Number}`.
        public var nameTemplate: String?
        /// Cell values that mean "not filled in" (compared ignoring case), e.g. `Select`.
        public var emptyValues: [String]?
        /// Pipeline imports: the currency of prices and amounts without one (ISO 4217).
        public var currency: String?
        /// Opportunity imports: the pipeline (key) the opportunities run on; nil = the first active one.
        public var pipeline: String?
        /// Pipeline imports: file values to dictionary keys, per field (`{"stage": {"Won": "won"}}`).
        public var valueMaps: [String: [String: String]]?
        /// Team-member imports: the domain of the placeholder email of a member without one.
        public var emailDomain: String?
        /// Lead imports: imported open leads given to a rep (by an owner column, the default owner
        /// or an assignment rule) start the "lead assigned" playbooks, as leads created one by one
        /// do. Off (nil) by default, so loading history gives nobody a task.
        public var startPlaybooks: Bool?

        public init(dryRun: Bool = false, allOrNothing: Bool = false, policy: DedupPolicy = .merge, defaultOwner: String? = nil, delimiter: String = ",",
                    pool: String? = nil, nameTemplate: String? = nil, emptyValues: [String]? = nil, currency: String? = nil, pipeline: String? = nil,
                    valueMaps: [String: [String: String]]? = nil, emailDomain: String? = nil, startPlaybooks: Bool? = nil) {
            self.startPlaybooks = startPlaybooks
            self.currency = currency
            self.pipeline = pipeline
            self.valueMaps = valueMaps
            self.emailDomain = emailDomain
            self.dryRun = dryRun
            self.allOrNothing = allOrNothing
            self.policy = policy
            self.defaultOwner = defaultOwner
            self.delimiter = delimiter
            self.pool = pool
            self.nameTemplate = nameTemplate
            self.emptyValues = emptyValues
        }

        enum CodingKeys: String, CodingKey {
            case policy, delimiter, pool
            case dryRun = "dry_run", allOrNothing = "all_or_nothing", defaultOwner = "default_owner"
            case nameTemplate = "name_template", emptyValues = "empty_values"
            case currency, pipeline, valueMaps = "value_maps", emailDomain = "email_domain", startPlaybooks = "start_playbooks"
        }
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Uploaded and kept, waiting for its column mapping (the web's upload step); no worker takes it.
        case staged
        /// Waiting for a worker.
        case pending
        /// Checking every row first (dry runs and all-or-nothing imports).
        case validating
        /// Writing rows.
        case running
        /// A dry run finished: see the counters and errors; commit to import for real.
        case validated
        case completed
        /// Stopped: a bad row in all-or-nothing mode, or a file that cannot be read.
        case failed
        case cancelled

        public var isFinished: Bool { [.validated, .completed, .failed, .cancelled].contains(self) }
    }

    public struct Counters: Sendable, Equatable {
        public var total: Int64?
        public var processed: Int64 = 0
        public var created: Int64 = 0
        public var merged: Int64 = 0
        public var flagged: Int64 = 0
        public var errors: Int64 = 0

        public init() {}
    }

    public struct Record: Sendable, Equatable {
        public var id: RecordID
        public var object: String
        public var status: Status
        public var fileName: String
        public var fileSHA256: String
        public var fileBytes: Int64
        public var columns: [ImportColumn]
        public var options: Options
        public var counters: Counters
        public var failure: String?
        public var createdBy: RecordID?
        public var createdAt: Date
        public var updatedAt: Date
        public var finishedAt: Date?
        /// What the import did to values that the importer should know (rows imported all the same).
        public var warnings: [ImportWarning]

        public init(id: RecordID, object: String, status: Status, fileName: String, fileSHA256: String, fileBytes: Int64,
                    columns: [ImportColumn], options: Options, counters: Counters = Counters(), failure: String? = nil,
                    createdBy: RecordID?, createdAt: Date, updatedAt: Date, finishedAt: Date? = nil, warnings: [ImportWarning] = []) {
            self.warnings = warnings
            self.id = id
            self.object = object
            self.status = status
            self.fileName = fileName
            self.fileSHA256 = fileSHA256
            self.fileBytes = fileBytes
            self.columns = columns
            self.options = options
            self.counters = counters
            self.failure = failure
            self.createdBy = createdBy
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.finishedAt = finishedAt
        }
    }

    static let columns = [
        "id", "object", "status", "file_name", "file_sha256", "file_bytes", "columns", "options", "total_rows", "processed_rows",
        "created_rows", "merged_rows", "flagged_rows", "error_rows", "failure", "created_by", "created_at", "updated_at", "finished_at", "warnings",
    ]

    public func insert(_ record: Record) async throws {
        try await sql.insert(into: "imports").columns(Self.columns)
            .values(
                SQLBind(record.id.rawValue), SQLBind(record.object), SQLBind(record.status.rawValue), SQLBind(record.fileName),
                SQLBind(record.fileSHA256), SQLBind(record.fileBytes), SQLBind(JSONText.encode(record.columns)),
                SQLBind(JSONText.encode(record.options)), SQLBind(record.counters.total), SQLBind(record.counters.processed),
                SQLBind(record.counters.created), SQLBind(record.counters.merged), SQLBind(record.counters.flagged),
                SQLBind(record.counters.errors), SQLBind(record.failure), SQLBind(record.createdBy?.rawValue),
                SQLBind(record.createdAt.microsSinceEpoch), SQLBind(record.updatedAt.microsSinceEpoch), SQLBind(record.finishedAt?.microsSinceEpoch),
                SQLBind(record.warnings.isEmpty ? nil : JSONText.encode(record.warnings)))
            .run()
    }

    /// Stores the file's chunks (each a whole number of lines of UTF-8 text).
    public func appendChunks(_ id: RecordID, _ chunks: [String], startingAt first: Int = 0) async throws {
        for (offset, chunk) in chunks.enumerated() {
            try await sql.insert(into: "import_chunks").columns("import_id", "seq", "data")
                .values(SQLBind(id.rawValue), SQLBind(Int64(first + offset)), SQLBind(chunk)).run()
        }
    }

    /// One chunk of the file, or nil past the end.
    public func chunk(_ id: RecordID, seq: Int) async throws -> String? {
        try await sql.select().column("data").from("import_chunks").where("import_id", .equal, id.rawValue)
            .where("seq", .equal, Int64(seq)).first()?.text("data")
    }

    public func deleteChunks(_ id: RecordID) async throws {
        try await sql.delete(from: "import_chunks").where("import_id", .equal, id.rawValue).run()
    }

    public func find(_ id: RecordID) async throws -> Record? {
        try await sql.select().columns(Self.columns).from("imports").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// A completed (not dry-run) import of the same file for the same object, if any.
    public func completed(object: String, sha256: String) async throws -> RecordID? {
        try await sql.select().column("id").from("imports").where("object", .equal, object).where("file_sha256", .equal, sha256)
            .where("status", .equal, Status.completed.rawValue).orderBy("id").first()?.id("id")
    }

    /// Imports of a user (all when `user` is nil), newest first.
    public func list(createdBy user: RecordID?, page: PageRequest) async throws -> Page<Record> {
        let query = sql.select().columns(Self.columns).from("imports")
        if let user { query.where("created_by", .equal, user.rawValue) }
        if let cursor = page.cursor { query.where("id", .lessThan, cursor.after) }
        let rows = try await query.orderBy("id", .descending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: \.id.rawValue)
    }

    /// Takes an import for a worker if it is waiting, or if its worker stopped beating (a crash):
    /// one atomic UPDATE, so of several workers exactly one wins.
    public func claim(_ id: RecordID, worker: String, at now: Date, staleBefore: Date) async throws -> Bool {
        let row = try await sql.raw("""
            UPDATE imports SET claimed_by = \(bind: worker), heartbeat_at = \(bind: now.microsSinceEpoch), updated_at = \(bind: now.microsSinceEpoch)
            WHERE id = \(bind: id.rawValue) AND (status = 'pending' OR (status IN ('validating', 'running') AND (heartbeat_at IS NULL OR heartbeat_at < \(bind: staleBefore.microsSinceEpoch))))
            RETURNING id
            """).first()
        return row != nil
    }

    /// Imports a worker may take now, oldest first.
    public func claimable(staleBefore: Date, limit: Int = 10) async throws -> [RecordID] {
        try await sql.raw("""
            SELECT id FROM imports WHERE status = 'pending'
               OR (status IN ('validating', 'running') AND (heartbeat_at IS NULL OR heartbeat_at < \(bind: staleBefore.microsSinceEpoch)))
            ORDER BY id LIMIT \(literal: limit)
            """).all().map { try $0.id("id") }
    }

    /// Records progress (in the same transaction as the rows it counts) and beats the heart.
    public func update(_ id: RecordID, status: Status, counters: Counters, at now: Date, failure: String? = nil, finished: Bool = false,
                       warnings: [ImportWarning]? = nil) async throws {
        let query = sql.update("imports")
        if let warnings { query.set("warnings", to: SQLBind(warnings.isEmpty ? nil : JSONText.encode(warnings))) }
        try await query
            .set("status", to: SQLBind(status.rawValue)).set("total_rows", to: SQLBind(counters.total))
            .set("processed_rows", to: SQLBind(counters.processed)).set("created_rows", to: SQLBind(counters.created))
            .set("merged_rows", to: SQLBind(counters.merged)).set("flagged_rows", to: SQLBind(counters.flagged))
            .set("error_rows", to: SQLBind(counters.errors)).set("failure", to: SQLBind(failure))
            .set("heartbeat_at", to: SQLBind(now.microsSinceEpoch)).set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .set("finished_at", to: SQLBind(finished ? now.microsSinceEpoch : nil))
            .where("id", .equal, id.rawValue).run()
    }

    /// Changes the options (committing a dry run) and puts the import back in the queue.
    public func requeue(_ id: RecordID, options: Options, at now: Date) async throws -> Bool {
        try await sql.update("imports").set("options", to: SQLBind(JSONText.encode(options)))
            .set("status", to: SQLBind(Status.pending.rawValue)).set("processed_rows", to: SQLBind(Int64(0)))
            .set("created_rows", to: SQLBind(Int64(0))).set("merged_rows", to: SQLBind(Int64(0))).set("flagged_rows", to: SQLBind(Int64(0)))
            .set("error_rows", to: SQLBind(Int64(0))).set("finished_at", to: SQLBind(Int64?.none)).set("warnings", to: SQLBind(String?.none)).set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .where("id", .equal, id.rawValue).where("status", .equal, Status.validated.rawValue).returning("id").first() != nil
    }

    /// Sets a staged import's mapping and options and queues it: false unless it was staged.
    public func queueStaged(_ id: RecordID, columns: [ImportColumn], options: Options, at now: Date) async throws -> Bool {
        try await sql.update("imports").set("columns", to: SQLBind(JSONText.encode(columns))).set("options", to: SQLBind(JSONText.encode(options)))
            .set("status", to: SQLBind(Status.pending.rawValue)).set("updated_at", to: SQLBind(now.microsSinceEpoch))
            .where("id", .equal, id.rawValue).where("status", .equal, Status.staged.rawValue).returning("id").first() != nil
    }

    /// Cancels the imports staged before `before` that never got a mapping, dropping their files.
    public func cancelStaged(before: Date, at now: Date) async throws {
        try await sql.raw("""
            DELETE FROM import_chunks WHERE import_id IN
              (SELECT id FROM imports WHERE status = 'staged' AND created_at < \(bind: before.microsSinceEpoch))
            """).run()
        try await sql.update("imports").set("status", to: SQLBind(Status.cancelled.rawValue))
            .set("updated_at", to: SQLBind(now.microsSinceEpoch)).set("finished_at", to: SQLBind(now.microsSinceEpoch))
            .where("status", .equal, Status.staged.rawValue).where("created_at", .lessThan, SQLBind(before.microsSinceEpoch)).run()
    }

    // MARK: Errors

    public struct RowError: Sendable, Equatable {
        public var line: Int64
        public var field: String
        public var code: String
        public var message: String

        public init(line: Int64, field: String, code: String, message: String) {
            self.line = line
            self.field = field
            self.code = code
            self.message = message
        }
    }

    public func insertErrors(_ id: RecordID, _ errors: [RowError]) async throws {
        var seen: Set<String> = []
        var perLine: [Int64: Int] = [:]
        // One error per line and column, at most `maximumErrorsPerLine` per line.
        let unique = errors.filter { error in
            guard seen.insert("\(error.line)|\(error.field)").inserted else { return false }
            perLine[error.line, default: 0] += 1
            return perLine[error.line]! <= Self.maximumErrorsPerLine
        }
        for chunk in unique.chunked(into: 500) where !chunk.isEmpty {
            let insert = sql.insert(into: "import_errors").columns("import_id", "line", "field", "code", "message")
            for error in chunk {
                insert.values(SQLBind(id.rawValue), SQLBind(error.line), SQLBind(error.field), SQLBind(error.code), SQLBind(error.message))
            }
            try await insert.ignoringConflicts().run()
        }
    }

    public func clearErrors(_ id: RecordID) async throws {
        try await sql.delete(from: "import_errors").where("import_id", .equal, id.rawValue).run()
    }

    /// Errors by line; the cursor is the last line.
    /// Errors kept per line (a line rarely has more; the first ones say what is wrong).
    public static let maximumErrorsPerLine = 20

    public func errors(_ id: RecordID, page: PageRequest) async throws -> Page<RowError> {
        let query = sql.select().columns("line", "field", "code", "message").from("import_errors").where("import_id", .equal, id.rawValue)
        if let cursor = page.cursor {
            guard let line = Int64(cursor.after) else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            query.where("line", .greaterThan, line)
        }
        let fetchLimit = page.limit * Self.maximumErrorsPerLine + 1
        let rows = try await query.orderBy("line").orderBy("field").limit(fetchLimit).all()
        var errors = try rows.map { RowError(line: try $0.int("line"), field: try $0.text("field"), code: try $0.text("code"), message: try $0.text("message")) }
        // Whole lines per page: the last line of a full fetch may be cut, so it waits for the next page.
        var lines = Array(Set(errors.map(\.line))).sorted()
        var more = false
        if rows.count == fetchLimit, lines.count > 1 {
            lines.removeLast()
            more = true
        }
        more = more || lines.count > page.limit
        let kept = Set(lines.prefix(page.limit))
        errors = errors.filter { kept.contains($0.line) }
        return Page(items: errors, nextCursor: more ? kept.max().map { PageCursor(after: String($0)) } : nil)
    }

    // MARK: Saved mappings

    /// What a saved mapping keeps besides its columns.
    public struct MappingOptions: Sendable, Codable, Equatable {
        /// The name of rows without one, from other columns (`Lead {Lead Number}`).
        public var nameTemplate: String?
        /// Cell values that mean "not filled in".
        public var emptyValues: [String]?
        /// Pipeline imports: the currency, the pipeline and the value maps (see ``Options``).
        public var currency: String?
        public var pipeline: String?
        public var valueMaps: [String: [String: String]]?

        public init(nameTemplate: String? = nil, emptyValues: [String]? = nil, currency: String? = nil, pipeline: String? = nil,
                    valueMaps: [String: [String: String]]? = nil) {
            self.nameTemplate = nameTemplate
            self.emptyValues = emptyValues
            self.currency = currency
            self.pipeline = pipeline
            self.valueMaps = valueMaps
        }

        enum CodingKeys: String, CodingKey {
            case nameTemplate = "name_template", emptyValues = "empty_values"
            case currency, pipeline, valueMaps = "value_maps"
        }
    }

    public struct Mapping: Sendable, Equatable {
        public var id: RecordID
        public var object: String
        public var name: String
        public var columns: [ImportColumn]
        public var options: MappingOptions
        public var createdBy: RecordID?
        public var createdAt: Date
        public var updatedAt: Date
        public var version: Int64

        public init(id: RecordID, object: String, name: String, columns: [ImportColumn], options: MappingOptions = .init(), createdBy: RecordID?,
                    createdAt: Date, updatedAt: Date, version: Int64) {
            self.id = id
            self.object = object
            self.name = name
            self.columns = columns
            self.options = options
            self.createdBy = createdBy
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.version = version
        }
    }

    /// Saves a mapping under its name (replacing one of the same name for the same object).
    public func saveMapping(_ mapping: Mapping) async throws -> Mapping {
        guard let row = try await sql.raw("""
            INSERT INTO import_mappings (id, object, name, columns, options, created_by, created_at, updated_at, version)
            VALUES (\(bind: mapping.id.rawValue), \(bind: mapping.object), \(bind: mapping.name), \(bind: JSONText.encode(mapping.columns)),
                    \(bind: JSONText.encode(mapping.options)), \(bind: mapping.createdBy?.rawValue), \(bind: mapping.createdAt.microsSinceEpoch),
                    \(bind: mapping.updatedAt.microsSinceEpoch), 1)
            ON CONFLICT (object, name) DO UPDATE SET columns = excluded.columns, options = excluded.options, updated_at = excluded.updated_at,
                version = import_mappings.version + 1
            RETURNING id, object, name, columns, options, created_by, created_at, updated_at, version
            """).first()
        else { throw CorruptRow(table: "import_mappings", column: "id") }
        return try Self.decodeMapping(row)
    }

    public func mappings(object: String) async throws -> [Mapping] {
        try await sql.select().columns(Self.mappingColumns)
            .from("import_mappings").where("object", .equal, object).orderBy("name").all().map(Self.decodeMapping)
    }

    public func mapping(_ id: RecordID) async throws -> Mapping? {
        try await sql.select().columns(Self.mappingColumns)
            .from("import_mappings").where("id", .equal, id.rawValue).first().map(Self.decodeMapping)
    }

    public func deleteMapping(_ id: RecordID) async throws -> Bool {
        try await sql.delete(from: "import_mappings").where("id", .equal, id.rawValue).returning("id").first() != nil
    }

    static let mappingColumns = ["id", "object", "name", "columns", "options", "created_by", "created_at", "updated_at", "version"]

    static func decodeMapping(_ row: any SQLRow) throws -> Mapping {
        Mapping(
            id: try row.id("id"), object: try row.text("object"), name: try row.text("name"),
            columns: try JSONText.decode([ImportColumn].self, from: try row.text("columns")),
            options: try row.optionalText("options").map { try JSONText.decode(MappingOptions.self, from: $0) } ?? MappingOptions(),
            createdBy: try row.optionalID("created_by"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), version: try row.int("version"))
    }

    static func decode(_ row: any SQLRow) throws -> Record {
        guard let status = Status(rawValue: try row.text("status")) else { throw CorruptRow(table: "imports", column: "status") }
        var counters = Counters()
        counters.total = try row.optionalInt("total_rows")
        counters.processed = try row.int("processed_rows")
        counters.created = try row.int("created_rows")
        counters.merged = try row.int("merged_rows")
        counters.flagged = try row.int("flagged_rows")
        counters.errors = try row.int("error_rows")
        return Record(
            id: try row.id("id"), object: try row.text("object"), status: status, fileName: try row.text("file_name"),
            fileSHA256: try row.text("file_sha256"), fileBytes: try row.int("file_bytes"),
            columns: try JSONText.decode([ImportColumn].self, from: try row.text("columns")),
            options: try JSONText.decode(Options.self, from: try row.text("options")), counters: counters,
            failure: try row.optionalText("failure"), createdBy: try row.optionalID("created_by"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"), finishedAt: try row.optionalDate("finished_at"),
            warnings: try row.optionalText("warnings").map { try JSONText.decode([ImportWarning].self, from: $0) } ?? [])
    }
}
