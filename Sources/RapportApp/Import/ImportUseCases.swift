import Crypto
import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Imports of customers from CSV: upload (stored in chunks, so any instance can resume), a column
/// mapping (guessed, given, or saved and reused), an optional dry run, per-line errors, progress,
/// and all-or-nothing or partial mode. The same machinery serves the command line and the API.
public struct ImportUseCases: Sendable {
    let rapport: Rapport

    /// The largest file accepted.
    public static let maximumBytes = 512 << 20
    /// Stored chunks hold about this many bytes (whole lines).
    static let chunkBytes = 1 << 20

    /// What starting an import takes.
    public struct NewImport: Sendable {
        public var object: String
        public var fileName: String
        public var bytes: [UInt8]
        /// The mapping; nil = a saved one (`mappingID`), or one guessed from the headers.
        public var columns: [ImportColumn]?
        public var mappingID: String?
        public var options: ImportStore.Options
        /// Import the same file again even though it was imported completely before.
        public var allowRepeat: Bool

        public init(object: String = "customers", fileName: String, bytes: [UInt8], columns: [ImportColumn]? = nil, mappingID: String? = nil,
                    options: ImportStore.Options = .init(), allowRepeat: Bool = false) {
            self.object = object
            self.fileName = fileName
            self.bytes = bytes
            self.columns = columns
            self.mappingID = mappingID
            self.options = options
            self.allowRepeat = allowRepeat
        }
    }

    /// The header and first rows of a file, with a guessed mapping (for the mapping screen).
    public struct Preview: Sendable {
        public var headers: [String]
        public var sample: [[String]]
        public var suggested: [ImportColumn]
    }

    /// Importing needs the right to create the object's records (customers by default).
    func requireImport(_ caller: Caller, object: String = ImportUseCases.customers) async throws {
        if let kind = PipelineImportKind(rawValue: object) {
            try await requirePipelineImport(caller, kind)
        } else if object == Self.leads {
            _ = try await rapport.scope(caller, .create, .lead, anchor: .owner(column: "owner_id"), table: "leads")
        } else {
            _ = try await rapport.scope(caller, .create, .customer, anchor: .owner(column: "owner_id"), table: "customers")
        }
    }

    static func checkObject(_ object: String) throws(RapportError) {
        guard allObjects.contains(object) else {
            throw RapportError.validation([FieldError(field: "object", code: "invalid", message: "object must be one of: \(allObjects.joined(separator: ", ")).")])
        }
    }

    static func delimiter(_ options: ImportStore.Options) throws(RapportError) -> UInt8 {
        switch options.delimiter {
        case ",": UInt8(ascii: ",")
        case ";": UInt8(ascii: ";")
        case "\t", "tab": UInt8(ascii: "\t")
        default: throw RapportError.validation([FieldError(field: "delimiter", code: "invalid", message: "delimiter is \",\", \";\" or a tab.")])
        }
    }

    /// Reads the header and a few rows.
    public func preview(_ bytes: [UInt8], delimiter: String = ",", object: String = ImportUseCases.customers, by caller: Caller) async throws -> Preview {
        try Self.checkObject(object)
        try await requireImport(caller, object: object)
        let (header, rows) = try Self.head(bytes, delimiter: try Self.delimiter(.init(delimiter: delimiter)), rows: 10)
        let dictionary = try await dictionary(object, by: caller)
        return Preview(headers: header, sample: rows, suggested: Self.suggest(object, headers: header, dictionary: dictionary))
    }

    func dictionary(_ object: String, by caller: Caller) async throws -> ObjectDictionary {
        try await rapport.dictionary.get(Self.dictionaryObject(object).rawValue, by: caller).dictionary
    }

