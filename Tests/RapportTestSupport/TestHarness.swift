import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RapportApp
import RapportCore
import RapportHTTP
import RapportServer
import RapportStorage
import SQLKit

/// One test's world: a fresh database on a backend, the application on it with a test clock,
/// and helpers to make users and teams. Everything goes through the real use cases.
public struct TestHarness: Sendable {
    public let backend: TestBackend
    public let database: TestDatabase
    public let rapport: Rapport
    public let clock: TestClock

    /// The instant every test starts at.
    public static let start = Date(timeIntervalSince1970: 1_767_603_600)  // 2026-01-05T09:00:00Z

    /// Runs `body` with a migrated, empty application on `backend`, then drops the database.
    public static func with<T: Sendable>(
        _ backend: TestBackend, settings: RapportSettings = RapportSettings(), exposeTestClock: Bool = true,
        _ body: @Sendable (TestHarness) async throws -> T
    ) async throws -> T {
        try await PostgresGate.holding(backend) {
            let database = try await TestDatabase.make(backend)
            do {
                let result = try await open(database, settings: settings, exposeTestClock: exposeTestClock) { harness in try await body(harness) }
                await database.drop()
                return result
            } catch {
                await database.drop()
                throw error
            }
        }
    }

    /// Opens another application instance on an existing test database (a second process, say).
    public static func open<T: Sendable>(
        _ database: TestDatabase, settings: RapportSettings = RapportSettings(), clock: TestClock? = nil,
        exposeTestClock: Bool = true, _ body: @Sendable (TestHarness) async throws -> T
    ) async throws -> T {
        let clock = clock ?? TestClock(start)
        var policy = ScopePolicy.standard
        TestRecords.register(in: &policy)
        var logger = Logger(label: "rapport-test")
        logger.logLevel = .critical
        let runtime = try await RapportRuntime.open(
            database.configuration, logger: logger, clock: clock,
            migrator: RapportMigrations.migrator(adding: [TestRecords.migration]), policy: policy)
        let base = runtime.rapport
        let rapport = Rapport(
            database: base.database, clock: clock, ids: base.ids, passwords: base.passwords, settings: settings,
            accessSignal: base.access.changeSignal, migrator: base.migrator, testClock: exposeTestClock ? clock : nil,
            basePolicy: policy, logger: logger)
        return try await runtime.withDatabase { _ in
            try await rapport.system.migrate()
            return try await body(TestHarness(backend: database.backend, database: database, rapport: rapport, clock: clock))
        }
    }

    /// The system caller (as the command line acts).
    public var system: Caller { .system("test") }

    /// A user with a password, signed in: the user, a caller for use cases, and an API secret.
    public struct SignedIn: Sendable {
        public var user: User
        public var caller: Caller
        public var secret: String
        public var principal: Principal { caller.principal! }
    }

    public static let password = "correct-horse-battery"

    /// Creates a user (by the system) and signs them in.
    public func signedIn(_ role: Role, team: Team? = nil, email: String? = nil, level: String? = nil) async throws -> SignedIn {
        let email = email ?? "\(role.rawValue)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let user = try await rapport.users.create(
            .init(email: email, name: "\(role.rawValue.capitalized) \(email.prefix(4))", role: role.rawValue, repLevel: level, team: team?.id.rawValue, password: Self.password),
            by: system)
        let issued = try await rapport.auth.signIn(email: email, password: Self.password, address: "127.0.0.1")
        let principal = try await rapport.auth.authenticate(secret: issued.secret, address: "127.0.0.1")
        return SignedIn(user: user, caller: Caller(principal: principal, address: "127.0.0.1", channel: "api"), secret: issued.secret)
    }

    /// Creates a team (by the system).
    public func team(_ key: String, parent: Team? = nil) async throws -> Team {
        try await rapport.teams.create(.init(key: key, name: key.capitalized, parent: parent?.id.rawValue), by: system)
    }

    /// The HTTP router of the whole server on this application.
    public var router: Router<APIRequestContext> { RapportServer.router(rapport: rapport) }

    /// Runs `body` with an in-process HTTP client on the real router.
    public func http<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(client) }
    }

    /// How many rows a table has (to show bad input changed nothing).
    public func count(_ table: String) async throws -> Int {
        try await rapport.database.read { sql in
            let row = try await sql.raw(SQLQueryString("SELECT count(*) AS n FROM \(unsafeRaw: table)")).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }
}
