import Foundation
import Hummingbird
import Logging
import NIOCore

/// A real HTTP server on 127.0.0.1 (an ephemeral port) that records every request posted to it
/// and answers with the statuses it is told to (200 once they run out): the far end of webhooks.
public actor LocalReceiver {
    public struct Received: Sendable {
        public var path: String
        public var headers: [String: String]
        public var body: Data
    }

    public private(set) var requests: [Received] = []
    private var statuses: [Int] = []

    public init() {}

    /// Answers the next requests with these statuses, in order.
    public func answer(_ statuses: [Int]) { self.statuses = statuses }

    func take(_ request: Received) -> Int {
        requests.append(request)
        return statuses.isEmpty ? 200 : statuses.removeFirst()
    }

    /// Runs `body` with the server listening; `body` gets the base URL (`http://127.0.0.1:PORT`).
    public static func with<T: Sendable>(_ receiver: LocalReceiver, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("**") { request, _ in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = await receiver.take(Received(path: request.uri.path, headers: headers, body: Data(buffer.readableBytesView)))
            return Response(status: .init(code: status))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "local-receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
