import Foundation
import Hummingbird
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The task pages' routes (for ``WebRoutes/pageRoutes``).
    static let taskPageRoutes: Set<String> = [
        "GET /tasks", "POST /tasks", "POST /tasks/{id}/complete", "POST /tasks/{id}/cancel", "POST /tasks/{id}/reopen",
    ]

    /// `/tasks` (我的待办: overdue, today, upcoming; managers may look at anyone in their scope),
    /// creating a task (from that page or a record's page), and completing with an outcome,
    /// cancelling and re-opening — all through ``TaskUseCases`` as the signed-in caller.
    func addTasks(to router: Router<APIRequestContext>) {
        page(router, "tasks") { request, _, web in
            let query = Self.query(request)
            let person = web.canManage ? query["assignee"].map { String($0.prefix(64)) } : nil
            let agenda = try await rapport.tasks.agenda(assignee: person, by: web.caller)
            let people = web.canManage
                ? try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller).items : []
            let returnTo = person.map { "/tasks?assignee=" + Self.segment($0) } ?? "/tasks"
            let form = TaskForm(web: web, people: people, assignee: person, linkedKind: nil, linkedID: nil, returnTo: returnTo, zone: rapport.settings.businessTimeZone,
                                now: rapport.clock.now())
            return web.page("tasks", title: web.text("tasks_title"), TasksBody(web: web, agenda: agenda, people: people, person: person, form: form, returnTo: returnTo))
        }
        action(router, "tasks") { _, _, web, form in
            let returnTo = form["return_to"] ?? "/tasks"
            let due = try Self.dueTime(form["due"], zone: rapport.settings.businessTimeZone)
            let kind = form["linked_kind"]
            // The reminder select: empty = the default, a negative number = none, else minutes.
            var reminder: Int?? = nil
            if let minutes = form["reminder"].flatMap({ Int($0) }) { reminder = .some(minutes < 0 ? nil : minutes) }
            let input = TaskUseCases.Input(
                title: form["title"] ?? "", type: form["type"], dueAt: due, priority: form["priority"], assignee: form["assignee_id"],
                linkedKind: kind.map { .some($0) }, linkedID: form["linked_id"].map { .some($0) }, notes: form["notes"].map { .some($0) },
                reminderMinutes: reminder)
            _ = try await rapport.tasks.create(input, by: web.caller)
            return web.redirect(returnTo, notice: "task_created")
        }
        action(router, "tasks/:id/complete") { _, context, web, form in
            _ = try await rapport.tasks.complete(try context.parameters.require("id"), outcome: form["outcome"], note: form["outcome_note"], by: web.caller)
            return web.redirect(form["return_to"] ?? "/tasks", notice: "task_completed")
        }
        action(router, "tasks/:id/cancel") { _, context, web, form in
            _ = try await rapport.tasks.cancel(try context.parameters.require("id"), reason: form["reason"], by: web.caller)
            return web.redirect(form["return_to"] ?? "/tasks", notice: "task_cancelled")
        }
        action(router, "tasks/:id/reopen") { _, context, web, form in
            _ = try await rapport.tasks.reopen(try context.parameters.require("id"), by: web.caller)
            return web.redirect(form["return_to"] ?? "/tasks", notice: "task_reopened")
        }
    }

    /// A `datetime-local` value (`2026-01-05T14:30`) in the business time zone as RFC 3339; nil
    /// when empty (the use case then asks for it); `validation_failed` when unreadable.
    static func dueTime(_ text: String?, zone: TimeZone) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        if RFC3339.parse(text) != nil { return text }
        let formatter = DateFormatter()
        formatter.locale = Foundation.Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return RFC3339.format(date) }
        }
        throw RapportError.validation([FieldError(field: "due_at", code: "invalid", message: "due is a date and time.")])
    }

    /// The workbench's task cards: the caller's overdue tasks and those due today (at most 10 each).
    func workbenchTasks(_ web: WebContext) async throws -> WorkbenchTasks? {
        guard try await rapport.allows(web.caller, .read, .task) else { return nil }
        let agenda = try await rapport.tasks.agenda(limit: 10, by: web.caller)
        func lines(_ rows: [TaskRow]) -> [TaskLine] { rows.map { TaskLine(web: web, row: $0, now: agenda.now, returnTo: "/workbench") } }
        return WorkbenchTasks(overdue: lines(agenda.overdue), today: lines(agenda.today))
    }

    /// The tasks card of a record's page: its tasks (what the caller may see) and a new-task form.
    func taskPanel(_ web: WebContext, kind: SalesTask.LinkedKind, id: RecordID, returnTo: String) async throws -> TaskPanel? {
        guard try await rapport.allows(web.caller, .read, .task) else { return nil }
        let rows = try await rapport.tasks.about(kind, id.rawValue, by: web.caller)
        let now = rapport.clock.now()
        let canCreate = try await rapport.allows(web.caller, .create, .task)
        let form = canCreate ? TaskForm(web: web, people: [], assignee: nil, linkedKind: kind.rawValue, linkedID: id.rawValue, returnTo: returnTo,
                                        zone: rapport.settings.businessTimeZone, now: now) : nil
        return TaskPanel(lines: rows.map { TaskLine(web: web, row: $0, now: now, returnTo: returnTo, showLink: false) }, form: form)
    }
}

