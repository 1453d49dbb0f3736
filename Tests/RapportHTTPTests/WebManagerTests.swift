import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The manager's pages: holding levels, turnover and funnel charts with their tables, and the
/// handover wizard — only for managers and administrators, only the manager's team subtree, names
/// escaped in tables and inside the SVG, the tables' numbers the API's, the handover form CSRF-checked.
@Suite struct WebManagerTests {
    static let evil = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    /// A signed-in person with a chosen name.
    struct Person: Sendable {
        var user: User
        var caller: Caller
        var secret: String
    }

    static func person(_ harness: TestHarness, _ name: String, _ role: Role, team: Team?) async throws -> Person {
        let email = "\(role.rawValue)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let user = try await harness.rapport.users.create(.init(email: email, name: name, role: role.rawValue, team: team?.id.rawValue,
                                                                password: TestHarness.password), by: harness.system)
        let secret = try await harness.rapport.auth.signIn(email: email, password: TestHarness.password, address: "127.0.0.1").secret
        let principal = try await harness.rapport.auth.authenticate(secret: secret, address: "127.0.0.1")
        return Person(user: user, caller: Caller(principal: principal, address: "127.0.0.1", channel: "api"), secret: secret)
    }

    struct World: Sendable {
        var east: Team
        var manager: Person
        var rep: Person
        var colleague: Person
        var westRep: Person
        var leads: [Lead]
    }

    /// East (a manager, a rep named like a script, a colleague) and west (a rep); leads claimed and
    /// owned on both sides, from a source labelled like a script (east) and a west-only source.
    static func world(_ harness: TestHarness) async throws -> World {
        let east = try await harness.team("east")
        let west = try await harness.team("west")
        let manager = try await person(harness, "Manager Mia", .manager, team: east)
        let rep = try await person(harness, evil, .rep, team: east)
        let colleague = try await person(harness, "Colleague Cai", .rep, team: east)
        let westRep = try await person(harness, "West Rep Zed", .rep, team: west)
        _ = try await harness.rapport.pools.create(.init(key: "default", name: "Default", object: "lead", rules: PoolRules(holdingLimit: LevelLimits(4), timeZone: "UTC")),
                                                   by: harness.system)
        var leads: [Lead] = []
        for (index, (source, owner)) in [("evil", rep), ("evil", rep), ("west_only", westRep)].enumerated() {
            leads.append(try await harness.rapport.leads.create(LeadInput(name: "Owned \(index)", phone: .some("1390000020\(index)"), source: .some(source),
                                                                          owner: .some(owner.user.id.rawValue)), by: harness.system).0)
        }
        for (index, taker) in [rep, westRep].enumerated() {
            let waiting = try await harness.rapport.leads.create(LeadInput(name: "Waiting \(index)", phone: .some("1390000030\(index)"), source: .some("evil"),
                                                                           owner: .some(nil), pool: .some("default")), by: harness.system).0
            _ = try await harness.rapport.pools.claim("default", leads: [waiting.id.rawValue], by: taker.caller)
            leads.append(waiting)
        }
        _ = try await harness.rapport.leads.move(leads[0].id.rawValue, to: "contacting", reason: nil, by: rep.caller)
        _ = try await harness.rapport.leads.move(leads[2].id.rawValue, to: "contacting", reason: nil, by: westRep.caller)
        try await harness.rapport.database.write { sql in
            try await LeadStore(sql).recordSources(["evil": evil, "west_only": "West Source Zed"], at: harness.clock.now())
        }
        return World(east: east, manager: manager, rep: rep, colleague: colleague, westRep: westRep, leads: leads)
    }

    @Test(arguments: TestBackend.available)
    func aManagerSeesTheTeamsNumbersEscapedAndTheAPIsNumbers(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let session = world.manager.secret
            try await harness.http { client in
                // Holding levels: east's people, the script-named rep escaped, nobody of west.
                let holdings = try await client.page("/manage", session: session)
                #expect(holdings.status == .ok && holdings.text.contains("Holding levels") && holdings.text.contains("href=\"/manage\""))
                #expect(holdings.text.contains(Self.escaped) && !holdings.text.contains(Self.evil) && !holdings.text.contains("West Rep Zed"))
                #expect(holdings.text.contains("<title>\(Self.escaped): 3 / 4</title>"), "the meter's title says the rep's holding against the limit")
                #expect(holdings.body.readableBytes < 100_000)

                // Turnover by rep: table and chart say the API's numbers, names not ids, west absent.
                let api = try await client.send(.get, "/api/v1/analytics/lead-turnover?group_by=rep", token: session)
                let rows = try #require(api.object["rows"] as? [[String: Any]])
                #expect(rows.count == 1, "the manager's scope: east's one rep with numbers")
                let turnover = try await client.page("/manage/turnover?group_by=rep", session: session)
                #expect(turnover.status == .ok && turnover.text.contains("<svg") && turnover.text.contains("role=\"img\""))
                #expect(!turnover.text.contains(Self.evil) && !turnover.text.contains("West Rep Zed") && !turnover.text.contains(world.westRep.user.id.rawValue))
                for row in rows {
                    let name = row["group"] as? String == world.rep.user.id.rawValue ? Self.escaped : "?"
                    let numbers = ["leads_received", "claimed", "released", "reclaimed", "converted"].map { "<td class=\"num\">\(row[$0] as? Int ?? -1)</td>" }.joined()
                    #expect(turnover.text.contains("<th scope=\"row\">\(name)</th>\(numbers)"))
                    #expect(turnover.text.contains("<title>\(name) · Received: \(row["leads_received"] as? Int ?? -1)</title>"), "the bar's title, escaped inside the SVG")
                }
                #expect((rows.first?["leads_received"] as? Int) == 3 && (rows.first?["claimed"] as? Int) == 1)
                let byTeam = try await client.page("/manage/turnover?group_by=team", session: session)
                #expect(byTeam.text.contains("<th scope=\"row\">East</th>") && !byTeam.text.contains(">West<"))
                let bySource = try await client.page("/manage/turnover?group_by=source", session: session)
                #expect(bySource.text.contains("<th scope=\"row\">\(Self.escaped)</th>") && !bySource.text.contains("West Source Zed"))
                #expect(bySource.text.contains("<title>\(Self.escaped) · Claimed: 1</title>"))

                // The funnel: per source, the API's numbers; the chart an accessible image; west's source absent.
                let funnelAPI = try await client.send(.get, "/api/v1/analytics/lead-funnel", token: session)
                let sources = try #require(funnelAPI.object["rows"] as? [[String: Any]])
                #expect(sources.count == 1)
                let funnel = try await client.page("/manage/funnel", session: session)
                #expect(funnel.status == .ok && funnel.text.contains("<title id=\"funnel-chart-title\">Lead funnel: Total</title>"))
                #expect(!funnel.text.contains(Self.evil) && !funnel.text.contains("West Source Zed"))
                for row in sources {
                    let stages = try #require(row["stages"] as? [[String: Any]])
                    let reached = stages.map { "<td class=\"num\">\($0["reached"] as? Int ?? -1)<br>" }
                    var expected = "<th scope=\"row\">\(Self.escaped)</th><td class=\"num\">\(row["created"] as? Int ?? -1)</td>"
                    #expect(funnel.text.contains(expected))
                    for cell in reached { #expect(funnel.text.contains(cell)) }
                    let rate = String(format: "%.1f%%", (row["conversion_rate"] as? Double ?? -1) * 100)
                    expected = "<td class=\"num\">\(rate)</td></tr>"
                    #expect(funnel.text.contains(expected), "\(rate)")
                    #expect(stages.first?["reached"] as? Int == 3 && stages.dropFirst().first?["reached"] as? Int == 1)
                }
                let one = try await client.page("/manage/funnel?source=evil", session: session)
                #expect(one.text.contains("Lead funnel: \(Self.escaped)") && one.text.contains("<title>New: 3</title>") && one.text.contains("<title>Contacting: 1</title>"))
                let none = try await client.page("/manage/funnel?source=west_only", session: session)
                #expect(none.status == .ok && !none.text.contains("West Source Zed") && none.text.contains("No data for this period."))

                // Bad filters are a page in the reader's words, never a 5xx.
                let bad = try await client.page("/manage/turnover?from=2026-13-45", session: session)
                #expect(bad.status == .unprocessableContent && bad.text.contains("<h1>"))

                // Chinese.
                for (path, words) in [("/manage", "保有量"), ("/manage/turnover", "线索流转"), ("/manage/funnel", "来源漏斗"), ("/manage/handover", "离职交接")] {
                    let page = try await client.page(path, session: session, language: "zh-CN")
                    #expect(page.status == .ok && page.text.contains(words) && page.text.contains("lang=\"zh-Hans\""), "\(path)")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aRepGetsNoTeamPagesAndAManagerNothingOfAnotherTeam(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            try await harness.http { client in
                let workbench = try await client.page("/workbench", session: world.rep.secret)
                #expect(workbench.status == .ok && !workbench.text.contains("href=\"/manage\""), "a rep sees no Team link")
                for path in ["/manage", "/manage/turnover", "/manage/funnel", "/manage/handover", "/manage/handover/targets?user=\(world.colleague.user.id)"] {
                    let page = try await client.page(path, session: world.rep.secret)
                    #expect(page.status == .forbidden && !page.text.contains("Colleague Cai"), "\(path)")
                }
                let post = try await client.submit("/manage/handover", session: world.rep.secret,
                                                   [("user", world.colleague.user.id.rawValue), ("reason", "leaving"), ("leads_to", "pool"), ("leads_pool", "default")])
                #expect(post.status == .forbidden)
                #expect(try await harness.rapport.users.get(world.colleague.user.id.rawValue, by: harness.system).status == .active)

                // A manager of east: west's rep is not found at any step, and the handover changes nothing.
                let session = world.manager.secret
                let start = try await client.page("/manage/handover", session: session)
                #expect(start.text.contains("Colleague Cai") && start.text.contains(Self.escaped) && !start.text.contains("West Rep Zed"))
                #expect(!start.text.contains("value=\"\(world.manager.user.id)\""), "nobody hands over themselves")
                let west = world.westRep.user.id.rawValue
                for path in ["/manage/handover/targets?user=\(west)", "/manage/handover/preview?user=\(west)&leads_to=pool&leads_pool=default"] {
                    #expect(try await client.page(path, session: session).status == .notFound, "\(path)")
                }
                let refused = try await client.submit("/manage/handover", session: session, [("user", west), ("reason", "leaving"), ("leads_to", "pool"), ("leads_pool", "default")])
                #expect(refused.status == .notFound)
                #expect(try await harness.rapport.users.get(west, by: harness.system).status == .active)
                let targets = try await client.page("/manage/handover/targets?user=\(world.rep.user.id)", session: session)
                #expect(targets.status == .ok && targets.text.contains("Colleague Cai") && !targets.text.contains("West Rep Zed") && !targets.text.contains(">West<"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theHandoverWizardPreviewsAndRunsOnlyWithTheSessionsToken(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            _ = try await harness.rapport.customers.create(
                CustomerInput(kind: "person", name: "Customer of the leaver", contacts: [.init(kind: "phone", value: "13900004000")]), by: world.rep.caller)
            let session = world.manager.secret
            let leaver = world.rep.user.id.rawValue
            let colleague = world.colleague.user.id.rawValue
            let plan = [("user", leaver), ("leads_to", "users"), ("leads_users", colleague), ("customers_to", "team"), ("customers_team", world.east.id.rawValue)]
            try await harness.http { client in
                let targets = try await client.page("/manage/handover/targets?user=\(leaver)", session: session)
                #expect(targets.status == .ok && targets.text.contains("3 leads, 3 open") && targets.text.contains("1 customers"))
                let query = plan.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
                let preview = try await client.page("/manage/handover/preview?\(query)", session: session)
                #expect(preview.status == .ok && preview.text.contains("<th scope=\"row\">Colleague Cai</th><td class=\"num\">3</td><td class=\"num\">3</td>"))
                #expect(preview.text.contains("action=\"/manage/handover\"") && preview.text.contains("data-confirm=\"Hand over \(Self.escaped)&#39;s records?"))
                #expect(preview.text.contains("Round-robin to the members of East"))
                #expect(preview.text.contains("name=\"leads_users\" value=\"\(colleague)\""))
                #expect(!preview.text.contains("role=\"alert\""), "the colleague stays within the holding limit: no warning")

                // A wrong token: refused, nothing changed.
                let forged = try await client.submit("/manage/handover", session: session, plan + [("reason", "leaving")], csrf: "not-the-token")
                #expect(forged.status == .forbidden)
                #expect(try await harness.count("handovers") == 0)
                #expect(try await harness.rapport.users.get(leaver, by: harness.system).status == .active)
                // No reason: a page saying what is missing, nothing changed.
                let reasonless = try await client.submit("/manage/handover", session: session, plan)
                #expect(reasonless.status == .unprocessableContent && reasonless.text.contains("reason"))
                #expect(try await harness.count("handovers") == 0)

                let done = try await client.submit("/manage/handover", session: session, plan + [("reason", "Moved to another city")])
                #expect(done.status == .seeOther)
                let location = try #require(done.headers[.location])
                #expect(location.hasPrefix("/manage/handovers/hnd_") && location.hasSuffix("?notice=handover_done"))
                #expect(try await harness.rapport.users.get(leaver, by: harness.system).status == .disabled)
                let moved = try await harness.rapport.leads.list(.init(owner: colleague), page: PageRequest(), by: harness.system).items
                #expect(moved.count == 3)

                let report = try await client.page(location, session: session)
                #expect(report.status == .ok && report.text.contains("The handover is done.") && report.text.contains(Self.escaped) && !report.text.contains(Self.evil))
                #expect(report.text.contains("Moved to another city") && report.text.contains("3 moved · 0 kept · 0 skipped"))
                for lead in moved { #expect(report.text.contains(lead.id.rawValue)) }
                let start = try await client.page("/manage/handover", session: session)
                #expect(start.text.contains("Handover of \(Self.escaped)"))
            }
        }
    }
}
