import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RapportCore

/// The envelope of every request: an id (echoed in `X-Request-Id`), the client's address (through
/// trusted proxies), baseline security headers, and one structured log line: method, route
/// template (never the raw path or query, which may carry personal data), status and duration.
public struct RequestEnvelopeMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let makeID: @Sendable () -> String
    let proxies: TrustedProxies

    public init(proxies: TrustedProxies = .none, makeID: @escaping @Sendable () -> String) {
        self.proxies = proxies
        self.makeID = makeID
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let started = ContinuousClock.now
        context.requestID = Self.acceptable(request.headers[.xRequestID]) ?? makeID()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        context.remoteAddress = proxies.clientAddress(peer: context.remoteAddress, forwardedFor: request.headers[.xForwardedFor])
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID
        response.headers[.xContentTypeOptions] = "nosniff"
        if request.uri.path.hasPrefix("/api/"), response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"  // API answers carry personal data
        }
        let elapsed = ContinuousClock.now - started
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        let level: Logger.Level = response.status.code >= 500 ? .error : .info
        context.logger.log(level: level, "request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(response.status.code),
            "duration_us": .stringConvertible(micros),
        ])
        return response
    }

    /// A client-sent id is kept only if short and plain (it ends up in logs).
    static func acceptable(_ value: String?) -> String? {
        guard let value, (1...64).contains(value.utf8.count),
              value.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 || $0 == 46 })
        else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
