import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportTestSupport
import Testing

/// The performance (`/performance`) and leaderboard (`/leaderboard`) pages: a rep sees their own
/// figures with attainment gauges and their team's board (names and values only); a manager their
/// people and teams; names are escaped; both languages render; bad parameters are named.
@Suite struct WebTargetsTests {
    @Test(arguments: TestBackend.available)
    func performanceAndLeaderboardPagesKeepToScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let sales = try await harness.team("sales")
            let east = try await harness.team("east", parent: sales)
            let west = try await harness.team("west", parent: sales)
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let mate = try await harness.signedIn(.rep, team: east)
            let stranger = try await harness.signedIn(.rep, team: west)
            _ = try await harness.rapport.users.update(stranger.user.id.rawValue, .init(name: "Wendy West"), expectedVersion: nil, by: harness.system)
            _ = try await harness.rapport.users.update(rep.user.id.rawValue, .init(name: "Ray East"), expectedVersion: nil, by: harness.system)
            _ = try await harness.rapport.users.update(mate.user.id.rawValue, .init(name: "<script>alert(1)</script>"), expectedVersion: nil, by: harness.system)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Parent"), by: rep.caller).0
            for _ in 0..<3 { _ = try await harness.rapport.activities.log(.init(customerID: customer.id.rawValue, type: "call"), by: rep.caller) }
            let month = String(CalendarDate(harness.clock.now(), in: harness.rapport.settings.businessTimeZone).description.prefix(7))
            _ = try await harness.rapport.targets.setSheet(month: month, entries: [.init(user: rep.user.id.rawValue, metric: "calls", amount: 4)], by: manager.caller)
            try await harness.http { client in
                let mine = try await client.page("/performance", session: rep.secret)
                #expect(mine.status == .ok && mine.text.contains("My figures") && mine.text.contains("class=\"meter\"") && mine.text.contains("75"))
                #expect(!mine.text.contains("Wendy West") && mine.body.readableBytes < 100_000)
                let chinese = try await client.page("/performance", session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("达成率") && chinese.text.contains("我的业绩"))
                let team = try await client.page("/performance?period=\(month)", session: manager.secret)
                #expect(team.status == .ok && team.text.contains("East") && team.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !team.text.contains("<script>alert"))
                #expect(!team.text.contains("Wendy West"))

                let board = try await client.page("/leaderboard?metric=calls", session: rep.secret)
                #expect(board.status == .ok && board.text.contains("Ray East") && board.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(!board.text.contains("Wendy West") && !board.text.contains("Attainment") && board.text.contains("My rank: 1"))
                let ranked = try await client.page("/leaderboard?metric=calls&period=\(month)", session: manager.secret, language: "zh-CN")
                #expect(ranked.status == .ok && ranked.text.contains("排行榜") && ranked.text.contains("达成率") && ranked.text.contains("75"))
                let elsewhere = try await client.page("/leaderboard?metric=calls&team_id=\(west.id.rawValue)", session: rep.secret)
                #expect(elsewhere.status == .notFound)
                let bad = try await client.page("/leaderboard?metric=sales&period=2026-Q7", session: manager.secret)
                #expect(bad.status == .unprocessableContent && bad.text.contains("period"))
            }
        }
    }
}
