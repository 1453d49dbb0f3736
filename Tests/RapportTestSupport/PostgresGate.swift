import Foundation

/// At most ``limit`` PostgreSQL test databases at a time. Swift Testing starts every test at once;
/// hundreds of schemas migrating together each with a pool of connections ran a 2-core CI machine
/// out of PostgreSQL connections (the pools' circuit breakers tripped after a minute of refusals).
/// SQLite tests are not gated.
actor PostgresGate {
    static let shared = PostgresGate(limit: 24)

    let limit: Int
    var inUse = 0
    var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            inUse -= 1
        } else {
            waiting.removeFirst().resume()  // the slot passes straight to the next waiter
        }
    }

    /// Runs `body` holding a slot when `backend` is PostgreSQL.
    static func holding<T: Sendable>(_ backend: TestBackend, _ body: () async throws -> T) async throws -> T {
        guard backend == .postgres else { return try await body() }
        await shared.acquire()
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }
}
