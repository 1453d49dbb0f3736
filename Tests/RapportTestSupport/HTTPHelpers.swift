import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Small helpers for in-process HTTP tests.
extension TestClientProtocol {
    /// Sends `json` (already encoded text) with the usual headers.
    public func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
        headers extra: [String: String] = [:], contentType: String = "application/json"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = contentType }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Sends raw bytes as the body.
    public func sendBytes(_ method: HTTPRequest.Method, _ uri: String, token: String?, bytes: [UInt8], contentType: String = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
    }
}

extension TestResponse {
    /// The body parsed as a JSON object (empty when it is not one).
    public var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The body as text.
    public var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }

    /// The problem document's `code`, if the body is one.
    public var problemCode: String? { object["code"] as? String }

    /// The field codes of a validation problem, as `field:code`.
    public var fieldErrors: Set<String> {
        Set(((object["errors"] as? [[String: Any]]) ?? []).map { "\($0["field"] as? String ?? ""):\($0["code"] as? String ?? "")" })
    }
}
