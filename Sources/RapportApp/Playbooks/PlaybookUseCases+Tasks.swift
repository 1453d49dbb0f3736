import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// A run's steps are tasks: made when the run starts (assigned, due, with the script rendered for
/// the rep), cancelled when the run ends early, and a step is done or skipped when its task is
/// completed or cancelled.
extension PlaybookUseCases {
    /// The tasks of runs that just started, one per pending step, in the change's transaction: the
    /// settings read once, each assignee's name once, and the records' script values in one query
    /// per kind of record.
    func createTasks(for starts: [(run: PlaybookRun, playbook: Playbook)], at now: Date, in sql: any SQLDatabase) async throws {
        guard !starts.isEmpty else { return }
        let reminder = try await TaskSettings.load(sql).reminderMinutes
        var recordValues: [DictionaryObject: [RecordID: [String: String]]] = [:]
        for (object, runs) in Dictionary(grouping: starts.map(\.run), by: \.object) {
            recordValues[object] = try await PlaybookStore(sql).scriptValues(object: object, records: runs.map(\.recordID))
        }
        var names: [RecordID: String] = [:]
        var tasks: [SalesTask] = []
        for (run, playbook) in starts {
            var values = recordValues[run.object]?[run.recordID] ?? [:]
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

    /// Cancels the open tasks of runs that ended (exited or stopped), in one statement per kind of
    /// ending and time.
    func cancelTasks(of runs: [PlaybookRun], in sql: any SQLDatabase) async throws {
        let groups = Dictionary(grouping: runs) { run in
            Ending(note: run.exit.map { "Playbook ended: \($0.rawValue)" } ?? "Playbook stopped", at: run.endedAt ?? run.startedAt)
        }
        for (ending, runs) in groups.sorted(by: { ($0.key.at, $0.key.note) < ($1.key.at, $1.key.note) }) {
            _ = try await TaskStore(sql).cancelOpen(playbookRuns: runs.map(\.id.rawValue), note: ending.note, at: ending.at)
        }
    }

    private struct Ending: Hashable {
        var note: String
        var at: Date
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
}
