import Foundation
import Logging
import RapportCore
import RapportStorage
import SQLKit

/// Settings the use cases follow. Defaults are production values; every one is configurable.
public struct RapportSettings: Sendable {
    /// How long a token issued by signing in (`POST /auth/token`) lasts.
    public var loginTokenLifetime: TimeInterval = 30 * 86_400
    /// The default and the longest lifetime of a named API token, in days.
    public var defaultTokenDays = 90
    public var maximumTokenDays = 365
    /// Failed sign-ins per account within the window before the account is locked for a while.
    public var accountFailureLimit = 5
    /// Failed sign-ins per network address within the window before the address is locked.
    public var addressFailureLimit = 30
    public var throttleWindow: TimeInterval = 15 * 60
    public var lockoutDuration: TimeInterval = 15 * 60
    /// How long a stored idempotent response is replayed.
    public var idempotencyLifetime: TimeInterval = 24 * 3_600
    /// After this long, a request that claimed a key and never finished may be retried.
    public var idempotencyAbandonedAfter: TimeInterval = 5 * 60
    /// A token's last use (and an audit entry for it) is written at most this often.
    public var tokenUseInterval: TimeInterval = 3_600
    /// The business dictionary an object type reads until an administrator saves its own version.
    public var dictionaryTemplate: BusinessDictionary = .education
    /// The zone the business keeps its calendar in: when a due date has passed, what "today" is.
    public var businessTimeZone = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
    /// Sends notice emails and digests (the server's SMTP client when configured); nil: no email.
    public var mailer: (any Mailer)?
    /// Words notice emails and digests in each user's language (the server sets the web catalogue's).
    public var noticeEmails: (any NoticeEmailWriter)?

    public init() {}
}

/// The application: every behaviour is a use case reached from here, by the API, the web UI, the
/// command line and the jobs alike, so every permission check and invariant holds everywhere.
///
/// ```swift
/// let rapport = Rapport(database: db, clock: SystemClock(), ids: RandomIDGenerator(), logger: logger)
/// let me = try await rapport.users.me(caller)
/// ```
public final class Rapport: Sendable {
    public let database: any RapportDatabase
    public let clock: any RapportClock
    public let ids: any IDGenerating
    public let passwords: PasswordHasher
    public let settings: RapportSettings
    public let access: AccessCache
    public let migrator: Migrator
    public let logger: Logger
    /// Set when the server runs with `--test-clock`: the clock black-box tests may move.
    public let testClock: TestClock?
    /// The access rules before administrators' overrides.
    public let basePolicy: ScopePolicy
    /// What runs each kind of job (business areas register theirs in ``JobHandlers/standard()``).
    public let jobHandlers: JobHandlers

    public init(
        database: any RapportDatabase, clock: any RapportClock, ids: any IDGenerating,
        passwords: PasswordHasher = PasswordHasher(), settings: RapportSettings = RapportSettings(),
        accessSignal: any AccessChangeSignal = LocalAccessSignal(), migrator: Migrator = RapportMigrations.migrator(),
        testClock: TestClock? = nil, basePolicy: ScopePolicy = .standard, jobHandlers: JobHandlers = .standard(), logger: Logger
    ) {
        self.basePolicy = basePolicy
        self.jobHandlers = jobHandlers
        self.database = database
        self.clock = clock
        self.ids = ids
        self.passwords = passwords
        self.settings = settings
        self.access = AccessCache(signal: accessSignal)
        self.migrator = migrator
        self.testClock = testClock
        self.logger = logger
    }

    public var auth: AuthUseCases { AuthUseCases(rapport: self) }
    public var users: UserUseCases { UserUseCases(rapport: self) }
    public var teams: TeamUseCases { TeamUseCases(rapport: self) }
    public var tokens: TokenUseCases { TokenUseCases(rapport: self) }
    public var roles: RoleUseCases { RoleUseCases(rapport: self) }
    public var audit: AuditUseCases { AuditUseCases(rapport: self) }
    public var idempotency: IdempotencyUseCases { IdempotencyUseCases(rapport: self) }
    public var system: SystemUseCases { SystemUseCases(rapport: self) }
    public var dictionary: DictionaryUseCases { DictionaryUseCases(rapport: self) }
    public var settingsUseCases: SettingsUseCases { SettingsUseCases(rapport: self) }
    public var customers: CustomerUseCases { CustomerUseCases(rapport: self) }
    public var activities: ActivityUseCases { ActivityUseCases(rapport: self) }
    public var merges: MergeUseCases { MergeUseCases(rapport: self) }
    public var exports: ExportUseCases { ExportUseCases(rapport: self) }
    public var imports: ImportUseCases { ImportUseCases(rapport: self) }
    public var demo: DemoUseCases { DemoUseCases(rapport: self) }
    public var leads: LeadUseCases { LeadUseCases(rapport: self) }
    public var pools: PoolUseCases { PoolUseCases(rapport: self) }
    public var leadForms: LeadFormUseCases { LeadFormUseCases(rapport: self) }
    public var assignment: AssignmentUseCases { AssignmentUseCases(rapport: self) }
    public var workbench: WorkbenchUseCases { WorkbenchUseCases(rapport: self) }
    public var notifications: NotificationUseCases { NotificationUseCases(rapport: self) }
    public var webhooks: WebhookUseCases { WebhookUseCases(rapport: self) }
    public var jobs: JobUseCases { JobUseCases(rapport: self) }
    public var handovers: HandoverUseCases { HandoverUseCases(rapport: self) }
    public var savedViews: SavedViewUseCases { SavedViewUseCases(rapport: self) }
    public var receivables: ReceivableUseCases { ReceivableUseCases(rapport: self) }
    public var products: ProductUseCases { ProductUseCases(rapport: self) }
    public var priceBooks: PriceBookUseCases { PriceBookUseCases(rapport: self) }
    public var salesPolicies: SalesPolicyUseCases { SalesPolicyUseCases(rapport: self) }
    public var pricing: PricingUseCases { PricingUseCases(rapport: self) }
    public var opportunities: OpportunityUseCases { OpportunityUseCases(rapport: self) }
    public var orders: OrderUseCases { OrderUseCases(rapport: self) }
    public var entitlements: EntitlementUseCases { EntitlementUseCases(rapport: self) }
    public var quotes: QuoteUseCases { QuoteUseCases(rapport: self) }
    public var tasks: TaskUseCases { TaskUseCases(rapport: self) }
}

