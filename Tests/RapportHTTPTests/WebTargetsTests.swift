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

    @Test(arguments: TestBackend.available)
    func theTargetSheetTeamViewAndWorkbenchCards(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            _ = harness.clock.set(RFC3339.parse("2026-03-16T04:00:00Z")!)
            let sales = try await harness.team("sales")
            let east = try await harness.team("east", parent: sales)
            let west = try await harness.team("west", parent: sales)
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let odd = try await harness.signedIn(.rep, team: east)
            let stranger = try await harness.signedIn(.rep, team: west)
            _ = try await harness.rapport.users.update(rep.user.id.rawValue, .init(name: "Ann East"), expectedVersion: nil, by: harness.system)
            _ = try await harness.rapport.users.update(odd.user.id.rawValue, .init(name: "<script>alert(1)</script>"), expectedVersion: nil, by: harness.system)
            _ = try await harness.rapport.users.update(stranger.user.id.rawValue, .init(name: "Wendy West"), expectedVersion: nil, by: harness.system)
            _ = try await harness.rapport.targets.setSheet(month: "2026-03", entries: [.init(user: rep.user.id.rawValue, metric: "calls", amount: 4)], by: manager.caller)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Parent"), by: rep.caller).0
            _ = try await harness.rapport.activities.log(.init(customerID: customer.id.rawValue, type: "call"), by: rep.caller)
            let repCalls = TargetSheetField.name(rep.user.id.rawValue, "calls")
            try await harness.http { client in
                // The sheet: the manager's people and team, prefilled; escaped; both languages; nobody else's.
                let sheet = try await client.page("/performance/targets?month=2026-03", session: manager.secret)
                #expect(sheet.status == .ok && sheet.text.contains("Target sheet") && sheet.text.contains("name=\"\(repCalls)\" value=\"4\""))
                #expect(sheet.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !sheet.text.contains("<script>alert") && !sheet.text.contains("Wendy West"))
                #expect(sheet.text.contains(TargetSheetField.name(east.id.rawValue, "won_revenue")) && sheet.body.readableBytes < 100_000)
                let chinese = try await client.page("/performance/targets", session: manager.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("目标表") && chinese.text.contains("保存目标"))
                #expect(try await client.page("/performance/targets", session: rep.secret).status == .forbidden)
                #expect(try await client.page("/performance/targets?team_id=\(west.id.rawValue)", session: manager.secret).status == .notFound)

                // Saving: a forged token, an unreadable cell or a refused amount save nothing; then all at once.
                let before = try await harness.count("targets")
                let won = TargetSheetField.name(rep.user.id.rawValue, "won_revenue")
                let teamCalls = TargetSheetField.name(east.id.rawValue, "calls")
                let fields = [("month", "2026-03"), ("currency", "CNY"), (repCalls, "10"), (won, "1,200.50"), (teamCalls, "30")]
                #expect(try await client.submit("/performance/targets", session: manager.secret, fields, csrf: "forged").status == .forbidden)
                let unreadable = try await client.submit("/performance/targets", session: manager.secret, fields + [(teamCalls, "lots")])
                #expect(unreadable.status == .unprocessableContent && unreadable.text.contains("East · Calls: not an amount") && unreadable.text.contains("value=\"lots\""))
                let tooMuch = try await client.submit("/performance/targets", session: manager.secret, fields + [(repCalls, "2000000000000000000")])
                #expect(tooMuch.status == .unprocessableContent && tooMuch.text.contains("Nothing was saved") && tooMuch.text.contains("Ann East · Calls"))
                let outsider = try await client.submit("/performance/targets", session: rep.secret, fields)
                #expect(outsider.status == .forbidden)
                #expect(try await harness.count("targets") == before)
                let saved = try await client.submit("/performance/targets", session: manager.secret, fields)
                #expect(saved.status == .seeOther && saved.headers[.location] == "/performance/targets?month=2026-03&notice=targets_saved")
                let (_, list) = try await harness.rapport.targets.list(month: "2026-03", user: nil, team: nil, by: manager.caller)
                let amounts = Dictionary(list.map { ("\($0.subject.id.rawValue) \($0.metric.rawValue)", $0.amount) }, uniquingKeysWith: { first, _ in first })
                #expect(amounts["\(rep.user.id.rawValue) calls"] == 10 && amounts["\(rep.user.id.rawValue) won_revenue"] == 120_050 && amounts["\(east.id.rawValue) calls"] == 30)

                // The manager's team view: the quiet rep and the rep behind pace are flagged.
                let team = try await client.page("/performance", session: manager.secret)
                #expect(team.status == .ok && team.text.contains("Team view") && team.text.contains("Behind pace") && team.text.contains("Quiet 7+ days"))
                #expect(!team.text.contains("Wendy West") && team.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                let teamChinese = try await client.page("/performance", session: manager.secret, language: "zh-CN")
                #expect(teamChinese.text.contains("团队预警") && teamChinese.text.contains("进度落后"))
                #expect(!(try await client.page("/performance", session: rep.secret)).text.contains("Team view"))

                // The workbench cards and the header's links.
                let bench = try await client.page("/workbench", session: rep.secret)
                #expect(bench.status == .ok && bench.text.contains("My attainment this month") && bench.text.contains("class=\"meter\""))
                #expect(bench.text.contains("My leaderboard position") && bench.text.contains("No. 1 of 2"))
                #expect(bench.text.contains("href=\"/performance\"") && bench.text.contains("href=\"/leaderboard\""))
                let benchChinese = try await client.page("/workbench", session: odd.secret, language: "zh-CN")
                #expect(benchChinese.text.contains("本月尚未为你设定目标") && benchChinese.text.contains("第 1 名") && benchChinese.text.contains("排行榜"))

                // Hidden from reps: the page says so; the workbench drops the position card.
                _ = try await harness.rapport.performance.setSettings(.init(visibleToReps: false), by: harness.system)
                let hidden = try await client.page("/leaderboard", session: rep.secret)
                #expect(hidden.status == .forbidden && hidden.text.contains("does not show leaderboards to reps"))
                #expect(!(try await client.page("/workbench", session: rep.secret)).text.contains("My leaderboard position"))
                #expect(try await client.page("/leaderboard", session: manager.secret).status == .ok)
            }
        }
    }
}

/// A target sheet cell's input name, as the page writes it.
enum TargetSheetField {
    static func name(_ subject: String, _ metric: String) -> String { "t:\(subject):\(metric)" }
}
