import Foundation
import RapportCore
import Testing

/// The pipeline analytics folds, with hand-computed expectations: summary, velocity, funnel,
/// weighted and historical forecasts with a back-test, and the reverse-funnel planner.
@Suite struct OpportunityAnalyticsTests {
    static func stage(_ key: String, _ category: StageCategory, _ probability: Int?) -> StageDefinition {
        StageDefinition(key: key, label: LocalizedText(zhHans: key, en: key), category: category, probability: probability)
    }

    /// qualify (10 %) → proposal (50 %) → negotiation (80 %) → won | lost.
    static let stages = OpportunityStages(PipelineDefinition(
        key: "new_sale", label: LocalizedText(zhHans: "新签", en: "New sale"), initialStage: "qualify",
        stages: [stage("qualify", .open, 10), stage("proposal", .open, 50), stage("negotiation", .open, 80), stage("won", .won, 100), stage("lost", .lost, 0)]))

    static let day: Int64 = 86_400_000_000

    @Test func ratiosKeepTheirCountsAndRoundBasisPointsHalfUp() {
        let maven = AnalyticsRatio(4_238, over: 4_238 + 2_473)
        #expect(maven.basisPoints == 6_315)   // 63.1500…%
        #expect(abs(maven.value! - 0.631500521531813) < 1e-12)
        #expect(AnalyticsRatio(1, over: 8).basisPoints == 1_250)
        #expect(AnalyticsRatio(2, over: 3).basisPoints == 6_667)
        #expect(AnalyticsRatio(1, over: 0).value == nil && AnalyticsRatio(1, over: 0).basisPoints == nil)
    }

    @Test func stagesRankTheOpenOnesAndProbabilitiesPreferTheOwnersOverride() {
        #expect(Self.stages.open == ["qualify", "proposal", "negotiation"] && Self.stages.won == ["won"] && Self.stages.lost == ["lost"])
        #expect(Self.stages.rank("proposal") == 1 && Self.stages.rank("won") == nil)
        #expect(Self.stages.probability(of: "proposal", override: nil) == 50)
        #expect(Self.stages.probability(of: "proposal", override: 35) == 35)
        #expect(Self.stages.probability(of: "won", override: 35) == 100, "a closed stage ignores the override")
        #expect(Self.stages.probability(of: "proposal", override: 140) == 100, "held to 0–100")
    }

    static let summaryBuckets: [OpportunitySummary.Bucket] = [
        .init(category: .won, stage: "won", currency: "USD", count: 3, withAmount: 3, amountMinor: 30_001, cycleMicros: 3 * 10 * day),
        .init(category: .won, stage: "won", currency: "CNY", count: 1, withAmount: 1, amountMinor: 5_000, cycleMicros: 20 * day),
        .init(category: .won, stage: "won", currency: nil, count: 1, withAmount: 0, amountMinor: 0, cycleMicros: 10 * day),
        .init(category: .lost, stage: "lost", currency: "USD", count: 3, withAmount: 3, amountMinor: 9_000, cycleMicros: 9 * day),
        .init(category: .open, stage: "qualify", currency: "USD", count: 2, withAmount: 2, amountMinor: 1_005),
        .init(category: .open, stage: "proposal", probabilityOverride: 25, currency: "USD", count: 1, withAmount: 1, amountMinor: 1_000),
        .init(category: .open, stage: "negotiation", currency: nil, count: 2, withAmount: 0, amountMinor: 0),
    ]

    @Test func summaryCountsRatesRevenueCycleAndTheWeightedPipeline() {
        let summary = OpportunitySummary.fold(Self.summaryBuckets, stages: Self.stages)
        #expect(summary.open == 5 && summary.won == 5 && summary.lost == 3 && summary.total == 13)
        #expect(summary.winRate == AnalyticsRatio(5, over: 8) && summary.winRate.basisPoints == 6_250)
        #expect(summary.wonAmount == ["USD": 30_001, "CNY": 5_000])
        #expect(summary.averageWonDeal == ["USD": 10_000, "CNY": 5_000], "30,001 ÷ 3 = 10,000.33 → 10,000; the won deal without an amount is in no average")
        // (30 + 20 + 10) days over 5 won; the lost cycles are not the sales cycle.
        #expect(summary.averageCycleMicros == 12 * Self.day && summary.averageCycleDays == 12)
        #expect(summary.openAmount == ["USD": 2_005])
        // 1,005 × 10 % = 100.5 → 101 (half-up, once per stage); 1,000 × 25 % (the owner's) = 250.
        #expect(summary.weightedAmount == ["USD": 351])
        #expect(summary.openWithoutAmount == 2)
    }

