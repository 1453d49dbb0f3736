import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/imports` (upload, status, errors, commit, preview) and `/api/v1/import-mappings`.
struct ImportRoutes {
    let rapport: Rapport

    static let optionNames: Set<String> = [
        "dry_run", "all_or_nothing", "allow_repeat", "policy", "delimiter", "default_owner", "mapping_id", "columns", "save_mapping",
        "object", "pool", "name_template", "empty_values", "currency", "pipeline", "value_maps", "email_domain",
        "start_playbooks",
    ]

    /// The upload: a `multipart/form-data` body with a `file` part and option parts, or a `text/csv`
    /// body with the options as query parameters.
    struct Upload {
        var fileName: String
        var bytes: [UInt8]
        var values: [String: String]
    }

    static func upload(_ request: Request) async throws -> Upload {
        var request = request
        let body = try await JSONBody.collect(&request, limit: ImportUseCases.maximumBytes)
        let contentType = request.headers[.contentType]
        var check = Validator()
        if let boundary = MultipartForm.boundary(of: contentType) {
            let form = try MultipartForm(body, boundary: boundary)
            for name in form.parts.keys.sorted() where name != "file" && !optionNames.contains(name) {
                check.add(name, "unknown_field", "\(name) is not a field of this request.")
            }
            guard let file = form.parts["file"] else {
                check.add("file", "required", "file is required (a CSV file part).")
                try check.finish()
                throw RapportError.validation([])
            }
            try check.finish()
            var values: [String: String] = [:]
            for name in optionNames { if let text = form.text(name) { values[name] = text } }
            // A tab is a delimiter, not white space to trim.
            if let part = form.parts["delimiter"], part.bytes == [9] { values["delimiter"] = "\t" }
            return Upload(fileName: file.fileName ?? "upload.csv", bytes: file.bytes, values: values)
        }
        let media = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard media == "text/csv" || media == "application/csv" else {
            throw RapportError(.unsupportedMediaType, "Send the file as multipart/form-data (a file part) or as text/csv.")
        }
        var values: [String: String] = [:]
        for name in optionNames { if let text = request.query(name) { values[name] = text } }
        return Upload(fileName: request.query("file_name") ?? "upload.csv", bytes: Array(body.readableBytesView), values: values)
    }

    static func options(_ values: [String: String]) throws -> (ImportStore.Options, [ImportColumn]?, String?, Bool, String?) {
        var check = Validator()
        func flag(_ name: String) -> Bool {
            guard let text = values[name] else { return false }
            if text == "true" { return true }
            if text != "false" { check.add(name, "invalid", "\(name) is true or false.") }
            return false
        }
        var options = ImportStore.Options(dryRun: flag("dry_run"), allOrNothing: flag("all_or_nothing"))
        let allowRepeat = flag("allow_repeat")
        if let policy = values["policy"] {
            if let parsed = DedupPolicy(rawValue: policy) { options.policy = parsed } else { check.add("policy", "invalid", "policy is merge, flag or block.") }
        }
        if let delimiter = values["delimiter"] { options.delimiter = delimiter == "tab" ? "\t" : delimiter }
        options.defaultOwner = values["default_owner"]
        options.pool = values["pool"]
        options.nameTemplate = values["name_template"]
        if let text = values["empty_values"] {
            // A JSON array of strings, or one value per comma.
            if let list = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) { options.emptyValues = list } else {
                options.emptyValues = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            }
            if (options.emptyValues ?? []).contains(where: { $0.count > 100 }) || (options.emptyValues ?? []).count > 50 {
                check.add("empty_values", "invalid", "empty_values holds at most 50 values of at most 100 characters.")
            }
        }
        options.currency = values["currency"]
        options.pipeline = values["pipeline"]
        options.emailDomain = values["email_domain"]
        if flag("start_playbooks") { options.startPlaybooks = true }
        if let text = values["value_maps"] {
            if let maps = try? JSONDecoder().decode([String: [String: String]].self, from: Data(text.utf8)), maps.count <= 50,
               maps.values.allSatisfy({ $0.count <= 500 }) {
                options.valueMaps = maps
            } else {
                check.add("value_maps", "invalid", "value_maps is a JSON object of fields, each an object of file values to keys (at most 50 fields of 500 values).")
            }
        }
        for name in ["currency", "pipeline", "email_domain"] where (values[name]?.count ?? 0) > 100 {
            check.add(name, "too_long", "\(name) must be at most 100 characters.")
        }
        if let template = options.nameTemplate, template.count > 200 {
            check.add("name_template", "too_long", "name_template must be at most 200 characters.")
        }
        var columns: [ImportColumn]?
        if let text = values["columns"] {
            do { columns = try JSONDecoder().decode([ImportColumn].self, from: Data(text.utf8)) } catch {
                check.add("columns", "invalid", "columns is a JSON array of {\"header\": …, \"field\": …}.")
            }
        }
        try check.finish()
        return (options, columns, values["mapping_id"], allowRepeat, values["save_mapping"])
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.post("imports") { request, context in
            let upload = try await Self.upload(request)
            let (options, columns, mappingID, allowRepeat, saveMapping) = try Self.options(upload.values)
            if let saveMapping, saveMapping.count > 100 {
                throw RapportError.validation([FieldError(field: "save_mapping", code: "too_long", message: "save_mapping must be at most 100 characters.")])
            }
            let object = upload.values["object"] ?? ImportUseCases.customers
            let record = try await rapport.imports.start(
                .init(object: object, fileName: upload.fileName, bytes: upload.bytes, columns: columns, mappingID: mappingID, options: options,
                      allowRepeat: allowRepeat),
                by: context.caller)
            if let saveMapping {
                _ = try await rapport.imports.saveMapping(name: saveMapping, columns: record.columns, object: object,
                                                          options: ImportUseCases.mappingOptions(record.options), by: context.caller)
            }
            return try JSONResponse.make(ImportDTO(record), status: .accepted, location: "/api/v1/imports/\(record.id)")
        }
        api.post("imports/preview") { request, context in
            let upload = try await Self.upload(request)
            let preview = try await rapport.imports.preview(upload.bytes, delimiter: upload.values["delimiter"] ?? ",",
                                                            object: upload.values["object"] ?? ImportUseCases.customers, by: context.caller)
            return try JSONResponse.make(ImportPreviewDTO(preview))
        }
        api.get("imports") { request, context in
            let page = try await rapport.imports.list(page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ImportDTO.init))
        }
        api.get("imports/:id") { _, context in
            try JSONResponse.make(ImportDTO(try await rapport.imports.get(try context.parameters.require("id"), by: context.caller)))
        }
        api.get("imports/:id/errors") { request, context in
            let page = try await rapport.imports.errors(try context.parameters.require("id"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ImportErrorDTO.init))
        }
        api.get("imports/:id/error-report") { _, context in
            let id: String = try context.parameters.require("id")
            let report = try await rapport.imports.errorReport(id, by: context.caller)
            return Response(status: .ok, headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(id)-errors.csv\"",
            ], body: .init(byteBuffer: ByteBuffer(string: report)))
        }
        api.post("imports/:id/commit") { request, context in
            var body = try await JSONBody.readOptional(request, accepts: ["all_or_nothing", "start_playbooks"])
            let allOrNothing = body.bool("all_or_nothing")
            let startPlaybooks = body.bool("start_playbooks")
            try body.finish()
            let record = try await rapport.imports.commit(try context.parameters.require("id"), allOrNothing: allOrNothing, startPlaybooks: startPlaybooks,
                                                          by: context.caller)
            return try JSONResponse.make(ImportDTO(record), status: .accepted)
        }
        api.get("import-mappings") { request, context in
            let mappings = try await rapport.imports.mappings(object: request.query("object") ?? ImportUseCases.customers, by: context.caller)
            return try JSONResponse.make(ListResponse(Page(items: mappings, nextCursor: nil), MappingDTO.init))
        }
        api.post("import-mappings") { request, context in
            var body = try await JSONBody.read(request, accepts: ["name", "columns", "object", "name_template", "empty_values", "currency", "pipeline", "value_maps"])
            let name = body.string("name", required: true)
            let columns = body.decode("columns", as: [ImportColumn].self, required: true)
            let object = body.string("object") ?? ImportUseCases.customers
            let options = ImportStore.MappingOptions(nameTemplate: body.string("name_template"), emptyValues: body.decode("empty_values", as: [String].self),
                                                     currency: body.string("currency"), pipeline: body.string("pipeline"),
                                                     valueMaps: body.decode("value_maps", as: [String: [String: String]].self))
            try body.finish()
            let mapping = try await rapport.imports.saveMapping(name: name ?? "", columns: columns ?? [], object: object, options: options, by: context.caller)
            return try JSONResponse.make(MappingDTO(mapping), status: .created, location: "/api/v1/import-mappings/\(mapping.id)")
        }
        api.get("import-mappings/:id") { _, context in
            try JSONResponse.make(MappingDTO(try await rapport.imports.mapping(try context.parameters.require("id"), by: context.caller)))
        }
        api.delete("import-mappings/:id") { _, context in
            try await rapport.imports.deleteMapping(try context.parameters.require("id"), by: context.caller)
            return JSONResponse.noContent()
        }
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
}

struct ImportCountersDTO: Encodable, Sendable {
    @Nullable var total: Int64?
    var processed: Int64
    var created: Int64
    var merged: Int64
    var flagged: Int64
    var errors: Int64
}

struct ImportDTO: Encodable, Sendable {
    var id: String
    var object: String
    var status: String
    var fileName: String
    var fileBytes: Int64
    var dryRun: Bool
    var allOrNothing: Bool
    var startPlaybooks: Bool
    var policy: String
    var columns: [ImportColumn]
    /// Columns of the file the mapping ignores (not a field of the object or its dictionary).
    var ignoredColumns: [String]
    @Nullable var pool: String?
    @Nullable var nameTemplate: String?
    var emptyValues: [String]
    @Nullable var currency: String?
    @Nullable var pipeline: String?
    @Nullable var valueMaps: [String: [String: String]]?
    var warnings: [ImportWarningDTO]
    var counters: ImportCountersDTO
    @Nullable var failure: String?
    @Nullable var createdBy: String?
    var createdAt: Date
    var updatedAt: Date
    @Nullable var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, object, status, policy, columns, counters, failure
        case fileName = "file_name", fileBytes = "file_bytes", dryRun = "dry_run", allOrNothing = "all_or_nothing", startPlaybooks = "start_playbooks"
        case createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at", finishedAt = "finished_at"
        case ignoredColumns = "ignored_columns", pool, nameTemplate = "name_template", emptyValues = "empty_values"
        case currency, pipeline, valueMaps = "value_maps", warnings
    }

    init(_ record: ImportStore.Record) {
        currency = record.options.currency
        pipeline = record.options.pipeline
        valueMaps = record.options.valueMaps
        warnings = record.warnings.map(ImportWarningDTO.init)
        id = record.id.rawValue
        object = record.object
        status = record.status.rawValue
        fileName = record.fileName
        fileBytes = record.fileBytes
        dryRun = record.options.dryRun
        allOrNothing = record.options.allOrNothing
        startPlaybooks = record.options.startPlaybooks ?? false
        policy = record.options.policy.rawValue
        columns = record.columns
        ignoredColumns = ImportUseCases.ignoredColumns(record)
        pool = record.options.pool
        nameTemplate = record.options.nameTemplate
        emptyValues = record.options.emptyValues ?? []
        counters = ImportCountersDTO(total: record.counters.total, processed: record.counters.processed, created: record.counters.created,
                                     merged: record.counters.merged, flagged: record.counters.flagged, errors: record.counters.errors)
        failure = record.failure
        createdBy = record.createdBy?.rawValue
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        finishedAt = record.finishedAt
    }
}

struct ImportWarningDTO: Encodable, Sendable {
    var code: String
    var subject: String
    var message: String
    var count: Int64
    var firstLine: Int64

    enum CodingKeys: String, CodingKey {
        case code, subject, message, count
        case firstLine = "first_line"
    }

    init(_ warning: ImportWarning) {
        code = warning.code
        subject = warning.subject
        message = warning.message
        count = warning.count
        firstLine = warning.firstLine
    }
}

struct ImportErrorDTO: Encodable, Sendable {
    var line: Int64
    var column: String
    var code: String
    var message: String

    init(_ error: ImportStore.RowError) {
        line = error.line
        column = error.field
        code = error.code
        message = error.message
    }
}

struct ImportPreviewDTO: Encodable, Sendable {
    var headers: [String]
    var sample: [[String]]
    var suggestedColumns: [ImportColumn]

    enum CodingKeys: String, CodingKey {
        case headers, sample
        case suggestedColumns = "suggested_columns"
    }

    init(_ preview: ImportUseCases.Preview) {
        headers = preview.headers
        sample = preview.sample
        suggestedColumns = preview.suggested
    }
}

struct MappingDTO: Encodable, Sendable {
    var id: String
    var name: String
    var object: String
    var columns: [ImportColumn]
    @Nullable var nameTemplate: String?
    var emptyValues: [String]
    @Nullable var currency: String?
    @Nullable var pipeline: String?
    @Nullable var valueMaps: [String: [String: String]]?
    var version: Int64
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, object, columns, version
        case createdAt = "created_at", updatedAt = "updated_at", nameTemplate = "name_template", emptyValues = "empty_values"
        case currency, pipeline, valueMaps = "value_maps"
    }

    init(_ mapping: ImportStore.Mapping) {
        currency = mapping.options.currency
        pipeline = mapping.options.pipeline
        valueMaps = mapping.options.valueMaps
        nameTemplate = mapping.options.nameTemplate
        emptyValues = mapping.options.emptyValues ?? []
        id = mapping.id.rawValue
        name = mapping.name
        object = mapping.object
        columns = mapping.columns
        version = mapping.version
        createdAt = mapping.createdAt
        updatedAt = mapping.updatedAt
    }
}
