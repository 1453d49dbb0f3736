import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RapportApp
import RapportCore

/// The per-request context of the API: the request id, the caller's address and, once
/// authenticated, the principal.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id: the client's `X-Request-Id` when well-formed, otherwise one we make.
    public var requestID: String = ""
    /// The authenticated principal, set by the authentication middleware.
    public var principal: Principal?
    /// The peer's IP address.
    public var remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The JSON body limit is enforced by ``JSONBody``, which answers 413 with a problem document.
    public var maxUploadSize: Int { APIRequestContext.maximumBodyBytes }

    /// The largest JSON body accepted (1 MiB).
    public static let maximumBodyBytes = 1 << 20

    /// The caller for use cases: the principal (if any), the address and the door.
    public var caller: Caller { Caller(principal: principal, address: remoteAddress, channel: "api") }

    /// The principal, or `unauthorized` (routes behind the authentication middleware always have one).
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw RapportError(.unauthorized, "Authentication is required.") }
        return principal
    }
}
