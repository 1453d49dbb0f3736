import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Pipeline analytics through the use cases on every backend, on a small world built through the
/// opportunity use cases on the moving test clock: the summary, funnel, velocity, forecasts with a
/// back-test and the planner, scoped per role (a rep sees their own numbers, a manager their
/// subtree's, an administrator everyone's), with filters and bad parameters.
@Suite struct OpportunityAnalyticsAppTests {
    static let day: TimeInterval = 86_400
    static let dayMicros: Int64 = 86_400_000_000

    struct World: Sendable {
        var admin: TestHarness.SignedIn
        var manager: TestHarness.SignedIn
        var rep1: TestHarness.SignedIn
        var rep2: TestHarness.SignedIn
        var start: Date
        /// One hour after A was won, before D was.
        var asOf: Date
    }

    /// t0: rep 1 opens A (10,000, referral) and B (5,000, ads); rep 2 opens C (20,000, referral) and
    /// D (7,000). t0+1d: A, C, D → proposal; B lost. t0+3d: A, D → negotiation. t0+6d: A won.
    /// t0+10d: D won. Rep 1 also adds 8 leads and logs 3 visits.
    static func world(_ harness: TestHarness) async throws -> World {
        let east = try await harness.team("east")
        let west = try await harness.team("west")
        let admin = try await harness.signedIn(.admin)
        let manager = try await harness.signedIn(.manager, team: east)
        let rep1 = try await harness.signedIn(.rep, team: east)
        let rep2 = try await harness.signedIn(.rep, team: west)
        let start = harness.clock.now()
        let opportunities = harness.rapport.opportunities
        func open(_ rep: TestHarness.SignedIn, _ name: String, _ minor: Int64, source: String?) async throws -> String {
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "客户 \(name)"), by: rep.caller).0
            return try await opportunities.create(OpportunityInput(
                name: name, customer: customer.id.rawValue, amount: .some(Money(minor, "CNY")), source: .some(source),
                customFields: ["course_package": .string("lessons_48")]), by: rep.caller).opportunity.id.rawValue
        }
        let a = try await open(rep1, "A", 10_000, source: "referral")
        let b = try await open(rep1, "B", 5_000, source: "ads")
        let c = try await open(rep2, "C", 20_000, source: "referral")
        let d = try await open(rep2, "D", 7_000, source: nil)
        _ = harness.clock.set(start.addingTimeInterval(Self.day))
        for (id, rep) in [(a, rep1), (c, rep2), (d, rep2)] { _ = try await opportunities.move(id, to: "proposal", reason: nil, by: rep.caller) }
        _ = try await opportunities.move(b, to: "lost", reason: nil, lossReason: "price", by: rep1.caller)
        _ = harness.clock.set(start.addingTimeInterval(3 * Self.day))
        _ = try await opportunities.move(a, to: "negotiation", reason: nil, by: rep1.caller)
        _ = try await opportunities.move(d, to: "negotiation", reason: nil, by: rep2.caller)
        _ = harness.clock.set(start.addingTimeInterval(6 * Self.day))
        _ = try await opportunities.move(a, to: "won", reason: nil, by: rep1.caller)
        _ = harness.clock.set(start.addingTimeInterval(10 * Self.day))
        _ = try await opportunities.move(d, to: "won", reason: nil, by: rep2.caller)
        let visited = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "拜访客户"), by: rep1.caller).0
        for index in 0..<8 {
            _ = try await harness.rapport.leads.create(LeadInput(name: "Lead \(index)", phone: .some(String(format: "139%08d", index)), source: .some("referral")),
                                                       by: rep1.caller)
        }
        for _ in 0..<3 { _ = try await harness.rapport.activities.log(.init(customerID: visited.id.rawValue, type: "visit"), by: rep1.caller) }
        _ = harness.clock.advance(by: 60)
        return World(admin: admin, manager: manager, rep1: rep1, rep2: rep2, start: start, asOf: start.addingTimeInterval(6 * Self.day + 3_600))
    }

    @Test(arguments: TestBackend.available)
    func summaryAndVelocityWithinEachRolesScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let analytics = harness.rapport.opportunityAnalytics
            let all = try await analytics.summary(.init(), by: world.admin.caller)
            #expect(all.frame.filter.pipeline == "new_sale")
            let summary = all.summary
            #expect(summary.open == 1 && summary.won == 2 && summary.lost == 1)
            #expect(summary.winRate == AnalyticsRatio(2, over: 3) && summary.winRate.basisPoints == 6_667)
            #expect(summary.wonAmount == ["CNY": 17_000] && summary.averageWonDeal == ["CNY": 8_500])
            #expect(summary.averageCycleMicros == 8 * Self.dayMicros, "A took 6 days, D 10")
            #expect(summary.openAmount == ["CNY": 20_000] && summary.weightedAmount == ["CNY": 8_000], "C in proposal: 40 %")

            let mine = try await analytics.summary(.init(), by: world.rep1.caller).summary
            #expect(mine.open == 0 && mine.won == 1 && mine.lost == 1 && mine.wonAmount == ["CNY": 10_000] && mine.averageCycleMicros == 6 * Self.dayMicros)
            let theirs = try await analytics.summary(.init(), by: world.rep2.caller).summary
            #expect(theirs.open == 1 && theirs.won == 1 && theirs.lost == 0 && theirs.wonAmount == ["CNY": 7_000])
            #expect(try await analytics.summary(.init(), by: world.manager.caller).summary == mine, "the manager of east sees rep 1 only")
            #expect(try await analytics.summary(.init(owner: world.rep2.user.id.rawValue), by: world.rep1.caller).summary.total == 0,
                    "a filter cannot widen the scope")
            #expect(try await analytics.summary(.init(owner: world.rep1.user.id.rawValue), by: world.admin.caller).summary == mine)
            let referral = try await analytics.summary(.init(source: "referral"), by: world.admin.caller).summary
            #expect(referral.won == 1 && referral.open == 1 && referral.lost == 0)
            // Closed between day 5 and day 8: A (won); C is open and was created before the end.
            let closed = try await analytics.summary(.init(from: RFC3339.format(world.start.addingTimeInterval(5 * Self.day)),
                                                           to: RFC3339.format(world.start.addingTimeInterval(8 * Self.day)), dateField: "closed"),
                                                     by: world.admin.caller).summary
            #expect(closed.won == 1 && closed.lost == 0 && closed.open == 1)
            #expect(try await analytics.summary(.init(currency: "usd"), by: world.admin.caller).summary.total == 0)

            let velocity = try await analytics.velocity(.init(), by: world.admin.caller)
            // 1 open × 8,500 × 2/3 ÷ 8 days = 708.33 → 708 a day.
            #expect(velocity.missing.isEmpty && velocity.velocities.map(\.perDayMinor) == [708] && velocity.velocities.first?.currency == "CNY")
            #expect(try await analytics.velocity(.init(), by: world.rep1.caller).missing == [], "rep 1: 0 open → 0 a day")
            #expect(try await analytics.velocity(.init(), by: world.rep1.caller).velocities.first?.perDayMinor == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func funnelCountsReachedStagesConversionAndTimeInStage(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let analytics = harness.rapport.opportunityAnalytics
            let report = try await analytics.funnel(.init(), by: world.admin.caller)
            let total = report.total
            #expect(report.funnel.stages.all == ["needs_analysis", "proposal", "negotiation", "won", "lost"])
            #expect(total.total == 4 && total.current == ["proposal": 1, "won": 2, "lost": 1])
            #expect(total.reached == ["needs_analysis": 4, "proposal": 3, "negotiation": 2, "won": 2, "lost": 1])
            let conversion = report.funnel.conversion(total)
            #expect(conversion["needs_analysis"]?.basisPoints == 7_500 && conversion["proposal"]?.basisPoints == 6_667
                    && conversion["negotiation"]?.basisPoints == 10_000)
            #expect(total.durations["needs_analysis"]?.visits == 4 && total.durations["needs_analysis"]?.averageMicros == Self.dayMicros)
            #expect(total.durations["proposal"]?.visits == 2 && total.durations["proposal"]?.medianMicros == 2 * Self.dayMicros, "C is still in proposal")
            #expect(total.durations["negotiation"]?.averageMicros == 5 * Self.dayMicros && total.durations["negotiation"]?.medianMicros == 5 * Self.dayMicros)

            let byOwner = try await analytics.funnel(.init(groupBy: "owner"), by: world.admin.caller)
            #expect(byOwner.rows.map(\.key.group) == [world.rep1.user.id.rawValue, world.rep2.user.id.rawValue].sorted())
            let mine = try await analytics.funnel(.init(groupBy: "team"), by: world.rep1.caller)
            #expect(mine.rows.count == 1 && mine.total.total == 2 && mine.total.reached == ["needs_analysis": 2, "proposal": 1, "negotiation": 1, "won": 1, "lost": 1])
            let daily = try await analytics.funnel(.init(interval: "day", timeZone: "Asia/Shanghai"), by: world.manager.caller)
            #expect(daily.rows.allSatisfy { $0.key.period != nil } && daily.total.total == 2)
        }
    }

    @Test(arguments: TestBackend.available)
    func forecastsAndTheBackTestLearnOnlyFromThePast(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let analytics = harness.rapport.opportunityAnalytics
            let forecast = try await analytics.forecast(.init(asOf: RFC3339.format(world.asOf)), by: world.admin.caller)
            #expect(forecast.weighted.map(\.weightedMinor) == [8_000] && forecast.weighted.first?.month == nil)
            // Now: of the closed, needs analysis won 2 of 3, proposal 2 of 2: C's 20,000 × 1.
            #expect(forecast.historical.stages.map(\.winRate) == [AnalyticsRatio(2, over: 3), AnalyticsRatio(2, over: 2), AnalyticsRatio(2, over: 2)])
            #expect(forecast.historical.forecast == ["CNY": 20_000])
            #expect(forecast.weighted.map(\.historicalMinor) == [20_000] && forecast.weighted.map(\.withoutRateMinor) == [0], "per month too")
            // As of day 6 + 1 h: A won and B lost are the past; C (proposal) and D (negotiation) were open.
            let test = try #require(forecast.backTest)
            #expect(test.stages.map(\.winRate) == [AnalyticsRatio(1, over: 2), AnalyticsRatio(1, over: 1), AnalyticsRatio(1, over: 1)])
            #expect(test.openAmount == ["CNY": 27_000] && test.forecast == ["CNY": 27_000])
            #expect(test.actual == ["CNY": 7_000] && test.wonAfter == 1 && test.errorBasisPoints == ["CNY": 28_571])
            let theirs = try await analytics.forecast(.init(), by: world.rep2.caller)
            #expect(theirs.backTest == nil && theirs.historical.forecast == ["CNY": 20_000], "rep 2 learned from D alone")
            let early = try await analytics.forecast(.init(asOf: RFC3339.format(world.start.addingTimeInterval(-Self.day))), by: world.admin.caller)
            #expect(early.backTest?.openAmount == [:] && early.backTest?.forecast == [:], "nothing existed yet")
        }
    }

    @Test(arguments: TestBackend.available)
    func plannerUsesTheHistoricalRatesAndNamesMissingOnes(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let analytics = harness.rapport.opportunityAnalytics
            let plan = try await analytics.plan(.init(targetMinor: "100000", targetCurrency: "cny"), by: world.admin.caller)
            // 100,000 ÷ 8,500 → 12 deals; × 3/2 → 18 opportunities; 4 opportunities of 8 leads → 36 leads; 3 visits per 2 won → 18 visits.
            #expect(plan.target == Money(100_000, "CNY") && plan.leadsCreated == 8 && plan.opportunitiesCreated == 4 && plan.visits == 3)
            #expect(plan.plan.wonDeals == 12 && plan.plan.opportunities == 18 && plan.plan.leads == 36 && plan.plan.visits == 18 && plan.plan.missingRates.isEmpty)
            let theirs = try await analytics.plan(.init(targetMinor: "100000", targetCurrency: "CNY"), by: world.rep2.caller)
            #expect(theirs.plan.missingRates == ["lead_to_opportunity", "visits_per_won_deal"] && theirs.plan.wonDeals == 15 && theirs.plan.leads == nil)
            let dollars = try await analytics.plan(.init(targetMinor: "100000", targetCurrency: "USD"), by: world.admin.caller)
            #expect(dollars.plan.missingRates.first == "average_won_deal" && dollars.plan.wonDeals == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func badParametersAreNamedAndChangeNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let analytics = harness.rapport.opportunityAnalytics
            func fields(_ body: () async throws -> Void) async -> [String] {
                do { try await body(); return [] } catch let error as RapportError { return error.fieldErrors.map(\.field) } catch { return ["?"] }
            }
            #expect(await fields { _ = try await analytics.summary(.init(pipeline: "nope", owner: "usr_x", team: "nope", currency: "dollars"), by: admin.caller) }
                    == ["pipeline", "owner_id", "team_id", "currency"])
            #expect(await fields { _ = try await analytics.summary(.init(from: "2026-13-01", to: "yesterday", dateField: "updated"), by: admin.caller) }
                    == ["date_field", "from", "to"])
            #expect(await fields { _ = try await analytics.funnel(.init(interval: "year", timeZone: "Mars/Olympus", groupBy: "stage"), by: admin.caller) }
                    == ["time_zone", "interval", "group_by"])
            #expect(await fields { _ = try await analytics.forecast(.init(asOf: "2999-01-01"), by: admin.caller) } == ["as_of"])
            #expect(await fields { _ = try await analytics.forecast(.init(asOf: "soon"), by: admin.caller) } == ["as_of"])
            #expect(await fields { _ = try await analytics.plan(.init(), by: admin.caller) } == ["target_minor", "target_currency"])
            #expect(await fields { _ = try await analytics.plan(.init(targetMinor: "-5", targetCurrency: "CNY"), by: admin.caller) } == ["target_minor"])
            #expect(await fields { _ = try await analytics.summary(.init(from: "2026-02-01", to: "2026-01-01"), by: admin.caller) } == ["from"])
        }
    }
}
