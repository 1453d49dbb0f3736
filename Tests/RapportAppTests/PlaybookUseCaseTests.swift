import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Playbooks through the use cases that change records, on every backend, with a moving clock: a
/// lead given to a rep starts a run whose steps are tasks (scripts rendered, due in the business
/// time zone across days), doing or cancelling the tasks marks the steps on time, late or skipped,
/// a handover moves the run and its tasks, an exit (the lead lost) ends it and cancels what is
/// left, and compliance and outcomes come out per rep and version within the caller's scope.
@Suite struct PlaybookUseCaseTests {
    static let steps = [
        PlaybookStep(title: "首呼", channel: "call", offset: .within(minutes: 120), script: "您好{{lead.name}}，我是{{rep.name}}，来自{{lead.source}}的咨询"),
        PlaybookStep(title: "发送课前资料", channel: "wechat", offset: .dayAt(day: 1, hour: 10, minute: 0)),
        PlaybookStep(title: "上门拜访", channel: "visit", offset: .day(3)),
    ]

    static func tasks(_ harness: TestHarness, about lead: RecordID, by caller: Caller) async throws -> [SalesTask] {
        try await harness.rapport.tasks.list(.init(linkedKind: "lead", linkedID: lead.rawValue), page: PageRequest(limit: 100), by: caller)
            .items.map(\.task).sorted { ($0.playbookStep ?? 0) < ($1.playbookStep ?? 0) }
    }

