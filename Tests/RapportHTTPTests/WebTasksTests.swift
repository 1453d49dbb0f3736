import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The task pages: /tasks (overdue, today, upcoming; a manager picks a person), the tasks card
/// and new-task form on customer, lead and opportunity pages, the workbench's task cards, and
/// completing, cancelling and re-opening — each form refusing a wrong CSRF token, titles and
/// notes escaped, scope as in the API, both languages.
@Suite struct WebTasksTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func repsPlanTheirDayManagersLookAtTheTeam(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
            let tasks = harness.rapport.tasks
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Chen " + Self.script), by: rep.caller).0
            let customerPath = "/customers/\(customer.id)"
            let count: @Sendable () async throws -> Int = { try await harness.count("tasks") }
            try await harness.http { client in
                // The customer page offers the form; a forged form changes nothing; the real one adds a task.
                let page = try await client.page(customerPath, session: rep.secret)
                #expect(page.status == .ok && page.text.contains("action=\"/tasks\"") && page.text.contains("name=\"linked_id\" value=\"\(customer.id)\""))
                let fields = [("title", "Call " + Self.script), ("type", "call"), ("due", "2026-01-05T18:30"), ("priority", "urgent"),
                              ("notes", "Ask about " + Self.script), ("linked_kind", "customer"), ("linked_id", customer.id.rawValue),
                              ("return_to", customerPath)]
                #expect(try await client.submit("/tasks", session: rep.secret, fields, csrf: "forged").status == .forbidden)
                #expect(try await count() == 0)
                let added = try await client.submit("/tasks", session: rep.secret, fields)
                #expect(added.status == .seeOther && added.headers[.location]?.hasPrefix(customerPath) == true)
                let task = try #require(try await tasks.list(.init(), page: PageRequest(), by: rep.caller).items.first).task
                // 18:30 in Shanghai is 10:30 UTC.
                #expect(task.dueAt == RFC3339.parse("2026-01-05T10:30:00Z") && task.priority == .urgent && task.linkedID == customer.id)
                let bad = try await client.submit("/tasks", session: rep.secret, [("title", ""), ("due", "someday")])
                #expect(bad.status == .unprocessableContent)
                #expect(try await count() == 1)

                // Escaped on every page it shows on, in both languages.
                for path in [customerPath, "/tasks", "/workbench"] {
                    for language in ["en", "zh-CN"] {
                        let shown = try await client.page(path, session: rep.secret, language: language)
                        #expect(shown.status == .ok && shown.text.contains("Call " + Self.escaped) && !shown.text.contains(Self.script), "\(path) \(language)")
                    }
                }
                #expect(try await client.page("/tasks", session: rep.secret, language: "zh-CN").text.contains("今日待办"))
                #expect(try await client.page("/tasks", session: rep.secret).text.contains("Due today"))

                // Overdue after 18:30; the workbench says so.
                harness.clock.set(RFC3339.parse("2026-01-05T11:00:00Z")!)
                let workbench = try await client.page("/workbench", session: rep.secret)
                #expect(workbench.text.contains("task-overdue") && workbench.text.contains("Overdue tasks"))

                // Scope: another team's rep sees none of it and cannot act on it; the manager picks the rep.
                #expect(try await !client.page("/tasks", session: stranger.secret).text.contains(Self.escaped))
                let foreign = try await client.submit("/tasks/\(task.id)/complete", session: stranger.secret, [("outcome", "done")])
                #expect(foreign.status == .notFound)
                #expect(try await client.page(customerPath, session: stranger.secret).status == .notFound)
                let mine = try await client.page("/tasks", session: manager.secret)
                #expect(mine.status == .ok && !mine.text.contains(Self.escaped) && mine.text.contains("name=\"assignee\""))
                let theirs = try await client.page("/tasks?assignee=\(rep.user.id)", session: manager.secret)
                #expect(theirs.text.contains(Self.escaped))

                // The lead and opportunity pages list their tasks (escaped) and offer the form; not to another team.
                let lead = try await harness.rapport.leads.create(LeadInput(name: "Lead " + Self.script, phone: .some("13800000042")), by: rep.caller).0
                let deal = try await harness.rapport.opportunities.create(OpportunityInput(name: "Deal", customer: customer.id.rawValue), by: rep.caller)
                for (kind, id, path) in [("lead", lead.id.rawValue, "/leads/\(lead.id)"), ("opportunity", deal.opportunity.id.rawValue, "/opportunities/\(deal.opportunity.id)")] {
                    _ = try await tasks.create(.init(title: "On \(kind) " + Self.script, dueAt: "2026-01-07T02:00:00Z", linkedKind: kind, linkedID: id), by: rep.caller)
                    let shown = try await client.page(path, session: rep.secret)
                    #expect(shown.status == .ok && shown.text.contains("On \(kind) " + Self.escaped) && !shown.text.contains(Self.script), "\(path)")
                    #expect(shown.text.contains("name=\"linked_kind\" value=\"\(kind)\""), "\(path)")
                    #expect(try await client.page(path, session: stranger.secret).status == .notFound, "\(path)")
                }

                // Complete with an outcome (forged refused), re-open, cancel.
                let done = [("outcome", "no_answer"), ("outcome_note", "Later " + Self.script), ("return_to", "/tasks")]
                #expect(try await client.submit("/tasks/\(task.id)/complete", session: rep.secret, done, csrf: "forged").status == .forbidden)
                #expect(try await tasks.get(task.id.rawValue, by: rep.caller).task.status == .open)
                #expect(try await client.submit("/tasks/\(task.id)/complete", session: rep.secret, done).status == .seeOther)
                let completed = try await tasks.get(task.id.rawValue, by: rep.caller).task
                #expect(completed.status == .done && completed.outcome == .noAnswer)
                let record = try await client.page(customerPath, session: rep.secret)
                #expect(record.text.contains("Later " + Self.escaped) && record.text.contains("/tasks/\(task.id)/reopen"))
                #expect(try await client.submit("/tasks/\(task.id)/reopen", session: rep.secret, [], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/tasks/\(task.id)/reopen", session: rep.secret, []).status == .seeOther)
                #expect(try await client.submit("/tasks/\(task.id)/cancel", session: rep.secret, [], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/tasks/\(task.id)/cancel", session: manager.secret, []).status == .seeOther)
                #expect(try await tasks.get(task.id.rawValue, by: rep.caller).task.status == .cancelled)
            }
        }
    }
}