/// One task as a list shows it, with the forms its status allows.
struct TaskLine {
    var id: String
    var key: String
    var title: String
    var meta: String
    var due: String
    var overdue: Bool
    var priorityClass: String
    var priority: String
    var link: String?
    var linkedName: String?
    var notes: String?
    /// A playbook step's task: its rendered script (话术) shown as such.
    var playbook: Bool
    var script: String?
    var isOpen: Bool
    var status: String
    var outcome: String?
    var completePath: String
    var cancelPath: String
    var reopenPath: String
    var returnTo: String
    var outcomes: [WebOption]

    init(web: WebContext, row: TaskRow, now: Date, returnTo: String, showLink: Bool = true) {
        let task = row.task
        let formatter = web.locale.dateFormatter()
        id = task.id.rawValue
        key = "t-" + task.id.rawValue
        title = task.title
        due = formatter.string(from: task.dueAt)
        overdue = task.isOverdue(at: now)
        priority = web.text("task_priority_\(task.priority.rawValue)")
        priorityClass = "task-\(task.priority.rawValue)"
        meta = web.text("task_type_\(task.type.rawValue)")
        if showLink, let kind = task.linkedKind, let linked = task.linkedID {
            let base = switch kind {
            case .customer: "/customers/"
            case .lead: "/leads/"
            case .opportunity: "/opportunities/"
            case .order: "/orders/"
            }
            link = base + WebPages.segment(linked.rawValue)
            linkedName = row.linkedName ?? web.text("record_\(kind.rawValue)")
        }
        playbook = task.source == .playbook
        notes = playbook ? nil : task.notes
        script = playbook ? task.notes : nil
        isOpen = task.status == .open
        status = web.text("task_status_\(task.status.rawValue)")
        outcome = task.outcome.map { web.text("task_outcome_\($0.rawValue)") }.map { [$0, task.outcomeNote].compactMap { $0 }.joined(separator: " · ") }
            ?? task.outcomeNote
        let path = "/tasks/" + WebPages.segment(task.id.rawValue)
        completePath = path + "/complete"
        cancelPath = path + "/cancel"
        reopenPath = path + "/reopen"
        self.returnTo = returnTo
        outcomes = WebOption.list(SalesTask.Outcome.allCases.map { ($0.rawValue, web.text("task_outcome_\($0.rawValue)")) }, chosen: "done")
    }
}

/// The workbench's task cards.
struct WorkbenchTasks {
    var overdue: [TaskLine]
    var today: [TaskLine]
}

/// The new-task form.
struct TaskForm {
    var types: [WebOption]
    var priorities: [WebOption]
    var people: [WebOption]
    var hasPeople: Bool
    var linkedKind: String?
    var linkedID: String?
    var returnTo: String
    var due: String

    init(web: WebContext, people: [User], assignee: String?, linkedKind: String?, linkedID: String?, returnTo: String, zone: TimeZone, now: Date) {
        types = WebOption.list(SalesTask.TaskType.allCases.map { ($0.rawValue, web.text("task_type_\($0.rawValue)")) }, chosen: "call")
        priorities = WebOption.list(SalesTask.Priority.allCases.map { ($0.rawValue, web.text("task_priority_\($0.rawValue)")) }, chosen: "normal")
        let me = web.user.id.rawValue
        self.people = WebOption.list(people.map { ($0.id.rawValue, $0.name) }, chosen: assignee ?? me)
        hasPeople = people.count > 1
        self.linkedKind = linkedKind
        self.linkedID = linkedID
        self.returnTo = returnTo
        // Suggest tomorrow at 10:00 in the business time zone.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now)) ?? now
        let parts = calendar.dateComponents([.year, .month, .day], from: tomorrow)
        due = String(format: "%04d-%02d-%02dT10:00", parts.year ?? 2026, parts.month ?? 1, parts.day ?? 1)
    }
}

/// The tasks card of a record's page.
struct TaskPanel {
    var lines: [TaskLine]
    var form: TaskForm?
    init(lines: [TaskLine], form: TaskForm?) {
        self.lines = lines
        self.form = form
        hasTasks = !lines.isEmpty
    }

    /// Stored: templates see only stored properties.
    var hasTasks: Bool
}

/// `/tasks`.
struct TasksBody {
    var overdue: [TaskLine]
    var today: [TaskLine]
    var upcoming: [TaskLine]
    var people: [WebOption]
    var canFilter: Bool
    var form: TaskForm
    var summary: String

    init(web: WebContext, agenda: TaskUseCases.Agenda, people: [User], person: String?, form: TaskForm, returnTo: String) {
        func lines(_ rows: [TaskRow]) -> [TaskLine] { rows.map { TaskLine(web: web, row: $0, now: agenda.now, returnTo: returnTo) } }
        overdue = lines(agenda.overdue)
        today = lines(agenda.today)
        upcoming = lines(agenda.upcoming)
        self.people = WebOption.list(people.map { ($0.id.rawValue, $0.name) }, chosen: person ?? web.user.id.rawValue)
        canFilter = people.count > 1
        self.form = form
        summary = web.text("tasks_summary", ["overdue": String(agenda.overdue.count), "today": String(agenda.today.count)])
    }
}
