import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// What the leads pages need from the use cases: list filters by creation date and by days
/// without a follow-up, a status change that fills its guards' fields in the same step, a
/// preview of a lead waiting in a pool, and notes with line breaks.
@Suite struct LeadWorkbenchUseCaseTests {
    @Test(arguments: TestBackend.available)
    func listsFilterByCreationAndQuietDays(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await LeadPoolTests.rep(harness, 1, team: team)
            let start = harness.clock.now()
            let (old, _) = try await harness.rapport.leads.create(LeadInput(name: "Old", phone: .some("13500000011")), by: rep)
            harness.clock.advance(by: 2 * 86_400)
            let (called, _) = try await harness.rapport.leads.create(LeadInput(name: "Called", phone: .some("13500000012")), by: rep)
            harness.clock.advance(by: 86_400)
            let (fresh, _) = try await harness.rapport.leads.create(LeadInput(name: "Fresh", phone: .some("13500000013")), by: rep)
            harness.clock.advance(by: 43_200)
            _ = try await harness.rapport.leads.logFollowUp(called.id.rawValue, .init(type: "call"), by: rep)
            harness.clock.advance(by: 86_400 + 43_200)
            func names(_ query: LeadUseCases.ListQuery) async throws -> [String] {
                try await harness.rapport.leads.list(query, page: PageRequest(), by: rep).items.map(\.name)
            }
            #expect(try await names(.init(createdFrom: start.addingTimeInterval(86_400))) == ["Fresh", "Called"])
            #expect(try await names(.init(createdBefore: start.addingTimeInterval(3 * 86_400))) == ["Called", "Old"])
            #expect(try await names(.init(createdFrom: start.addingTimeInterval(86_400), createdBefore: start.addingTimeInterval(3 * 86_400))) == ["Called"])
            // Quiet for 2 days: the old one (never touched since it came, 5 days ago); not the one
            // called a day and a half ago, nor the one that came two days ago (not more).
            #expect(try await names(.init(quietDays: 2)) == ["Old"])
            #expect(try await names(.init(quietDays: 1)) == ["Fresh", "Called", "Old"])
            #expect(try await names(.init(quietDays: 5)).isEmpty)
            let bad = try await #require(throws: RapportError.self) { try await names(.init(quietDays: 0)) }
            #expect(bad.fieldErrors.map(\.field) == ["quiet_days"])
            _ = (old, fresh)
        }
    }

    @Test(arguments: TestBackend.available)
    func aStatusChangeFillsItsGuardsOrChangesNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await LeadPoolTests.rep(harness, 1, team: team)
            let (lead, _) = try await harness.rapport.leads.create(LeadInput(name: "Maybe", phone: .some("13500000021")), by: rep)
            let dictionary = try await harness.rapport.dictionary.get("lead", by: rep).dictionary

            // "invalid" asks for invalid_reason: without it the move is refused, naming the field.
            let missing = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.move(lead.id.rawValue, to: "invalid", reason: nil,
                                                     filling: LeadInput(guardsOf: "invalid", in: dictionary, form: [("custom_fields.invalid_reason", " ")]), by: rep)
            }
            #expect(missing.code == .validationFailed && missing.fieldErrors.map { "\($0.field):\($0.code)" } == ["custom_fields.invalid_reason:required"])
            // A value that is no option is refused, and nothing changes.
            let wrong = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.move(lead.id.rawValue, to: "invalid", reason: nil,
                                                     filling: LeadInput(guardsOf: "invalid", in: dictionary, form: [("custom_fields.invalid_reason", "bored")]), by: rep)
            }
            #expect(wrong.fieldErrors.map(\.field) == ["custom_fields.invalid_reason"])
            let unchanged = try await harness.rapport.leads.get(lead.id.rawValue, by: rep)
            #expect(unchanged.status == "new" && unchanged.customFields.isEmpty && unchanged.version == lead.version)

            // Filled by its label (as an import cell would be) and moved in one step; fields the
            // stage does not ask for are not taken from the form.
            let form = [("custom_fields.invalid_reason", "Wrong number"), ("company", "Sneaky Ltd"), ("custom_fields.grade", "g1")]
            let moved = try await harness.rapport.leads.move(lead.id.rawValue, to: "invalid", reason: "Number is dead",
                                                            filling: LeadInput(guardsOf: "invalid", in: dictionary, form: form), by: rep)
            #expect(moved.status == "invalid" && moved.customFields == ["invalid_reason": .string("wrong_number")] && moved.company == nil)
            #expect(try await harness.rapport.leads.statusHistory(lead.id.rawValue, by: rep).last?.reason == "Number is dead")

            // Re-opened, then qualified with its two guards: an enum and a multi-choice field.
            _ = try await harness.rapport.leads.move(lead.id.rawValue, to: "contacting", reason: nil, by: rep)
            let qualifying = LeadInput(guardsOf: "qualified", in: dictionary,
                                       form: [("custom_fields.grade", "adult"), ("custom_fields.subject_interest", "math"), ("custom_fields.subject_interest", "english")])
            let qualified = try await harness.rapport.leads.move(lead.id.rawValue, to: "qualified", reason: nil, filling: qualifying, by: rep)
            guard case .array(let subjects)? = qualified.customFields["subject_interest"] else { Issue.record("no subjects"); return }
            #expect(qualified.status == "qualified" && Set(subjects.compactMap { if case .string(let key) = $0 { key } else { nil } }) == ["math", "english"])
            let actions = try await harness.rapport.audit.list(.init(objectID: lead.id.rawValue), page: PageRequest(limit: 50), by: harness.system).items.map(\.action)
            #expect(actions.filter { $0 == "lead.updated" }.count == 2 && actions.filter { $0 == "lead.status_changed" }.count == 3)

            // Owner and pool never change through a status change.
            let sneaky = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.move(lead.id.rawValue, to: "invalid", reason: nil, filling: LeadInput(owner: .some(nil)), by: rep)
            }
            #expect(sneaky.fieldErrors.map(\.code) == ["read_only"])
        }
    }

    @Test(arguments: TestBackend.available)
    func poolMembersPreviewAWaitingLeadAndNobodyElse(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let pool = try await LeadPoolTests.pool(harness, key: "east-pool", teams: [east], rules: PoolRules())
            let member = try await LeadPoolTests.rep(harness, 1, team: east)
            let outsider = try await LeadPoolTests.rep(harness, 2, team: west)
            let (waiting, _) = try await harness.rapport.leads.create(
                LeadInput(name: "Waiting", phone: .some("13500000031"), owner: .some(nil), pool: .some(pool.key)), by: harness.system)
            let (owned, _) = try await harness.rapport.leads.create(LeadInput(name: "Owned", phone: .some("13500000032")), by: outsider)

            let seen = try await harness.rapport.pools.waitingLead(waiting.id.rawValue, by: member)
            #expect(seen.lead.name == "Waiting" && seen.pool.id == pool.id && seen.lead.phone == "+86 135****0031")
            for (id, caller) in [(waiting.id, outsider), (owned.id, member)] {
                let hidden = try await #require(throws: RapportError.self) { try await harness.rapport.pools.waitingLead(id.rawValue, by: caller) }
                #expect(hidden.code == .notFound)
            }
            // Once claimed it is no longer a waiting lead.
            _ = try await harness.rapport.pools.claim(pool.key, leads: [waiting.id.rawValue], by: member)
            let claimed = try await #require(throws: RapportError.self) { try await harness.rapport.pools.waitingLead(waiting.id.rawValue, by: member) }
            #expect(claimed.code == .notFound)
        }
    }

    @Test(arguments: TestBackend.available)
    func notesKeepTheirLineBreaks(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await LeadPoolTests.rep(harness, 1, team: team)
            let (lead, _) = try await harness.rapport.leads.create(LeadInput(name: "Notes", phone: .some("13500000041")), by: rep)
            let note = try await harness.rapport.leads.logFollowUp(lead.id.rawValue, .init(type: "note", body: "Line one\r\nLine two\r\tindented\n"), by: rep)
            #expect(note.body == "Line one\nLine two\n\tindented")
            let bell = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.logFollowUp(lead.id.rawValue, .init(type: "note", subject: "a\nb", body: "ring\u{07}"), by: rep)
            }
            #expect(Set(bell.fieldErrors.map(\.field)) == ["subject", "body"])
        }
    }
}
