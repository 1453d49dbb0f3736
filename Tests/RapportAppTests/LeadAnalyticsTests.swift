import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Lead turnover and the lead funnel through the use cases: numbers from real claims, releases and
/// conversions, scoped as lead lists are (a rep their own, a manager their subtree, an admin all).
@Suite struct LeadAnalyticsTests {
    struct World: Sendable {
        var admin: TestHarness.SignedIn
        var manager: TestHarness.SignedIn
        var rep1: TestHarness.SignedIn
        var rep2: TestHarness.SignedIn
    }

    /// Three leads in the default pool; rep 1 (east) claims one and releases it after 2 h, rep 2
    /// (west) claims it an hour later and converts it an hour after that; each rep claims one more.
    static func world(_ harness: TestHarness) async throws -> World {
        let east = try await harness.team("east")
        let west = try await harness.team("west")
        let world = World(admin: try await harness.signedIn(.admin), manager: try await harness.signedIn(.manager, team: east),
                          rep1: try await harness.signedIn(.rep, team: east), rep2: try await harness.signedIn(.rep, team: west))
        _ = try await harness.rapport.pools.create(.init(key: "default", name: "Default", object: "lead", rules: PoolRules(timeZone: "UTC")), by: harness.system)
        var leads: [Lead] = []
        for (index, source) in ["web_form", "ads", "ads"].enumerated() {
            let (lead, _) = try await harness.rapport.leads.create(
                LeadInput(name: "Lead \(index)", phone: .some("1390000000\(index)"), source: .some(source),
                          customFields: ["grade": .string("adult"), "subject_interest": .array([.string("math")])], owner: .some(nil), pool: .some("default")),
                by: harness.system)
            leads.append(lead)
        }
        let pools = harness.rapport.pools
        _ = try await pools.claim("default", leads: [leads[0].id.rawValue], by: world.rep1.caller)
        harness.clock.advance(by: 2 * 3_600)
        _ = try await harness.rapport.leads.release(leads[0].id.rawValue, reason: "not my area", by: world.rep1.caller)
        harness.clock.advance(by: 3_600)
        _ = try await pools.claim("default", leads: [leads[0].id.rawValue], by: world.rep2.caller)
        harness.clock.advance(by: 3_600)
        _ = try await harness.rapport.leads.move(leads[0].id.rawValue, to: "contacting", reason: nil, by: world.rep2.caller)
        _ = try await harness.rapport.leads.move(leads[0].id.rawValue, to: "qualified", reason: nil, by: world.rep2.caller)
        _ = try await harness.rapport.leads.convert(leads[0].id.rawValue, by: world.rep2.caller)
        _ = try await pools.claim("default", leads: [leads[1].id.rawValue], by: world.rep1.caller)
        _ = try await pools.claim("default", leads: [leads[2].id.rawValue], by: world.rep2.caller)
        return world
    }

    static let january = LeadAnalyticsUseCases.Query(from: "2026-01-01", to: "2026-01-31", timeZone: "UTC")

