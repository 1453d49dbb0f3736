import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RapportWeb

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

/// Web pages in tests: a signed-in browser is a session cookie (a sign-in secret) and the CSRF
/// token derived from it.
extension TestClientProtocol {
    /// GETs a page as the holder of session `secret`, reading `language`.
    public func page(_ uri: String, session secret: String, language: String = "en") async throws -> TestResponse {
        try await send(.get, uri, headers: ["Cookie": "\(WebSession.cookie)=\(secret)", "Accept-Language": language])
    }

    /// Posts a url-encoded form as the holder of session `secret`, with the session's CSRF token
    /// (or `csrf` when given, to test refusals).
    public func submit(_ uri: String, session secret: String, _ fields: [(String, String)], csrf: String? = nil, language: String = "en") async throws -> TestResponse {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        let pairs = fields + [(WebSession.csrfField, csrf ?? WebSession.csrfToken(forSession: secret))]
        let body = pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
        return try await send(.post, uri, json: body, headers: ["Cookie": "\(WebSession.cookie)=\(secret)", "Accept-Language": language],
                              contentType: "application/x-www-form-urlencoded")
    }
}