    @Test func velocityIsOpenTimesDealTimesWinRateOverCycleInIntegers() {
        let summary = OpportunitySummary.fold(Self.summaryBuckets, stages: Self.stages)
        let computed = OpportunityVelocity.compute(summary)
        #expect(computed.missing.isEmpty)
        // CNY: 5 × 5,000 × 5/8 ÷ 12 days = 1,302.08… → 1,302 per day; USD: 5 × 10,000 × 5/8 ÷ 12 = 2,604.17 → 2,604.
        #expect(computed.velocities.map(\.currency) == ["CNY", "USD"])
        #expect(computed.velocities.map(\.perDayMinor) == [1_302, 2_604])
        #expect(computed.velocities[1].averageWonDealMinor == 10_000 && computed.velocities[1].openOpportunities == 5)
        let empty = OpportunityVelocity.compute(OpportunitySummary())
        #expect(empty.velocities.isEmpty && empty.missing == ["win_rate", "average_won_deal", "average_sales_cycle"])
    }

    @Test func funnelReachedStagesFollowTheHistoryAndWonPassesEveryOpenStage() {
        let funnel = OpportunityFunnel(Self.stages)
        #expect(funnel.reached(furthestRank: 0, stage: "won") == ["qualify", "proposal", "negotiation", "won"])
        #expect(funnel.reached(furthestRank: 1, stage: "lost") == ["qualify", "proposal", "lost"])
        #expect(funnel.reached(furthestRank: -1, stage: "lost") == ["qualify", "lost"])
        #expect(funnel.reached(furthestRank: 2, stage: "qualify") == ["qualify", "proposal", "negotiation"], "moved back: it had reached negotiation")
        #expect(funnel.reached(furthestRank: -1, stage: "proposal") == ["qualify", "proposal"])
    }

    @Test func funnelCountsConversionAndTimeInStagePerGroupAndPeriod() throws {
        let funnel = OpportunityFunnel(Self.stages)
        let january = Date(timeIntervalSince1970: 1_767_225_600)   // 2026-01-01 UTC
        let february = Date(timeIntervalSince1970: 1_769_904_000)  // 2026-02-01 UTC
        let cohorts: [OpportunityFunnel.Cohort] = [
            .init(group: "usr_a", createdAt: january, furthestRank: 0, stage: "qualify", count: 4),
            .init(group: "usr_a", createdAt: january, furthestRank: 1, stage: "proposal", count: 3),
            .init(group: "usr_a", createdAt: january, furthestRank: 2, stage: "won", count: 2),
            .init(group: "usr_a", createdAt: january, furthestRank: 1, stage: "lost", count: 1),
            .init(group: "usr_b", createdAt: february, furthestRank: 2, stage: "negotiation", count: 5),
        ]
        let hour: Int64 = 3_600_000_000
        let visits: [OpportunityFunnel.Visits] = [
            .init(group: "usr_a", createdAt: january, stage: "qualify", hours: 24, count: 2, micros: 2 * 24 * hour),
            .init(group: "usr_a", createdAt: january, stage: "qualify", hours: 48, count: 1, micros: 48 * hour),
            .init(group: "usr_a", createdAt: january, stage: "qualify", hours: 96, count: 1, micros: 96 * hour),
            .init(group: "usr_a", createdAt: january, stage: "proposal", hours: 10, count: 1, micros: 10 * hour + 1_800_000_000),
        ]
        let rows = funnel.fold(cohorts, visits: visits, periods: AnalyticsPeriods(.month, timeZone: .gmt))
        let a = try #require(rows[.init(group: "usr_a", period: january)])
        #expect(a.total == 10)
        #expect(a.current == ["qualify": 4, "proposal": 3, "won": 2, "lost": 1])
        #expect(a.reached == ["qualify": 10, "proposal": 6, "negotiation": 2, "won": 2, "lost": 1])
        let conversion = funnel.conversion(a)
        #expect(conversion["qualify"] == AnalyticsRatio(6, over: 10) && conversion["proposal"] == AnalyticsRatio(2, over: 6))
        #expect(conversion["negotiation"] == AnalyticsRatio(2, over: 2), "the last open stage converts to won")
        let qualify = try #require(a.durations["qualify"])
        // 24, 24, 48, 96 hours: average 48 h, median (24 + 48) ÷ 2 = 36 h.
        #expect(qualify.visits == 4 && qualify.averageMicros == 48 * hour && qualify.medianMicros == 36 * hour)
        #expect(a.durations["proposal"]?.medianMicros == 10 * hour + 1_800_000_000, "one visit: its exact length")
        let b = try #require(rows[.init(group: "usr_b", period: february)])
        #expect(b.reached == ["qualify": 5, "proposal": 5, "negotiation": 5] && b.durations.isEmpty)
        let total = rows.values.reduce(OpportunityFunnel.Counts(), +)
        #expect(total.total == 15 && total.reached["negotiation"] == 7 && total.durations["qualify"]?.visits == 4)
        let unsplit = funnel.fold(cohorts, visits: visits, periods: AnalyticsPeriods(.none, timeZone: .gmt))
        #expect(unsplit.keys.map(\.period).allSatisfy { $0 == nil } && unsplit.count == 2)
    }

