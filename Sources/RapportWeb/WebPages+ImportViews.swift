import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// An import as a row of the imports page.
struct ImportRow {
    var id: String
    var fileName: String
    var object: String
    var status: String
    var counts: String
    var when: String

    init(web: WebContext, record: ImportStore.Record, formatter: DateFormatter) {
        id = record.id.rawValue
        fileName = record.fileName
        object = web.text("import_object_\(record.object)")
        status = web.text("import_status_\(record.status.rawValue)")
        let c = record.counters
        counts = record.status == .staged ? "" : web.text("import_counts", [
            "rows": web.locale.number(Int(c.total ?? c.processed)), "created": web.locale.number(Int(c.created)),
            "merged": web.locale.number(Int(c.merged)), "errors": web.locale.number(Int(c.errors)),
        ])
        when = formatter.string(from: record.createdAt)
    }
}

/// The imports page: recent imports and the upload form.
struct ImportsBody {
    var imports: [ImportRow]
    var objects: [WebOption]
    var delimiters: [WebOption]
    var sizeText: String
    var nextPage: String?
    var firstPage: String?

    init(web: WebContext, found: Page<ImportStore.Record>, first: Bool) {
        let formatter = web.locale.dateFormatter()
        imports = found.items.map { ImportRow(web: web, record: $0, formatter: formatter) }
        objects = WebOption.list(ImportUseCases.objects.map { ($0, web.text("import_object_\($0)")) }, chosen: ImportUseCases.customers)
        delimiters = WebOption.list([(",", web.text("delimiter_comma")), (";", web.text("delimiter_semicolon")), ("tab", web.text("delimiter_tab"))], chosen: ",")
        sizeText = web.text("import_size_limit", ["mib": String(ImportUseCases.maximumBytes >> 20)])
        nextPage = found.nextCursor.map { WebPages.queryPath("/imports", [("cursor", $0.token)]) }
        firstPage = first ? nil : "/imports"
    }
}

/// The mapping step: each column of the file with a choice of the field it fills.
struct ImportMappingBody {
    struct Column {
        var index: Int
        var header: String
        var example: String?
        var options: [WebOption]
    }

    struct SampleRow {
        var cells: [String]
    }

    var id: String
    var fileName: String
    var objectLabel: String
    var columns: [Column]
    var headers: [String]
    var sample: [SampleRow]
    var saved: [WebOption]
    var hasSaved: Bool
    var isLeads: Bool
    var nameTemplate: String
    var error: String?
    var details: [String]
    var hasDetails: Bool

    init(web: WebContext, record: ImportStore.Record, preview: ImportUseCases.Preview, chosen: [ImportColumn], dictionary: ObjectDictionary,
         saved: [ImportStore.Mapping], savedID: String?, nameTemplate: String?, error: RapportError?) {
        let zh = web.locale.code == "zh-Hans"
        isLeads = record.object == ImportUseCases.leads
        let fields = (isLeads ? LeadImportFields.all : CustomerImportFields.all).map { ($0, web.text("record_field_\($0)")) }
            + dictionary.activeFields.map { ("custom_fields.\($0.key)", zh ? $0.label.zhHans : $0.label.en) }
        let choices = [(ImportColumn.ignore, web.text("record_field_ignore"))] + fields
        id = record.id.rawValue
        fileName = record.fileName
        objectLabel = web.text("import_object_\(record.object)")
        headers = preview.headers
        sample = preview.sample.map { row in SampleRow(cells: preview.headers.indices.map { $0 < row.count ? row[$0] : "" }) }
        columns = preview.headers.enumerated().map { index, header in
            let field = index < chosen.count && chosen[index].header == header ? chosen[index].field
                : chosen.first { $0.header == header }?.field ?? ImportColumn.ignore
            let example = preview.sample.lazy.compactMap { index < $0.count ? $0[index].trimmingCharacters(in: .whitespaces) : nil }.first { !$0.isEmpty }
            return Column(index: index, header: header, example: example, options: WebOption.list(choices, chosen: field))
        }
        self.saved = [WebOption(value: "", label: web.text("mapping_guessed"), selected: savedID == nil)]
            + WebOption.list(saved.map { ($0.id.rawValue, $0.name) }, chosen: savedID)
        hasSaved = !saved.isEmpty
        self.nameTemplate = nameTemplate ?? ""
        self.error = error.map { _ in web.text("mapping_refused") }
        details = error?.fieldErrors.map { field in
            if field.field == "columns", field.code == "required" { return web.text("mapping_name_required") }
            var name = field.field
            if field.field.hasPrefix("columns["), let end = field.field.firstIndex(of: "]"),
               let index = Int(field.field[field.field.index(field.field.startIndex, offsetBy: 8)..<end]), index < preview.headers.count {
                name = preview.headers[index]
            }
            return web.fieldError(field, named: name)
        } ?? []
        hasDetails = !details.isEmpty
    }
}

/// An import after its mapping: progress while it runs, the dry run's counts and first errors
/// with the button that runs it for real, or the result with the error report.
struct ImportRunBody {
    struct Count {
        var label: String
        var value: String
    }

    struct RowError {
        var line: String
        var column: String
        var message: String
    }

    var id: String
    var fileName: String
    var objectLabel: String
    var statusLabel: String
    var running: Bool
    var progressText: String
    var dryRunDone: Bool
    /// A lead import may start the "lead assigned" playbooks when it runs.
    var offersPlaybooks: Bool
    var counts: [Count]
    var failure: String?
    var errors: [RowError]
    var hasErrors: Bool
    var errorsNote: String?
    var errorReport: String?

    init(web: WebContext, record: ImportStore.Record, errors: [ImportStore.RowError]) {
        let number = { (value: Int64) in web.locale.number(Int(value)) }
        let c = record.counters
        id = record.id.rawValue
        fileName = record.fileName
        objectLabel = web.text("import_object_\(record.object)")
        statusLabel = web.text("import_status_\(record.status.rawValue)")
        running = !record.status.isFinished
        progressText = c.total.map { web.text("import_progress_of", ["n": number(c.processed), "total": number($0)]) }
            ?? web.text("import_progress", ["n": number(c.processed)])
        dryRunDone = record.status == .validated
        offersPlaybooks = record.object == ImportUseCases.leads
        let checked = record.options.dryRun || record.status == .validating || (record.status == .failed && record.options.allOrNothing)
        let prefix = checked ? "would_" : ""
        counts = [
            Count(label: web.text("import_rows"), value: number(c.total ?? c.processed)),
            Count(label: web.text("import_\(prefix)create"), value: number(c.created)),
            Count(label: web.text("import_\(prefix)update"), value: number(c.merged)),
            Count(label: web.text("import_\(prefix)flag"), value: number(c.flagged)),
            Count(label: web.text("import_\(prefix)skip"), value: number(c.errors)),
        ]
        failure = record.status == .failed ? web.text("import_failed", ["reason": record.failure ?? ""]) : nil
        self.errors = errors.map { error in
            let key = ["import_error_\(error.code)", "field_error_\(error.code)"].first { web.locale.strings[$0] != nil }
            let message = key.map { web.text($0, ["field": error.field]) } ?? error.message
            return RowError(line: number(error.line), column: error.field, message: message)
        }
        hasErrors = !errors.isEmpty
        let lines = Set(errors.map(\.line)).count
        errorsNote = c.errors > Int64(lines) ? web.text("import_more_errors", ["n": number(Int64(lines)), "total": number(c.errors)]) : nil
        errorReport = c.errors > 0 ? "/imports/\(WebPages.segment(id))/errors.csv" : nil
    }
}
