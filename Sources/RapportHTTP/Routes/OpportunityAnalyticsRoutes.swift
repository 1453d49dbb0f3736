import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportStorage

/// `/api/v1/analytics/opportunities/{summary,funnel,velocity,forecast,planner}`: pipeline analytics.
/// Money is in integer minor units per currency; ratios are decimals for presentation beside their
/// counts and integer basis points.
struct OpportunityAnalyticsRoutes {
    let rapport: Rapport

    static func query(_ request: Request) -> OpportunityAnalyticsUseCases.Query {
        OpportunityAnalyticsUseCases.Query(
            pipeline: request.query("pipeline"), owner: request.query("owner_id"), team: request.query("team_id"), source: request.query("source"),
            currency: request.query("currency"), from: request.query("from"), to: request.query("to"), dateField: request.query("date_field"),
            interval: request.query("interval"), timeZone: request.query("time_zone"), groupBy: request.query("group_by"), asOf: request.query("as_of"),
            targetMinor: request.query("target_minor"), targetCurrency: request.query("target_currency"))
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        let analytics = rapport.opportunityAnalytics
        api.get("analytics/opportunities/summary") { request, context in
            let report = try await analytics.summary(Self.query(request), by: context.caller)
            return try JSONResponse.make(JSONValue.object(Self.frame(report.frame).merging(Self.summary(report.summary)) { $1 }))
        }
        api.get("analytics/opportunities/funnel") { request, context in
            try JSONResponse.make(Self.funnel(try await analytics.funnel(Self.query(request), by: context.caller)))
        }
        api.get("analytics/opportunities/velocity") { request, context in
            try JSONResponse.make(Self.velocity(try await analytics.velocity(Self.query(request), by: context.caller)))
        }
        api.get("analytics/opportunities/forecast") { request, context in
            try JSONResponse.make(Self.forecast(try await analytics.forecast(Self.query(request), by: context.caller)))
        }
        api.get("analytics/opportunities/planner") { request, context in
            try JSONResponse.make(Self.plan(try await analytics.plan(Self.query(request), by: context.caller)))
        }
    }

    // MARK: Encoding

    static func optional(_ value: Int64?) -> JSONValue { value.map(JSONValue.integer) ?? .null }
    static func decimal(_ value: Double?, places: Double = 10_000) -> JSONValue { value.map { .double(($0 * places).rounded() / places) } ?? .null }
    static func date(_ value: Date?) -> JSONValue { value.map { .string(RFC3339.format($0)) } ?? .null }
    static func days(_ micros: Int64?) -> JSONValue { decimal(micros.map { Double($0) / 86_400_000_000 }, places: 100) }

    static func amounts(_ amounts: AmountsByCurrency) -> JSONValue {
        .array(amounts.keys.sorted().map { .object(["currency": .string($0), "amount_minor": .integer(amounts[$0]!)]) })
    }

    static func ratio(_ ratio: AnalyticsRatio?) -> JSONValue {
        guard let ratio else { return .null }
        return .object(["numerator": .integer(ratio.numerator), "denominator": .integer(ratio.denominator), "value": decimal(ratio.value),
                        "basis_points": optional(ratio.basisPoints)])
    }

    static func frame(_ frame: OpportunityAnalyticsUseCases.Frame) -> [String: JSONValue] {
        let filter = frame.filter
        return [
            "pipeline": .string(filter.pipeline), "owner_id": filter.ownerID.map { .string($0.rawValue) } ?? .null,
            "team_id": filter.teamID.map { .string($0.rawValue) } ?? .null, "source": filter.source.map(JSONValue.string) ?? .null,
            "currency": filter.currency.map(JSONValue.string) ?? .null, "from": date(filter.from), "to": date(filter.to),
            "date_field": .string(filter.dateField.rawValue), "interval": .string(frame.interval.rawValue), "time_zone": .string(frame.timeZone.identifier),
        ]
    }

    static func summary(_ summary: OpportunitySummary) -> [String: JSONValue] {
        [
            "total": .integer(summary.total), "open": .integer(summary.open), "won": .integer(summary.won), "lost": .integer(summary.lost),
            "win_rate": decimal(summary.winRate.value), "win_rate_basis_points": optional(summary.winRate.basisPoints),
            "won_amount": amounts(summary.wonAmount), "average_won_deal": amounts(summary.averageWonDeal),
            "average_sales_cycle_days": days(summary.averageCycleMicros), "open_amount": amounts(summary.openAmount),
            "weighted_amount": amounts(summary.weightedAmount), "open_without_amount": .integer(summary.openWithoutAmount),
        ]
    }

