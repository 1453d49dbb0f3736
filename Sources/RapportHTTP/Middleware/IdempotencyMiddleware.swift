import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportStorage

/// `Idempotency-Key` on POST: the same key and body replay the first response (with
/// `Idempotent-Replayed: true`) and cause no second effect; the same key with another body is
/// refused (422); a duplicate that arrives while the first is running is refused (409).
///
/// Responses below 500 are kept for a day; after a 5xx the key is released so a retry can run.
public struct IdempotencyMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let rapport: Rapport

    public init(rapport: Rapport) { self.rapport = rapport }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[.idempotencyKey], let principal = context.principal else {
            var response = try await next(request, context)
            response.headers[.secretFields] = nil
            return response
        }
        var request = request
        // File uploads (imports) are fingerprinted whole, within their own limit.
        let limit = request.uri.path.hasPrefix("/api/v1/imports") ? ImportUseCases.maximumBytes : APIRequestContext.maximumBodyBytes
        let body = try await JSONBody.collect(&request, limit: limit)
        var fingerprint = Array("\(request.method.rawValue) \(request.uri.path)\n".utf8)
        fingerprint.append(contentsOf: body.readableBytesView)
        let hash = Digest.sha256Hex(fingerprint)

        switch try await rapport.idempotency.begin(principal: principal.userID, key: key, requestHash: hash) {
        case .replay(let stored):
            var headers: HTTPFields = [.idempotentReplayed: "true"]
            for (name, value) in stored.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
        case .proceed:
            break
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as RapportError {
            response = Problem(error, requestID: context.requestID).response(retryAfter: error.retryAfterSeconds)
        } catch {
            try? await rapport.idempotency.release(principal.userID, key: key)
            throw error
        }
        // A 5xx or a rate limit is not an outcome to replay: the key is released so a retry runs.
        if response.status.code >= 500 || response.status.code == 429 {
            try? await rapport.idempotency.release(principal.userID, key: key)
            return response
        }
        let collector = BodyCollector()
        var copy = response
        try await copy.body.write(collector)
        let bytes = collector.buffer
        var stored = String(decoding: bytes.readableBytesView, as: UTF8.self)
        if let secrets = response.headers[.secretFields] {
            // Secrets are shown once and never stored: a replay carries everything but them.
            stored = Self.removing(secrets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, from: stored)
        }
        var headers: [String: String] = [:]
        for name in Self.replayedHeaders { if let value = response.headers[name] { headers[name.canonicalName] = value } }
        try await rapport.idempotency.complete(principal.userID, key: key, response: .init(status: Int(response.status.code), headers: headers, body: stored))
        copy.body = .init(byteBuffer: bytes)
        copy.headers[.secretFields] = nil
        return copy
    }
}

extension IdempotencyMiddleware {
    /// The headers a replay repeats.
    static let replayedHeaders: [HTTPField.Name] = [.contentType, .location, .eTag, .cacheControl]

    /// The JSON object `body` without the top-level `fields`.
    static func removing(_ fields: [String], from body: String) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else { return body }
        for field in fields { object.removeValue(forKey: field) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return body }
        return String(decoding: data, as: UTF8.self)
    }
}

extension HTTPField.Name {
    /// Set by a route on a response that carries secrets (comma-separated top-level fields): the
    /// idempotency store keeps the response without them. Never sent to the client.
    static let secretFields = HTTPField.Name("X-Rapport-Secret-Fields")!
}

/// Collects a response body into one buffer.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
