import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Work reports through their use cases, on every backend: figures reconcile with records made
/// in the test (period edges in Shanghai time with the moving clock), the state machine with
/// versions, notices and audit, scope by author, search, and who has not submitted.
@Suite struct ReportTests {
    struct World {
        var east: Team
        var manager: TestHarness.SignedIn
        var rep: TestHarness.SignedIn
        var colleague: TestHarness.SignedIn
        var stranger: TestHarness.SignedIn
    }

    static func world(_ harness: TestHarness) async throws -> World {
        let east = try await harness.team("east")
        return World(east: east, manager: try await harness.signedIn(.manager, team: east), rep: try await harness.signedIn(.rep, team: east),
                     colleague: try await harness.signedIn(.rep, team: east), stranger: try await harness.signedIn(.rep, team: try await harness.team("west")))
    }

    static func notices(_ harness: TestHarness, _ user: TestHarness.SignedIn, kind: String) async throws -> [Notice] {
        try await harness.rapport.notifications.list(unreadOnly: false, page: PageRequest(limit: 500), by: user.caller).items.filter { $0.kind == kind }
    }

    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    @Test(arguments: TestBackend.available)
    func figuresReconcileWithTheRecordsOfTheBusinessDay(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let rapport = harness.rapport
            let (rep, caller) = (world.rep, world.rep.caller)
            // 2026-01-05 17:00 in Shanghai: records of the day.
            harness.clock.set(Self.at("2026-01-05T17:00:00+08:00"))
            let customer = try await rapport.customers.create(CustomerInput(kind: "person", name: "王芳"), by: caller).0.id.rawValue
            let deal = try await rapport.opportunities.create(
                OpportunityInput(name: "年课", customer: customer, amount: .some(Money(480_000, "CNY")), customFields: ["course_package": .string("lessons_48")]),
                by: caller)
            for stage in ["proposal", "negotiation", "won"] { _ = try await rapport.opportunities.move(deal.opportunity.id.rawValue, to: stage, reason: "Paid", by: caller) }
            let lead = try await rapport.leads.create(LeadInput(name: "李雷", phone: .some("13612345678"), customFields: ["grade": .string("adult"), "subject_interest": .array([.string("math")])]), by: caller).0
            for stage in ["contacting", "qualified"] { _ = try await rapport.leads.move(lead.id.rawValue, to: stage, reason: nil, by: caller) }
            _ = try await rapport.leads.convert(lead.id.rawValue, by: caller)
            let done = try await rapport.tasks.create(.init(title: "Send the brochure", dueAt: "2026-01-05T20:00:00+08:00"), by: caller)
            _ = try await rapport.tasks.complete(done.task.id.rawValue, outcome: nil, note: nil, by: caller)
            _ = try await rapport.tasks.create(.init(title: "Call back", type: "call", dueAt: "2026-01-05T11:00:00+08:00"), by: caller)  // overdue, still open
            _ = try await rapport.tasks.create(.init(title: "Tomorrow", dueAt: "2026-01-06T09:00:00+08:00"), by: caller)

            // The next morning: activities logged at the edges of the day.
            harness.clock.set(Self.at("2026-01-06T10:00:00+08:00"))
            for (type, time) in [("call", "2026-01-05T23:59:00+08:00"), ("call", "2026-01-06T00:00:00+08:00"), ("visit", "2026-01-05T00:00:00+08:00"),
                                 ("visit", "2026-01-04T23:59:59+08:00"), ("wechat", "2026-01-05T12:00:00+08:00"), ("meeting", "2026-01-05T15:00:00+08:00")] {
                _ = try await rapport.activities.log(.init(customerID: customer, type: type, occurredAt: Self.at(time)), by: caller)
            }
            let other = try await rapport.customers.create(CustomerInput(kind: "person", name: "Other"), by: world.colleague.caller).0.id.rawValue
            _ = try await rapport.activities.log(.init(customerID: other, type: "call", occurredAt: Self.at("2026-01-05T10:00:00+08:00")), by: world.colleague.caller)

            let reports = rapport.reports
            let (daily, created) = try await reports.draft(kind: "daily", period: "2026-01-05", by: caller)
            #expect(created && daily.live && daily.row.report.status == .draft && daily.row.authorName == rep.user.name)
            let figures = daily.figures
            #expect(figures.calls == 1 && figures.visits == 1 && figures.otherActivities == 2, "\(figures)")
            #expect(figures.newLeads == 1 && figures.leadsConverted == 1 && figures.opportunitiesWon == 1)
            #expect(figures.wonAmounts == [.init(currency: "CNY", amountMinor: 480_000)])
            #expect(figures.tasksDone == 1 && figures.tasksOverdue == 1)
            // Today's report (the 6th) has the midnight call; the month's has everything of January.
            let today = try await reports.draft(kind: "daily", period: nil, by: caller).0
            #expect(today.row.report.period.description == "2026-01-06" && today.figures.calls == 1 && today.figures.visits == 0)
            let month = try await reports.draft(kind: "monthly", period: nil, by: caller).0
            #expect(month.row.report.period.description == "2026-01" && month.figures.calls == 2 && month.figures.visits == 2 && month.figures.otherActivities == 2)
            #expect(month.figures.opportunitiesWon == 1 && month.figures.tasksDone == 1)
            // Drafting again returns the same report; bad or future periods are refused.
            let again = try await reports.draft(kind: "daily", period: "2026-01-05", by: caller)
            #expect(!again.created && again.0.row.report.id == daily.row.report.id)
            for (kind, period) in [("daily", "2026-01-07"), ("weekly", nil), ("daily", "2026-01"), ("monthly", "2026-02"), ("daily", "2024-01-05")] as [(String, String?)] {
                await #expect(throws: RapportError.self) { try await reports.draft(kind: kind, period: period, by: caller) }
            }
            #expect(try await harness.count("reports") == 3)
            // The colleague's figures are their own.
            let theirs = try await reports.draft(kind: "daily", period: "2026-01-05", by: world.colleague.caller).0
            #expect(theirs.figures.calls == 1 && theirs.figures.visits == 0 && theirs.figures.opportunitiesWon == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func reportsGoThroughSubmissionReviewAndComments(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let rapport = harness.rapport
            let reports = rapport.reports
            harness.clock.set(Self.at("2026-01-05T18:00:00+08:00"))
            let customer = try await rapport.customers.create(CustomerInput(kind: "person", name: "Zhao"), by: world.rep.caller).0.id.rawValue
            _ = try await rapport.activities.log(.init(customerID: customer, type: "call"), by: world.rep.caller)
            let draft = try await reports.draft(kind: nil, period: nil, by: world.rep.caller).0
            let id = draft.row.report.id.rawValue
            #expect(draft.row.report.period.description == "2026-01-05" && draft.figures.calls == 1)

            // Words: the author only, at the current version, bounded.
            let written = try await reports.updateText(id, .init(summary: "拜访 3 家客户\r\n成交 1 单", plan: "跟进王总", problems: .some(nil)), expectedVersion: 1,
                                                       by: world.rep.caller)
            #expect(written.row.report.summary == "拜访 3 家客户\n成交 1 单" && written.row.report.plan == "跟进王总" && written.row.report.version == 2)
            let stale = try await #require(throws: RapportError.self) { try await reports.updateText(id, .init(plan: "x"), expectedVersion: 1, by: world.rep.caller) }
            #expect(stale.code == .preconditionFailed)
            let notMine = try await #require(throws: RapportError.self) { try await reports.updateText(id, .init(plan: "x"), expectedVersion: nil, by: world.manager.caller) }
            #expect(notMine.code == .forbidden)
            let long = try await #require(throws: RapportError.self) {
                try await reports.updateText(id, .init(summary: String(repeating: "字", count: WorkReport.maximumTextLength + 1)), expectedVersion: nil, by: world.rep.caller)
            }
            #expect(long.fieldErrors.map(\.field) == ["summary"])
            // A manager cannot review a draft; the author cannot review their own.
            await #expect(throws: RapportError.self) { try await reports.review(id, comment: nil, by: world.manager.caller) }

