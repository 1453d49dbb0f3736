import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// A run's steps are tasks: made when the run starts (assigned, due, with the script rendered for
/// the rep), cancelled when the run ends early, and a step is done or skipped when its task is
/// completed or cancelled.
extension PlaybookUseCases {
    /// The tasks of runs that just started, one per pending step, in the change's transaction: the
    /// settings read once, each assignee's name and each record's values once.
    func createTasks(for starts: [(run: PlaybookRun, playbook: Playbook)], at now: Date, in sql: any SQLDatabase) async throws {
        guard !starts.isEmpty else { return }
        let reminder = try await TaskSettings.load(sql).reminderMinutes
        var names: [RecordID: String] = [:]
        var tasks: [SalesTask] = []
        for (run, playbook) in starts {
            var values = try await scriptValues(object: run.object, record: run.recordID, in: sql)
            let linked = SalesTask.LinkedKind(rawValue: run.object.rawValue)
            for step in run.steps where step.status == .pending {
                let definition = playbook.steps[step.index]
                if names[step.assignee] == nil { names[step.assignee] = try await UserStore(sql).find(step.assignee)?.name ?? "" }
                values["rep.name"] = names[step.assignee]
                let script = ScriptTemplate(definition.script).render(values)
                tasks.append(SalesTask(
                    id: rapport.ids.next(.task, at: now), title: definition.title, type: SalesTask.TaskType(rawValue: definition.channel) ?? .other,
                    dueAt: step.dueAt, assigneeID: step.assignee, linkedKind: linked, linkedID: linked == nil ? nil : run.recordID,
                    notes: script.isEmpty ? nil : script, reminderMinutes: reminder, source: .playbook, playbookRunID: run.id.rawValue,
                    playbookStep: step.index, createdBy: nil, createdAt: now, updatedAt: now))
            }
        }
        guard !tasks.isEmpty else { return }
        try await TaskStore(sql).insert(tasks)
        try await rapport.tasks.scheduleReminders(tasks, now: now, in: sql)
    }

    /// Cancels the open tasks of a run that ended (exited or stopped).
    func cancelTasks(of run: PlaybookRun, at now: Date, in sql: any SQLDatabase) async throws {
        try await TaskStore(sql).cancelOpen(playbookRun: run.id.rawValue, note: run.exit.map { "Playbook ended: \($0.rawValue)" } ?? "Playbook stopped",
                                            at: now)
    }

    /// A playbook task was completed (or cancelled): its step is done (or skipped) at `at`. A task
    /// re-opened or changed again later does not change the step back: compliance counts the first finish.
    func taskFinished(_ task: SalesTask, skipped: Bool, at: Date, in sql: any SQLDatabase) async throws {
        guard task.source == .playbook, let runID = task.playbookRunID.flatMap({ RecordID(parsing: $0, prefix: .playbookRun) }),
              let step = task.playbookStep else { return }
        let store = PlaybookStore(sql)
        guard var run = try await store.run(runID), run.status == .running,
              run.steps.indices.contains(step), run.steps[step].status == .pending else { return }
        try run.finish(step: step, skipped: skipped, at: at)
        try await store.save([run])
    }

    /// The values a script's variables take on a record: its own fields and its customer's.
    func scriptValues(object: DictionaryObject, record: RecordID, in sql: any SQLDatabase) async throws -> [String: String] {
        var values: [String: String] = [:]
        func customer(_ id: RecordID?) async throws {
            guard let id, let customer = try await CustomerStore(sql).find(id) else { return }
            values["customer.name"] = customer.name
            values["customer.stage"] = customer.stage
            values["customer.company"] = customer.company
        }
        switch object {
        case .lead:
            guard let lead = try await LeadStore(sql).find(record) else { break }
            values["lead.name"] = lead.name
            values["lead.source"] = lead.source
            values["lead.stage"] = lead.status
            values["lead.company"] = lead.company
        case .customer:
            try await customer(record)
        case .opportunity:
            guard let opportunity = try await OpportunityStore(sql).find(record) else { break }
            values["opportunity.name"] = opportunity.name
            values["opportunity.stage"] = opportunity.stage
            values["opportunity.amount"] = opportunity.amount.map { "\($0.plainText) \($0.currency)" }
            values["opportunity.expected_close_date"] = opportunity.expectedCloseDate
            try await customer(opportunity.customerID)
        case .order:
            guard let order = try await OrderStore(sql).find(record) else { break }
            values["order.title"] = order.title
            values["order.total"] = "\(order.total.plainText) \(order.total.currency)"
            try await customer(order.customerID)
        default:
            break
        }
        return values
    }
}
