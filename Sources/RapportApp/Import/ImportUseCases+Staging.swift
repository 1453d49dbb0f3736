import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// An import in steps, as a person does it on a screen: upload the file (kept in the import's own
/// chunks, as every import keeps its file), then see its columns with a guessed mapping and choose,
/// then a dry run, then the real run (``commit(_:allOrNothing:by:)``).
extension ImportUseCases {
    /// How long a staged import waits for its mapping before housekeeping cancels it and drops its file.
    public static let stagedFor: TimeInterval = 86_400

    /// Keeps an uploaded file as a staged import: the same checks as ``start(_:by:)`` of the file
    /// (object, size, name, UTF-8 CSV with a header), a mapping guessed from its headers (or the
    /// saved one named), and nothing runs until ``queueStaged(_:columns:options:by:)`` gives it a mapping.
    public func stage(_ request: NewImport, by caller: Caller) async throws -> ImportStore.Record {
        let (fileName, header, dictionary) = try await checkedFile(request, by: caller)
        var columns = request.columns
        if columns == nil, let mappingID = request.mappingID { columns = try await mapping(mappingID, by: caller).columns }
        var options = request.options
        options.dryRun = true
        let sha = ImportUseCases.sha256(request.bytes)
        let now = rapport.clock.now()
        let record = ImportStore.Record(
            id: rapport.ids.next(.importRun, at: now), object: request.object, status: .staged, fileName: fileName, fileSHA256: sha,
            fileBytes: Int64(request.bytes.count), columns: columns ?? Self.suggest(request.object, headers: header, dictionary: dictionary),
            options: options, createdBy: caller.actorID, createdAt: now, updatedAt: now)
        return try await rapport.transaction { sql in
            let store = ImportStore(sql)
            try await store.insert(record)
            try await store.appendChunks(record.id, Self.chunks(request.bytes))
            try await rapport.record(rapport.event("import.staged", by: caller, kind: Self.auditKind(request.object), object: record.id.rawValue,
                                                   details: ["bytes": String(request.bytes.count)]), in: sql)
            return record
        }
    }

    /// A staged import's file as the mapping screen shows it: the header, the first rows, and the
    /// mapping kept with it (guessed at upload, or chosen since).
    public func stagedPreview(_ id: String, rows: Int = 5, by caller: Caller) async throws -> Preview {
        let record = try await get(id, by: caller)
        guard record.status == .staged else { throw RapportError(.conflict, "This import already has its mapping.") }
        let first = try await rapport.database.read { sql in try await ImportStore(sql).chunk(record.id, seq: 0) } ?? ""
        let (header, sample) = try Self.head(Array(first.utf8), delimiter: try Self.delimiter(record.options), rows: rows)
        return Preview(headers: header, sample: sample, suggested: record.columns)
    }

    /// Gives a staged import its mapping (checked against the file's header, as ``start(_:by:)``
    /// checks it) and queues it as a dry run; `nameTemplate` and `emptyValues` as a lead import takes them.
    public func queueStaged(_ id: String, columns: [ImportColumn], nameTemplate: String? = nil, emptyValues: [String]? = nil,
                            by caller: Caller) async throws -> ImportStore.Record {
        let preview = try await stagedPreview(id, rows: 0, by: caller)
        let record = try await get(id, by: caller)
        var options = record.options
        options.dryRun = true
        options.nameTemplate = nameTemplate ?? options.nameTemplate
        options.emptyValues = emptyValues ?? options.emptyValues
        if let template = options.nameTemplate, template.count > 200 {
            throw RapportError.validation([FieldError(field: "name_template", code: "too_long", message: "name_template must be at most 200 characters.")])
        }
        try Self.validate(record.object, columns, options: options, header: preview.headers, dictionary: try await dictionary(record.object, by: caller))
        if record.object == Self.leads { try await ensureLeadPool(options.pool) }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = ImportStore(sql)
            guard try await store.queueStaged(record.id, columns: columns, options: options, at: now) else {
                throw RapportError(.conflict, "This import already has its mapping.")
            }
            try await rapport.record(rapport.event("import.started", by: caller, kind: Self.auditKind(record.object), object: record.id.rawValue,
                                                   details: ["bytes": String(record.fileBytes), "dry_run": "true"]), in: sql)
            guard let queued = try await store.find(record.id) else { throw RapportError.notFound("import") }
            return queued
        }
    }
}