            // Submitted: figures kept as they are; the managers are told, nobody else.
            let submitted = try await reports.submit(id, by: world.rep.caller)
            #expect(submitted.row.report.status == .submitted && !submitted.live && submitted.figures.calls == 1 && submitted.row.report.submittedAt != nil)
            #expect(try await Self.notices(harness, world.manager, kind: "report.submitted").map(\.objectID) == [id])
            #expect(try await Self.notices(harness, world.colleague, kind: "report.submitted").isEmpty)
            await #expect(throws: RapportError.self) { try await reports.submit(id, by: world.rep.caller) }
            await #expect(throws: RapportError.self) { try await reports.updateText(id, .init(plan: "late"), expectedVersion: nil, by: world.rep.caller) }
            let own = try await #require(throws: RapportError.self) { try await reports.review(id, comment: nil, by: world.rep.caller) }
            #expect(own.code == .forbidden)
            harness.clock.advance(by: 600)
            _ = try await rapport.activities.log(.init(customerID: customer, type: "call"), by: world.rep.caller)
            #expect(try await reports.get(id, by: world.manager.caller).figures.calls == 1)

            // Returned for rework with a reason: the author is told, the figures are live again.
            let returned = try await reports.returnForRework(id, reason: "请补充明日计划", by: world.manager.caller)
            #expect(returned.row.report.status == .returned && returned.live && returned.figures.calls == 2)
            #expect(try await Self.notices(harness, world.rep, kind: "report.returned").count == 1)
            #expect(try await reports.comments(id, by: world.rep.caller).map(\.body) == ["请补充明日计划"])
            _ = try await reports.updateText(id, .init(plan: "明天上午回访王总"), expectedVersion: nil, by: world.rep.caller)
            let resubmitted = try await reports.submit(id, by: world.rep.caller)
            #expect(resubmitted.figures.calls == 2 && resubmitted.row.report.status == .submitted)
            #expect(try await Self.notices(harness, world.manager, kind: "report.submitted").count == 2)

