import Foundation
import Logging
import RapportApp
import ServiceLifecycle

/// Runs uploaded imports in the background: every second it takes any import that is waiting (or
/// whose worker died) and runs it to the end. Several instances share the work: claiming is one
/// atomic update, so each import has one worker at a time; a crashed worker's import is resumed
/// from its last committed batch.
struct ImportRunner: Service {
    let rapport: Rapport
    let logger: Logger
    let worker = "server-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            do {
                let ran = try await rapport.imports.runPending(worker: worker)
                if ran > 0 { logger.info("imports ran", metadata: ["count": .stringConvertible(ran)]) }
            } catch {
                logger.warning("import runner failed", metadata: ["error_type": .string(String(describing: type(of: error)))])
            }
        }
    }
}
