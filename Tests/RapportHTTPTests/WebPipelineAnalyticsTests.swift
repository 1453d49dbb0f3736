import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportTestSupport
import RapportWeb
import Testing

/// The pipeline analytics pages (report, forecast, planner): they render for a rep, a manager and
/// an administrator in both languages, each sees only their scope's numbers (another team's
/// secret-named opportunity and source never show, and the totals say so), names typed as
/// scripts stay text (sources are keys; a filter typed as a script is echoed escaped), bad filters come back as form errors (422), never a 5xx, and empty
/// data is a friendly empty state.
@Suite struct WebPipelineAnalyticsTests {
    static let evil = WebManagerTests.evil
    static let escaped = WebManagerTests.escaped
    static let day: TimeInterval = 86_400

    struct World: Sendable {
        var admin: TestHarness.SignedIn
        var manager: WebManagerTests.Person
        var rep: WebManagerTests.Person
        var westRep: WebManagerTests.Person
        var start: Date
    }

    /// t0: the east rep (named like a script) opens A (¥100.00, a Chinese source), B
    /// (¥50.00, referral) and C (¥200.00); the west rep opens W (¥9,900.00, a secret source).
    /// t0+1d: A, C, W → proposal; B lost. t0+2d: A, W → negotiation. t0+3d: A, W won. The east rep
    /// also adds 4 leads and logs 2 visits.
    static func world(_ harness: TestHarness) async throws -> World {
        let east = try await harness.team("east")
        let west = try await harness.team("west")
        let admin = try await harness.signedIn(.admin)
        let manager = try await WebManagerTests.person(harness, "Manager Mia", .manager, team: east)
        let rep = try await WebManagerTests.person(harness, evil, .rep, team: east)
        let westRep = try await WebManagerTests.person(harness, "West Rep Zed", .rep, team: west)
        let start = harness.clock.now()
        let opportunities = harness.rapport.opportunities
        func open(_ person: WebManagerTests.Person, _ name: String, _ minor: Int64, source: String?) async throws -> String {
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Buyer \(name)"), by: person.caller).0
            return try await opportunities.create(OpportunityInput(
                name: name, customer: customer.id.rawValue, amount: .some(Money(minor, "CNY")), source: .some(source),
                customFields: ["course_package": .string("lessons_48")]), by: person.caller).opportunity.id.rawValue
        }
        let a = try await open(rep, "A", 10_000, source: "直播渠道")
        let b = try await open(rep, "B", 5_000, source: "referral")
        let c = try await open(rep, "C", 20_000, source: "referral")
        let w = try await open(westRep, "SECRET-WEST deal", 990_000, source: "SECRET-WEST-SOURCE")
        _ = harness.clock.set(start.addingTimeInterval(Self.day))
        for (id, person) in [(a, rep), (c, rep), (w, westRep)] { _ = try await opportunities.move(id, to: "proposal", reason: nil, by: person.caller) }
        _ = try await opportunities.move(b, to: "lost", reason: nil, lossReason: "price", by: rep.caller)
        _ = harness.clock.set(start.addingTimeInterval(2 * Self.day))
        for (id, person) in [(a, rep), (w, westRep)] { _ = try await opportunities.move(id, to: "negotiation", reason: nil, by: person.caller) }
        _ = harness.clock.set(start.addingTimeInterval(3 * Self.day))
        for (id, person) in [(a, rep), (w, westRep)] { _ = try await opportunities.move(id, to: "won", reason: nil, by: person.caller) }
        for index in 0..<4 {
            _ = try await harness.rapport.leads.create(LeadInput(name: "Lead \(index)", phone: .some(String(format: "139%08d", 70 + index))), by: rep.caller)
        }
        let visited = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Visited"), by: rep.caller).0
        for _ in 0..<2 { _ = try await harness.rapport.activities.log(.init(customerID: visited.id.rawValue, type: "visit"), by: rep.caller) }
        _ = harness.clock.advance(by: 60)
        // Three days on, the sessions opened at t0 have expired: everyone signs in again.
        func again(_ user: User) async throws -> String {
            try await harness.rapport.auth.signIn(email: user.email, password: TestHarness.password, address: "127.0.0.1").secret
        }
        var world = World(admin: admin, manager: manager, rep: rep, westRep: westRep, start: start)
        world.admin.secret = try await again(admin.user)
        world.manager.secret = try await again(manager.user)
        world.rep.secret = try await again(rep.user)
        world.westRep.secret = try await again(westRep.user)
        return world
    }