    static func head(_ bytes: [UInt8], delimiter: UInt8, rows: Int) throws(RapportError) -> ([String], [[String]]) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw RapportError.validation([FieldError(field: "file", code: "invalid_encoding", message: "The file is not UTF-8 text; save it as \"CSV UTF-8\".")])
        }
        var reader = CSVReader(delimiter: delimiter)
        let prefix = Array(bytes.prefix(256 << 10))
        let records: [CSVReader.Record]
        do { records = try reader.parse(prefix, final: prefix.count == bytes.count).records } catch {
            throw RapportError.validation([FieldError(field: "file", code: "invalid", message: "The file is not valid CSV: a quoted field never ends.")])
        }
        guard let header = records.first?.fields, header.contains(where: { !$0.trimmingWhitespace().isEmpty }) else {
            throw RapportError.validation([FieldError(field: "file", code: "empty", message: "The file has no header row.")])
        }
        return (header.map { $0.trimmingWhitespace() }, records.dropFirst().prefix(rows).map(\.fields))
    }

    /// Starts an import: checks the file and the mapping, stores the file and queues the run.
    /// Refuses a file that was already imported completely (unless `allowRepeat`), so importing
    /// the same file twice creates nothing twice.
    public func start(_ request: NewImport, by caller: Caller) async throws -> ImportStore.Record {
        let (fileName, header, dictionary) = try await checkedFile(request, by: caller)
        var columns = request.columns
        var options = request.options
        if columns == nil, let mappingID = request.mappingID {
            let saved = try await mapping(mappingID, by: caller)
            columns = saved.columns
            options.nameTemplate = options.nameTemplate ?? saved.options.nameTemplate
            options.emptyValues = options.emptyValues ?? saved.options.emptyValues
            options.currency = options.currency ?? saved.options.currency
            options.pipeline = options.pipeline ?? saved.options.pipeline
            options.valueMaps = options.valueMaps ?? saved.options.valueMaps
        }
        let chosen = columns ?? Self.suggest(request.object, headers: header, dictionary: dictionary)
        try Self.validate(request.object, chosen, options: options, header: header, dictionary: dictionary)
        if request.object == Self.leads {
            try await ensureLeadPool(request.options.pool)
        }
        if let owner = request.options.defaultOwner, RecordID(parsing: owner, prefix: .user) == nil {
            throw RapportError.validation([FieldError(field: "default_owner", code: "invalid", message: "default_owner is not a user id.")])
        }
        let sha = Self.sha256(request.bytes)
        let now = rapport.clock.now()
        let record = ImportStore.Record(
            id: rapport.ids.next(.importRun, at: now), object: request.object, status: .pending, fileName: fileName, fileSHA256: sha,
            fileBytes: Int64(request.bytes.count), columns: chosen, options: options, createdBy: caller.actorID, createdAt: now, updatedAt: now)
        let chunks = Self.chunks(request.bytes)
        return try await rapport.transaction { sql in
            let store = ImportStore(sql)
            if !request.allowRepeat, !request.options.dryRun, let earlier = try await store.completed(object: request.object, sha256: sha) {
                throw RapportError(.conflict, "This file was already imported (\(earlier.rawValue)); import it again with allow_repeat (--allow-repeat on the command line).",
                                   extra: ["import_id": earlier.rawValue])
            }
            try await store.insert(record)
            try await store.appendChunks(record.id, chunks)
            try await rapport.record(rapport.event("import.started", by: caller, kind: Self.auditKind(request.object), object: record.id.rawValue,
                                                   details: ["bytes": String(request.bytes.count), "dry_run": String(request.options.dryRun)]), in: sql)
            return record
        }
    }

    /// A file's SHA-256 in hex (how a repeated file is recognised).
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The checks of an uploaded file before it is kept: the object and the right to import it,
    /// the size, the file's name, and UTF-8 CSV with a header (returned, with the object's dictionary).
    func checkedFile(_ request: NewImport, by caller: Caller) async throws -> (fileName: String, header: [String], dictionary: ObjectDictionary) {
        try Self.checkObject(request.object)
        try await requireImport(caller, object: request.object)
        guard request.bytes.count <= Self.maximumBytes else {
            throw RapportError(.payloadTooLarge, "The file is larger than \(Self.maximumBytes >> 20) MiB.")
        }
        var check = Validator()
        let fileName = check.text(request.fileName, field: "file_name", maxLength: 255, allowEmpty: false)
        try check.finish()
        let (header, _) = try Self.head(request.bytes, delimiter: try Self.delimiter(request.options), rows: 0)
        return (fileName, header, try await dictionary(request.object, by: caller))
    }

    /// Splits a file into chunks of whole lines.
    static func chunks(_ bytes: [UInt8]) -> [String] {
        var result: [String] = []
        var start = 0
        while start < bytes.count {
            var end = min(start + chunkBytes, bytes.count)
            if end < bytes.count {
                if let newline = bytes[start..<end].lastIndex(of: UInt8(ascii: "\n")) { end = newline + 1 } else {
                    end = bytes[end...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
                }
            }
            result.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end
        }
        return result
    }

    /// One import of the caller's (administrators see every import).
    public func get(_ id: String, by caller: Caller) async throws -> ImportStore.Record {
        try await requireImport(caller)
        guard let id = RecordID(parsing: id, prefix: .importRun),
              let record = try await rapport.database.read({ sql in try await ImportStore(sql).find(id) }),
              caller.principal == nil || caller.principal?.role == .admin || record.createdBy == caller.actorID
        else { throw RapportError.notFound("import") }
        return record
    }

    public func list(page: PageRequest, by caller: Caller) async throws -> Page<ImportStore.Record> {
        try await requireImport(caller)
        let mine = caller.principal?.role == .admin ? nil : caller.actorID
        return try await rapport.database.read { sql in try await ImportStore(sql).list(createdBy: caller.principal == nil ? nil : mine, page: page) }
    }

    /// The per-line errors of an import, by line.
    public func errors(_ id: String, page: PageRequest, by caller: Caller) async throws -> Page<ImportStore.RowError> {
        let record = try await get(id, by: caller)
        return try await rapport.database.read { sql in try await ImportStore(sql).errors(record.id, page: page) }
    }

    /// Every error as CSV (line, column, code, message), for download: RFC 4180 and formula-safe,
    /// written by the same ``CSVWriter`` as exports.
    public func errorReport(_ id: String, by caller: Caller) async throws -> String {
        var csv = CSVWriter()
        csv.row(["line", "column", "code", "message"])
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let result = try await errors(id, page: page, by: caller)
            for error in result.items { csv.row([String(error.line), error.field, error.code, error.message]) }
            guard let next = result.nextCursor else { break }
            page.cursor = next
        }
        return String(decoding: csv.take(), as: UTF8.self)
    }

    /// Turns a validated dry run into a real import of the same file and mapping; `allOrNothing`
    /// and `startPlaybooks` (lead imports only) change those options when given.
    public func commit(_ id: String, allOrNothing: Bool? = nil, startPlaybooks: Bool? = nil, by caller: Caller) async throws -> ImportStore.Record {
        let record = try await get(id, by: caller)
        var options = record.options
        options.dryRun = false
        if let allOrNothing { options.allOrNothing = allOrNothing }
        if let startPlaybooks {
            try Self.checkStartPlaybooks(startPlaybooks, object: record.object)
            options.startPlaybooks = startPlaybooks ? true : nil
        }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = ImportStore(sql)
            if let earlier = try await store.completed(object: record.object, sha256: record.fileSHA256) {
                throw RapportError(.conflict, "This file was already imported (\(earlier.rawValue)).", extra: ["import_id": earlier.rawValue])
            }
            guard try await store.requeue(record.id, options: options, at: now) else {
                throw RapportError(.conflict, "Only a finished dry run can be committed.")
            }
            try await store.clearErrors(record.id)
            try await rapport.record(rapport.event("import.committed", by: caller, kind: Self.auditKind(record.object), object: record.id.rawValue), in: sql)
            guard let updated = try await store.find(record.id) else { throw RapportError.notFound("import") }
            return updated
        }
    }
}

extension IDPrefix {
    public static let importRun = IDPrefix(rawValue: "imp")
    public static let importMapping = IDPrefix(rawValue: "map")
}
