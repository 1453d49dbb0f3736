import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Assignment rules end to end on both engines: every door that brings a lead in routes it; the
/// log names the rule; assignees are told; leave, disabled users and holding limits are honoured.
@Suite struct AssignmentRuleTests {
    static func ownerless(_ harness: TestHarness, _ index: Int, source: String, score: Int64? = nil, pool: Pool, by caller: Caller? = nil) async throws -> Lead {
        try await harness.rapport.leads.create(
            LeadInput(name: "Lead \(index)", phone: .some(String(format: "137%08d", index)), source: .some(source), score: .some(score),
                      owner: .some(nil), pool: .some(pool.id.rawValue)), by: caller ?? harness.system).0
    }

    @Test(arguments: TestBackend.available)
    func incomingLeadsAreRoutedByTheFirstRuleThatCanPlaceThem(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules(holdingLimit: LevelLimits(2), protectionDays: 2))
            let overflow = try await LeadPoolTests.pool(harness, key: "overflow", teams: [east], rules: PoolRules())
            let reps = [try await LeadPoolTests.rep(harness, 1, team: east), try await LeadPoolTests.rep(harness, 2, team: east),
                        try await LeadPoolTests.rep(harness, 3, team: east)]
            let ids = reps.map { $0.principal!.userID }
            let vip = try await harness.signedIn(.rep, team: east, level: "senior")
            let rules = harness.rapport.assignment
            let scoreRule = try await rules.create(.init(name: "Hot leads to the senior", position: 1,
                                                         conditions: [AssignmentCondition(field: .score, op: .greaterOrEqual, value: .integer(80))],
                                                         target: .user(vip.user.id)), by: harness.system)
            let baidu = try await rules.create(.init(name: "Baidu to east", position: 2,
                                                     conditions: [AssignmentCondition(field: .source, op: .oneOf, value: .array([.string("baidu"), .string("360")]))],
                                                     target: .team(east.id, strategy: .roundRobin, weights: [:])), by: harness.system)
            _ = try await rules.create(.init(name: "Everything else waits in overflow", conditions: [], target: .pool(overflow.id)), by: harness.system)
            #expect(try await rules.list(by: harness.system).map(\.name) == ["Hot leads to the senior", "Baidu to east", "Everything else waits in overflow"])

