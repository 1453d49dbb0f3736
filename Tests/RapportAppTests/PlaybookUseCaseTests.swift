import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Playbooks through their use cases, on every backend, with a moving clock: defined and revised
/// by version (bad definitions named field by field, reps refused), a change starting one run per
/// playbook and record with its steps due in the business time zone, an exit ending it, a
/// handover moving its pending steps, and compliance by rep and version.
@Suite struct PlaybookUseCaseTests {
    static let steps = [
        PlaybookStep(title: "确认试听时间", channel: "call", offset: .within(minutes: 120), script: "您好{{lead.name}}，我是{{rep.name}}"),
        PlaybookStep(title: "发送课前资料", channel: "wechat", offset: .dayAt(day: 1, hour: 10, minute: 0)),
    ]

    @Test(arguments: TestBackend.available)
    func aChangeStartsARunThatEndsOnItsExitAndMovesOnHandover(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let successor = try await harness.signedIn(.rep, team: team)
            let playbooks = harness.rapport.playbooks
            let trigger = PlaybookTrigger.stageEntered(object: .lead, stage: "trial_booked")

            // Defined by a manager; a rep may read but not write; a bad definition is named field by field.
            let first = try await playbooks.define(.init(key: "trial_follow_up", name: "试听跟进", trigger: trigger, steps: Self.steps), by: manager.caller)
            #expect(first.version == 1 && first.active)
            await #expect(throws: RapportError.self) {
                try await playbooks.define(.init(key: "mine", name: "x", trigger: trigger, steps: Self.steps), by: rep.caller)
            }
            let bad = try await #require(throws: RapportError.self) {
                try await playbooks.define(.init(key: "trial_follow_up", name: "试听跟进", trigger: trigger,
                                                 steps: [PlaybookStep(title: "x", channel: "fax", offset: .day(400), script: "{{customer.phone}}")]), by: manager.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["steps[0].channel", "steps[0].offset", "steps[0].script"])
            let second = try await playbooks.define(.init(key: "trial_follow_up", name: "试听跟进 v2", trigger: trigger, steps: Self.steps), by: manager.caller)
            let listed = try await playbooks.list(by: rep.caller).map { "\($0.key) v\($0.version) \($0.active)" }
            #expect(second.version == 2 && listed == ["trial_follow_up v2 true"])

            // A lead entering the stage starts one run of version 2, due in Shanghai time; the same change again starts none.
            let lead = RecordID(trusted: "lead_01JAAAAAAAAAAAAAAAAAAAAAAA")
            _ = harness.clock.set(RFC3339.parse("2026-03-07T07:30:00Z")!)
            let change = RecordChange(object: .lead, recordID: lead, event: .stageEntered("trial_booked", category: .open), at: harness.clock.now())
            let observed = try await harness.rapport.transaction { sql in try await playbooks.observe(change, owner: rep.user.id, in: sql) }
            let run = try #require(observed.started.first)
            #expect(observed.started.count == 1 && run.version == 2)
            #expect(run.steps.map(\.dueAt) == [RFC3339.parse("2026-03-07T09:30:00Z")!, RFC3339.parse("2026-03-08T02:00:00Z")!])
            let again = try await harness.rapport.transaction { sql in try await playbooks.observe(change, owner: rep.user.id, in: sql) }
            #expect(again.started.isEmpty && again.ended.isEmpty)

            // Handover: the pending steps go to the successor.
            #expect(try await harness.rapport.transaction { sql in try await playbooks.handOver(.lead, record: lead, to: successor.user.id, in: sql) } == 1)
            harness.clock.advance(by: 2 * 86_400)
            var report = try await playbooks.compliance(key: "trial_follow_up", by: manager.caller)
            #expect(report.steps[.init(assignee: successor.user.id, playbookKey: "trial_follow_up")]?.overdue == 2)

            // The lead converts: the run exits, its steps cancelled; a new trigger may start a new run then.
            let converted = RecordChange(object: .lead, recordID: lead, event: .stageEntered("enrolled", category: .won), at: harness.clock.now())
            let ended = try await harness.rapport.transaction { sql in try await playbooks.observe(converted, owner: successor.user.id, in: sql) }
            #expect(ended.ended.map(\.exit) == [.converted] && ended.started.isEmpty)
            report = try await playbooks.compliance(key: "trial_follow_up", by: manager.caller)
            #expect(report.steps.values.allSatisfy { $0.due == 0 } && report.outcomes[.init(playbookKey: "trial_follow_up", version: 2)]?.converted == 1)
            let restarted = try await harness.rapport.transaction { sql in try await playbooks.observe(change, owner: rep.user.id, in: sql) }
            #expect(restarted.started.count == 1)

            // Withdrawn: no new run starts.
            try await playbooks.withdraw(key: "trial_follow_up", by: manager.caller)
            let other = RecordChange(object: .lead, recordID: RecordID(trusted: "lead_01JBBBBBBBBBBBBBBBBBBBBBBB"), event: change.event, at: harness.clock.now())
            #expect(try await harness.rapport.transaction { sql in try await playbooks.observe(other, owner: rep.user.id, in: sql) }.started.isEmpty)
        }
    }
}
