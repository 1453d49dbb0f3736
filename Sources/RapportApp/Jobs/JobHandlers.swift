import RapportCore
import Synchronization

/// What runs each kind of job: kind → handler. Business areas register their kinds when the
/// application is built (``JobHandlers/standard()``); a worker claims only kinds it has a
/// handler for, so instances of different versions never take work they cannot do.
///
/// A handler may run more than once for the same job: a worker can stop after the work and
/// before the job is marked done, and a job whose lease expires is given to another worker. So
/// every handler is idempotent — it checks whether its effect is already there (the lead already
/// reclaimed, the message already sent under the same key) — and reads time from `rapport.clock`.
///
/// ```swift
/// handlers.register("lead.reclaim") { job, rapport in
///     let request = try job.payload(as: ReclaimRequest.self)
///     try await rapport.leads.reclaim(request.leadID, by: .system("job"))
/// }
/// ```
public final class JobHandlers: Sendable {
    /// Runs one job. Throwing records the error's type (never its text) and retries the job with
    /// back-off; throw ``PermanentJobFailure`` when retrying cannot help.
    public typealias Handler = @Sendable (Job, Rapport) async throws -> Void

    private let handlers = Mutex<[String: Handler]>([:])

    /// An empty registry.
    public init() {}

    /// The handlers of every business area: the registry the application is built with.
    public static func standard() -> JobHandlers {
        let handlers = JobHandlers()
        JobUseCases.registerHandlers(in: handlers)
        PoolUseCases.registerHandlers(in: handlers)
        handlers.register(OrderUseCases.dailyKind) { _, rapport in try await rapport.orders.runDaily() }
        handlers.register(EntitlementUseCases.dailyKind) { _, rapport in try await rapport.entitlements.runDaily() }
        handlers.register(PlaybookUseCases.dailyKind) { _, rapport in try await rapport.playbooks.runDaily() }
        ReceivableUseCases.registerHandlers(in: handlers)
        QuoteUseCases.registerHandlers(in: handlers)
        TaskUseCases.registerHandlers(in: handlers)
        WebhookUseCases.registerHandlers(in: handlers)
        NotificationUseCases.registerHandlers(in: handlers)
        return handlers
    }

    /// Registers the handler of `kind`, replacing any earlier one.
    public func register(_ kind: String, _ handler: @escaping Handler) {
        handlers.withLock { $0[kind] = handler }
    }

    /// The handler of `kind`, if one is registered.
    public func handler(for kind: String) -> Handler? {
        handlers.withLock { $0[kind] }
    }

    /// Every registered kind, sorted.
    public var kinds: [String] {
        handlers.withLock { $0.keys.sorted() }
    }
}