    static func funnelCounts(_ counts: OpportunityFunnel.Counts, _ funnel: OpportunityFunnel) -> JSONValue {
        let conversion = funnel.conversion(counts)
        return .object([
            "total": .integer(counts.total),
            "stages": .array(funnel.stages.all.map { stage in
                let durations = counts.durations[stage] ?? OpportunityFunnel.Durations()
                let rate = conversion[stage]
                return .object([
                    "stage": .string(stage), "category": .string(funnel.stages.category(stage).rawValue),
                    "current": .integer(counts.current[stage] ?? 0), "reached": .integer(counts.reached[stage] ?? 0),
                    "conversion_rate": decimal(rate?.value), "conversion_rate_basis_points": optional(rate?.basisPoints),
                    "completed_visits": .integer(durations.visits), "average_days_in_stage": days(durations.averageMicros),
                    "median_days_in_stage": days(durations.medianMicros),
                ])
            }),
        ])
    }

    static func funnel(_ report: OpportunityAnalyticsUseCases.Funnel) -> JSONValue {
        var body = frame(report.frame)
        body["group_by"] = .string(report.grouping.rawValue)
        body["rows"] = .array(report.rows.map { row in
            guard case .object(var fields) = funnelCounts(row.counts, report.funnel) else { return .null }
            fields["group"] = row.key.group.map(JSONValue.string) ?? .null
            fields["period_start"] = date(row.key.period)
            return .object(fields)
        })
        body["total"] = funnelCounts(report.total, report.funnel)
        return .object(body)
    }

    static func velocity(_ report: OpportunityAnalyticsUseCases.Velocity) -> JSONValue {
        var body = frame(report.frame).merging(summary(report.summary)) { $1 }
        body["velocities"] = .array(report.velocities.map { velocity in
            .object([
                "currency": .string(velocity.currency), "open_opportunities": .integer(velocity.openOpportunities),
                "average_won_deal_minor": .integer(velocity.averageWonDealMinor), "win_rate": decimal(velocity.winRate.value),
                "win_rate_basis_points": optional(velocity.winRate.basisPoints), "average_sales_cycle_days": days(velocity.averageCycleMicros),
                "per_day_minor": .integer(velocity.perDayMinor),
            ])
        })
        body["missing_inputs"] = .array(report.missing.map(JSONValue.string))
        return .object(body)
    }

    static func historical(_ historical: OpportunityForecast.Historical) -> [String: JSONValue] {
        [
            "stages": .array(historical.stages.map { row in
                .object([
                    "stage": .string(row.stage), "win_rate": ratio(row.winRate), "open": .integer(row.open), "open_amount": amounts(row.openAmount),
                    "forecast": amounts(row.forecast), "won_after": .integer(row.wonAfter), "won_after_amount": amounts(row.wonAfterAmount),
                ])
            }),
            "open_amount": amounts(historical.openAmount), "forecast": amounts(historical.forecast),
            "stages_without_rate": .array(historical.stagesWithoutRate.map(JSONValue.string)),
        ]
    }

    static func forecast(_ report: OpportunityAnalyticsUseCases.Forecast) -> JSONValue {
        var body = frame(report.frame)
        body["weighted"] = .array(report.weighted.map { row in
            .object(["month": row.month.map(JSONValue.string) ?? .null, "currency": .string(row.currency), "count": .integer(row.count),
                     "amount_minor": .integer(row.amountMinor), "weighted_minor": .integer(row.weightedMinor),
                     "historical_minor": .integer(row.historicalMinor), "without_rate_minor": .integer(row.withoutRateMinor)])
        })
        body["historical"] = .object(historical(report.historical))
        if let test = report.backTest, let asOf = report.asOf {
            var fields = historical(test)
            fields["as_of"] = date(asOf)
            fields["actual"] = amounts(test.actual)
            fields["won_after"] = .integer(test.wonAfter)
            let errors = test.errorBasisPoints
            fields["error"] = .array(errors.keys.sorted().map { currency in
                .object(["currency": .string(currency), "basis_points": .integer(errors[currency]!),
                         "percent": decimal(Double(errors[currency]!) / 100, places: 100)])
            })
            body["back_test"] = .object(fields)
        } else {
            body["back_test"] = .null
        }
        return .object(body)
    }

    static func plan(_ report: OpportunityAnalyticsUseCases.Plan) -> JSONValue {
        var body = frame(report.frame)
        body["target"] = .object(["currency": .string(report.target.currency), "amount_minor": .integer(report.target.amountMinor)])
        body["won_deals"] = optional(report.plan.wonDeals)
        body["opportunities"] = optional(report.plan.opportunities)
        body["visits"] = optional(report.plan.visits)
        body["leads"] = optional(report.plan.leads)
        body["missing_rates"] = .array(report.plan.missingRates.map(JSONValue.string))
        body["rates"] = .object([
            "average_won_deal_minor": optional(report.rates.averageWonDealMinor), "win_rate": ratio(report.rates.winRate),
            "lead_to_opportunity": ratio(report.rates.leadToOpportunity), "visits_per_won_deal": ratio(report.rates.visitsPerWonDeal),
        ])
        body["inputs"] = .object(["leads_created": .integer(report.leadsCreated), "opportunities_created": .integer(report.opportunitiesCreated),
                                  "visits": .integer(report.visits)])
        return .object(body)
    }
}