/// Who is calling a use case, and from where.
public struct Caller: Sendable {
    /// The acting user; nil for the system itself (the command line, jobs).
    public var principal: Principal?
    /// The network address of the request, for the audit log.
    public var address: String?
    /// Which door the call came through: `api`, `web`, `cli`, `job`.
    public var channel: String

    public init(principal: Principal?, address: String? = nil, channel: String) {
        self.principal = principal
        self.address = address
        self.channel = channel
    }

    /// The system acting through the command line or a job.
    public static func system(_ channel: String) -> Caller { Caller(principal: nil, channel: channel) }

    public var actorID: RecordID? { principal?.userID }

    /// The principal the scope machinery uses: the system acts as an administrator.
    public var effectivePrincipal: Principal {
        principal ?? Principal(userID: RecordID(trusted: "usr_system"), role: .admin)
    }
}

extension Rapport {
    /// The access policy: the standard one with administrators' overrides, cached until access changes.
    public func policy() async throws -> ScopePolicy {
        if let cached = access.policy() { return cached }
        let generation = access.generation()
        let policy = try await database.read { sql in try await PolicyStore(sql).load(base: basePolicy) }
        access.remember(policy, generation: generation)
        return policy
    }

    /// The scope filter for `caller` doing `action` on `kind`.
    ///
    /// Throws `forbidden` when the caller's role may not take that action on that kind at all;
    /// otherwise the filter limits which records it applies to (records outside answer `not_found`).
    public func scope(
        _ caller: Caller, _ action: AccessAction, _ kind: ObjectKind, anchor: ScopeFilter.Anchor, table: String
    ) async throws -> ScopeFilter {
        let principal = caller.effectivePrincipal
        guard caller.principal != nil else {
            return ScopeFilter(principal, .all, kind: kind, anchor: anchor, table: table)
        }
        let policy = try await policy()
        guard policy.allows(principal, action, kind), let scope = policy.scope(principal.role, kind) else {
            throw RapportError(.forbidden, "Your role may not \(action.rawValue) \(kind.rawValue) records.")
        }
        let filter = ScopeFilter(principal, scope, kind: kind, anchor: anchor, table: table)
        return action == .read || action == .create ? filter : filter.editing()
    }

    /// Whether the caller may take `action` on `kind` (the system may do anything).
    public func allows(_ caller: Caller, _ action: AccessAction, _ kind: ObjectKind) async throws -> Bool {
        guard let principal = caller.principal else { return true }
        return try await policy().allows(principal, action, kind)
    }

    /// Runs one use case's writes in one transaction. When `changesAccess`, every process's
    /// access cache is told after the commit (and PostgreSQL listeners inside it).
    public func transaction<T: Sendable>(changesAccess: Bool = false, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            let result = try await database.write { sql in
                let value = try await body(sql)
                if changesAccess { try await access.changeSignal.announce(in: sql) }
                return value
            }
            if changesAccess { access.invalidate() }
            return result
        } catch let error as RapportError {
            throw error
        } catch {
            throw translate(error)
        }
    }

    /// Appends to the audit log inside the current transaction.
    public func record(_ event: AuditEvent, in sql: any SQLDatabase) async throws {
        let now = clock.now()
        try await AuditStore(sql).append(event, id: ids.next(.audit, at: now), at: now, hash: Digest.sha256Hex)
    }

    /// Turns database failures that reach a use case into domain errors.
    func translate(_ error: any Error) -> any Error {
        switch database.classify(error) {
        case .uniqueViolation: return RapportError(.conflict, "A record with the same unique value already exists.")
        case .foreignKeyViolation: return RapportError(.conflict, "The record is still referenced by other records, or refers to one that does not exist.")
        case .contention: return RapportError(.unavailable, "The database is busy; try again.", retryAfterSeconds: 1)
        case nil: return error
        }
    }

    /// An event for the audit log on behalf of `caller`.
    func event(
        _ action: String, by caller: Caller, kind: ObjectKind? = nil, object: String? = nil, details: [String: String] = [:]
    ) -> AuditEvent {
        var details = details
        details["channel"] = caller.channel
        return AuditEvent(action, actor: caller.actorID, kind: kind, object: object, address: caller.address, details: details)
    }
}
