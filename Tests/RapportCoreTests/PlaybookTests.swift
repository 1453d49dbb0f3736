import Foundation
@testable import RapportCore
import Testing

/// The playbook engine, pure and with a moving clock: step offsets across days, time zones and a
/// daylight-saving change; which playbooks a change starts (one lookup per change); runs done on
/// time, late, skipped, ended early by an exit condition and moved on handover; compliance and
/// conversion by version; scripts with their variables.
@Suite struct PlaybookTests {
    static func id(_ text: String) -> RecordID { RecordID(trusted: text) }
    static func at(_ text: String) -> Date { RFC3339.parse(text)! }
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func trial(version: Int = 1, active: Bool = true) -> Playbook {
        Playbook(id: id("sop_trial\(version)"), key: "trial_follow_up", version: version, name: "试听跟进", trigger: .stageEntered(object: .lead, stage: "trial_booked"),
                 steps: [
                     PlaybookStep(title: "确认试听时间", channel: "call", offset: .within(minutes: 120), script: "您好{{lead.name}}，我是{{rep.name}}……"),
                     PlaybookStep(title: "发送课前资料", channel: "wechat", offset: .dayAt(day: 1, hour: 10, minute: 0)),
                     PlaybookStep(title: "试听后回访", channel: "call", offset: .day(3)),
                 ], active: active)
    }

    @Test func offsetsCountDaysInTheBusinessTimeZone() {
        let start = Self.at("2026-03-07T07:30:00Z")  // 15:30 in Shanghai
        #expect(StepOffset.within(minutes: 120).due(after: start, in: Self.shanghai) == Self.at("2026-03-07T09:30:00Z"))
        #expect(StepOffset.dayAt(day: 1, hour: 10, minute: 0).due(after: start, in: Self.shanghai) == Self.at("2026-03-08T02:00:00Z"))
        #expect(StepOffset.day(3).due(after: start, in: Self.shanghai) == Self.at("2026-03-10T15:59:59Z"))
        #expect(StepOffset.dayAt(day: 0, hour: 10, minute: 0).due(after: start, in: Self.shanghai) == start, "never before the start")
        // 23:30 UTC is already the next day in Shanghai: day 1 is counted from there.
        #expect(StepOffset.dayAt(day: 1, hour: 9, minute: 0).due(after: Self.at("2026-03-07T23:30:00Z"), in: Self.shanghai) == Self.at("2026-03-09T01:00:00Z"))
        #expect(StepOffset.dayAt(day: 1, hour: 9, minute: 0).due(after: Self.at("2026-03-07T23:30:00Z"), in: .gmt) == Self.at("2026-03-08T09:00:00Z"))
    }

    @Test func offsetsFollowADaylightSavingChange() {
        // New York springs forward on 2026-03-08 at 02:00 (EST −5 → EDT −4).
        let start = Self.at("2026-03-07T17:00:00Z")  // noon EST
        #expect(StepOffset.dayAt(day: 1, hour: 9, minute: 0).due(after: start, in: Self.newYork) == Self.at("2026-03-08T13:00:00Z"))
        #expect(StepOffset.dayAt(day: 0, hour: 18, minute: 0).due(after: start, in: Self.newYork) == Self.at("2026-03-07T23:00:00Z"))
        let skipped = StepOffset.dayAt(day: 1, hour: 2, minute: 30).due(after: start, in: Self.newYork)
        #expect(skipped >= Self.at("2026-03-08T07:00:00Z") && skipped <= Self.at("2026-03-08T07:30:00Z"), "02:30 does not exist that night: \(skipped)")
        #expect(StepOffset.within(minutes: 24 * 60).due(after: start, in: Self.newYork) == Self.at("2026-03-08T17:00:00Z"), "within counts real hours")
    }

