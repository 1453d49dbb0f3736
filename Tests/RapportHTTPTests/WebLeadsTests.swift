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

/// The leads pages as a signed-in browser uses them: the list with filters and saved views, a
/// lead's page, its forms (follow-up, status with guard fields, convert, release), each refusing a
/// wrong CSRF token, escaping what people typed, and showing only the reader's scope.
@Suite struct WebLeadsTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func aRepWorksALeadFromTheListToTheCustomer(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let outsider = try await harness.signedIn(.rep, team: west)
            let (lead, _) = try await harness.rapport.leads.create(LeadInput(name: Self.script, phone: .some("13800000101"), source: .some("ads")), by: rep.caller)
            let (theirs, _) = try await harness.rapport.leads.create(LeadInput(name: "Not Yours", phone: .some("13800000102")), by: outsider.caller)
            let path = "/leads/\(lead.id)"
            try await harness.http { client in
                // The list: the rep's own lead, escaped and linked; nobody else's.
                let list = try await client.page("/leads", session: rep.secret)
                #expect(list.status == .ok && list.text.contains("href=\"\(path)\"") && list.text.contains(Self.escaped) && !list.text.contains("<script>"))
                #expect(!list.text.contains("Not Yours") && list.text.contains("+86 138****0101") && !list.text.contains("13800000101"))
                #expect(list.body.readableBytes < 100_000)
                let hidden = try await client.page("/leads/\(theirs.id)", session: rep.secret)
                #expect(hidden.status == .notFound && !hidden.text.contains("Not Yours"))
                #expect(try await client.page("/leads/not-a-lead", session: rep.secret).status == .notFound)

                // The lead's page in both languages.
                let page = try await client.page(path, session: rep.secret)
                #expect(page.status == .ok && page.text.contains(Self.escaped) && !page.text.contains("<script>"))
                #expect(page.text.contains("+86 138****0101") && page.text.contains("id=\"move-contacting\"") && page.text.contains("id=\"move-invalid\""))
                #expect(!page.text.contains("id=\"convert\"") && page.text.contains("A lead is converted from “Qualified”."))
                let chinese = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(chinese.status == .ok && chinese.text.contains("写跟进") && chinese.text.contains("新线索") && chinese.text.contains("无效原因"))

                // A note whose text is a script: kept as text, with its line breaks.
                let logged = try await client.submit("\(path)/activities", session: rep.secret,
                                                     [("type", "note"), ("subject", Self.script), ("body", "First\r\n\(Self.script)")])
                #expect(logged.status == .seeOther && logged.headers[.location] == "\(path)?notice=note_logged")
                let call = try await client.submit("\(path)/activities", session: rep.secret, [("type", "call"), ("outcome", "connected"), ("subject", "Trial")])
                #expect(call.headers[.location] == "\(path)?notice=follow_up_logged")
                let timeline = try await client.page("\(path)?notice=follow_up_logged", session: rep.secret)
                #expect(timeline.text.contains("Follow-up logged.") && timeline.text.contains("Call · Trial · Connected"))
                #expect(timeline.text.contains("First\n\(Self.escaped)") && !timeline.text.contains("<script>"))
                // A refused follow-up shows the page again with the error at its input.
                let tooLong = try await client.submit("\(path)/activities", session: rep.secret, [("type", "call"), ("subject", String(repeating: "x", count: 201))])
                #expect(tooLong.status == .unprocessableContent && tooLong.text.contains("id=\"follow-up-subject-error\"") && tooLong.text.contains("Subject is too long."))
                #expect(try await harness.rapport.leads.followUps(lead.id.rawValue, page: PageRequest(), by: rep.caller).items.count == 2)

                // Guards as a form: "invalid" asks for its reason; refused without it (422, the
                // error next to the select, nothing changed), done with it.
                let refused = try await client.submit("\(path)/status", session: rep.secret, [("status", "invalid"), ("custom_fields.invalid_reason", "")])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("id=\"guard-invalid-invalid_reason-error\"") && refused.text.contains("Invalid reason is required."))
                #expect(refused.text.contains("aria-invalid=\"true\""))
                #expect(try await harness.rapport.leads.get(lead.id.rawValue, by: rep.caller).status == "new")
                let illegal = try await client.submit("\(path)/status", session: rep.secret, [("status", "qualified")])
                #expect(illegal.status == .conflict && illegal.text.contains("Someone changed this"))
                let invalid = try await client.submit("\(path)/status", session: rep.secret,
                                                      [("status", "invalid"), ("custom_fields.invalid_reason", "unreachable"), ("reason", "Three tries")])
                #expect(invalid.status == .seeOther && invalid.headers[.location] == "\(path)?notice=status_changed")
                let after = try await client.page(path, session: rep.secret)
                #expect(after.text.contains("New → Invalid") && after.text.contains("Three tries") && after.text.contains("Unreachable"))

                // Back to contacting, qualified with its two guard fields, then converted.
                #expect(try await client.submit("\(path)/status", session: rep.secret, [("status", "contacting")]).status == .seeOther)
                let qualifying = try await client.page(path, session: rep.secret)
                #expect(qualifying.text.contains("name=\"custom_fields.grade\"") && qualifying.text.contains("name=\"custom_fields.subject_interest\""))
                let qualified = try await client.submit("\(path)/status", session: rep.secret, [
                    ("status", "qualified"), ("custom_fields.grade", "adult"), ("custom_fields.subject_interest", "math"), ("custom_fields.subject_interest", "english"),
                ])
                #expect(qualified.status == .seeOther)
                let ready = try await client.page(path, session: rep.secret)
                #expect(ready.text.contains("id=\"convert\"") && ready.text.contains("data-confirm=") && !ready.text.contains("id=\"move-converted\""))
                let converted = try await client.submit("\(path)/convert", session: rep.secret, [])
                let location = try #require(converted.headers[.location])
                #expect(converted.status == .seeOther && location.hasPrefix("/customers/cus_") && location.hasSuffix("?notice=converted"))
                let done = try await client.page(path, session: rep.secret)
                #expect(done.text.contains("href=\"\(location.prefix { $0 != "?" })\"") && done.text.contains("This lead was converted"))
                let again = try await client.submit("\(path)/convert", session: rep.secret, [])
                #expect(again.status == .conflict)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func everyFormRefusesAWrongTokenAndChangesNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let pool = try await harness.rapport.pools.create(.init(key: "default", name: "公海", object: "lead", memberTeams: [team.id.rawValue]), by: harness.system)
            let rep = try await harness.signedIn(.rep, team: team)
            let (lead, _) = try await harness.rapport.leads.create(LeadInput(name: "Guarded", phone: .some("13800000201")), by: rep.caller)
            let view = try await harness.rapport.savedViews.create(.init(object: "lead", name: "Mine", query: "status=new"), by: rep.caller)
            let path = "/leads/\(lead.id)"
            let forms: [(String, [(String, String)])] = [
                ("\(path)/activities", [("type", "call")]), ("\(path)/status", [("status", "contacting")]), ("\(path)/convert", []),
                ("\(path)/release", [("reason", "Not for me")]), ("/leads/views", [("name", "Forged"), ("query", "")]),
                ("/leads/views/\(view.id)/delete", []), ("/pools/\(pool.key)/claim", [("lead_id", lead.id.rawValue)]),
            ]
            let auditBefore = try await harness.count("audit_log")
            try await harness.http { client in
                for (uri, fields) in forms {
                    let forged = try await client.submit(uri, session: rep.secret, fields, csrf: "forged-token")
                    #expect(forged.status == .forbidden, "\(uri)")
                    #expect(forged.text.contains("The form expired"), "\(uri)")
                }
            }
            let unchanged = try await harness.rapport.leads.get(lead.id.rawValue, by: rep.caller)
            #expect(unchanged.status == "new" && unchanged.ownerID == rep.user.id && unchanged.version == lead.version)
            let activities = try await harness.count("lead_activities")
            let audit = try await harness.count("audit_log")
            #expect(activities == 0 && audit == auditBefore)
            #expect(try await harness.rapport.savedViews.list(by: rep.caller).map(\.name) == ["Mine"])
        }
    }

    @Test(arguments: TestBackend.available)
    func savedViewsFiltersAndScopeOnTheList(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let colleague = try await harness.signedIn(.rep, team: east)
            let outsider = try await harness.signedIn(.rep, team: west)
            let manager = try await harness.signedIn(.manager, team: east)
            _ = try await harness.rapport.leads.create(LeadInput(name: "Wang New", phone: .some("13800000301"), source: .some("ads")), by: rep.caller)
            let (moved, _) = try await harness.rapport.leads.create(LeadInput(name: "Wang Moving", phone: .some("13800000302")), by: rep.caller)
            _ = try await harness.rapport.leads.move(moved.id.rawValue, to: "contacting", reason: nil, by: rep.caller)
            _ = try await harness.rapport.leads.create(LeadInput(name: "Colleague Lead", phone: .some("13800000303")), by: colleague.caller)
            _ = try await harness.rapport.leads.create(LeadInput(name: "West Lead", phone: .some("13800000304")), by: outsider.caller)
            try await harness.http { client in
                // Filters: by status and text; a bad number of days is shown at its input (422).
                let filtered = try await client.page("/leads?status=contacting&q=wang", session: rep.secret)
                #expect(filtered.text.contains("Wang Moving") && !filtered.text.contains("Wang New") && filtered.text.contains("<option value=\"contacting\" selected>"))
                let bad = try await client.page("/leads?quiet_days=zero", session: rep.secret)
                #expect(bad.status == .unprocessableContent && bad.text.contains("A number of days from 1 to 3650.") && !bad.text.contains("Wang New"))

                // Saving a view keeps only the filters; it shows as a tab that opens them.
                let saved = try await client.submit("/leads/views", session: rep.secret, [("name", Self.script), ("query", "status=contacting&cursor=x&bogus=1&q=wang")])
                #expect(saved.status == .seeOther && saved.headers[.location] == "/leads?q=wang&status=contacting&notice=view_saved")
                let tabbed = try await client.page("/leads?q=wang&status=contacting", session: rep.secret)
                #expect(tabbed.text.contains("<a href=\"/leads?q=wang&amp;status=contacting\" aria-current=\"page\">\(Self.escaped)</a>"))
                #expect(!tabbed.text.contains("<script>"))
                let duplicate = try await client.submit("/leads/views", session: rep.secret, [("name", Self.script), ("query", "")])
                #expect(duplicate.status == .conflict && duplicate.text.contains("View name: that one is already used.") && duplicate.text.contains("id=\"view-error\""))
                let view = try #require(try await harness.rapport.savedViews.list(object: "lead", by: rep.caller).first)

                // Another user neither sees nor deletes it.
                let theirs = try await client.page("/leads", session: colleague.secret)
                #expect(!theirs.text.contains(Self.escaped) && !theirs.text.contains("Wang New") && theirs.text.contains("Colleague Lead"))
                #expect(try await client.submit("/leads/views/\(view.id)/delete", session: colleague.secret, []).status == .notFound)
                let deleted = try await client.submit("/leads/views/\(view.id)/delete", session: rep.secret, [])
                #expect(deleted.status == .seeOther && deleted.headers[.location] == "/leads?notice=view_deleted")
                #expect(try await harness.rapport.savedViews.list(by: rep.caller).isEmpty)

                // A rep's "team" is still their own; a manager's is the team's, never another team's.
                let repTeam = try await client.page("/leads?scope=team", session: rep.secret)
                #expect(!repTeam.text.contains("Colleague") && repTeam.text.contains("Wang New") && !repTeam.text.contains("name=\"scope\""))
                let managerMine = try await client.page("/leads", session: manager.secret)
                #expect(!managerMine.text.contains("Wang New") && managerMine.text.contains("name=\"scope\""))
                let managerTeam = try await client.page("/leads?scope=team", session: manager.secret, language: "zh-CN")
                #expect(managerTeam.status == .ok && managerTeam.text.contains("Wang New") && managerTeam.text.contains("Colleague"))
                #expect(!managerTeam.text.contains("West Lead") && managerTeam.text.contains("团队线索"))
                #expect(managerTeam.text.contains(rep.user.name))
            }
            // Pages of 50, the next one by a link that keeps the filters.
            for index in 0..<51 {
                _ = try await harness.rapport.leads.create(LeadInput(name: "Bulk \(index)", phone: .some("1390000\(String(format: "%04d", index))")), by: colleague.caller)
            }
            try await harness.http { client in
                let first = try await client.page("/leads?q=bulk", session: colleague.secret)
                #expect(first.text.contains("Bulk 50") && !first.text.contains("Bulk 0<"))
                let next = try #require(first.text.range(of: "href=\"/leads?q=bulk&amp;cursor=")
                    .map { String(first.text[first.text.index($0.lowerBound, offsetBy: 6)...].prefix { $0 != "\"" }) })
                let second = try await client.page(next.replacingOccurrences(of: "&amp;", with: "&"), session: colleague.secret)
                #expect(second.status == .ok && second.text.contains("Bulk 0<") && !second.text.contains("Bulk 50") && !second.text.contains("rel=\"next\""))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aWaitingLeadIsPreviewedClaimedAndReleased(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let pool = try await harness.rapport.pools.create(.init(key: "east-pool", name: "East pool", object: "lead", memberTeams: [east.id.rawValue]),
                                                              by: harness.system)
            let rep = try await harness.signedIn(.rep, team: east)
            let outsider = try await harness.signedIn(.rep, team: west)
            let (waiting, _) = try await harness.rapport.leads.create(
                LeadInput(name: Self.script, phone: .some("13800000401"), owner: .some(nil), pool: .some(pool.key)), by: harness.system)
            let path = "/leads/\(waiting.id)"
            try await harness.http { client in
                let poolPage = try await client.page("/pools/\(pool.key)", session: rep.secret)
                #expect(poolPage.text.contains("<a href=\"\(path)\">\(Self.escaped)</a>"))
                let preview = try await client.page(path, session: rep.secret)
                #expect(preview.status == .ok && preview.text.contains("This lead waits in the pool.") && preview.text.contains("action=\"/pools/\(pool.key)/claim\""))
                #expect(!preview.text.contains("/activities") && !preview.text.contains("<script>"))
                #expect(try await client.page(path, session: outsider.secret).status == .notFound)

                let claimed = try await client.submit("/pools/\(pool.key)/claim", session: rep.secret, [("lead_id", waiting.id.rawValue), ("return_to", path)])
                #expect(claimed.headers[.location] == "\(path)?notice=claimed")
                let owned = try await client.page(path, session: rep.secret)
                #expect(owned.text.contains("id=\"release-form\"") && owned.text.contains("Claimed"))

                let noReason = try await client.submit("\(path)/release", session: rep.secret, [("reason", " ")])
                #expect(noReason.status == .unprocessableContent && noReason.text.contains("id=\"release-reason-error\""))
                let released = try await client.submit("\(path)/release", session: rep.secret, [("reason", "Wants next year")])
                #expect(released.headers[.location] == "/leads?notice=released")
                let back = try await client.page("/leads?notice=released", session: rep.secret)
                #expect(back.text.contains("the lead is back in its pool") && !back.text.contains(Self.escaped))
            }
            let log = try await harness.rapport.leads.assignments(waiting.id.rawValue, by: harness.system)
            #expect(log.map(\.kind) == [.claim, .release] && log.last?.reason == "Wants next year")
        }
    }
}
