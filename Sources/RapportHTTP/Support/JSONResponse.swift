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
        let body: ByteBuffer
        if let writable = value as? any JSONWritable {
            body = ByteBuffer(bytes: writable.jsonBytes())
        } else {
            body = ByteBuffer(bytes: try JSONCoding.encoder.encode(value))
        }
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let etag { headers[.eTag] = "\"\(etag)\"" }
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
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
        try PageRequest.parse(limit: query("limit"), cursor: query("cursor"))
    }

    /// A query parameter as text, if present and not empty, decoded as browsers and HTTP
    /// libraries encode forms: `+` is a space, `%XX` a byte of UTF-8.
    func query(_ name: String) -> String? {
        guard let raw = uri.query else { return nil }
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.formDecode(parts[0]) == name else { continue }
            let value = parts.count > 1 ? Self.formDecode(parts[1]) : ""
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Decodes one component of an `application/x-www-form-urlencoded` query.
    static func formDecode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The version a PATCH is based on: `If-Match: "3"` (or `version` in the body).
    ///
    /// Without either, `precondition_required` (428): a change must say what it changes.
    /// `If-Match: *` (nil) applies the change to whatever version is current.
    func expectedVersion(body: inout JSONBody) throws -> Int64? {
        let fromBody = body.integer("version")
        if fromBody == nil && body.has("version") { try body.finish() }  // a mistyped version is a 422, not a 428
        if let header = headers[.ifMatch] {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            if trimmed == "*" { return nil }
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
