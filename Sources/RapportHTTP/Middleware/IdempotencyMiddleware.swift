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
            return try await next(request, context)
        }
        var request = request
        let body = try await JSONBody.collect(&request)
        var fingerprint = Array("\(request.method.rawValue) \(request.uri.path)\n".utf8)
        fingerprint.append(contentsOf: body.readableBytesView)
        let hash = Digest.sha256Hex(fingerprint)

        switch try await rapport.idempotency.begin(principal: principal.userID, key: key, requestHash: hash) {
        case .replay(let stored):
            var headers: HTTPFields = [.idempotentReplayed: "true"]
            if let type = stored.contentType { headers[.contentType] = type }
            if let location = stored.location { headers[.location] = location }
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
        if response.status.code >= 500 {
            try? await rapport.idempotency.release(principal.userID, key: key)
            return response
        }
        let collector = BodyCollector()
        var copy = response
        try await copy.body.write(collector)
        let bytes = collector.buffer
        try await rapport.idempotency.complete(principal.userID, key: key, response: .init(
            status: Int(response.status.code), contentType: response.headers[.contentType], location: response.headers[.location],
            body: String(decoding: bytes.readableBytesView, as: UTF8.self)))
        copy.body = .init(byteBuffer: bytes)
        return copy
    }
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