            // Comments both ways, each telling the other side; outsiders cannot.
            let remark = try await reports.comment(id, body: "不错，继续保持", by: world.manager.caller)
            #expect(remark.authorName == world.manager.user.name && remark.authorID == world.manager.user.id)
            #expect(try await Self.notices(harness, world.rep, kind: "report.commented").count == 1)
            _ = try await reports.comment(id, body: "谢谢经理", by: world.rep.caller)
            #expect(try await Self.notices(harness, world.manager, kind: "report.commented").count == 1)
            for outsider in [world.stranger, world.colleague] {
                await #expect(throws: RapportError.self) { try await reports.comment(id, body: "hi", by: outsider.caller) }
            }
            await #expect(throws: RapportError.self) { try await reports.comment(id, body: "  ", by: world.rep.caller) }
            #expect(try await reports.comments(id, by: world.manager.caller).count == 3)

            // Reviewed (批阅) once; then nothing moves.
            let reviewed = try await reports.review(id, comment: "已阅", by: world.manager.caller)
            #expect(reviewed.row.report.status == .reviewed && reviewed.row.report.reviewedBy == world.manager.user.id && reviewed.figures.calls == 2)
            #expect(try await Self.notices(harness, world.rep, kind: "report.reviewed").count == 1)
            await #expect(throws: RapportError.self) { try await reports.review(id, comment: nil, by: world.manager.caller) }
            await #expect(throws: RapportError.self) { try await reports.returnForRework(id, reason: nil, by: world.manager.caller) }

