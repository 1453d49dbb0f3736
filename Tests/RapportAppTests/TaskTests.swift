import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Tasks through their use cases, on every backend: create/change/complete/reopen/cancel with
/// versions and audit, scope by assignee, linked records the creator must see, reminders and
/// overdue escalation with the moving clock, and the iCalendar feed.
@Suite struct TaskTests {
    struct World {
        var east: Team
        var manager: TestHarness.SignedIn
        var rep: TestHarness.SignedIn
        var colleague: TestHarness.SignedIn
        var stranger: TestHarness.SignedIn
        var customer: Customer
    }

    static func world(_ harness: TestHarness) async throws -> World {
        let east = try await harness.team("east")
        let manager = try await harness.signedIn(.manager, team: east)
        let rep = try await harness.signedIn(.rep, team: east)
        let colleague = try await harness.signedIn(.rep, team: east)
        let stranger = try await harness.signedIn(.rep, team: try await harness.team("west"))
        let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Wang, Fang; \"VIP\""), by: rep.caller).0
        return World(east: east, manager: manager, rep: rep, colleague: colleague, stranger: stranger, customer: customer)
    }

    static func notices(_ harness: TestHarness, _ user: TestHarness.SignedIn, kind: String) async throws -> [Notice] {
        try await harness.rapport.notifications.list(unreadOnly: false, page: PageRequest(limit: 500), by: user.caller).items.filter { $0.kind == kind }
    }

    static func audited(_ harness: TestHarness, _ id: RecordID) async throws -> [String] {
        try await harness.rapport.database.read { sql in
            try await sql.select().column("action").from("audit_log").where("object_id", .equal, id.rawValue).orderBy("seq").all()
                .map { try $0.decode(column: "action", as: String.self) }
        }
    }

    @Test(arguments: TestBackend.available)
    func tasksAreScopedByAssigneeVersionedAndAudited(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let tasks = harness.rapport.tasks
            let created = try await tasks.create(.init(title: "Call back about the trial", type: "call", dueAt: "2026-01-06T10:00:00+08:00",
                                                       priority: "high", linkedKind: "customer", linkedID: world.customer.id.rawValue),
                                                 by: world.rep.caller)
            let task = created.task
            #expect(task.assigneeID == world.rep.user.id && task.status == .open && task.reminderMinutes == 30 && task.version == 1)
            #expect(task.dueAt == RFC3339.parse("2026-01-06T02:00:00Z") && created.linkedName == world.customer.name && task.source == .manual)
            let id = task.id.rawValue

            // Bad input changes nothing.
            for bad in [TaskUseCases.Input(title: "", dueAt: "2026-01-06T10:00:00Z"), .init(title: "x", type: "fax", dueAt: "2026-01-06T10:00:00Z"),
                        .init(title: "x", dueAt: "tomorrow"), .init(title: "x", dueAt: "2026-01-06T10:00:00Z", priority: "critical"),
                        .init(title: "x", dueAt: "2026-01-06T10:00:00Z", reminderMinutes: .some(-5)),
                        .init(title: "x", dueAt: "2026-01-06T10:00:00Z", linkedKind: "customer", linkedID: nil),
                        .init(title: "x", dueAt: "2026-01-06T10:00:00Z", assignee: world.colleague.user.id.rawValue)] {
                await #expect(throws: RapportError.self) { try await tasks.create(bad, by: world.rep.caller) }
            }
            // A record the creator cannot see is refused, as is a task for someone outside a rep's reach.
            let hidden = try await #require(throws: RapportError.self) {
                try await tasks.create(.init(title: "x", dueAt: "2026-01-06T10:00:00Z", linkedKind: "customer", linkedID: world.customer.id.rawValue),
                                       by: world.stranger.caller)
            }
            #expect(hidden.fieldErrors.map(\.field) == ["linked_id"])
            #expect(try await harness.count("tasks") == 1)

            // Scope: the assignee and their manager see it; a rep of another team does not.
            #expect(try await tasks.get(id, by: world.manager.caller).task.id == task.id)
            await #expect(throws: RapportError.self) { try await tasks.get(id, by: world.stranger.caller) }
            await #expect(throws: RapportError.self) { try await tasks.get(id, by: world.colleague.caller) }
            #expect(try await tasks.list(.init(), page: PageRequest(), by: world.stranger.caller).items.isEmpty)
            #expect(try await tasks.list(.init(), page: PageRequest(), by: world.colleague.caller).items.isEmpty)
            await #expect(throws: RapportError.self) { try await tasks.complete(id, outcome: nil, note: nil, by: world.stranger.caller) }

            // The manager gives it to a colleague, who is told; a stale version is refused.
            let moved = try await tasks.update(id, .init(assignee: world.colleague.user.id.rawValue), expectedVersion: 1, by: world.manager.caller)
            #expect(moved.task.assigneeID == world.colleague.user.id && moved.task.version == 2)
            #expect(try await Self.notices(harness, world.colleague, kind: "task.assigned").count == 1)
            let stale = try await #require(throws: RapportError.self) {
                try await tasks.update(id, .init(title: "Stale"), expectedVersion: 1, by: world.manager.caller)
            }
            #expect(stale.code == .preconditionFailed)
            let repMove = try await #require(throws: RapportError.self) {
                try await tasks.update(id, .init(assignee: world.rep.user.id.rawValue), expectedVersion: 2, by: world.colleague.caller)
            }
            #expect(repMove.fieldErrors.map(\.code) == ["forbidden"])
            await #expect(throws: RapportError.self) { try await tasks.get(id, by: world.rep.caller) }

            // Complete with an outcome; changes wait for a re-open; cancel and re-open.
            let done = try await tasks.complete(id, outcome: "no_answer", note: "Rang twice", by: world.colleague.caller)
            #expect(done.task.status == .done && done.task.outcome == .noAnswer && done.task.completedAt == harness.clock.now())
            let closed = try await #require(throws: RapportError.self) { try await tasks.update(id, .init(title: "Later"), expectedVersion: nil, by: world.colleague.caller) }
            #expect(closed.code == .conflict)
            await #expect(throws: RapportError.self) { try await tasks.complete(id, outcome: nil, note: nil, by: world.colleague.caller) }
            await #expect(throws: RapportError.self) { try await tasks.complete(id, outcome: "maybe", note: nil, by: world.colleague.caller) }
            let reopened = try await tasks.reopen(id, by: world.colleague.caller)
            #expect(reopened.task.status == .open && reopened.task.outcome == nil && reopened.task.completedAt == nil)
            let cancelled = try await tasks.cancel(id, reason: "Customer travelling", expectedVersion: reopened.task.version, by: world.manager.caller)
            #expect(cancelled.task.status == .cancelled && cancelled.task.outcomeNote == "Customer travelling")
            #expect(try await Self.audited(harness, task.id) == ["task.created", "task.updated", "task.completed", "task.reopened", "task.cancelled"])

            // Filters: status, due window, overdue, linked record; cursor pagination.
            for day in 7...9 {
                _ = try await tasks.create(.init(title: "Visit \(day)", type: "visit", dueAt: "2026-01-0\(day)T09:00:00Z"), by: world.rep.caller)
            }
            let open = try await tasks.list(.init(status: "open"), page: PageRequest(limit: 2), by: world.rep.caller)
            #expect(open.items.map(\.task.title) == ["Visit 7", "Visit 8"] && open.nextCursor != nil)
            let rest = try await tasks.list(.init(status: "open"), page: PageRequest(limit: 2, cursor: open.nextCursor), by: world.rep.caller)
            #expect(rest.items.map(\.task.title) == ["Visit 9"] && rest.nextCursor == nil)
            let window = try await tasks.list(.init(dueBefore: "2026-01-09T00:00:00Z", dueAfter: "2026-01-08T00:00:00Z"), page: PageRequest(), by: world.manager.caller)
            #expect(window.items.map(\.task.title) == ["Visit 8"])
            #expect(try await tasks.list(.init(assignee: world.rep.user.id.rawValue), page: PageRequest(), by: world.manager.caller).items.count == 3)
            let about = try await tasks.list(.init(linkedKind: "customer", linkedID: world.customer.id.rawValue), page: PageRequest(), by: world.manager.caller)
            #expect(about.items.map(\.task.id) == [task.id])
            harness.clock.set(RFC3339.parse("2026-01-08T10:00:00Z")!)
            #expect(try await tasks.list(.init(overdue: "true"), page: PageRequest(), by: world.rep.caller).items.map(\.task.title) == ["Visit 7", "Visit 8"])
            for bad in [TaskUseCases.ListQuery(status: "later"), .init(overdue: "yes"), .init(dueBefore: "soon"), .init(linkedID: "usr_1")] {
                await #expect(throws: RapportError.self) { try await tasks.list(bad, page: PageRequest(), by: world.rep.caller) }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func remindersFollowTheDueTimeAcrossDaysAndZones(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let tasks = harness.rapport.tasks
            let jobs = harness.rapport.jobs
            func reminders() async throws -> [String] {
                try await Self.notices(harness, world.rep, kind: "task.reminder").map { $0.details["title"] ?? "" }.sorted()
            }
            // Due 10:00 Beijing on the 7th (02:00 UTC), reminded an hour before: 01:00 UTC.
            let beijing = try await tasks.create(.init(title: "Beijing", dueAt: "2026-01-07T10:00:00+08:00", reminderMinutes: .some(60)), by: world.rep.caller)
            // Due 09:30 in New York on the 7th (14:30 UTC), moved before its reminder to the 8th.
            let newYork = try await tasks.create(.init(title: "New York", dueAt: "2026-01-07T09:30:00-05:00", reminderMinutes: .some(15)), by: world.rep.caller)
            // Done before its reminder: never reminds. No reminder: never reminds.
            let done = try await tasks.create(.init(title: "Done early", dueAt: "2026-01-07T03:00:00Z"), by: world.rep.caller)
            _ = try await tasks.complete(done.task.id.rawValue, outcome: "reached", note: nil, by: world.rep.caller)
            _ = try await tasks.create(.init(title: "Quiet", dueAt: "2026-01-07T03:00:00Z", reminderMinutes: .some(nil)), by: world.rep.caller)

            harness.clock.set(RFC3339.parse("2026-01-07T00:59:00Z")!)
            _ = try await jobs.runDue(worker: "test", limit: 50)
            #expect(try await reminders().isEmpty)
            harness.clock.set(RFC3339.parse("2026-01-07T01:00:00Z")!)
            _ = try await jobs.runDue(worker: "test", limit: 50)
            #expect(try await reminders() == ["Beijing"])
            _ = try await tasks.update(newYork.task.id.rawValue, .init(dueAt: "2026-01-08T09:30:00-05:00"), expectedVersion: nil, by: world.rep.caller)
            harness.clock.set(RFC3339.parse("2026-01-07T14:20:00Z")!)
            _ = try await jobs.runDue(worker: "test", limit: 50)
            #expect(try await reminders() == ["Beijing"])  // the old reminder found the task rescheduled
            harness.clock.set(RFC3339.parse("2026-01-08T14:15:00Z")!)
            _ = try await jobs.runDue(worker: "test", limit: 50)
            _ = try await jobs.runDue(worker: "test", limit: 50)
            #expect(try await reminders() == ["Beijing", "New York"])
            // Running a reminder again (a worker that stopped before marking it done) sends nothing new.
            #expect(try await tasks.remind(beijing.task.id.rawValue, dueAt: beijing.task.dueAt.microsSinceEpoch))
            #expect(try await reminders() == ["Beijing", "New York"])
            #expect(try await !tasks.remind(done.task.id.rawValue, dueAt: done.task.dueAt.microsSinceEpoch))
        }
    }

    @Test(arguments: TestBackend.available)
    func overdueTasksAlertTheAssigneeOnceThenTheManagers(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let tasks = harness.rapport.tasks
            _ = try await tasks.setSettings(TaskSettings(reminderMinutes: 10, escalateAfterMinutes: 120), by: harness.system)
            await #expect(throws: RapportError.self) { try await tasks.setSettings(TaskSettings(reminderMinutes: 10, escalateAfterMinutes: 0), by: harness.system) }
            await #expect(throws: RapportError.self) { try await tasks.setSettings(TaskSettings(), by: world.manager.caller) }
            let late = try await tasks.create(.init(title: "Send the contract", type: "email", dueAt: "2026-01-05T10:00:00Z"), by: world.rep.caller)
            let finished = try await tasks.create(.init(title: "Finished", dueAt: "2026-01-05T10:00:00Z"), by: world.rep.caller)
            _ = try await tasks.complete(finished.task.id.rawValue, outcome: nil, note: nil, by: world.rep.caller)
            #expect(late.task.reminderMinutes == 10)

            #expect(try await tasks.alertOverdue() == .init(alerted: 0, escalated: 0))
            harness.clock.set(RFC3339.parse("2026-01-05T10:01:00Z")!)
            #expect(try await tasks.alertOverdue() == .init(alerted: 1, escalated: 0))
            #expect(try await tasks.alertOverdue() == .init(alerted: 0, escalated: 0))
            #expect(try await Self.notices(harness, world.rep, kind: "task.overdue").map { $0.details["title"] } == ["Send the contract"])

            // The frequent job does the same, queued by the housekeeping and re-queued by itself.
            try await harness.rapport.jobs.scheduleHousekeeping()
            harness.clock.set(RFC3339.parse("2026-01-05T12:05:00Z")!)
            _ = try await harness.rapport.jobs.runDue(worker: "test", limit: 50)
            let escalated = try await Self.notices(harness, world.manager, kind: "task.escalated")
            #expect(escalated.map { $0.details["assignee_id"] } == [world.rep.user.id.rawValue])
            #expect(try await Self.notices(harness, world.colleague, kind: "task.escalated").isEmpty)
            #expect(try await tasks.alertOverdue() == .init(alerted: 0, escalated: 0))
            let queued = try await harness.rapport.jobs.list(status: "queued", kind: TaskUseCases.overdueKind, page: PageRequest(), by: harness.system)
            #expect(queued.items.map(\.dueAt) == [RFC3339.parse("2026-01-05T12:10:00Z")!])

            // A new due time is a new deadline: alerted again when it passes, escalated again later.
            _ = try await tasks.update(late.task.id.rawValue, .init(dueAt: "2026-01-06T09:00:00Z"), expectedVersion: nil, by: world.rep.caller)
            #expect(try await tasks.alertOverdue() == .init(alerted: 0, escalated: 0))
            harness.clock.set(RFC3339.parse("2026-01-06T12:00:00Z")!)
            #expect(try await tasks.alertOverdue() == .init(alerted: 1, escalated: 1))
            #expect(try await Self.notices(harness, world.rep, kind: "task.overdue").count == 2)
            #expect(try await Self.notices(harness, world.manager, kind: "task.escalated").count == 2)
            // The completed task never alerted anyone.
            let all = try await Self.notices(harness, world.rep, kind: "task.overdue") + Self.notices(harness, world.manager, kind: "task.escalated")
            #expect(!all.contains { $0.objectID == finished.task.id.rawValue })
        }
    }

    @Test(arguments: TestBackend.available)
    func theCalendarFeedListsOpenTasksAsICalendar(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let tasks = harness.rapport.tasks
            let long = String(repeating: "跟进客户报价，确认合同条款; ", count: 6)
            let linked = try await tasks.create(.init(title: long, type: "wechat", dueAt: "2026-01-06T10:00:00+08:00", linkedKind: "customer",
                                                      linkedID: world.customer.id.rawValue), by: world.rep.caller)
            let closed = try await tasks.create(.init(title: "Closed one", dueAt: "2026-01-06T10:00:00Z"), by: world.rep.caller)
            _ = try await tasks.cancel(closed.task.id.rawValue, reason: nil, by: world.rep.caller)
            _ = try await tasks.create(.init(title: "Someone else's", dueAt: "2026-01-06T10:00:00Z"), by: world.colleague.caller)

            let first = try await tasks.rotateCalendarToken(by: world.rep.caller)
            #expect(first.path == "/cal/\(first.token).ics" && first.token.hasPrefix("cal_"))
            let feed = try await tasks.calendarFeed(token: first.token, baseURL: "https://crm.example.com")
            #expect(feed.hasSuffix("END:VCALENDAR\r\n") && !feed.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            for line in feed.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75) }
            let unfolded = feed.replacingOccurrences(of: "\r\n ", with: "")
            let lines = unfolded.components(separatedBy: "\r\n")
            #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 1)
            #expect(lines.contains("UID:\(linked.task.id.rawValue)@rapport") && lines.contains("DTSTART:20260106T020000Z"))
            let title = linked.task.title  // trimmed
            #expect(title.hasPrefix("跟进") && lines.contains("SUMMARY:" + ICalendar.escape(title)) && lines.contains("URL:https://crm.example.com/customers/\(world.customer.id.rawValue)"))
            #expect(lines.contains("DESCRIPTION:wechat: \(ICalendar.escape(title))\\ncustomer: Wang\\, Fang\\; \"VIP\"\\nhttps://crm.example.com/customers/\(world.customer.id.rawValue)"))
            #expect(lines.contains("TRIGGER:-PT30M") && lines.contains { $0.hasPrefix("DTSTAMP:20260105T090000Z") })

            // A new token replaces the old; unknown tokens and revoked feeds are not found.
            let second = try await tasks.rotateCalendarToken(by: world.rep.caller)
            await #expect(throws: RapportError.self) { try await tasks.calendarFeed(token: first.token, baseURL: "https://x") }
            _ = try await tasks.calendarFeed(token: second.token, baseURL: "https://x")
            await #expect(throws: RapportError.self) { try await tasks.calendarFeed(token: "cal_nope", baseURL: "https://x") }
            try await tasks.revokeCalendarToken(by: world.rep.caller)
            await #expect(throws: RapportError.self) { try await tasks.calendarFeed(token: second.token, baseURL: "https://x") }
        }
    }

    @Test(arguments: TestBackend.available)
    func handoversMoveOpenTasksWithTheirRecords(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await Self.world(harness)
            let tasks = harness.rapport.tasks
            let admin = try await harness.signedIn(.admin)
            let heir = try await harness.signedIn(.rep, team: world.east)
            let onCustomer = try await tasks.create(.init(title: "About the customer", dueAt: "2026-01-06T10:00:00Z", linkedKind: "customer",
                                                          linkedID: world.customer.id.rawValue), by: world.rep.caller)
            let loose = try await tasks.create(.init(title: "Loose", dueAt: "2026-01-07T10:00:00Z"), by: world.rep.caller)
            let done = try await tasks.create(.init(title: "Done", dueAt: "2026-01-07T10:00:00Z"), by: world.rep.caller)
            _ = try await tasks.complete(done.task.id.rawValue, outcome: nil, note: nil, by: world.rep.caller)
            typealias Target = HandoverUseCases.TargetInput

            // Tasks never go to a pool.
            let refused = try await #require(throws: RapportError.self) {
                try await harness.rapport.handovers.preview(world.rep.user.id.rawValue, plan: [.tasks: Target(to: "pool", pool: "x")], by: admin.caller)
            }
            #expect(refused.fieldErrors.map(\.field) == ["tasks.to"])
            // The preview: the customer's task follows the customer to the heir; the loose one goes to the colleague.
            let plan: [HandoverKind: Target] = [.customers: Target(to: "users", userIDs: [heir.user.id.rawValue]),
                                                .tasks: Target(to: "users", userIDs: [world.colleague.user.id.rawValue])]
            let preview = try await harness.rapport.handovers.preview(world.rep.user.id.rawValue, plan: plan, by: admin.caller)
            let planned = try #require(preview.kinds.first { $0.kind == .tasks })
            #expect(planned.count == 2 && Set(planned.records.map(\.name)) == ["About the customer", "Loose"])
            #expect(Set(planned.plan?.recipients.map { "\($0.userID.rawValue)=\($0.count)" } ?? [])
                    == ["\(heir.user.id)=1", "\(world.colleague.user.id)=1"])

            let handover = try await harness.rapport.handovers.handOver(.init(user: world.rep.user.id.rawValue, reason: "Left", targets: plan), by: admin.caller)
            #expect(handover.summary.kinds["tasks"]?.moved == 2 && handover.summary.kinds["tasks"]?.kept == 0)
            #expect(try await tasks.get(onCustomer.task.id.rawValue, by: heir.caller).task.assigneeID == heir.user.id)
            #expect(try await tasks.get(loose.task.id.rawValue, by: world.colleague.caller).task.assigneeID == world.colleague.user.id)
            #expect(try await tasks.get(done.task.id.rawValue, by: admin.caller).task.assigneeID == world.rep.user.id)
            let items = try await harness.rapport.handovers.items(handover.id.rawValue, kind: "task", page: PageRequest(), by: admin.caller)
            #expect(Set(items.items.map(\.objectID)) == [onCustomer.task.id, loose.task.id])

            // Without a tasks target, a task still follows its record; the rest stay.
            let second = try await harness.signedIn(.rep, team: world.east)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Li Lei"), by: second.caller).0
            let follows = try await tasks.create(.init(title: "Follows", dueAt: "2026-01-06T10:00:00Z", linkedKind: "customer",
                                                       linkedID: customer.id.rawValue), by: second.caller)
            let stays = try await tasks.create(.init(title: "Stays", dueAt: "2026-01-06T10:00:00Z"), by: second.caller)
            let next = try await harness.rapport.handovers.handOver(.init(user: second.user.id.rawValue, reason: "Left",
                                                                          targets: [.customers: Target(to: "users", userIDs: [heir.user.id.rawValue])]),
                                                                    by: admin.caller)
            #expect(next.summary.kinds["tasks"] == .init(to: "none", moved: 1, kept: 1, recipients: [.init(userID: heir.user.id, count: 1)]))
            #expect(try await tasks.get(follows.task.id.rawValue, by: heir.caller).task.assigneeID == heir.user.id)
            #expect(try await tasks.get(stays.task.id.rawValue, by: admin.caller).task.assigneeID == second.user.id)
        }
    }

    @Test func iCalendarEscapesAndFoldsByOctets() {
        #expect(ICalendar.escape("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf")
        let folded = ICalendar.fold("SUMMARY:" + String(repeating: "任", count: 40))
        let parts = folded.components(separatedBy: "\r\n")
        #expect(parts.count == 2 && parts.allSatisfy { $0.utf8.count <= 75 } && parts[1].hasPrefix(" "))
        #expect(parts[0] + parts[1].dropFirst() == "SUMMARY:" + String(repeating: "任", count: 40))
        #expect(ICalendar.dateTime(Date(timeIntervalSince1970: 1_767_603_600.5)) == "20260105T090000Z")
    }
}
