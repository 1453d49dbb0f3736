import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RapportCore

/// Turns every error into a problem document. Domain errors keep their code; the framework's
/// HTTP errors get one; anything else is logged with the request id and answered with a bare 500.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let routes: RouteTable

    public init(routes: RouteTable) { self.routes = routes }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RapportError {
            return Problem(error, requestID: context.requestID).response(retryAfter: error.retryAfterSeconds)
        } catch let error as HTTPError {
            // The router answers a known path with an unknown method as "not found"; it is 405.
            // (Handlers never throw HTTPError: their 404s are RapportError and never reach here.)
            if error.status == .notFound {
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty && !allowed.contains(request.method.rawValue) {
                    var response = Problem(RapportError(.methodNotAllowed, "This address does not accept \(request.method.rawValue)."), requestID: context.requestID).response()
                    response.headers[.allow] = allowed.sorted().joined(separator: ", ")
                    return response
                }
            }
            return Problem(Self.translate(error), requestID: context.requestID).response()
        } catch {
            // The cause goes to the log (by type, never the values it carries); the client gets nothing of it.
            context.logger.error("unhandled error", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
            return Problem(RapportError(.internal, "Something went wrong on our side; the request id identifies it in our logs."), requestID: context.requestID).response()
        }
    }

    static func translate(_ error: HTTPError) -> RapportError {
        switch error.status {
        case .notFound: RapportError(.notFound, "There is nothing at this address.")
        case .methodNotAllowed: RapportError(.methodNotAllowed, "This address does not accept that method.")
        case .contentTooLarge: RapportError(.payloadTooLarge, "The body is too large.")
        case .unsupportedMediaType: RapportError(.unsupportedMediaType, "That content type is not accepted here.")
        case .unauthorized: RapportError(.unauthorized, "Authentication is required.")
        case .forbidden: RapportError(.forbidden, "You may not do that.")
        case .badRequest: RapportError(.malformedRequest, "The request is malformed.")
        default:
            error.status.code >= 500
                ? RapportError(.internal, "Something went wrong on our side.")
                : RapportError(.malformedRequest, "The request could not be handled.")
        }
    }
}
