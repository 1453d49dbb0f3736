import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore

/// Builds the HTTP router of the API: conventions first (request id and log, metrics, problem
/// documents), then public routes, then everything behind bearer authentication and
/// idempotency keys.
public enum APIRouter {
    /// - Parameters:
    ///   - rapport: the application.
    ///   - metricsText: renders `/metrics`.
    ///   - proxies: peers whose `X-Forwarded-For` names the client (load balancers).
    ///   - extend: adds routes of other layers (the web UI) to the same router.
    public static func build(
        rapport: Rapport,
        proxies: TrustedProxies = .none,
        metricsText: @escaping @Sendable () async -> String = { "" },
        extend: (Router<APIRequestContext>) -> Void = { _ in }
    ) -> Router<APIRequestContext> {
        // HEAD is answered for every GET (same status and headers, no body), as HTTP asks.
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        let clock = rapport.clock
        let ids = rapport.ids
        router.add(middleware: RequestEnvelopeMiddleware(proxies: proxies, makeID: { ids.next(.request, at: clock.now()).rawValue }))
        router.add(middleware: MetricsMiddleware())
        let routes = RouteTable()
        router.add(middleware: ProblemMiddleware(routes: routes))
        router.add(middleware: QueryGuardMiddleware())

        let system = SystemRoutes(rapport: rapport, metricsText: metricsText)
        system.add(to: router)
        router.get("bench/bare") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: "ok"))) }

        let access = AccessRoutes(rapport: rapport)
        access.addPublic(to: router.group("api/v1"))
        let forms = LeadFormRoutes(rapport: rapport)
        forms.addPublic(to: router)
        TaskRoutes(rapport: rapport).addPublic(to: router)

        let api = router.group("api/v1")
            .add(middleware: AuthMiddleware(rapport: rapport))
            .add(middleware: IdempotencyMiddleware(rapport: rapport))
        access.add(to: api)
        AuditRoutes(rapport: rapport).add(to: api)
        CustomerRoutes(rapport: rapport).add(to: api)
        LeadRoutes(rapport: rapport).add(to: api)
        forms.add(to: api)
        AssignmentRoutes(rapport: rapport).add(to: api)
        NotificationRoutes(rapport: rapport).add(to: api)
        NotificationDeliveryRoutes(rapport: rapport).add(to: api)
        DictionaryRoutes(rapport: rapport).add(to: api)
        ImportRoutes(rapport: rapport).add(to: api)
        ExportRoutes(rapport: rapport).add(to: api)
        JobRoutes(rapport: rapport).add(to: api)
        HandoverRoutes(rapport: rapport).add(to: api)
        AnalyticsRoutes(rapport: rapport).add(to: api)
        SavedViewRoutes(rapport: rapport).add(to: api)
        ReceivableRoutes(rapport: rapport).add(to: api)
        ProductRoutes(rapport: rapport).add(to: api)
        OpportunityRoutes(rapport: rapport).add(to: api)
        OrderRoutes(rapport: rapport).add(to: api)
        EntitlementRoutes(rapport: rapport).add(to: api)
        QuoteRoutes(rapport: rapport).add(to: api)
        TaskRoutes(rapport: rapport).add(to: api)
        ReportRoutes(rapport: rapport).add(to: api)
        TargetRoutes(rapport: rapport).add(to: api)
        PlaybookRoutes(rapport: rapport).add(to: api)
        system.addTestClock(to: api)
        extend(router)
        routes.load(router.routes)
        return router
    }
}
