import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/exports`: customer exports, their approval queue, and the CSV download.
struct ExportRoutes {
    let rapport: Rapport

    static let filterFields: Set<String> = ["owner_id", "team_id", "stage", "source", "tag", "kind", "do_not_contact", "q"]

    /// Reads `filters` of a request body; errors are named `filters.<field>`.
    static func filters(_ body: inout JSONBody) -> CustomerUseCases.ListQuery {
        guard let fields = body.object("filters") else { return .init() }
        var nested = JSONBody(fields: fields)
        for key in fields.keys.sorted() where !filterFields.contains(key) {
            nested.errors.append(FieldError(field: key, code: "unknown_field", message: "\(key) is not a filter of customer exports."))
        }
        let query = CustomerUseCases.ListQuery(
            owner: nested.string("owner_id"), team: nested.string("team_id"), stage: nested.string("stage"), source: nested.string("source"),
            tag: nested.string("tag"), kind: nested.string("kind"), doNotContact: nested.bool("do_not_contact"), q: nested.string("q"))
        body.errors.append(contentsOf: nested.errors.map { FieldError(field: "filters.\($0.field)", code: $0.code, message: "filters.\($0.message)") })
        return query
    }

    /// The optional `note` of a decision; a decision may be sent without a body.
    static func note(_ request: Request) async throws -> String? {
        guard request.headers[.contentType] != nil else { return nil }
        var body = try await JSONBody.read(request, accepts: ["note"])
        let note = body.string("note")
        try body.finish()
        return note
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.post("exports") { request, context in
            var body = try await JSONBody.read(request, accepts: ["object", "filters", "columns", "format"])
            let object = body.string("object", required: true)
            let filters = Self.filters(&body)
            let columns = body.strings("columns")
            let format = body.string("format") ?? "csv"
            try body.finish()
            let export = try await rapport.exports.request(
                .init(object: object ?? "", filters: filters, columns: columns, format: format), by: context.caller)
            return try JSONResponse.make(ExportDTO(export), status: .created, etag: export.version, location: "/api/v1/exports/\(export.id)")
        }
        api.get("exports") { request, context in
            let page = try await rapport.exports.list(status: request.query("status"), page: try request.pageRequest(), by: context.caller)
            return try JSONResponse.make(ListResponse(page, ExportDTO.init))
        }
        api.get("exports/:id") { _, context in
            let export = try await rapport.exports.get(try context.parameters.require("id"), by: context.caller)
            return try JSONResponse.make(ExportDTO(export), etag: export.version)
        }
        api.post("exports/:id/approve") { request, context in
            let export = try await rapport.exports.approve(try context.parameters.require("id"), note: try await Self.note(request), by: context.caller)
            return try JSONResponse.make(ExportDTO(export), etag: export.version)
        }
        api.post("exports/:id/reject") { request, context in
            let export = try await rapport.exports.reject(try context.parameters.require("id"), note: try await Self.note(request), by: context.caller)
            return try JSONResponse.make(ExportDTO(export), etag: export.version)
        }
        api.get("exports/:id/download") { request, context in
            let bom = try Self.byteOrderMark(request)
            let download = try await rapport.exports.download(try context.parameters.require("id"), by: context.caller)
            return Response(status: .ok, headers: Self.downloadHeaders(download.fileName), body: ResponseBody { writer in
                _ = try await download.write(byteOrderMark: bom) { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                try await writer.finish(nil)
            })
        }
        // HEAD answers whether a download would start, without starting one (no audit, no rows).
        api.head("exports/:id/download") { request, context in
            _ = try Self.byteOrderMark(request)
            let export = try await rapport.exports.checkDownload(try context.parameters.require("id"), by: context.caller)
            // A body of unknown length, as the GET sends (an empty body would claim `Content-Length: 0`).
            return Response(status: .ok, headers: Self.downloadHeaders("customers-\(export.id.rawValue).csv"),
                            body: ResponseBody { writer in try await writer.finish(nil) })
        }
    }

    static func downloadHeaders(_ fileName: String) -> HTTPFields {
        [.contentType: ExportUseCases.Download.contentType, .contentDisposition: "attachment; filename=\"\(fileName)\""]
    }

    /// `?bom=true` starts the file with a UTF-8 byte-order mark (for Excel).
    static func byteOrderMark(_ request: Request) throws -> Bool {
        switch request.query("bom") {
        case nil, "false"?: return false
        case "true"?: return true
        default: throw RapportError.validation([FieldError(field: "bom", code: "invalid", message: "bom is true or false.")])
        }
    }
}