            // Round robin over the team's reps (the senior is a member too: 4 reps in turn), the log names the rule.
            var routed: [Lead] = []
            for index in 0..<4 { routed.append(try await Self.ownerless(harness, index, source: "Baidu", pool: pool)) }
            #expect(Set(routed.compactMap(\.ownerID)) == Set(ids + [vip.user.id]))
            let first = routed[0]
            let log = try await harness.rapport.leads.assignments(first.id.rawValue, by: harness.system)
            #expect(log.map(\.kind) == [.assign] && log[0].ruleID == baidu.id.rawValue && log[0].reason == "Baidu to east")
            #expect(first.protectedUntil == harness.clock.now().addingTimeInterval(2 * 86_400))
            let told = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: reps[0]).items
            #expect(told.contains { $0.kind == "lead.assigned" && $0.details["rule_id"] == baidu.id.rawValue })

            // A hot lead goes to the senior — until they hold their limit (2), then the next rule takes it.
            let hot = try await Self.ownerless(harness, 10, source: "baidu", score: 90, pool: pool)
            #expect(hot.ownerID == vip.user.id)
            let hotter = try await Self.ownerless(harness, 11, source: "baidu", score: 95, pool: pool)
            #expect(hotter.ownerID != vip.user.id && hotter.ownerID != nil)

            // A rep on leave and a disabled rep get nothing; reps at the limit neither; then the lead waits in overflow.
            _ = try await rules.addLeave(ids[0].rawValue, startsAt: harness.clock.now().addingTimeInterval(-60),
                                         endsAt: harness.clock.now().addingTimeInterval(86_400), note: "Annual leave", by: harness.system)
            _ = try await harness.rapport.users.disable(ids[1].rawValue, by: harness.system)
            var later: [RecordID?] = []
            for index in 20..<24 { later.append(try await Self.ownerless(harness, index, source: "360", pool: pool).ownerID) }
            #expect(!later.contains(ids[0]) && !later.contains(ids[1]))
            let holdings = try await harness.rapport.database.read { sql in try await LeadStore(sql).holdings(users: ids + [vip.user.id], pools: [pool.id]) }
            #expect(holdings.values.allSatisfy { $0 <= 2 })
            let waiting = try await harness.rapport.pools.waiting(overflow.key, page: PageRequest(), by: harness.system).items
            #expect(!waiting.isEmpty && waiting.allSatisfy { $0.ownerID == nil && $0.poolID == overflow.id })
            #expect(later.compactMap { $0 }.count + waiting.count == 4)
            // A lead no rule matches and a lead from an unrelated source wait in overflow (the catch-all).
            let other = try await Self.ownerless(harness, 30, source: "google", pool: pool)
            #expect(other.ownerID == nil && other.poolID == overflow.id)

            // A rep's own lead is theirs: rules only route leads without an owner.
            let own = try await harness.rapport.leads.create(LeadInput(name: "Mine", phone: .some("13612345678"), source: .some("baidu"), pool: .some(overflow.key)), by: reps[2]).0
            #expect(own.ownerID == ids[2])

            // Leave ends: the rep is back in the rotation (their limit allowing).
            harness.clock.advance(by: 2 * 86_400)
            #expect(try await rules.leaves(ids[0].rawValue, by: harness.system).isEmpty)
            #expect(scoreRule.version == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func weightedTurnsApplyingToAPoolAndTheDryRun(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [east], rules: PoolRules(holdingLimit: LevelLimits(nil)))
            let senior = try await LeadPoolTests.rep(harness, 1, team: east, level: "senior")
            let junior = try await LeadPoolTests.rep(harness, 2, team: east, level: "junior")
            // Leads that arrived before any rule existed wait in the pool.
            var waiting: [Lead] = []
            for index in 0..<40 { waiting.append(try await Self.ownerless(harness, index, source: "web_form", pool: pool)) }
            #expect(waiting.allSatisfy { $0.ownerID == nil })
            let rule = try await harness.rapport.assignment.create(
                .init(name: "Weighted", conditions: [], target: .team(east.id, strategy: .weighted, weights: ["senior": 3, "junior": 1])), by: harness.system)

            // The dry run names the next assignee and takes no turn.
            let (first, named) = try await harness.rapport.assignment.test(AssignmentFacts(source: "web_form"), by: harness.system)
            let (again, _) = try await harness.rapport.assignment.test(AssignmentFacts(source: "web_form"), by: harness.system)
            #expect(first == again && named?.id == rule.id)
            #expect(try await harness.count("assignment_credits") == 0)

            // Applying the rules in two pages routes each waiting lead once, 3 : 1.
            let manager = try await harness.signedIn(.manager, team: east)
            let page1 = try await harness.rapport.assignment.apply(pool: pool.key, limit: 25, by: manager.caller)
            let page2 = try await harness.rapport.assignment.apply(pool: pool.key, after: page1.last?.rawValue, limit: 25, by: manager.caller)
            #expect(page1.assigned == 25 && page2.assigned == 15)
            let none = try await harness.rapport.assignment.apply(pool: pool.key, by: manager.caller)
            #expect(none.examined == 0)
            let holdings = try await harness.rapport.database.read { sql in
                try await LeadStore(sql).holdings(users: [senior.principal!.userID, junior.principal!.userID], pools: [pool.id])
            }
            #expect(holdings[.init(user: senior.principal!.userID, pool: pool.id)] == 30 && holdings[.init(user: junior.principal!.userID, pool: pool.id)] == 10)
            #expect(try await harness.count("lead_assignments") == 40)
            let notManager = try await #require(throws: RapportError.self) {
                try await harness.rapport.assignment.apply(pool: pool.key, by: junior)
            }
            #expect(notManager.code == .forbidden)
        }
    }

    @Test(arguments: TestBackend.available)
    func badRulesAreRefusedWholeAndOnlyAdministratorsWriteThem(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let rep = try await LeadPoolTests.rep(harness, 1, team: east)
            let rules = harness.rapport.assignment
            let bad = try await #require(throws: RapportError.self) {
                try await rules.create(.init(name: " ", conditions: [AssignmentCondition(field: .score, op: .greaterOrEqual, value: .string("high"))],
                                             target: .team(RecordID(trusted: "team_nope"), strategy: .weighted, weights: ["Senior!": 3])), by: harness.system)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["name", "conditions[0].value", "target.weights.Senior!", "target.team_id"])
            let forbidden = try await #require(throws: RapportError.self) {
                try await rules.create(.init(name: "Mine", target: .user(rep.principal!.userID)), by: rep)
            }
            #expect(forbidden.code == .forbidden)
            #expect(try await harness.count("assignment_rules") == 0)
            let rule = try await rules.create(.init(name: "All to the rep", target: .user(rep.principal!.userID)), by: harness.system)
            let stale = try await #require(throws: RapportError.self) {
                try await rules.update(rule.id.rawValue, .init(active: false), expectedVersion: 7, by: harness.system)
            }
            #expect(stale.code == .preconditionFailed)
            let off = try await rules.update(rule.id.rawValue, .init(active: false), expectedVersion: 1, by: harness.system)
            #expect(!off.active && off.version == 2)
            try await rules.delete(rule.id.rawValue, by: harness.system)
            #expect(try await rules.list(by: rep).isEmpty)
        }
    }

    /// Rules routing incoming leads while the same reps claim from the pool, all at once: no rep
    /// ever passes the holding limit, and every routed lead has one owner and one log entry.
    @Test(arguments: TestBackend.available)
    func routingAndClaimingAtOnceNeverPassTheLimit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("floor")
            let limit = 6
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: PoolRules(holdingLimit: LevelLimits(limit), claimsPerDay: LevelLimits(100)))
            var reps: [Caller] = []
            for index in 0..<8 { reps.append(try await LeadPoolTests.rep(harness, index, team: team)) }
            let waiting = try await LeadPoolTests.waiting(harness, 80, in: pool)
            _ = try await harness.rapport.assignment.create(.init(name: "Incoming in turn", conditions: [AssignmentCondition(field: .source, op: .equals, value: .string("ads"))],
                                                                  target: .team(team.id, strategy: .leastLoaded, weights: [:])), by: harness.system)
            let rapport = harness.rapport
            let poolID = pool.id.rawValue
            let system = harness.system
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<80 {
                    group.addTask {
                        _ = try await rapport.leads.create(LeadInput(name: "Ad \(index)", phone: .some(String(format: "136%08d", index)), source: .some("ads"),
                                                                     owner: .some(nil), pool: .some(poolID)), by: system)
                    }
                    let rep = reps[index % reps.count]
                    let lead = waiting[index].id.rawValue
                    group.addTask { _ = try? await rapport.pools.claim(poolID, leads: [lead], by: rep) }
                }
                try await group.waitForAll()
            }
            let owners = try await harness.rapport.database.read { sql in
                try await sql.raw("SELECT owner_id, count(*) AS n FROM leads WHERE owner_id IS NOT NULL GROUP BY owner_id").all()
                    .map { try $0.decode(column: "n", as: Int64.self) }
            }
            #expect(owners.allSatisfy { $0 <= Int64(limit) }, "\(owners)")
            #expect(owners.reduce(0, +) == Int64(limit * reps.count), "capacity is used up: \(owners)")
            let unlogged = try await harness.rapport.database.read { sql in
                try await sql.raw("""
                    SELECT count(*) AS n FROM leads l WHERE l.owner_id IS NOT NULL AND (SELECT count(*) FROM lead_assignments a WHERE a.lead_id = l.id
                    AND a.to_user_id = l.owner_id) <> 1
                    """).first()?.decode(column: "n", as: Int64.self)
            }
            #expect(unlogged == 0)
        }
    }

    /// Imported leads without an owner pass through the rules like every incoming lead.
    @Test(arguments: TestBackend.available)
    func importedLeadsAreRoutedToo(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let pool = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: PoolRules())
            let reps = [try await LeadPoolTests.rep(harness, 1, team: team), try await LeadPoolTests.rep(harness, 2, team: team)]
            let rule = try await harness.rapport.assignment.create(
                .init(name: "Ads in turn", conditions: [AssignmentCondition(field: .source, op: .equals, value: .string("ads"))],
                      target: .team(team.id, strategy: .roundRobin, weights: [:])), by: harness.system)
            let file = "Name,Mobile,Source\nA,13500135001,ads\nB,13500135002,ads\nC,13500135003,web\nD,13500135004,ads\n"
            let started = try await LeadImportTests.start(harness, harness.system, file)
            let done = try #require(try await harness.rapport.imports.run(started.id, worker: "test"))
            #expect(done.counters.created == 4)
            let leads = try await harness.rapport.leads.list(.init(), page: PageRequest(), by: harness.system).items
            let owners = Dictionary(uniqueKeysWithValues: leads.map { ($0.name, $0.ownerID) })
            #expect(owners["C"] == .some(nil) && Set([owners["A"], owners["B"], owners["D"]].compactMap { $0 }) == Set(reps.map { $0.principal!.userID }))
            #expect(leads.allSatisfy { $0.poolID == pool.id })
            let log = try await harness.rapport.leads.assignments(leads.first { $0.name == "A" }!.id.rawValue, by: harness.system)
            #expect(log.map(\.kind) == [.assign] && log[0].ruleID == rule.id.rawValue)
        }
    }

    /// Leads imported owned count towards the owner's holding limit, row by row, as leads
    /// created owned through the API do; the rows past the limit are refused with the reason.
    @Test(arguments: TestBackend.available)
    func ownedImportsKeepToTheHoldingLimit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            _ = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: PoolRules(holdingLimit: LevelLimits(2)))
            let rep = try await LeadPoolTests.rep(harness, 1, team: team)
            _ = try await harness.rapport.leads.create(LeadInput(name: "Held", phone: .some("13400134000")), by: rep)
            let file = "Name,Mobile\nA,13400134001\nB,13400134002\nC,13400134003\n"
            let started = try await LeadImportTests.start(harness, rep, file, options: .init(allOrNothing: false))
            let done = try #require(try await harness.rapport.imports.run(started.id, worker: "test"))
            #expect(done.counters.created == 1)
            let errors = try await harness.rapport.imports.errors(started.id.rawValue, page: PageRequest(), by: harness.system).items
            #expect(errors.map(\.code) == ["holding_limit_reached", "holding_limit_reached"] && errors.map(\.line) == [3, 4])
            let held = try await harness.rapport.database.read { sql in
                try await LeadStore(sql).holdings(users: [rep.principal!.userID], pools: [try await PoolStore(sql).find(key: "default")!.id])
            }
            #expect(held.values.reduce(0, +) == 2)
        }
    }
}
