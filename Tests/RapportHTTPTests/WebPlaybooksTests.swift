import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The playbook pages: a manager defines a playbook through the form (a forged form and a bad one
/// change nothing), reps read it but get no form and cannot post one, its page shows the steps
/// with their scripts, compliance and conversion by version, revising saves version 2,
/// withdrawing stops it; a run's task shows its script on the workbench — escaped, both languages.
@Suite struct WebPlaybooksTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func managersWriteRepsFollowAndEveryoneSeesTheScript(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            harness.clock.set(RFC3339.parse("2026-03-02T01:00:00Z")!)
            let east = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let count: @Sendable () async throws -> Int = { try await harness.count("playbooks") }
            try await harness.http { client in
                let fields = [("key", "new_lead"), ("name", "新线索 " + Self.script), ("trigger_type", "lead_assigned"), ("trigger_object", "lead"),
                              ("step_title_0", "首呼 " + Self.script), ("step_channel_0", "call"), ("step_offset_0", "within"), ("step_minutes_0", "120"),
                              ("step_script_0", "您好{{lead.name}}，我是{{rep.name}} " + Self.script),
                              ("step_title_1", "发资料"), ("step_channel_1", "wechat"), ("step_offset_1", "day_at"), ("step_day_1", "1"), ("step_at_1", "10:00"),
                              ("exits", "converted"), ("exits", "lost")]
                let list = try await client.page("/playbooks", session: manager.secret)
                #expect(list.status == .ok && list.text.contains("action=\"/playbooks\"") && list.text.contains("name=\"step_script_0\""))
                #expect(try await !client.page("/playbooks", session: rep.secret).text.contains("action=\"/playbooks\""))
                #expect(try await client.submit("/playbooks", session: manager.secret, fields, csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/playbooks", session: rep.secret, fields).status == .forbidden)
                let bad = try await client.submit("/playbooks", session: manager.secret, fields.map { $0.0 == "step_at_1" ? ($0.0, "25:00") : $0 })
                #expect(bad.status == .unprocessableContent && bad.text.contains("steps[1].offset.at"))
                #expect(try await count() == 0)
                let saved = try await client.submit("/playbooks", session: manager.secret, fields)
                #expect(saved.status == .seeOther && saved.headers[.location]?.hasPrefix("/playbooks/new_lead") == true)
                let playbook = try #require(try await harness.rapport.playbooks.list(by: rep.caller).first)
                #expect(playbook.steps.map(\.offset) == [.within(minutes: 120), .dayAt(day: 1, hour: 10, minute: 0)] && playbook.exits == [.converted, .lost])

                // Its page, in both languages, escaped; the rep sees no form.
                for language in ["en", "zh-CN"] {
                    let page = try await client.page("/playbooks/new_lead", session: manager.secret, language: language)
                    #expect(page.status == .ok && page.text.contains("首呼 " + Self.escaped) && !page.text.contains(Self.script), "\(language)")
                    #expect(page.text.contains(language == "en" ? "Compliance per rep" : "各销售执行情况"))
                }
                let repView = try await client.page("/playbooks/new_lead", session: rep.secret)
                #expect(repView.status == .ok && !repView.text.contains("/withdraw") && !repView.text.contains("name=\"step_title_0\""))
                #expect(try await client.page("/playbooks/no_such", session: rep.secret).status == .notFound)

                // A lead given to the rep: the workbench shows the step with its script, escaped.
                _ = try await harness.rapport.leads.create(LeadInput(name: "李雷", phone: .some("13812340001"), owner: .some(rep.user.id.rawValue)), by: manager.caller)
                let workbench = try await client.page("/workbench", session: rep.secret, language: "zh-CN")
                #expect(workbench.text.contains("您好李雷，我是\(rep.user.name) " + Self.escaped) && workbench.text.contains("话术"))
                let compliance = try await client.page("/playbooks/new_lead", session: manager.secret)
                #expect(compliance.text.contains(rep.user.name))
                // Filtered to runs started later: nobody's steps; the filter keeps its dates; a bad date is named.
                let later = try await client.page("/playbooks/new_lead?from=2099-01-01&to=", session: manager.secret)
                #expect(later.status == .ok && !later.text.contains(rep.user.name) && later.text.contains("value=\"2099-01-01\""))
                #expect(try await client.page("/playbooks/new_lead?from=someday", session: manager.secret).status == .unprocessableContent)

                // Revised: version 2; withdrawn: inactive.
                #expect(try await client.submit("/playbooks", session: manager.secret, fields.map { $0.0 == "name" ? ($0.0, "新线索 v2") : $0 }).status == .seeOther)
                #expect(try await harness.rapport.playbooks.versions(key: "new_lead", by: rep.caller).map(\.version) == [2, 1])
                #expect(try await client.submit("/playbooks/new_lead/withdraw", session: rep.secret, []).status == .forbidden)
                #expect(try await client.submit("/playbooks/new_lead/withdraw", session: manager.secret, []).status == .seeOther)
                #expect(try await harness.rapport.playbooks.list(by: rep.caller).first?.active == false)
            }
        }
    }
}
