import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RapportApp
import RapportCore
import RapportHTTP
import RapportWeb
import RapportStorage
import ServiceLifecycle
import UnixSignals
import Synchronization

/// `rapport serve`: migrates, then serves the API and the web UI until SIGTERM or SIGINT, with
/// the database's services and housekeeping in one `ServiceGroup` (graceful shutdown in reverse
/// order: stop taking requests, finish them, then close the database).
public enum RapportServer {
    /// Builds the router of the whole server (API and web pages) for `rapport`.
    public static func router(
        rapport: Rapport, metrics: PrometheusCollectorRegistry? = nil, proxies: TrustedProxies = .none
    ) -> Router<APIRequestContext> {
        let database = rapport.database
        return APIRouter.build(
            rapport: rapport,
            proxies: proxies,
            metricsText: {
                guard let metrics else { return "" }
                let pool = database.poolStatistics()
                Gauge(label: "rapport_db_pool_connections").record(pool.connections)
                Gauge(label: "rapport_db_pool_in_use").record(pool.inUse)
                Gauge(label: "rapport_db_pool_waiting").record(pool.waiting)
                var buffer: [UInt8] = []
                metrics.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self)
            },
            extend: { router in WebRoutes(rapport: rapport).add(to: router) })
    }

    /// Runs the server described by `configuration` until a shutdown signal arrives.
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let metrics = Metrics.registry
        let runtime = try await RapportRuntime.open(configuration, logger: logger)
        let rapport = runtime.rapport
        let app = Application(
            router: router(rapport: rapport, metrics: metrics, proxies: configuration.trustedProxies),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "rapport"),
            onServerRunning: { channel in
                logger.info("serving", metadata: [
                    "address": .string(channel.localAddress?.description ?? "?"),
                    "database": .string(rapport.database.engine.rawValue),
                    "test_clock": .stringConvertible(rapport.testClock != nil),
                ])
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: runtime.databaseServices.map { .init(service: $0) } + [
                    .init(service: MigrateThenServe(rapport: rapport, app: app, logger: logger)),
                    .init(service: Housekeeping(rapport: rapport, logger: logger)),
                    .init(service: ImportRunner(rapport: rapport, logger: logger)),
                    .init(service: JobRunner(rapport: rapport, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        await rapport.database.close()
    }

    /// Process-wide metrics: bootstrapped once, on first use.
    enum Metrics {
        static let registry: PrometheusCollectorRegistry = {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            return registry
        }()
    }
}

/// Applies pending migrations, then serves: no request is served by an unmigrated database.
struct MigrateThenServe<App: Service>: Service {
    let rapport: Rapport
    let app: App
    let logger: Logger

    func run() async throws {
        let applied = try await rapport.system.migrate()
        if !applied.isEmpty { logger.info("migrated", metadata: ["applied": .string(applied.joined(separator: ","))]) }
        try await app.run()
    }
}

/// Hourly housekeeping: forgets expired idempotency keys and long-dead tokens.
struct Housekeeping: Service {
    let rapport: Rapport
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await rapport.system.purgeExpired()
            } catch {
                logger.warning("housekeeping failed", metadata: ["error_type": .string(String(describing: type(of: error)))])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3_600)) }
        }
    }
}