    @Test(arguments: TestBackend.available)
    func turnoverCountsWhatEachRepDidAndEachRoleSeesItsScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let analytics = harness.rapport.leadAnalytics
            let all = try await analytics.turnover(Self.january, by: world.admin.caller)
            let byRep = Dictionary(uniqueKeysWithValues: all.rows.map { ($0.key.group, $0.counts) })
            let rep1 = try #require(byRep[world.rep1.user.id.rawValue])
            #expect(rep1.received == 2 && rep1.claimed == 2 && rep1.released == 1 && rep1.converted == 0)
            #expect(rep1.holdingIntervals == 1 && rep1.averageHoldingHours == 2)
            let rep2 = try #require(byRep[world.rep2.user.id.rawValue])
            #expect(rep2.received == 2 && rep2.claimed == 2 && rep2.converted == 1 && rep2.holdingIntervals == 1 && rep2.averageHoldingHours == 1)
            #expect(rep2.reclaimedLeads == 1 && rep2.convertedAfterReclaim == 1 && rep2.reclaimConversionRate == 1)
            #expect(all.rows.count == 2 && all.total.received == 4)
            // Grouped by team or source, and split by day, the totals stay the same.
            for groupBy in ["team", "source", "none"] {
                var query = Self.january
                query.groupBy = groupBy
                query.interval = "day"
                #expect(try await analytics.turnover(query, by: world.admin.caller).total == all.total, "\(groupBy)")
            }
            // A rep sees their own numbers; a manager of east sees rep 1's (not west's).
            let mine = try await analytics.turnover(Self.january, by: world.rep1.caller)
            #expect(mine.rows.map(\.key.group) == [world.rep1.user.id.rawValue] && mine.total == rep1)
            let managed = try await analytics.turnover(Self.january, by: world.manager.caller)
            #expect(managed.rows.map(\.key.group) == [world.rep1.user.id.rawValue])
            let theirs = try await analytics.turnover(Self.january, by: world.rep2.caller)
            #expect(theirs.total == rep2)
            // Outside the range, nothing.
            let december = try await analytics.turnover(.init(from: "2025-12-01", to: "2025-12-31"), by: world.admin.caller)
            #expect(december.rows.isEmpty && december.total == LeadTurnover.Counts())
        }
    }

    @Test(arguments: TestBackend.available)
    func theFunnelReadsTheStatusHistoryPerSourceWithinScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let analytics = harness.rapport.leadAnalytics
            let all = try await analytics.funnel(Self.january, by: world.admin.caller)
            #expect(all.total.created == 3 && all.total.reached["new"] == 3 && all.total.reached["contacting"] == 1)
            #expect(all.total.reached["qualified"] == 1 && all.total.reached["converted"] == 1 && all.funnel.converted(all.total) == 1)
            let bySource = Dictionary(uniqueKeysWithValues: all.rows.map { ($0.key.source, $0.counts) })
            #expect(bySource["web_form"]?.created == 1 && bySource["web_form"]?.reached["converted"] == 1 && bySource["ads"]?.created == 2)
            #expect(all.funnel.stages.map(\.key) == ["new", "contacting", "qualified", "converted", "invalid"])
            // Per rep: rep 2 owns the converted lead and one more.
            var perRep = Self.january
            perRep.groupBy = "rep"
            let reps = try await analytics.funnel(perRep, by: world.admin.caller)
            #expect(reps.rows.filter { $0.key.group == world.rep2.user.id.rawValue }.map(\.counts.created).reduce(0, +) == 2)
            // A rep sees the funnel of their own leads only; a manager of east, rep 1's.
            let mine = try await analytics.funnel(Self.january, by: world.rep1.caller)
            #expect(mine.total.created == 1 && mine.rows.map(\.key.source) == ["ads"])
            let managed = try await analytics.funnel(Self.january, by: world.manager.caller)
            #expect(managed.total.created == 1)
            // By month in Shanghai, one period.
            var monthly = Self.january
            monthly.interval = "month"
            monthly.timeZone = "Asia/Shanghai"
            let months = try await analytics.funnel(monthly, by: world.admin.caller)
            #expect(Set(months.rows.map(\.key.period)).count == 1 && months.total.created == 3)
        }
    }

    @Test(arguments: TestBackend.available)
    func badParametersAreValidationErrors(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let cases: [(LeadAnalyticsUseCases.Query, String)] = [
                (.init(interval: "hour"), "interval"), (.init(timeZone: "Mars/Olympus"), "time_zone"), (.init(from: "yesterday"), "from"),
                (.init(to: "2026-02-30"), "to"), (.init(from: "2026-02-01", to: "2026-01-01"), "from"), (.init(groupBy: "planet"), "group_by"),
                (.init(from: "2000-01-01", to: "2026-01-01"), "to"),
            ]
            for (query, field) in cases {
                let turnover = try await #require(throws: RapportError.self) { try await harness.rapport.leadAnalytics.turnover(query, by: admin.caller) }
                #expect(turnover.code == .validationFailed && turnover.fieldErrors.map(\.field).contains(field), "\(field)")
                let funnel = try await #require(throws: RapportError.self) { try await harness.rapport.leadAnalytics.funnel(query, by: admin.caller) }
                #expect(funnel.code == .validationFailed && funnel.fieldErrors.map(\.field).contains(field), "\(field)")
            }
        }
    }
}
