import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportCore

/// Builds JSON responses of the API.
public enum JSONResponse {
    /// `value` as JSON with `status`; `etag` adds an `ETag` (a version), `location` a `Location`.
    public static func make(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, etag: Int64? = nil, location: String? = nil
    ) throws -> Response {
        let data = try JSONCoding.encoder.encode(value)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let etag { headers[.eTag] = "\"\(etag)\"" }
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A 204 with no body.
    public static func noContent() -> Response { Response(status: .noContent) }
}

/// A page of a list: `{"data": [...], "next_cursor": "…" | null}`.
public struct ListResponse<Item: Encodable & Sendable>: Encodable, Sendable {
    public var data: [Item]
    @Nullable public var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    public init<Source>(_ page: Page<Source>, _ transform: (Source) -> Item) {
        self.data = page.items.map(transform)
        self.nextCursor = page.nextCursor?.token
    }
}

extension Request {
    /// The page a list request asks for (`?limit=`, `?cursor=`).
    func pageRequest() throws -> PageRequest {
        try PageRequest.parse(limit: uri.queryParameters["limit"].map { String($0) }, cursor: uri.queryParameters["cursor"].map { String($0) })
    }

    /// A query parameter as text, if present and not empty.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters[Substring(name)], !value.isEmpty else { return nil }
        return String(value)
    }

    /// The version a PATCH is based on: `If-Match: "3"` (or `version` in the body).
    ///
    /// Without either, `precondition_required` (428): a change must say what it changes.
    func expectedVersion(body: inout JSONBody) throws -> Int64 {
        let fromBody = body.integer("version")
        if let header = headers[.ifMatch] {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            let unquoted = trimmed.hasPrefix("W/") ? String(trimmed.dropFirst(2)) : trimmed
            guard unquoted.count >= 3, unquoted.hasPrefix("\""), unquoted.hasSuffix("\""),
                  let version = Int64(unquoted.dropFirst().dropLast())
            else {
                throw RapportError.validation([FieldError(field: "If-Match", code: "invalid", message: "If-Match must be the ETag of the record, e.g. \"3\".")])
            }
            return version
        }
        if let fromBody { return Int64(fromBody) }
        throw RapportError(.preconditionRequired, "Send If-Match with the record's ETag (or its version) so a concurrent change is not lost.")
    }
}