    @Test func weightedForecastPerMonthAndCurrencyRoundsOncePerStage() {
        let rows = OpportunityForecast.weighted([
            .init(month: "2026-03", stage: "qualify", currency: "USD", count: 2, amountMinor: 1_005),
            .init(month: "2026-03", stage: "negotiation", currency: "USD", count: 1, amountMinor: 10_000),
            .init(month: "2026-03", stage: "proposal", probabilityOverride: 90, currency: "USD", count: 1, amountMinor: 2_000),
            .init(month: nil, stage: "proposal", currency: "USD", count: 1, amountMinor: 3),
            .init(month: "2026-02", stage: "proposal", currency: "CNY", count: 1, amountMinor: 7_777),
        ], stages: Self.stages)
        #expect(rows.map(\.month) == ["2026-02", "2026-03", nil])
        #expect(rows[0].weightedMinor == 3_889)   // 7,777 × 50 % = 3,888.5 → 3,889
        #expect(rows[1].count == 4 && rows[1].amountMinor == 13_005 && rows[1].weightedMinor == 101 + 8_000 + 1_800)
        #expect(rows[2].weightedMinor == 2)   // 1.5 → 2
    }

    @Test func historicalForecastLearnsStageWinRatesFromTheClosedAndBackTests() {
        let buckets: [OpportunityForecast.StateBucket] = [
            // Closed: 3 won (passed every stage), 2 lost at qualify, 1 lost after proposal.
            .init(stage: "won", furthestRank: 2, currency: "USD", count: 3, amountMinor: 30_000),
            .init(stage: "lost", furthestRank: 0, currency: "USD", count: 2, amountMinor: 0),
            .init(stage: "lost", furthestRank: 1, currency: "USD", count: 1, amountMinor: 0),
            // Open: the pipeline to forecast; of it, one proposal of 4,000 was won afterwards.
            .init(stage: "qualify", furthestRank: 0, currency: "USD", count: 2, amountMinor: 10_000),
            .init(stage: "proposal", furthestRank: 1, currency: "USD", count: 2, amountMinor: 9_000, wonAfter: 1, wonAfterMinor: 4_000),
            .init(stage: "negotiation", furthestRank: 2, currency: nil, count: 1, amountMinor: 0),
        ]
        let result = OpportunityForecast.historical(buckets, stages: Self.stages)
        // qualify: 3 won of 6 closed; proposal: 3 of 4; negotiation: 3 of 3.
        #expect(result.stages.map(\.winRate) == [AnalyticsRatio(3, over: 6), AnalyticsRatio(3, over: 4), AnalyticsRatio(3, over: 3)])
        #expect(result.stages[0].forecast == ["USD": 5_000] && result.stages[1].forecast == ["USD": 6_750])
        #expect(result.forecast == ["USD": 11_750] && result.openAmount == ["USD": 19_000])
        #expect(result.actual == ["USD": 4_000] && result.wonAfter == 1)
        // (11,750 − 4,000) ÷ 4,000 = 193.75 %.
        #expect(result.errorBasisPoints == ["USD": 19_375])
        #expect(result.stagesWithoutRate.isEmpty)
        let untrained = OpportunityForecast.historical([.init(stage: "proposal", furthestRank: 1, currency: "USD", count: 1, amountMinor: 500)], stages: Self.stages)
        #expect(untrained.forecast.isEmpty && untrained.stagesWithoutRate == ["proposal"] && untrained.errorBasisPoints.isEmpty)

        // The historical forecast per expected-close month: each month's amount per stage × the stage's rate.
        let months = OpportunityForecast.weighted([
            .init(month: "2026-03", stage: "qualify", currency: "USD", count: 1, amountMinor: 1_001),
            .init(month: "2026-03", stage: "qualify", probabilityOverride: 30, currency: "USD", count: 1, amountMinor: 2_000),
            .init(month: "2026-03", stage: "proposal", currency: "USD", count: 1, amountMinor: 4_000),
            .init(month: nil, stage: "negotiation", currency: "USD", count: 1, amountMinor: 5_000),
            .init(month: "2026-03", stage: "proposal", currency: "CNY", count: 1, amountMinor: 99),
        ], stages: Self.stages, rates: result)
        #expect(months.map(\.month) == ["2026-03", "2026-03", nil] && months.map(\.currency) == ["CNY", "USD", "USD"])
        // CNY: 99 × 3/4 = 74.25 → 74. USD March: 3,001 × 1/2 = 1,500.5 → 1,501, plus 4,000 × 3/4 = 3,000. No month: 5,000 × 1.
        #expect(months.map(\.historicalMinor) == [74, 4_501, 5_000] && months.allSatisfy { $0.withoutRateMinor == 0 })
        #expect(months[1].weightedMinor == 100 + 600 + 2_000, "the weighted figures are those of weighted(_:stages:)")
        let unlearned = OpportunityForecast.weighted([.init(month: "2026-04", stage: "proposal", currency: "USD", count: 1, amountMinor: 500)],
                                                     stages: Self.stages, rates: untrained)
        #expect(unlearned.first?.historicalMinor == 0 && unlearned.first?.withoutRateMinor == 500, "no rate: nothing forecast, the amount counted as without one")
    }

