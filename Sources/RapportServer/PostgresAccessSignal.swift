import Foundation
import Logging
import PostgresNIO
import RapportApp
import RapportPostgres
import ServiceLifecycle
import SQLKit
import Synchronization

/// Access changes across instances on PostgreSQL: the changing transaction sends
/// `NOTIFY rapport_access` (delivered on commit) and every instance listens, dropping its access
/// cache on each notification — and whenever the listening connection was lost, since news may
/// have been missed meanwhile.
final class PostgresAccessSignal: AccessChangeSignal, Service {
    static let channel = "rapport_access"
    private let database: PostgresEngine
    private let stamp = Atomic<UInt64>(0)
    private let logger: Logger

    init(database: PostgresEngine, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    func announce(in sql: any SQLDatabase) async throws {
        try await sql.raw("NOTIFY rapport_access").run()
    }

    func committed() {}

    func externalStamp() -> UInt64 { stamp.load(ordering: .relaxed) }

    func run() async throws {
        var delay: Duration = .milliseconds(100)
        await database.waitUntilStarted()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        stamp.add(1, ordering: .relaxed)
                        delay = .milliseconds(100)
                        for try await _ in notifications.cancelOnGracefulShutdown() {
                            stamp.add(1, ordering: .relaxed)
                        }
                    }
                }
            } catch {
                stamp.add(1, ordering: .relaxed)
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                // Wait first: when the pool closes at shutdown (a command ending), the cancellation
                // arrives meanwhile and the loss is not worth a warning.
                try? await Task.sleep(for: delay)
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.warning("access listener lost its connection; retrying", metadata: ["error_type": .string(String(describing: type(of: error)))])
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
