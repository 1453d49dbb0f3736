import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The manager's team view (behind pace, overdue tasks, quiet days; flagged first), the
/// workbench card, the target sheet's subjects and the `leaderboards` setting, on every backend.
@Suite struct PerformanceTeamTests {
    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    @Test(arguments: TestBackend.available)
    func theTeamViewFlagsWhoIsBehindOverdueOrQuiet(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            _ = harness.clock.set(Self.at("2026-03-16T02:00:00Z"))
            let sales = try await harness.team("sales")
            let east = try await harness.team("east", parent: sales)
            let west = try await harness.team("west", parent: sales)
            let manager = try await harness.signedIn(.manager, team: east)
            let r1 = try await harness.signedIn(.rep, team: east)
            let r2 = try await harness.signedIn(.rep, team: east)
            let r4 = try await harness.signedIn(.rep, team: east)
            let r3 = try await harness.signedIn(.rep, team: west)
            for (person, name) in [(r1, "Ann"), (r2, "Bob"), (r4, "Cid"), (r3, "Wes")] {
                _ = try await harness.rapport.users.update(person.user.id.rawValue, .init(name: name), expectedVersion: nil, by: harness.system)
            }
            _ = try await harness.rapport.targets.setSheet(month: "2026-03", entries: [
                .init(user: r1.user.id.rawValue, metric: "calls", amount: 4), .init(user: r2.user.id.rawValue, metric: "calls", amount: 4),
                .init(user: r2.user.id.rawValue, metric: "visits", amount: 2),
            ], by: manager.caller)
            for (person, calls) in [(r1, 3), (r2, 1), (r3, 2)] {
                let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "C \(calls)"), by: person.caller).0
                for _ in 0..<calls { _ = try await harness.rapport.activities.log(.init(customerID: customer.id.rawValue, type: "call"), by: person.caller) }
            }
            _ = try await harness.rapport.activities.log(.init(customerID: try await harness.rapport.customers.create(
                CustomerInput(kind: "person", name: "Visited"), by: r2.caller).0.id.rawValue, type: "visit"), by: r2.caller)
            _ = try await harness.rapport.tasks.create(.init(title: "Call back", dueAt: "2026-03-16T03:00:00Z", assignee: r2.user.id.rawValue), by: manager.caller)
            _ = try await harness.rapport.tasks.create(.init(title: "Later", dueAt: "2026-03-20T03:00:00Z", assignee: r1.user.id.rawValue), by: manager.caller)
            _ = try await harness.rapport.tasks.create(.init(title: "West", dueAt: "2026-03-16T03:00:00Z"), by: r3.caller)
            _ = harness.clock.set(Self.at("2026-03-16T04:00:00Z"))  // noon in Shanghai: half of March has gone

            let overdue = try await harness.rapport.tasks.overdueCounts(by: manager.caller)
            #expect(overdue == [r2.user.id: 1])
            #expect(try await harness.rapport.tasks.overdueCounts(by: r3.caller) == [r3.user.id: 1])

            let view = try await harness.rapport.performance.team(period: nil, by: manager.caller)
            #expect(view.period.description == "2026-03" && abs(view.elapsed - 0.5) < 0.000_001)
            #expect(view.rows.map(\.person.name) == ["Bob", "Cid", "Ann"])
            let bob = view.rows[0], cid = view.rows[1], ann = view.rows[2]
            // Bob: calls 25 %, visits 50 % → his lowest is calls, behind the 50 % pace; one overdue task.
            #expect(bob.behindPace && bob.overdueTasks == 1 && bob.daysSinceActivity == 0 && !bob.idle)
            #expect(bob.pace.lowestKey?.metric == .calls && bob.pace.lowest?.basisPoints == 2_500)
            #expect(cid.idle && !cid.behindPace && cid.daysSinceActivity == nil && cid.pace.lowest == nil)
            #expect(!ann.flagged && ann.pace.lowest?.basisPoints == 7_500)
            await #expect(throws: RapportError.self) { try await harness.rapport.performance.team(period: nil, by: r1.caller) }
            // A week later with nothing logged, Ann is quiet too.
            _ = harness.clock.advance(by: 7 * 86_400)
            let later = try await harness.rapport.performance.team(period: "2026-03", by: manager.caller)
            #expect(later.rows.first { $0.person.id == r1.user.id }?.idle == true)
            _ = harness.clock.set(Self.at("2026-03-16T04:00:00Z"))

            // The workbench card: Ann's targeted figure and her place on her team's board.
            let card = try await harness.rapport.performance.card(by: r1.caller)
            #expect(card.lines.map(\.key.metric) == [.calls] && card.lines[0].actual == 3 && card.lines[0].attainment?.basisPoints == 7_500)
            #expect(card.place?.rank == 1 && card.boardSize == 3 && card.metric == .wonRevenue)
            #expect(try await harness.rapport.performance.card(by: r4.caller).lines.isEmpty)

            // The target sheet's subjects: the manager's subtree; refused to reps; another team is not found.
            let form = try await harness.rapport.targets.sheetForm(month: "2026-03", team: nil, by: manager.caller)
            #expect(form.teams.map(\.id) == [east.id] && !form.people.contains { $0.id == r3.user.id } && form.people.contains { $0.id == r4.user.id })
            #expect(form.targets.count == 3)
            let refused = try await #require(throws: RapportError.self) { try await harness.rapport.targets.sheetForm(month: nil, team: nil, by: r1.caller) }
            #expect(refused.code == .forbidden)
            let elsewhere = try await #require(throws: RapportError.self) {
                try await harness.rapport.targets.sheetForm(month: nil, team: west.id.rawValue, by: manager.caller)
            }
            #expect(elsewhere.code == .notFound)
        }
    }

    @Test(arguments: TestBackend.available)
    func theCompanyMayHideLeaderboardsFromReps(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let performance = harness.rapport.performance
            #expect(try await performance.settings(by: rep.caller).visibleToReps)
            #expect(try await performance.leaderboard(.init(metric: "calls"), by: rep.caller).publicOnly)
            let notAdmin = try await #require(throws: RapportError.self) { try await performance.setSettings(.init(visibleToReps: false), by: manager.caller) }
            #expect(notAdmin.code == .forbidden)
            let audits = try await harness.count("audit_log")
            #expect(try await performance.setSettings(.init(visibleToReps: false), by: harness.system) == .init(visibleToReps: false))
            #expect(try await harness.count("audit_log") == audits + 1)
            let hidden = try await #require(throws: RapportError.self) { try await performance.leaderboard(.init(metric: "calls"), by: rep.caller) }
            #expect(hidden.code == .leaderboardHidden)
            #expect(try await !performance.leaderboard(.init(metric: "calls"), by: manager.caller).people.isEmpty)
            let card = try await performance.card(by: rep.caller)
            #expect(card.place == nil && card.boardSize == 0)
        }
    }
}