    @Test(arguments: TestBackend.available)
    func definitionsAreVersionedCheckedAndWrittenByManagersOnly(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let playbooks = harness.rapport.playbooks
            let trigger = PlaybookTrigger.stageEntered(object: .lead, stage: "qualified")
            let first = try await playbooks.define(.init(key: "qualified_follow_up", name: "确认后跟进", trigger: trigger, steps: Self.steps), by: manager.caller)
            #expect(first.version == 1 && first.active)
            await #expect(throws: RapportError.self) {
                try await playbooks.define(.init(key: "mine", name: "x", trigger: trigger, steps: Self.steps), by: rep.caller)
            }
            let bad = try await #require(throws: RapportError.self) {
                try await playbooks.define(.init(key: "qualified_follow_up", name: "确认后跟进", trigger: trigger,
                                                 steps: [PlaybookStep(title: "x", channel: "fax", offset: .day(400), script: "{{customer.phone}}")]), by: manager.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["steps[0].channel", "steps[0].offset", "steps[0].script"])
            let second = try await playbooks.define(.init(key: "qualified_follow_up", name: "确认后跟进 v2", trigger: trigger, steps: Self.steps), by: manager.caller)
            #expect(try await playbooks.list(by: rep.caller).map { "\($0.key) v\($0.version) \($0.active)" } == ["qualified_follow_up v2 true"])
            #expect(try await playbooks.versions(key: "qualified_follow_up", by: rep.caller).map(\.version) == [2, 1] && second.version == 2)
            try await playbooks.withdraw(key: "qualified_follow_up", by: manager.caller)
            #expect(try await playbooks.list(by: rep.caller).map(\.active) == [false])
        }
    }

    @Test(arguments: TestBackend.available)
    func aLeadGivenToARepRunsItsPlaybookAsTasksUntilAnExit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let successor = try await harness.signedIn(.rep, team: team)
            let stranger = try await harness.signedIn(.manager, team: try await harness.team("west"))
            let admin = try await harness.signedIn(.admin)
            let playbooks = harness.rapport.playbooks
            _ = try await playbooks.define(.init(key: "new_lead", name: "新线索 SOP", trigger: .leadAssigned, steps: Self.steps), by: manager.caller)

            // 23:30 in Shanghai on 7 March: "within 2 h" is past midnight, "day 1 at 10:00" is 8 March, "day 3" ends 10 March.
            _ = harness.clock.set(RFC3339.parse("2026-03-07T15:30:00Z")!)
            let lead = try await harness.rapport.leads.create(LeadInput(name: "李雷", phone: .some("13812345678"), source: .some("抖音"),
                                                                        owner: .some(rep.user.id.rawValue)), by: manager.caller).0
            var tasks = try await Self.tasks(harness, about: lead.id, by: rep.caller)
            #expect(tasks.map(\.dueAt) == ["2026-03-07T17:30:00Z", "2026-03-08T02:00:00Z", "2026-03-10T15:59:59Z"].map { RFC3339.parse($0)! })
            #expect(tasks.map(\.type) == [.call, .wechat, .visit] && tasks.allSatisfy { $0.source == .playbook && $0.assigneeID == rep.user.id })
            #expect(tasks[0].notes == "您好李雷，我是\(rep.user.name)，来自抖音的咨询" && tasks[1].notes == nil)
            let runs = try await playbooks.runs(on: lead.id.rawValue, by: rep.caller)
            #expect(runs.count == 1 && runs[0].run.status == .running && runs[0].playbook.key == "new_lead")
            await #expect(throws: RapportError.self) { try await playbooks.runs(on: lead.id.rawValue, by: stranger.caller) }
            // Another team's manager can neither read nor stop it.
            let stopped = try await #require(throws: RapportError.self) { try await playbooks.stop(runs[0].run.id.rawValue, by: stranger.caller) }
            #expect(stopped.code == .notFound)

            // The call is made on time; the WeChat step is let go (skipped); two days on, the visit is not yet due.
            harness.clock.advance(by: 3_600)
            _ = try await harness.rapport.tasks.complete(tasks[0].id.rawValue, outcome: "reached", note: nil, by: rep.caller)
            _ = try await harness.rapport.tasks.cancel(tasks[1].id.rawValue, reason: "已在电话里发过", by: rep.caller)
            harness.clock.advance(by: 2 * 86_400)
            var report = try await playbooks.compliance(key: "new_lead", by: manager.caller)
            let counts = try #require(report.steps.first { $0.key.assignee == rep.user.id }?.counts)
            #expect(counts.onTime == 1 && counts.skipped == 1 && counts.upcoming == 1 && counts.overdue == 0)
            #expect(try await playbooks.compliance(key: "new_lead", by: stranger.caller).steps.isEmpty)
            // Over the runs started in a period: the day of the start (Shanghai) holds it, the next day does not.
            #expect(try await playbooks.compliance(key: "new_lead", from: "2026-03-07", to: "2026-03-07", by: manager.caller) == report)
            let later = try await playbooks.compliance(key: "new_lead", from: "2026-03-08", by: manager.caller)
            #expect(later.steps.isEmpty && later.outcomes.isEmpty)
            #expect(try await playbooks.compliance(key: "new_lead", to: "2026-03-07T15:00:00Z", by: manager.caller).outcomes.isEmpty)
            let badPeriod = try await #require(throws: RapportError.self) {
                try await playbooks.compliance(key: "new_lead", from: "March", to: "2026-03-01", by: manager.caller)
            }
            #expect(badPeriod.fieldErrors.map(\.field) == ["from"])
            let backwards = try await #require(throws: RapportError.self) {
                try await playbooks.compliance(key: "new_lead", from: "2026-03-09", to: "2026-03-08", by: manager.caller)
            }
            #expect(backwards.fieldErrors.map(\.field) == ["from"])

            // The rep leaves: the lead, its run's pending step and its open task go to the successor.
            _ = try await harness.rapport.handovers.handOver(.init(user: rep.user.id.rawValue, reason: "离职",
                                                                   targets: [.leads: .init(to: "users", userIDs: [successor.user.id.rawValue])]), by: admin.caller)
            let moved = try await playbooks.runs(on: lead.id.rawValue, by: successor.caller)[0].run
            #expect(moved.steps.map(\.assignee) == [rep.user.id, rep.user.id, successor.user.id])
            tasks = try await Self.tasks(harness, about: lead.id, by: successor.caller)
            #expect(tasks.filter { $0.status == .open }.map(\.assigneeID) == [successor.user.id])

            // A day late, the lead turns out invalid (lost): the run exits, the open visit is cancelled.
            harness.clock.advance(by: 86_400)
            report = try await playbooks.compliance(key: "new_lead", by: admin.caller)
            #expect(report.steps.first { $0.key.assignee == successor.user.id }?.counts.overdue == 1, "the visit is now overdue, the successor's")
            _ = try await harness.rapport.leads.move(lead.id.rawValue, to: "contacting", reason: nil, by: successor.caller)
            _ = try await harness.rapport.leads.move(lead.id.rawValue, to: "invalid", reason: nil,
                                                     filling: LeadInput(customFields: ["invalid_reason": .string("no_need")]), by: successor.caller)
            let ended = try await playbooks.runs(on: lead.id.rawValue, by: successor.caller)[0].run
            #expect(ended.status == .exited && ended.exit == .lost && ended.steps.map(\.status) == [.done, .skipped, .cancelled])
            tasks = try await Self.tasks(harness, about: lead.id, by: admin.caller)
            #expect(tasks.map(\.status) == [.done, .cancelled, .cancelled])
            report = try await playbooks.compliance(key: "new_lead", by: admin.caller)
            #expect(report.outcomes.map { "\($0.version.version) \($0.outcomes.started) \($0.outcomes.lost)" } == ["1 1 1"])

            // Completing a cancelled step's task later does not bring the run back.
            _ = try await harness.rapport.tasks.reopen(tasks[2].id.rawValue, by: admin.caller)
            _ = try await harness.rapport.tasks.complete(tasks[2].id.rawValue, outcome: nil, note: nil, by: admin.caller)
            #expect(try await playbooks.runs(on: lead.id.rawValue, by: admin.caller)[0].run.status == .exited)
        }
    }

    @Test(arguments: TestBackend.available)
    func stagesTagsAndDoNotContactStartAndEndRunsOnCustomers(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let playbooks = harness.rapport.playbooks
            _ = harness.clock.set(RFC3339.parse("2026-06-01T01:00:00Z")!)
            _ = try await playbooks.define(.init(key: "vip_care", name: "VIP 关怀", trigger: .tagAdded(object: .customer, tag: "vip"), steps: [
                PlaybookStep(title: "致电 {{customer.name}}", channel: "call", offset: .dayAt(day: 0, hour: 9, minute: 0), script: "{{customer.name}} 您好"),
            ]), by: manager.caller)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "韩梅梅"), by: rep.caller).0
            #expect(try await playbooks.runs(on: customer.id.rawValue, by: rep.caller).isEmpty)
            // Day 0 at 09:00 Shanghai is 01:00 UTC — exactly now, never before the start.
            let tagged = try await harness.rapport.customers.update(customer.id.rawValue, CustomerInput(tags: ["vip"]), expectedVersion: nil, by: rep.caller)
            let run = try #require(try await playbooks.runs(on: customer.id.rawValue, by: rep.caller).first?.run)
            #expect(run.steps.map(\.dueAt) == [RFC3339.parse("2026-06-01T01:00:00Z")!])
            let task = try #require(try await harness.rapport.tasks.list(.init(linkedKind: "customer", linkedID: customer.id.rawValue),
                                                                         page: PageRequest(), by: rep.caller).items.first?.task)
            #expect(task.title == "致电 {{customer.name}}" && task.notes == "韩梅梅 您好")
            // Do-not-contact ends it.
            _ = try await harness.rapport.customers.update(tagged.id.rawValue, CustomerInput(doNotContact: true), expectedVersion: nil, by: rep.caller)
            let ended = try #require(try await playbooks.runs(on: customer.id.rawValue, by: rep.caller).first?.run)
            #expect(ended.status == .exited && ended.exit == .doNotContact)
            #expect(try await harness.rapport.tasks.get(task.id.rawValue, by: rep.caller).task.status == .cancelled)
        }
    }

    @Test(arguments: TestBackend.available)
    func anOpportunitysScriptNamesItsAmountStageAndCustomer(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            _ = harness.clock.set(RFC3339.parse("2026-06-01T01:00:00Z")!)
            _ = try await harness.rapport.playbooks.define(.init(key: "proposal", name: "方案跟进", trigger: .stageEntered(object: .opportunity, stage: "proposal"), steps: [
                PlaybookStep(title: "讲解方案", channel: "call", offset: .within(minutes: 60),
                             script: "{{customer.name}}（{{customer.company}}）您好：{{opportunity.name}} 报价 {{opportunity.amount}}，阶段 {{opportunity.stage}}"),
            ]), by: manager.caller)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "韩梅梅"), by: rep.caller).0
            let deal = try await harness.rapport.opportunities.create(
                OpportunityInput(name: "年课", customer: customer.id.rawValue, amount: .some(Money(480_050, "CNY"))), by: rep.caller).opportunity
            _ = try await harness.rapport.opportunities.move(deal.id.rawValue, to: "proposal", reason: nil, by: rep.caller)
            let task = try #require(try await harness.rapport.tasks.list(.init(linkedKind: "opportunity", linkedID: deal.id.rawValue),
                                                                         page: PageRequest(), by: rep.caller).items.first?.task)
            // The customer has no company: that variable renders empty.
            #expect(task.notes == "韩梅梅（）您好：年课 报价 4800.50 CNY，阶段 proposal")
        }
    }
}