    /// A summary card as the page draws it.
    static func card(_ label: String, _ value: String) -> String { "<h3>\(label)</h3><p class=\"an-value\">\(value)</p>" }

    @Test(arguments: TestBackend.available)
    func eachRoleSeesItsScopesNumbersEscapedInBothLanguages(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            try await harness.http { client in
                // The rep (and the east's manager): A won, B lost, C open; nothing of the west.
                for session in [world.rep.secret, world.manager.secret] {
                    let page = try await client.page("/analytics/pipeline", session: session)
                    #expect(page.status == .ok && page.text.contains("<title id=\"pipeline-funnel-title\">Stage funnel: New sale</title>"))
                    for (label, value) in [("Open", "1"), ("Won", "1"), ("Lost", "1"), ("Win rate", "50.0%"), ("Won revenue", "¥100.00"),
                                           ("Average won deal", "¥100.00"), ("Sales cycle", "3.0 days"), ("Open pipeline", "¥200.00"),
                                           ("Weighted pipeline", "¥80.00")] {
                        #expect(page.text.contains(Self.card(label, value)), "\(label): \(value)")
                    }
                    #expect(!page.text.contains("SECRET-WEST") && !page.text.contains("9,900") && !page.text.contains(Self.evil))
                    #expect(page.text.contains("<title>Needs analysis: 3</title>") && page.text.contains("<title>Won: 1</title>"), "the funnel's bars: reached")
                    #expect(page.text.contains("<th scope=\"row\">Proposal <span class=\"badge\">Open</span></th><td class=\"num\">1</td><td class=\"num\">2</td><td class=\"num\">50.0%</td>"))
                    #expect(page.text.contains("¥16.67 a day"), "velocity: 1 open × ¥100 × 1/2 ÷ 3 days, rounded to the fen")
                    #expect(page.body.readableBytes < 100_000)
                    for group in ["owner", "source", "team"] {
                        let grouped = try await client.page("/analytics/pipeline?group_by=\(group)", session: session)
                        #expect(grouped.status == .ok && grouped.text.contains("<table class=\"report an-group-table\""), "\(group)")
                        #expect(!grouped.text.contains("SECRET-WEST") && !grouped.text.contains("West Rep Zed") && !grouped.text.contains(">West<"), "\(group)")
                        #expect(!grouped.text.contains(Self.evil), "\(group)")
                        #expect(grouped.text.contains("<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">3</td>"), "\(group): the total is the scope's")
                    }
                    let byOwner = try await client.page("/analytics/pipeline?group_by=owner", session: session)
                    #expect(byOwner.text.contains("<th scope=\"row\">\(Self.escaped)</th><td class=\"num\">3</td>"))
                    #expect(byOwner.text.contains("<title>\(Self.escaped) · Opportunities: 3</title>"), "escaped inside the chart too")
                    let bySource = try await client.page("/analytics/pipeline?group_by=source&interval=month", session: session)
                    #expect(bySource.text.contains("<th scope=\"row\">直播渠道 · January 2026</th><td class=\"num\">1</td>") && bySource.text.contains("<th scope=\"row\">referral · January 2026</th><td class=\"num\">2</td>"))
                    let filtered = try await client.page("/analytics/pipeline?source=referral", session: session)
                    #expect(filtered.text.contains(Self.card("Open", "1")) && filtered.text.contains(Self.card("Won", "0")))
                    #expect(filtered.text.contains("value=\"referral\""), "the filter stays in the form")
                }
                // A filter naming the west cannot widen a rep's scope.
                let widened = try await client.page("/analytics/pipeline?owner=\(world.westRep.user.id)", session: world.rep.secret)
                #expect(widened.status == .ok && !widened.text.contains("SECRET-WEST") && widened.text.contains("Nothing to show yet"))
                #expect(!widened.text.contains("name=\"owner\""), "a rep is offered no owner or team to choose")
                // The manager may choose among the east's people, not the west's.
                let managed = try await client.page("/analytics/pipeline", session: world.manager.secret)
                #expect(managed.text.contains("name=\"owner\"") && managed.text.contains("Manager Mia") && !managed.text.contains("West Rep Zed"))

                // The administrator sees everyone's: the totals include the west.
                let all = try await client.page("/analytics/pipeline?group_by=source", session: world.admin.secret)
                #expect(all.text.contains(Self.card("Won", "2")) && all.text.contains("SECRET-WEST-SOURCE") && all.text.contains("¥10,000.00"))
                #expect(all.text.contains("<tfoot><tr><th scope=\"row\">Total</th><td class=\"num\">4</td>"))

                // The forecast: C's ¥200 in proposal, weighted at 40 %; the historical rate of the rep's own past.
                let forecast = try await client.page("/analytics/forecast", session: world.rep.secret)
                #expect(forecast.status == .ok && forecast.text.contains("<td class=\"num\">¥200.00</td><td class=\"num\">¥80.00</td>"))
                #expect(forecast.text.contains("id=\"forecast-months-title\"") && forecast.text.contains("<title>No close date · Historical forecast: ¥200.00</title>"))
                #expect(forecast.text.contains("<th scope=\"row\">No close date</th><td>CNY</td><td class=\"num\">1</td><td class=\"num\">¥200.00</td><td class=\"num\">¥80.00</td><td class=\"num\">¥200.00</td>"),
                        "per month: open, weighted (40 %), historical (proposal: 1 won of 1)")
                #expect(!forecast.text.contains("SECRET-WEST") && !forecast.text.contains("9,900") && !forecast.text.contains("Back-test:"))
                // Needs analysis: 1 won of 2 closed; proposal and negotiation: 1 of 1. C (proposal) × 1 = ¥200.
                #expect(forecast.text.contains("<th scope=\"row\">CNY</th><td class=\"num\">¥200.00</td><td class=\"num\">¥80.00</td><td class=\"num\">¥200.00</td>"))
                let asOf = RFC3339.format(world.start.addingTimeInterval(Self.day + 3_600)).replacingOccurrences(of: "+", with: "%2B")
                let backTest = try await client.page("/analytics/forecast?as_of=\(asOf)", session: world.rep.secret)
                // Then: A and C in proposal (¥300 open), B lost from needs analysis; nothing won yet → no rate for proposal.
                #expect(backTest.status == .ok && backTest.text.contains("Back-test:") && backTest.text.contains("1 of them were won afterwards."))
                #expect(backTest.text.contains("<th scope=\"row\">CNY</th><td class=\"num\">¥300.00</td><td class=\"num\">¥0.00</td><td class=\"num\">¥100.00</td>"))
                #expect(!backTest.text.contains("SECRET-WEST"))

                // The planner: ¥1,000 at the rep's rates: ¥100 a deal → 10 deals; won 1 of 2 → 20 opportunities;
                // 3 opportunities of 4 leads → 27 leads; 2 visits for 1 won → 20 visits.
                let empty = try await client.page("/analytics/planner", session: world.rep.secret)
                #expect(empty.status == .ok && empty.text.contains("name=\"target\"") && !empty.text.contains("an-plan-result"))
                let plan = try await client.page("/analytics/planner?target=1%2C000&target_currency=CNY", session: world.rep.secret)
                #expect(plan.status == .ok && plan.text.contains("To reach ¥1,000.00"))
                for (key, label, value) in [("won_deals", "Won deals", "10"), ("opportunities", "Opportunities", "20"), ("leads", "Leads", "27"), ("visits", "Visits", "20")] {
                    #expect(plan.text.contains("an-need-\(key)\">\(Self.card(label, value))"), "\(key)")
                }
                #expect(plan.text.contains("id=\"planner-funnel-title\"") && !plan.text.contains("an-missing-rates"))
                #expect(plan.text.contains("3 opportunities and 4 leads created in the period") && plan.text.contains("2 visits for 1 won deals"))
                let dollars = try await client.page("/analytics/planner?target=500&target_currency=USD", session: world.rep.secret)
                #expect(dollars.status == .ok && dollars.text.contains("No deal was won in USD in this period") && dollars.text.contains("an-unknown"))

                // Chinese, for each role.
                for session in [world.rep.secret, world.manager.secret, world.admin.secret] {
                    let pipeline = try await client.page("/analytics/pipeline?group_by=owner", session: session, language: "zh-CN")
                    #expect(pipeline.status == .ok && pipeline.text.contains("lang=\"zh-Hans\"") && pipeline.text.contains("销售漏斗") && pipeline.text.contains("赢单率"))
                    let zhForecast = try await client.page("/analytics/forecast?as_of=\(asOf)", session: session, language: "zh-CN")
                    #expect(zhForecast.status == .ok && zhForecast.text.contains("加权预测") && zhForecast.text.contains("回测"))
                    let zhPlan = try await client.page("/analytics/planner?target=1000", session: session, language: "zh-CN")
                    #expect(zhPlan.status == .ok && zhPlan.text.contains("目标倒推") && zhPlan.text.contains("要达成"))
                    for page in [pipeline, zhForecast, zhPlan] { #expect(!page.text.contains(Self.evil) && page.body.readableBytes < 100_000) }
                }

                // The pages are linked: from the header, the opportunities and the team pages.
                #expect(try await client.page("/opportunities", session: world.rep.secret).text.contains("href=\"/analytics/pipeline?pipeline=new_sale\""))
                #expect(try await client.page("/workbench", session: world.rep.secret).text.contains("href=\"/analytics/pipeline\""))
                #expect(try await client.page("/manage", session: world.manager.secret).text.contains("href=\"/analytics/pipeline\""))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func badFiltersAreFormErrorsAndNoDataIsAFriendlyEmptyState(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep, team: try await harness.team("east"))
            try await harness.http { client in
                // Nothing yet: an empty state, no chart.
                for session in [admin.secret, rep.secret] {
                    let pipeline = try await client.page("/analytics/pipeline", session: session)
                    #expect(pipeline.status == .ok && pipeline.text.contains("Nothing to show yet") && !pipeline.text.contains("<svg"))
                    let forecast = try await client.page("/analytics/forecast?as_of=2020-01-01", session: session)
                    #expect(forecast.status == .ok && forecast.text.contains("Nothing to show yet") && !forecast.text.contains("<svg"))
                    let plan = try await client.page("/analytics/planner?target=100000&target_currency=CNY", session: session)
                    #expect(plan.status == .ok && !plan.text.contains("<svg") && plan.text.contains("an-missing-rates"))
                    #expect(plan.text.contains("No deal was won in CNY") && plan.text.contains("Nothing was won among the opportunities closed")
                            && plan.text.contains("No leads were created") && plan.text.contains("No visits were logged"))
                }
                // Bad filters: the same form again, the inputs marked, the refusal in words; never a 5xx.
                let cases: [(String, [String])] = [
                    ("/analytics/pipeline?from=garbage", ["From is not valid."]),
                    ("/analytics/pipeline?time_zone=Mars%2FBase", ["Time zone is not valid."]),
                    ("/analytics/pipeline?from=2026-02-01&to=2026-01-01&group_by=stage&interval=year", ["From is not valid.", "Group by is not valid.", "Per period is not valid."]),
                    ("/analytics/pipeline?pipeline=nope&currency=dollars&date_field=updated", ["Pipeline is not valid.", "Currency is not valid.", "Period applies to is not valid."]),
                    ("/analytics/forecast?as_of=2999-01-01", ["Back-test as of is out of range."]),
                    ("/analytics/forecast?as_of=soon&owner=usr_nope", ["Back-test as of is not valid.", "Owner is not valid."]),
                    ("/analytics/planner?target=-5", ["Revenue target is not valid."]),
                    ("/analytics/planner?target=", ["Revenue target is required."]),
                    ("/analytics/planner?target=abc&target_currency=dollars", ["Revenue target is not valid.", "Target currency is not valid."]),
                    ("/analytics/planner?target=99999999999999999999", ["Revenue target is not valid."]),
                ]
                for (uri, messages) in cases {
                    for session in [admin.secret, rep.secret] {
                        let page = try await client.page(uri, session: session)
                        #expect(page.status == .unprocessableContent, "\(uri): \(page.status)")
                        #expect(page.text.contains("role=\"alert\"") && page.text.contains("aria-invalid=\"true\"") && page.text.contains("id=\"an-filters\""), "\(uri)")
                        for message in messages { #expect(page.text.contains("<li>\(message)</li>"), "\(uri): \(message)") }
                        #expect(!page.text.contains("an-plan-result") && !page.text.contains("<svg"), "\(uri)")
                    }
                }
                let script = try await client.page("/analytics/pipeline?source=%3Cscript%3Ealert(1)%3C%2Fscript%3E&time_zone=%3Cscript%3E", session: rep.secret)
                #expect(script.status == .unprocessableContent && !script.text.contains(Self.evil) && script.text.contains("value=\"\(Self.escaped)\""))
                let chinese = try await client.page("/analytics/planner?target=-5", session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .unprocessableContent && chinese.text.contains("收入目标"))
            }
        }
    }
}
