import Foundation
import HTTPTypes
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The pipeline analytics pages (listed in ``WebRoutes/pageRoutes``).
    static let analyticsPageRoutes: Set<String> = ["GET /analytics/pipeline", "GET /analytics/forecast", "GET /analytics/planner"]

    /// The pipeline analytics pages for everyone who may read opportunities: the pipeline report
    /// (summary, stage funnel, grouped view, velocity), the forecast with its back-test, and the
    /// reverse-funnel planner. GET forms only: a report is its address. Every number comes from the
    /// analytics use cases as the reader, so a rep sees their own numbers, a manager their team's.
    func addPipelineAnalytics(to router: Router<APIRequestContext>) {
        let analytics = rapport.opportunityAnalytics
        let zone = rapport.settings.businessTimeZone
        analyticsPage(router, "analytics/pipeline", .pipeline, template: "analytics_pipeline", titleKey: "an_pipeline_title") { filters, web in
            let query = filters.query(businessTimeZone: zone)
            // The funnel first: it checks the grouping besides the filters, so every refusal is named at once.
            let funnel = try await analytics.funnel(query, by: web.caller)
            let velocity = try await analytics.velocity(query, by: web.caller)
            return PipelineReport(web: web, velocity: velocity, funnel: funnel, labels: try await groupLabels(funnel, web))
        }
        analyticsPage(router, "analytics/forecast", .forecast, template: "analytics_forecast", titleKey: "an_forecast_title") { filters, web in
            let forecast = try await analytics.forecast(filters.query(businessTimeZone: zone), by: web.caller)
            return ForecastReport(web: web, report: forecast, chosenCurrency: forecast.frame.filter.currency)
        }
        analyticsPage(router, "analytics/planner", .planner, template: "analytics_planner", titleKey: "an_planner_title") { filters, web -> PlanReport? in
            // The form alone until a target is sent.
            guard filters.targetSent else { return nil }
            return PlanReport(web: web, report: try await analytics.plan(filters.query(businessTimeZone: zone, planner: true), by: web.caller))
        }
    }

    /// An analytics page: the filter form (with the reader's choices) and the report `build` makes
    /// from the filters (nil: the form alone); a refusal of the filters re-renders the form with
    /// the refused inputs marked (422).
    func analyticsPage<Report>(_ router: Router<APIRequestContext>, _ path: RouterPath, _ kind: AnalyticsFilterForm.Kind, template: String, titleKey: String,
                               _ build: @escaping @Sendable (PipelineReportFilters, WebContext) async throws -> Report?) {
        let zone = rapport.settings.businessTimeZone
        page(router, path) { request, _, web in
            let filters = PipelineReportFilters(Self.query(request))
            let (pipelines, people) = try await analyticsChoices(web)
            func body(_ report: Report?, refusal: RapportError?) -> AnalyticsPageBody<Report> {
                AnalyticsPageBody(nav: AnalyticsNav(filters, on: kind), report: report, filters: AnalyticsFilterForm(
                    web: web, kind: kind, filters: filters, pipelines: pipelines, people: people, businessTimeZone: zone, refusal: refusal))
            }
            do {
                return web.page(template, title: web.text(titleKey), body(try await build(filters, web), refusal: nil))
            } catch let error as RapportError where error.code == .validationFailed {
                return web.page(template, title: web.text(titleKey), body(nil, refusal: error), status: .unprocessableContent)
            }
        }
    }

    /// The analytics pages are for readers of opportunities; anyone else gets a refusal page.
    static func requireOpportunities(_ web: WebContext) throws {
        guard web.seesOpportunities else { throw RapportError(.forbidden, "The pipeline analytics are for readers of opportunities.") }
    }

    /// The filter form's choices: the pipelines, and the owners and teams the reader may narrow to
    /// (none for a rep, whose numbers are their own anyway).
    func analyticsChoices(_ web: WebContext) async throws -> (pipelines: [PipelineDefinition], people: (owners: [(String, String)], teams: [(String, String)])) {
        try Self.requireOpportunities(web)
        let pipelines = try await rapport.opportunities.pipelines(by: web.caller).pipelines
        guard web.canManage || web.role == .analyst else { return (pipelines, ([], [])) }
        let users = try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        let teams = try await rapport.teams.list(parent: nil, page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items
        return (pipelines, (users.map { ($0.id.rawValue, $0.name) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) },
                            teams.map { ($0.id.rawValue, $0.name) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }))
    }

    /// The names of a grouped funnel's owners or teams the reader may see (the others keep their id).
    func groupLabels(_ funnel: OpportunityAnalyticsUseCases.Funnel, _ web: WebContext) async throws -> [String: String] {
        let ids = Set(funnel.rows.compactMap(\.key.group))
        switch funnel.grouping {
        case .owner:
            let names = try await userNames(Set(ids.compactMap { RecordID(parsing: $0, prefix: .user) }), web)
            return Dictionary(uniqueKeysWithValues: names.map { ($0.key.rawValue, $0.value) })
        case .team:
            var names: [String: String] = [:]
            for id in ids.sorted() {
                do {
                    names[id] = try await rapport.teams.get(id, by: web.caller).name
                } catch let error as RapportError where error.code == .notFound || error.code == .forbidden {
                    continue
                }
            }
            return names
        case .source, .none:
            return [:]
        }
    }
}