/// The triggers days set off, with a moving clock: a step N days before an opportunity's expected
/// close date and a day after a lead came in, found by the daily job on the right business day
/// (Shanghai), once however often the job runs.
@Suite struct PlaybookDailyTriggerTests {
    @Test(arguments: TestBackend.available)
    func theDailyJobStartsDateTriggeredRunsOnTheirDayOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let playbooks = harness.rapport.playbooks
            let call = [PlaybookStep(title: "Call", channel: "call", offset: .dayAt(day: 0, hour: 10, minute: 0))]
            _ = try await playbooks.define(.init(key: "before_close", name: "临近成交", trigger: .dateReached(object: .opportunity, field: "expected_close_date", days: -2),
                                                 steps: call), by: manager.caller)
            _ = try await playbooks.define(.init(key: "day_after", name: "次日回访", trigger: .dateReached(object: .lead, field: "created_at", days: 1), steps: call),
                                           by: manager.caller)
            let wrong = try await #require(throws: RapportError.self) {
                try await playbooks.define(.init(key: "bad", name: "x", trigger: .dateReached(object: .lead, field: "birthday", days: 1), steps: call), by: manager.caller)
            }
            #expect(wrong.fieldErrors.map(\.field) == ["trigger.field"])

            // 23:30 in Shanghai on 9 March (15:30 UTC): the lead's created day is 9 March there, not 10 March.
            _ = harness.clock.set(RFC3339.parse("2026-03-09T15:30:00Z")!)
            let lead = try await harness.rapport.leads.create(LeadInput(name: "王芳", phone: .some("13812340002"), owner: .some(rep.user.id.rawValue)), by: rep.caller).0
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "赵磊"), by: rep.caller).0
            let deal = try await harness.rapport.opportunities.create(OpportunityInput(name: "年卡", customer: customer.id.rawValue, expectedCloseDate: .some("2026-03-12")),
                                                                      by: rep.caller).opportunity
            #expect(try await playbooks.runDaily() == 0)

            // 10 March in Shanghai (from 16:00 UTC on the 9th): two days before the close date, a day after the lead.
            harness.clock.advance(by: 3_600)
            #expect(try await playbooks.runDaily() == 2)
            #expect(try await playbooks.runDaily() == 0)
            let dealRun = try #require(try await playbooks.runs(on: deal.id.rawValue, by: rep.caller).first?.run)
            let leadRun = try #require(try await playbooks.runs(on: lead.id.rawValue, by: rep.caller).first?.run)
            // Day 0 at 10:00 Shanghai = 02:00 UTC on 10 March, for the record's owner.
            #expect(dealRun.steps.map(\.dueAt) == [RFC3339.parse("2026-03-10T02:00:00Z")!] && dealRun.steps[0].assignee == rep.user.id)
            #expect(leadRun.playbookKey == "day_after")

            // 11 March: nothing new.
            harness.clock.advance(by: 86_400)
            #expect(try await playbooks.runDaily() == 0)
        }
    }
}
