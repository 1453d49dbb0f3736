import Foundation
import Logging
import RapportApp
import RapportCore
import RapportPostgres
import RapportSQLite
import RapportStorage
import RapportWeb
import ServiceLifecycle

/// The composition root: opens the configured database and builds the application on it.
///
/// Commands that touch data (`serve`, `migrate`, `users`, `audit`) all come through here, so they
/// act on the same database the same way.
public struct RapportRuntime: Sendable {
    public let configuration: ServerConfiguration
    public let rapport: Rapport
    /// Background services the database needs (the PostgreSQL pool and its access listener).
    let databaseServices: [any Service]

    /// Opens the database named by `configuration` and builds the application.
    public static func open(
        _ configuration: ServerConfiguration, logger: Logger, clock: (any RapportClock)? = nil,
        ids: any IDGenerating = RandomIDGenerator(), migrator: Migrator = RapportMigrations.migrator(),
        policy: ScopePolicy = .standard
    ) async throws -> RapportRuntime {
        let testClock = configuration.testClock ? TestClock(Date()) : nil
        let database: any RapportDatabase
        let signal: any AccessChangeSignal
        var services: [any Service] = []
        if let url = configuration.databaseURL {
            let postgres: PostgresEngine
            do {
                postgres = try PostgresEngine(url: url, maximumConnections: configuration.maximumConnections, logger: logger)
            } catch let error as PostgresEngine.InvalidURL {
                throw ServerConfiguration.Invalid(key: "database_url", message: "is not usable: \(error.reason)")
            }
            let listener = PostgresAccessSignal(database: postgres, logger: logger)
            services = [DatabaseService(database: postgres), listener]
            database = postgres
            signal = listener
        } else {
            database = try await SQLiteEngine.open(path: configuration.sqlitePath, readerCount: configuration.sqliteReaders, logger: logger)
            signal = FileAccessSignal(path: configuration.sqlitePath + ".access")
        }
        var settings = RapportSettings()
        settings.mailer = configuration.smtp.map { SMTPMailer($0) }
        settings.noticeEmails = NoticeEmails(publicURL: configuration.publicURL)
        let rapport = Rapport(
            database: database, clock: clock ?? testClock ?? SystemClock(), ids: ids,
            passwords: PasswordHasher(cost: configuration.bcryptCost), settings: settings, accessSignal: signal, migrator: migrator,
            testClock: clock == nil ? testClock : (clock as? TestClock), basePolicy: policy, logger: logger)
        return RapportRuntime(configuration: configuration, rapport: rapport, databaseServices: services)
    }

    /// Runs `body` while the database's background services run, then closes the database.
    public func withDatabase<T: Sendable>(_ body: @Sendable (Rapport) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in databaseServices {
                group.addTask { try await service.run() }
            }
            defer { group.cancelAll() }
            do {
                let result = try await body(rapport)
                await rapport.database.close()
                return result
            } catch {
                await rapport.database.close()
                throw error
            }
        }
    }
}

/// Runs the database's own background work (the PostgreSQL pool) as a service.
struct DatabaseService: Service {
    let database: any RapportDatabase

    func run() async throws {
        // The pool stops when shutdown reaches it, after the services started after it.
        await cancelWhenGracefulShutdown { await database.run() }
    }
}
