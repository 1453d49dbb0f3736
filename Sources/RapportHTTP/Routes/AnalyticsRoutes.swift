import Foundation
import Hummingbird
import RapportApp
import RapportCore

/// `/api/v1/analytics/lead-turnover` and `/api/v1/analytics/lead-funnel`; the pipeline analytics (``OpportunityAnalyticsRoutes``).
struct AnalyticsRoutes {
    let rapport: Rapport

    static func query(_ request: Request) -> LeadAnalyticsUseCases.Query {
        LeadAnalyticsUseCases.Query(from: request.query("from"), to: request.query("to"), interval: request.query("interval"),
                                    timeZone: request.query("time_zone"), groupBy: request.query("group_by"))
    }

    func add(to api: RouterGroup<APIRequestContext>) {
        api.get("analytics/lead-turnover") { request, context in
            try JSONResponse.make(LeadTurnoverDTO(try await rapport.leadAnalytics.turnover(Self.query(request), by: context.caller)))
        }
        api.get("analytics/lead-funnel") { request, context in
            try JSONResponse.make(LeadFunnelDTO(try await rapport.leadAnalytics.funnel(Self.query(request), by: context.caller)))
        }
        OpportunityAnalyticsRoutes(rapport: rapport).add(to: api)
        RevenueAnalyticsRoutes(rapport: rapport).add(to: api)
    }
}

struct TurnoverCountsDTO: Encodable, Sendable {
    var leadsReceived: Int64
    var claimed: Int64
    var released: Int64
    var reclaimed: Int64
    var converted: Int64
    var holdingIntervals: Int64
    @Nullable var averageHoldingHours: Double?
    var reclaimedLeads: Int64
    var convertedAfterReclaim: Int64
    @Nullable var reclaimConversionRate: Double?

    enum CodingKeys: String, CodingKey {
        case claimed, released, reclaimed, converted
        case leadsReceived = "leads_received", holdingIntervals = "holding_intervals", averageHoldingHours = "average_holding_hours"
        case reclaimedLeads = "reclaimed_leads", convertedAfterReclaim = "converted_after_reclaim", reclaimConversionRate = "reclaim_conversion_rate"
    }

    init(_ counts: LeadTurnover.Counts) {
        leadsReceived = counts.received
        claimed = counts.claimed
        released = counts.released
        reclaimed = counts.reclaimed
        converted = counts.converted
        holdingIntervals = counts.holdingIntervals
        averageHoldingHours = counts.averageHoldingHours.map { ($0 * 100).rounded() / 100 }
        reclaimedLeads = counts.reclaimedLeads
        convertedAfterReclaim = counts.convertedAfterReclaim
        reclaimConversionRate = counts.reclaimConversionRate.map { ($0 * 10_000).rounded() / 10_000 }
    }
}

struct TurnoverRowDTO: Encodable, Sendable {
    @Nullable var group: String?
    @Nullable var label: String?
    @Nullable var periodStart: Date?
    var counts: TurnoverCountsDTO

    enum CodingKeys: String, CodingKey {
        case group, label
        case periodStart = "period_start"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(_group, forKey: .group)
        try container.encode(_label, forKey: .label)
        try container.encode(_periodStart, forKey: .periodStart)
        try counts.encode(to: encoder)
    }
}

struct ReportFrameDTO: Encodable, Sendable {
    var from: Date
    var to: Date
    var interval: String
    var timeZone: String

    enum CodingKeys: String, CodingKey {
        case from, to, interval
        case timeZone = "time_zone"
    }

    init(_ frame: LeadAnalyticsUseCases.Frame) {
        from = frame.from
        to = frame.to
        interval = frame.interval.rawValue
        timeZone = frame.timeZone.identifier
    }
}

/// A report: its frame (from, to, interval, time zone), grouping, rows and total.
struct ReportDTO<Row: Encodable & Sendable, Total: Encodable & Sendable>: Encodable, Sendable {
    var frame: ReportFrameDTO
    var groupBy: String
    var rows: [Row]
    var total: Total

    enum CodingKeys: String, CodingKey {
        case rows, total
        case groupBy = "group_by"
    }

    func encode(to encoder: any Encoder) throws {
        try frame.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(groupBy, forKey: .groupBy)
        try container.encode(rows, forKey: .rows)
        try container.encode(total, forKey: .total)
    }
}

typealias LeadTurnoverDTO = ReportDTO<TurnoverRowDTO, TurnoverCountsDTO>

extension ReportDTO where Row == TurnoverRowDTO, Total == TurnoverCountsDTO {
    init(_ report: LeadAnalyticsUseCases.Turnover) {
        frame = ReportFrameDTO(report.frame)
        groupBy = report.grouping.rawValue
        rows = report.rows.map { row in
            TurnoverRowDTO(group: row.key.group, label: report.grouping == .source ? row.key.group.flatMap { report.sourceLabels[$0] } : nil,
                           periodStart: row.key.period, counts: TurnoverCountsDTO(row.counts))
        }
        total = TurnoverCountsDTO(report.total)
    }
}

struct FunnelStageDTO: Encodable, Sendable {
    var stage: String
    var category: String
    var reached: Int64
    /// Share of the created leads that reached the stage.
    @Nullable var share: Double?
}

struct FunnelCountsDTO: Encodable, Sendable {
    var created: Int64
    var stages: [FunnelStageDTO]
    var converted: Int64
    @Nullable var conversionRate: Double?

    enum CodingKeys: String, CodingKey {
        case created, stages, converted
        case conversionRate = "conversion_rate"
    }

    init(_ counts: LeadFunnel.Counts, funnel: LeadFunnel) {
        created = counts.created
        func share(_ count: Int64) -> Double? { counts.created == 0 ? nil : (Double(count) / Double(counts.created) * 10_000).rounded() / 10_000 }
        stages = funnel.stages.map { stage in
            let reached = counts.reached[stage.key] ?? 0
            return FunnelStageDTO(stage: stage.key, category: stage.category.rawValue, reached: reached, share: share(reached))
        }
        converted = funnel.converted(counts)
        conversionRate = share(converted)
    }
}

struct FunnelRowDTO: Encodable, Sendable {
    @Nullable var source: String?
    @Nullable var sourceLabel: String?
    @Nullable var group: String?
    @Nullable var periodStart: Date?
    var counts: FunnelCountsDTO

    enum CodingKeys: String, CodingKey {
        case source, group
        case sourceLabel = "source_label", periodStart = "period_start"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(_source, forKey: .source)
        try container.encode(_sourceLabel, forKey: .sourceLabel)
        try container.encode(_group, forKey: .group)
        try container.encode(_periodStart, forKey: .periodStart)
        try counts.encode(to: encoder)
    }
}

typealias LeadFunnelDTO = ReportDTO<FunnelRowDTO, FunnelCountsDTO>

extension ReportDTO where Row == FunnelRowDTO, Total == FunnelCountsDTO {
    init(_ report: LeadAnalyticsUseCases.Funnel) {
        frame = ReportFrameDTO(report.frame)
        groupBy = report.groupBy ?? "source"
        rows = report.rows.map { row in
            FunnelRowDTO(source: row.key.source, sourceLabel: row.key.source.flatMap { report.sourceLabels[$0] }, group: row.key.group,
                         periodStart: row.key.period, counts: FunnelCountsDTO(row.counts, funnel: report.funnel))
        }
        total = FunnelCountsDTO(report.total, funnel: report.funnel)
    }
}