    @Test func plannerRunsTheFunnelBackwardsAndNamesMissingRates() {
        // Seed 003: one customer needs 15 leads and 5 visits. Average deal 10,000.00, win rate 1/3,
        // 1 opportunity per 5 leads, 5 visits per won deal; target 25,000.00 → 3 deals (2.5 up).
        let rates = OpportunityPlanner.Rates(averageWonDealMinor: 1_000_000, winRate: AnalyticsRatio(1, over: 3),
                                             leadToOpportunity: AnalyticsRatio(1, over: 5), visitsPerWonDeal: AnalyticsRatio(5, over: 1))
        let plan = OpportunityPlanner.plan(targetMinor: 2_500_000, rates: rates)
        #expect(plan.wonDeals == 3 && plan.opportunities == 9 && plan.leads == 45 && plan.visits == 15 && plan.missingRates.isEmpty)
        #expect(plan.leads! / plan.wonDeals! == 15 && plan.visits! / plan.wonDeals! == 5)
        let partial = OpportunityPlanner.plan(targetMinor: 1_000_000, rates: .init(averageWonDealMinor: 300_000, winRate: AnalyticsRatio(4_238, over: 6_711),
                                                                                    leadToOpportunity: nil, visitsPerWonDeal: AnalyticsRatio(7, over: 2)))
        // 1,000,000 ÷ 300,000 → 4 deals; 4 × 6,711 ÷ 4,238 = 6.33 → 7 opportunities; 4 × 3.5 = 14 visits.
        #expect(partial.wonDeals == 4 && partial.opportunities == 7 && partial.visits == 14 && partial.leads == nil)
        #expect(partial.missingRates == ["lead_to_opportunity"])
        let none = OpportunityPlanner.plan(targetMinor: 1, rates: .init(averageWonDealMinor: nil, winRate: AnalyticsRatio(0, over: 3), leadToOpportunity: nil, visitsPerWonDeal: nil))
        #expect(none.wonDeals == nil && none.missingRates == ["average_won_deal", "win_rate", "lead_to_opportunity", "visits_per_won_deal"])
    }
}