    @Test func aChangeStartsTheMatchingActivePlaybooksOnly() {
        let playbooks = [
            Self.trial(),
            Self.trial(version: 2, active: false),
            Playbook(id: Self.id("sop_new"), key: "new_lead", name: "新线索", trigger: .leadAssigned,
                     steps: [PlaybookStep(title: "首呼", channel: "call", offset: .within(minutes: 30))]),
            Playbook(id: Self.id("sop_sign"), key: "onboarding", name: "签约后", trigger: .orderSigned,
                     steps: [PlaybookStep(title: "欢迎", channel: "wechat", offset: .day(0))]),
            Playbook(id: Self.id("sop_vip"), key: "vip", name: "VIP", trigger: .tagAdded(object: .customer, tag: "vip"),
                     steps: [PlaybookStep(title: "经理致电", channel: "call", offset: .day(1))]),
            Playbook(id: Self.id("sop_renew"), key: "renewal", name: "续费", trigger: .entitlementExpiring(days: 30),
                     steps: [PlaybookStep(title: "续费沟通", channel: "call", offset: .day(2))]),
            Playbook(id: Self.id("sop_birthday"), key: "before_trial", name: "试听前", trigger: .dateReached(object: .lead, field: "trial_date", days: -1),
                     steps: [PlaybookStep(title: "提醒", channel: "sms", offset: .within(minutes: 0))]),
        ]
        let index = PlaybookIndex(playbooks)
        let now = Self.at("2026-03-07T07:30:00Z")
        func keys(_ object: DictionaryObject, _ event: RecordChange.Event) -> [String] {
            index.triggered(by: RecordChange(object: object, recordID: Self.id("lead_1"), event: event, at: now)).map(\.key)
        }
        #expect(keys(.lead, .stageEntered("trial_booked", category: .open)) == ["trial_follow_up"])
        #expect(index.triggered(by: RecordChange(object: .lead, recordID: Self.id("lead_1"), event: .stageEntered("trial_booked", category: .open), at: now))
                    .map(\.version) == [1], "the inactive version starts nothing")
        #expect(keys(.customer, .stageEntered("trial_booked", category: .open)).isEmpty, "the stage of another object")
        #expect(keys(.lead, .assigned(to: Self.id("usr_1"))) == ["new_lead"] && keys(.customer, .assigned(to: Self.id("usr_1"))).isEmpty)
        #expect(keys(.order, .signed) == ["onboarding"] && keys(.lead, .signed).isEmpty)
        #expect(keys(.customer, .tagAdded("vip")) == ["vip"] && keys(.customer, .tagAdded("VIP")).isEmpty && keys(.lead, .tagAdded("vip")).isEmpty)
        #expect(keys(.customer, .expiring(days: 30)) == ["renewal"] && keys(.customer, .expiring(days: 29)).isEmpty)
        #expect(keys(.lead, .dateReached(field: "trial_date", days: -1)) == ["before_trial"] && keys(.lead, .dateReached(field: "trial_date", days: 1)).isEmpty)
        #expect(keys(.lead, .doNotContact).isEmpty)
    }

    @Test func aRunIsDoneOnTimeLateOrSkippedEndsEarlyAndMovesOnHandover() throws {
        var clock = Self.at("2026-03-07T07:30:00Z")
        let (rep, successor) = (Self.id("usr_rep"), Self.id("usr_new"))
        var run = PlaybookRun.start(Self.trial(), id: Self.id("run_1"), record: Self.id("lead_1"), owner: rep, at: clock, in: Self.shanghai)
        #expect(run.steps.map(\.dueAt) == [Self.at("2026-03-07T09:30:00Z"), Self.at("2026-03-08T02:00:00Z"), Self.at("2026-03-10T15:59:59Z")])
        clock.addTimeInterval(3_600)
        try run.finish(step: 0, at: clock)  // within the two hours
        clock = Self.at("2026-03-08T03:00:00Z")  // an hour after 10:00
        try run.finish(step: 1, at: clock)
        #expect(run.steps.map(\.onTime) == [true, false, false] && run.status == .running)
        #expect(throws: RapportError.self) { try run.finish(step: 1, at: clock) }
        var snapshot = run
        // The lead changes hands: the step still to do goes to the successor.
        snapshot.handOver(to: successor)
        #expect(snapshot.steps.map(\.assignee) == [rep, rep, successor])
        // Two days later it is overdue for the successor; the compliance says so.
        clock = Self.at("2026-03-11T00:00:00Z")
        var counts = PlaybookCompliance.steps([snapshot], now: clock)
        #expect(counts[.init(assignee: rep, playbookKey: "trial_follow_up")]?.onTime == 1 && counts[.init(assignee: rep, playbookKey: "trial_follow_up")]?.late == 1)
        #expect(counts[.init(assignee: successor, playbookKey: "trial_follow_up")]?.overdue == 1)
        // Skipping the last step completes the run.
        try snapshot.finish(step: 2, skipped: true, at: clock)
        #expect(snapshot.status == .completed && snapshot.endedAt == clock)
        counts = PlaybookCompliance.steps([snapshot], now: clock)
        #expect(counts[.init(assignee: successor, playbookKey: "trial_follow_up")]?.skipped == 1)
        #expect(counts[.init(assignee: rep, playbookKey: "trial_follow_up")]?.onTimeRate == AnalyticsRatio(1, over: 2))
        // The original run instead ends early: the lead converts; the pending step is cancelled, not skipped.
        #expect(run.observe(.stageEntered("trial_attended", category: .open), exits: PlaybookExit.allCases, at: clock) == nil)
        #expect(run.observe(.stageEntered("enrolled", category: .won), exits: [.lost], at: clock) == nil, "not this playbook's exit")
        #expect(run.observe(.stageEntered("enrolled", category: .won), exits: PlaybookExit.allCases, at: clock) == .converted)
        #expect(run.status == .exited && run.steps[2].status == .cancelled)
        #expect(throws: RapportError.self) { try run.finish(step: 2, at: clock) }
        #expect(PlaybookCompliance.steps([run], now: clock)[.init(assignee: rep, playbookKey: "trial_follow_up")]?.due == 2)
        var stopped = PlaybookRun.start(Self.trial(), id: Self.id("run_2"), record: Self.id("lead_2"), owner: rep, at: clock, in: Self.shanghai)
        #expect(stopped.observe(.doNotContact, exits: PlaybookExit.allCases, at: clock) == .doNotContact)
        #expect(stopped.steps.allSatisfy { $0.status == .cancelled })
    }

    @Test func conversionIsComparedVersionByVersion() {
        let start = Self.at("2026-03-07T07:30:00Z")
        var runs: [PlaybookRun] = []
        for (index, (version, event)) in [(1, RecordChange.Event.stageEntered("enrolled", category: .won)), (1, .stageEntered("lost", category: .lost)),
                                          (1, .stageEntered("engaged", category: .open)), (2, .stageEntered("enrolled", category: .won)),
                                          (2, .stageEntered("enrolled", category: .won))].enumerated() {
            var run = PlaybookRun.start(Self.trial(version: version), id: Self.id("run_\(index)"), record: Self.id("lead_\(index)"), owner: Self.id("usr_1"),
                                        at: start, in: Self.shanghai)
            run.observe(event, exits: PlaybookExit.allCases, at: start)
            runs.append(run)
        }
        let outcomes = PlaybookCompliance.outcomes(runs)
        let first = outcomes[.init(playbookKey: "trial_follow_up", version: 1)]
        let second = outcomes[.init(playbookKey: "trial_follow_up", version: 2)]
        #expect(first?.started == 3 && first?.converted == 1 && first?.lost == 1 && first?.running == 1)
        #expect(second?.conversion == AnalyticsRatio(2, over: 2))
    }

    @Test func scriptsRenderTheirVariablesAndPlaybooksNameWhatIsWrong() {
        let template = ScriptTemplate("您好{{ customer.name }}，来自{{lead.source}}的{{customer.name}}？{{ 不是变量 }} {{unclosed")
        #expect(template.variables == ["customer.name", "lead.source"])
        #expect(template.render(["customer.name": "王女士", "lead.source": "抖音"]) == "您好王女士，来自抖音的王女士？{{ 不是变量 }} {{unclosed")
        #expect(template.render([:]) == "您好，来自的？{{ 不是变量 }} {{unclosed", "a missing value never shows braces")
        #expect(ScriptTemplate("").parts.isEmpty && ScriptTemplate("plain").render([:]) == "plain")

        let variables: Set<String> = ["lead.name", "rep.name"]
        #expect(Self.trial().problems(variables: variables).isEmpty)
        var bad = Self.trial()
        bad.key = "Trial Follow-up"
        bad.name = " "
        bad.steps[0].channel = "pigeon"
        bad.steps[1].offset = .dayAt(day: 1, hour: 25, minute: 0)
        bad.steps[2].script = "{{customer.phone}}"
        bad.trigger = .stageEntered(object: .lead, stage: "")
        #expect(Set(bad.problems(variables: variables).map(\.field)) == ["key", "name", "steps[0].channel", "steps[1].offset", "steps[2].script", "trigger.stage"])
        bad.steps = []
        #expect(bad.problems(variables: variables).contains { $0.field == "steps" })
    }
}
