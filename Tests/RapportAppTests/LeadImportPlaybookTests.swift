import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Imports and playbooks: loading leads starts no runs unless the import asks (`start_playbooks`);
/// when it does, open leads given to a rep — by an owner column or by an assignment rule — start
/// the "lead assigned" playbooks as leads created one by one do, and closed leads start nothing.
@Suite struct LeadImportPlaybookTests {
    @Test(arguments: TestBackend.available)
    func importedLeadsStartPlaybooksOnlyWhenTheImportAsks(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            _ = try await LeadPoolTests.pool(harness, key: "default", teams: [team], rules: PoolRules())
            let owner = try await LeadPoolTests.rep(harness, 1, team: team)
            let routedTo = try await LeadPoolTests.rep(harness, 2, team: team)
            let ownerEmail = try await harness.rapport.users.get(owner.principal!.userID.rawValue, by: harness.system).email
            _ = try await harness.rapport.assignment.create(
                .init(name: "Ads", conditions: [AssignmentCondition(field: .source, op: .equals, value: .string("ads"))],
                      target: .user(routedTo.principal!.userID)), by: harness.system)
            _ = harness.clock.set(RFC3339.parse("2026-06-01T02:00:00Z")!)
            _ = try await harness.rapport.playbooks.define(.init(key: "new_lead", name: "新线索", trigger: .leadAssigned, steps: [
                PlaybookStep(title: "首呼", channel: "call", offset: .within(minutes: 120), script: "您好{{lead.name}}"),
            ]), by: harness.system)
            func runs(_ name: String) async throws -> [PlaybookRun] {
                let lead = try #require(try await harness.rapport.leads.list(.init(q: name), page: PageRequest(), by: harness.system).items.first)
                return try await harness.rapport.playbooks.runs(on: lead.id.rawValue, by: harness.system).map(\.run)
            }
            let columns: [ImportColumn] = [.init(header: "Name", field: "name"), .init(header: "Mobile", field: "phone"),
                                           .init(header: "Source", field: "source"), .init(header: "Owner", field: "owner"), .init(header: "Status", field: "status"),
                                           .init(header: "Reason", field: "custom_fields.invalid_reason")]

            // History: an owned lead and a routed one, without the option — no runs, no tasks.
            let history = "Name,Mobile,Source,Owner,Status,Reason\nOld owned,13500135101,web,\(ownerEmail),,\nOld routed,13500135102,ads,,,\n"
            let quiet = try await LeadImportTests.start(harness, harness.system, history, columns: columns)
            #expect(try await harness.rapport.imports.run(quiet.id, worker: "test")?.counters.created == 2)
            #expect(try await runs("Old owned").isEmpty)
            #expect(try await runs("Old routed").isEmpty)
            #expect(try await harness.count("tasks") == 0)

            // Fresh leads with the option: owned and routed open leads start the playbook; a lost one does not.
            let fresh = "Name,Mobile,Source,Owner,Status,Reason\nNew owned,13500135201,web,\(ownerEmail),,\nNew routed,13500135202,ads,,,\n"
                + "New lost,13500135203,web,\(ownerEmail),invalid,no_need\n"
            let started = try await LeadImportTests.start(harness, harness.system, fresh, columns: columns, options: .init(startPlaybooks: true))
            let done = try #require(try await harness.rapport.imports.run(started.id, worker: "test"))
            #expect(done.counters.created == 3)
            let owned = try #require(try await runs("New owned").first)
            #expect(owned.playbookKey == "new_lead" && owned.steps.map(\.assignee) == [owner.principal!.userID])
            #expect(try await runs("New routed").first?.steps.map(\.assignee) == [routedTo.principal!.userID])
            #expect(try await runs("New lost").isEmpty)
            #expect(try await harness.count("tasks") == 2)

            // Only lead imports start playbooks.
            let refused = try await #require(throws: RapportError.self) {
                try await harness.rapport.imports.start(.init(object: "customers", fileName: "c.csv", bytes: Array("Name\nX\n".utf8),
                                                              options: .init(startPlaybooks: true)), by: harness.system)
            }
            #expect(refused.fieldErrors.map(\.field) == ["start_playbooks"])
        }
    }
}
