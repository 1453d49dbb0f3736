import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Targets, actuals, attainment and leaderboards through their use cases, on every backend.
@Suite struct TargetTests {
    struct World {
        var sales: Team, east: Team, west: Team
        var director: TestHarness.SignedIn, eastManager: TestHarness.SignedIn
        var reps: [TestHarness.SignedIn]  // two in east, one in west
    }

    static func world(_ harness: TestHarness) async throws -> World {
        let sales = try await harness.team("sales")
        let east = try await harness.team("east", parent: sales)
        let west = try await harness.team("west", parent: sales)
        return World(sales: sales, east: east, west: west, director: try await harness.signedIn(.manager, team: sales),
                     eastManager: try await harness.signedIn(.manager, team: east),
                     reps: [try await harness.signedIn(.rep, team: east), try await harness.signedIn(.rep, team: east), try await harness.signedIn(.rep, team: west)])
    }

    @Test(arguments: TestBackend.available)
    func managersSetTheirSubtreesTargetsAndChangesAreChecked(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let targets = harness.rapport.targets
            let (r1, r2, r3) = (world.reps[0], world.reps[1], world.reps[2])
            let sheet = try await targets.setSheet(month: "2026-01", entries: [
                .init(user: r1.user.id.rawValue, metric: "calls", amount: 100),
                .init(user: r2.user.id.rawValue, metric: "won_revenue", currency: "cny", amount: 5_000_000),
                .init(team: world.east.id.rawValue, metric: "calls", amount: 300),
            ], by: world.eastManager.caller)
            #expect(sheet.count == 3 && sheet.allSatisfy { $0.version == 1 } && sheet[1].currency == "CNY")
            // The same sheet again changes nothing; a new amount bumps the version.
            let again = try await targets.setSheet(month: "2026-01", entries: [.init(user: r1.user.id.rawValue, metric: "calls", amount: 100)],
                                                   by: world.eastManager.caller)
            #expect(again[0].id == sheet[0].id && again[0].version == 1)
            let raised = try await targets.setSheet(month: "2026-01", entries: [.init(user: r1.user.id.rawValue, metric: "calls", amount: 120)],
                                                    by: world.director.caller)
            #expect(raised[0].id == sheet[0].id && raised[0].version == 2 && raised[0].amount == 120)

            // Refused, changing nothing: a rep; someone outside the manager's subtree; bad lines.
            let before = try await harness.count("targets")
            await #expect(throws: RapportError.self) {
                try await targets.setSheet(month: "2026-01", entries: [.init(user: r1.user.id.rawValue, metric: "calls", amount: 1)], by: r1.caller)
            }
            let outside = try await #require(throws: RapportError.self) {
                try await targets.setSheet(month: "2026-01", entries: [.init(user: r1.user.id.rawValue, metric: "visits", amount: 5),
                                                                       .init(user: r3.user.id.rawValue, metric: "calls", amount: 1)], by: world.eastManager.caller)
            }
            #expect(outside.fieldErrors.map(\.field) == ["targets[1].user_id"])
            let bad = try await #require(throws: RapportError.self) {
                try await targets.setSheet(month: "2026-1", entries: [
                    .init(user: r1.user.id.rawValue, metric: "sales", amount: 1), .init(user: r1.user.id.rawValue, metric: "calls", currency: "CNY", amount: 1),
                    .init(user: r1.user.id.rawValue, team: world.east.id.rawValue, metric: "calls", amount: 1),
                    .init(user: r1.user.id.rawValue, metric: "won_revenue", amount: -5),
                ], by: world.director.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["month", "targets[0].metric", "targets[1].currency", "targets[2]", "targets[3].currency", "targets[3].amount"])
            #expect(try await harness.count("targets") == before)

            // One target: read within scope only; If-Match; audited.
            let id = sheet[1].id.rawValue
            #expect(try await targets.get(id, by: r2.caller).amount == 5_000_000)
            await #expect(throws: RapportError.self) { try await targets.get(id, by: r3.caller) }
            let stale = try await #require(throws: RapportError.self) { try await targets.update(id, amount: 1, expectedVersion: 7, by: world.eastManager.caller) }
            #expect(stale.code == .preconditionFailed)
            let changed = try await targets.update(id, amount: 6_000_000, expectedVersion: 1, by: world.eastManager.caller)
            #expect(changed.version == 2 && changed.amount == 6_000_000)
            // Lists: the rep sees their own and their team's; the manager the subtree's.
            #expect(Set(try await targets.list(month: "2026-01", user: nil, team: nil, by: r1.caller).1.map(\.id)) == [sheet[0].id, sheet[2].id])
            #expect(try await targets.list(month: "2026-01", user: nil, team: nil, by: world.eastManager.caller).1.count == 3)
            #expect(try await targets.list(month: "2026-02", user: nil, team: nil, by: world.eastManager.caller).1.isEmpty)
            try await targets.delete(sheet[2].id.rawValue, by: world.director.caller)
            #expect(try await harness.count("targets") == 2)
            let actions = try await harness.rapport.database.read { sql in
                try await sql.raw("SELECT action FROM audit_log WHERE action LIKE 'target.%' ORDER BY seq").all().map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(actions == ["target.set", "target.set", "target.set", "target.update", "target.update", "target.delete"])
        }
    }

    /// Random records for three reps in two teams: every rep's actual is what was recorded for
    /// them, every team's is the sum over its subtree's reps, for every metric; leaderboards rank them.
    @Test(arguments: TestBackend.available)
    func actualsReconcileWithTheRecordsAndTeamsAddUp(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let rapport = harness.rapport
            var random = SplitMix64(seed: 20_260_105)
            var expected: [RecordID: [TargetMetric: Int64]] = [:]
            let january = TestHarness.start  // 2026-01-05
            for rep in world.reps {
                let me = rep.user.id
                let customers = 1 + Int(random.next() % 3)
                var ids: [String] = []
                for index in 0..<customers {
                    ids.append(try await rapport.customers.create(CustomerInput(kind: "person", name: "Parent \(index)"), by: rep.caller).0.id.rawValue)
                }
                expected[me, default: [:]][.newCustomers] = Int64(customers)
                for type in ["call", "visit", "wechat"] {
                    let count = Int(random.next() % 4)
                    for index in 0..<count {
                        _ = try await rapport.activities.log(.init(customerID: ids[index % ids.count], type: type, occurredAt: january.addingTimeInterval(-Double(index) * 3_600)),
                                                             by: rep.caller)
                    }
                    if type == "call" { expected[me, default: [:]][.calls] = Int64(count) }
                    if type == "visit" { expected[me, default: [:]][.visits] = Int64(count) }
                }
                var won: Int64 = 0
                for index in 0..<Int(random.next() % 3) {
                    let amount = Int64(100_000 + random.next() % 900_000)
                    let deal = try await rapport.opportunities.create(
                        OpportunityInput(name: "年课 \(index)", customer: ids[0], amount: .some(Money(amount, "CNY")),
                                         customFields: ["course_package": .string("lessons_48")]), by: rep.caller)
                    for stage in ["proposal", "negotiation", "won"] {
                        _ = try await rapport.opportunities.move(deal.opportunity.id.rawValue, to: stage, reason: "Paid", by: rep.caller)
                    }
                    won += amount
                }
                expected[me, default: [:]][.wonRevenue] = won
            }
            // The seed makes a non-trivial month: calls, visits and deals won.
            for metric in [TargetMetric.calls, .visits, .wonRevenue] { #expect(expected.values.contains { ($0[metric] ?? 0) > 0 }, "\(metric)") }
            // Something in February does not count in January.
            harness.clock.advance(by: 31 * 86_400)
            _ = try await rapport.customers.create(CustomerInput(kind: "person", name: "Later"), by: world.reps[0].caller)

            _ = try await rapport.targets.setSheet(month: "2026-01", entries: [.init(user: world.reps[0].user.id.rawValue, metric: "calls", amount: 4),
                                                                              .init(user: world.reps[1].user.id.rawValue, metric: "calls", amount: 2),
                                                                              .init(team: world.east.id.rawValue, metric: "calls", amount: 10)],
                                                   by: world.director.caller)
            let sheet = try await rapport.performance.sheet(period: "2026-01", user: nil, team: nil, by: world.director.caller)
            func line(_ lines: [PerformanceUseCases.Line], _ metric: TargetMetric) -> PerformanceUseCases.Line? {
                lines.first { $0.key.metric == metric && ($0.key.currency == nil || $0.key.currency == "CNY") }
            }
            for rep in world.reps {
                let lines = try #require(sheet.people.first { $0.person.id == rep.user.id }).lines
                for metric in [TargetMetric.newCustomers, .calls, .visits, .wonRevenue] {
                    #expect((line(lines, metric)?.actual ?? 0) == expected[rep.user.id]?[metric] ?? 0, "\(metric)")
                }
            }
            let members: [RecordID: [RecordID]] = [world.sales.id: world.reps.map(\.user.id), world.east.id: [world.reps[0].user.id, world.reps[1].user.id],
                                                   world.west.id: [world.reps[2].user.id]]
            #expect(Set(sheet.teams.map(\.team.id)) == Set(members.keys))
            for team in sheet.teams {
                for metric in TargetMetric.allCases {
                    let sum = members[team.team.id]!.reduce(Int64(0)) { total, user in
                        total + (sheet.people.first { $0.person.id == user }.flatMap { line($0.lines, metric)?.actual } ?? 0)
                    }
                    #expect((line(team.lines, metric)?.actual ?? 0) == sum, "\(team.team.name) \(metric)")
                }
            }
            // Attainment, and a team's own target beside its members' sum.
            let east = try #require(sheet.teams.first { $0.team.id == world.east.id })
            let eastCalls = try #require(line(east.lines, .calls))
            #expect(eastCalls.target == 10 && eastCalls.membersTarget == 6)
            #expect(eastCalls.attainment?.basisPoints == eastCalls.actual * 1_000)
            let firstCalls = try #require(line(sheet.people.first { $0.person.id == world.reps[0].user.id }!.lines, .calls))
            #expect(firstCalls.attainment?.basisPoints == firstCalls.actual * 10_000 / 4)
            #expect(line(sheet.people.first { $0.person.id == world.reps[2].user.id }!.lines, .calls)?.attainment == nil)

            // The east manager sees east only; a rep only themselves.
            let eastSheet = try await rapport.performance.sheet(period: "2026-01", user: nil, team: nil, by: world.eastManager.caller)
            #expect(Set(eastSheet.teams.map(\.team.id)) == [world.east.id] && !eastSheet.people.contains { $0.person.id == world.reps[2].user.id })
            let own = try await rapport.performance.sheet(period: "2026-01", user: nil, team: nil, by: world.reps[2].caller)
            #expect(own.people.map(\.person.id) == [world.reps[2].user.id] && own.teams.isEmpty)
            await #expect(throws: RapportError.self) { try await rapport.performance.sheet(period: nil, user: nil, team: world.west.id.rawValue, by: world.eastManager.caller) }

            // Leaderboards: ranked by value (ties share), teams under the board's team; a rep sees their team's names and values.
            let board = try await rapport.performance.leaderboard(.init(metric: "calls", period: "2026-01", team: world.sales.id.rawValue), by: world.director.caller)
            let values = world.reps.map { expected[$0.user.id]?[.calls] ?? 0 }
            #expect(board.people.map(\.value) == values.sorted(by: >))
            for place in board.people { #expect(place.rank == 1 + board.people.filter { $0.value > place.value }.count) }
            #expect(Set(board.teams.map(\.team.id)) == [world.east.id, world.west.id])
            #expect(board.teams.first { $0.team.id == world.east.id }?.value == values[0] + values[1])
            let repBoard = try await rapport.performance.leaderboard(.init(metric: "won_revenue", period: "2026-01"), by: world.reps[0].caller)
            #expect(repBoard.publicOnly && Set(repBoard.people.map(\.person.id)) == [world.reps[0].user.id, world.reps[1].user.id] && repBoard.teams.isEmpty)
            #expect(repBoard.people.allSatisfy { $0.target == nil && $0.attainment == nil })
            await #expect(throws: RapportError.self) {
                try await rapport.performance.leaderboard(.init(metric: "calls", team: world.west.id.rawValue), by: world.reps[0].caller)
            }
            let invalid = try await #require(throws: RapportError.self) {
                try await rapport.performance.leaderboard(.init(metric: "sales", period: "2026-Q9", currency: "yuan"), by: world.director.caller)
            }
            #expect(Set(invalid.fieldErrors.map(\.field)) == ["metric", "period", "currency"])
            let year = try await rapport.performance.leaderboard(.init(metric: "won_revenue", period: "2026"), by: world.director.caller)

            let wonTotal: Int64 = world.reps.reduce(0) { $0 + (expected[$1.user.id]?[.wonRevenue] ?? 0) }
            let boardTotal: Int64 = year.people.reduce(0) { $0 + $1.value }
            #expect(boardTotal == wonTotal && year.currency == (wonTotal > 0 ? "CNY" : nil))
        }
    }
}