            let actions = try await rapport.database.read { sql in
                try await sql.select().column("action").from("audit_log").where("object_id", .equal, id).orderBy("seq").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(actions == ["report.created", "report.updated", "report.submitted", "report.returned", "report.updated", "report.submitted",
                                "report.commented", "report.commented", "report.reviewed"])
        }
    }

    @Test(arguments: TestBackend.available)
    func reportsAreScopedByAuthorSearchableAndMissingOnesListed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let reports = harness.rapport.reports
            harness.clock.set(Self.at("2026-01-05T19:00:00+08:00"))
            let mine = try await reports.draft(kind: "daily", period: nil, by: world.rep.caller).0.row.report.id.rawValue
            _ = try await reports.updateText(mine, .init(summary: "完成 100% 目标_a"), expectedVersion: nil, by: world.rep.caller)
            _ = try await reports.submit(mine, by: world.rep.caller)
            let theirs = try await reports.draft(kind: "daily", period: nil, by: world.colleague.caller).0.row.report.id.rawValue
            _ = try await reports.updateText(theirs, .init(problems: "100 calls, abc"), expectedVersion: nil, by: world.colleague.caller)
            let far = try await reports.draft(kind: "monthly", period: nil, by: world.stranger.caller).0.row.report.id.rawValue

            // Scope: own for reps, subtree for managers, all for administrators and analysts (read only).
            let admin = try await harness.signedIn(.admin)
            let analyst = try await harness.signedIn(.analyst)
            func ids(_ query: ReportUseCases.SearchQuery, _ who: TestHarness.SignedIn) async throws -> Set<String> {
                Set(try await reports.search(query, page: PageRequest(), by: who.caller).items.map(\.report.id.rawValue))
            }
            #expect(try await ids(.init(), world.rep) == [mine])
            #expect(try await ids(.init(), world.manager) == [mine, theirs])
            #expect(try await ids(.init(), admin) == [mine, theirs, far])
            #expect(try await ids(.init(), analyst) == [mine, theirs, far])
            await #expect(throws: RapportError.self) { try await reports.get(far, by: world.manager.caller) }
            await #expect(throws: RapportError.self) { try await reports.get(mine, by: world.colleague.caller) }
            await #expect(throws: RapportError.self) { try await reports.comment(mine, body: "x", by: analyst.caller) }
            #expect(try await reports.get(far, by: analyst.caller).row.report.kind == .monthly)

            // Search: words (wildcards literal), kind, status, author, team, period range.
            #expect(try await ids(.init(text: "100%"), world.manager) == [mine])
            #expect(try await ids(.init(text: "_A"), world.manager) == [mine])
            #expect(try await ids(.init(text: "ABC"), world.manager) == [theirs])
            #expect(try await ids(.init(text: "%"), admin) == [mine])
            #expect(try await ids(.init(kind: "monthly"), admin) == [far])
            #expect(try await ids(.init(status: "submitted,reviewed"), admin) == [mine])
            #expect(try await ids(.init(author: world.colleague.user.id.rawValue), admin) == [theirs])
            #expect(try await ids(.init(team: world.east.id.rawValue), admin) == [mine, theirs])
            #expect(try await ids(.init(from: "2026-01-05", to: "2026-01-05"), admin) == [mine, theirs])
            #expect(try await ids(.init(from: "2026-01", to: "2026-01"), admin) == [mine, theirs, far])
            #expect(try await ids(.init(from: "2026-01-02"), admin) == [mine, theirs])
            let bad = try await #require(throws: RapportError.self) {
                try await reports.search(.init(author: "bob", team: "east", kind: "weekly", from: "yesterday", to: "2026-13", status: "lost"), page: PageRequest(),
                                         by: admin.caller)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["author_id", "team_id", "kind", "from", "to", "status"])
            // Pages follow the cursor without repeats.
            let first = try await reports.search(.init(), page: PageRequest(limit: 2), by: admin.caller)
            let cursor = try #require(first.nextCursor)
            let second = try await reports.search(.init(), page: PageRequest(limit: 2, cursor: cursor), by: admin.caller)
            #expect(Set(first.items.map(\.report.id) + second.items.map(\.report.id)).count == 3 && second.nextCursor == nil)

            // The next day: who has not submitted yesterday's daily report.
            harness.clock.set(Self.at("2026-01-06T09:00:00+08:00"))
            let missing = try await reports.missing(date: nil, team: nil, by: world.manager.caller)
            #expect(missing.day.description == "2026-01-05")
            #expect(missing.people.map(\.userID) == [world.colleague.user.id] && missing.people.first?.status == .draft
                    && missing.people.first?.reportID?.rawValue == theirs)
            let everyone = try await reports.missing(date: "2026-01-05", team: nil, by: admin.caller)
            #expect(Set(everyone.people.map(\.userID)) == [world.colleague.user.id, world.stranger.user.id, world.manager.user.id])
            #expect(try await reports.missing(date: "2026-01-04", team: world.east.id.rawValue, by: admin.caller).people.count == 3)
            let refused = try await #require(throws: RapportError.self) { try await reports.missing(date: nil, team: nil, by: world.rep.caller) }
            #expect(refused.code == .forbidden)
            await #expect(throws: RapportError.self) { try await reports.missing(date: "2026-01-07", team: nil, by: world.manager.caller) }
            await #expect(throws: RapportError.self) { try await reports.missing(date: "soon", team: nil, by: world.manager.caller) }
        }
    }
}
