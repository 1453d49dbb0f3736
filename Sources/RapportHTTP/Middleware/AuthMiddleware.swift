import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// Requires `Authorization: Bearer <token>` and sets the principal. Every check happens in the
/// use case (`AuthUseCases.authenticate`), which answers from the access cache when it can.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    let rapport: Rapport

    public init(rapport: Rapport) { self.rapport = rapport }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw RapportError(.unauthorized, "Send Authorization: Bearer <token>.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw RapportError(.unauthorized, "Send Authorization: Bearer <token>.")
        }
        var context = context
        context.principal = try await rapport.auth.authenticate(secret: String(parts[1]).trimmingCharacters(in: .whitespaces), address: context.remoteAddress)
        return try await next(request, context)
    }
}
