import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// Imports in steps: the caller's recent imports and an upload form; the file kept as a staged
    /// import (the import machinery's own storage) while its columns are mapped; the dry run's
    /// counts and first errors; the real run's progress; and the per-row error report.
    func addImports(to router: Router<APIRequestContext>) {
        page(router, "imports") { request, _, web in
            let query = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
            let page = try PageRequest.parse(limit: "20", cursor: query["cursor"])
            let found = try await rapport.imports.list(page: page, by: web.caller)
            return web.page("imports", title: web.text("imports"), ImportsBody(web: web, found: found, first: page.cursor == nil))
        }
        router.post("imports") { request, context in
            var request = request
            guard let web = try await webContext(request, context) else { return Self.redirect("/login") }
            return await rendering(web, request) {
                guard let form = try await MultipartForm.read(&request, limit: ImportUseCases.maximumBytes + Self.maximumFormBytes) else {
                    throw RapportError(.unsupportedMediaType, "Send the file with the upload form.")
                }
                guard WebSession.same(form.text(WebSession.csrfField), web.csrf) else {
                    return errorPage(web, request, RapportError(.forbidden, "The form's token does not match the session."), titleKey: "form_expired")
                }
                guard let file = form.parts["file"], !file.bytes.isEmpty else {
                    throw RapportError.validation([FieldError(field: "file", code: "required", message: "Choose a CSV file.")])
                }
                let object = form.text("object") ?? ImportUseCases.customers
                let delimiter = form.text("delimiter").map { $0 == "tab" ? "\t" : $0 } ?? ","
                let name = (file.fileName?.isEmpty == false ? file.fileName : nil) ?? "upload.csv"
                let staged = try await rapport.imports.stage(
                    .init(object: object, fileName: name, bytes: file.bytes, options: .init(delimiter: delimiter)), by: web.caller)
                return web.redirect("/imports/" + Self.segment(staged.id.rawValue))
            }
        }
        page(router, "imports/:id") { request, context, web in
            let id: String = try context.parameters.require("id")
            let record = try await rapport.imports.get(id, by: web.caller)
            if record.status == .staged {
                let query = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
                var columns: [ImportColumn]?
                if let saved = query["mapping"] { columns = try await rapport.imports.mapping(saved, by: web.caller).columns }
                return try await mappingPage(web, record, chosen: columns, savedID: query["mapping"])
            }
            let errors = record.counters.errors > 0
                ? try await rapport.imports.errors(id, page: PageRequest(limit: 20), by: web.caller).items : []
            let body = ImportRunBody(web: web, record: record, errors: errors)
            return web.page("imports_run", title: web.text("import_of", ["file": record.fileName]), body)
        }
        action(router, "imports/:id/mapping") { _, context, web, form in
            let id: String = try context.parameters.require("id")
            let record = try await rapport.imports.get(id, by: web.caller)
            let preview = try await rapport.imports.stagedPreview(id, rows: 0, by: web.caller)
            let columns = preview.headers.indices.map { ImportColumn(header: preview.headers[$0], field: form["field_\($0)"] ?? ImportColumn.ignore) }
            do {
                _ = try await rapport.imports.queueStaged(id, columns: columns, nameTemplate: form["name_template"], by: web.caller)
            } catch let error as RapportError where error.code == .validationFailed {
                return try await mappingPage(web, record, chosen: columns, savedID: nil, nameTemplate: form["name_template"], error: error)
            }
            if let name = form["save_mapping"] {
                _ = try await rapport.imports.saveMapping(name: name, columns: columns, object: record.object,
                                                          options: .init(nameTemplate: form["name_template"]), by: web.caller)
            }
            return web.redirect("/imports/" + Self.segment(id))
        }
        action(router, "imports/:id/run") { _, context, web, form in
            let id: String = try context.parameters.require("id")
            _ = try await rapport.imports.commit(id, allOrNothing: form["all_or_nothing"] == "true", startPlaybooks: form["start_playbooks"] == "true",
                                                 by: web.caller)
            return web.redirect("/imports/" + Self.segment(id))
        }
        page(router, "imports/:id/errors.csv") { _, context, web in
            let id: String = try context.parameters.require("id")
            let report = try await rapport.imports.errorReport(id, by: web.caller)
            return Response(status: .ok, headers: [
                .contentType: "text/csv; charset=utf-8", HTTPField.Name("Content-Disposition")!: "attachment; filename=\"\(Self.segment(id))-errors.csv\"",
                .cacheControl: "no-store", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ], body: .init(byteBuffer: ByteBuffer(string: report)))
        }
    }

    /// The mapping step of a staged import: each column of the file with the field it fills
    /// (guessed, a saved mapping's, or as just chosen), the first rows, and why a mapping was refused.
    func mappingPage(_ web: WebContext, _ record: ImportStore.Record, chosen: [ImportColumn]?, savedID: String?, nameTemplate: String? = nil,
                     error: RapportError? = nil) async throws -> Response {
        let preview = try await rapport.imports.stagedPreview(record.id.rawValue, by: web.caller)
        let dictionary = try await rapport.dictionary.get(record.object == ImportUseCases.leads ? "lead" : "customer", by: web.caller).dictionary
        let saved = try await rapport.imports.mappings(object: record.object, by: web.caller)
        let body = ImportMappingBody(web: web, record: record, preview: preview, chosen: chosen ?? preview.suggested, dictionary: dictionary,
                                     saved: saved, savedID: savedID, nameTemplate: nameTemplate ?? record.options.nameTemplate, error: error)
        return web.page("imports_mapping", title: web.text("import_map_columns"), body,
                        status: error.map { Problem.status(of: $0.code) } ?? .ok)
    }
}
