import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Playbooks (SOPs): administrators and managers define them (each change a new version, the
/// previous one withdrawn, so runs keep the version they started with); everyone reads them. The
/// use cases that change records tell ``observe(_:owner:in:)`` what happened, in their own
/// transaction: runs on the record end on their exit conditions, and the playbooks the change
/// triggers start a run (one running run per playbook and record).
public struct PlaybookUseCases: Sendable {
    let rapport: Rapport

    static let kind = ObjectKind(rawValue: "playbook")

    /// A playbook as sent: a new key makes version 1, an existing key the next version.
    public struct Input: Sendable {
        public var key: String
        public var name: String
        public var trigger: PlaybookTrigger
        public var steps: [PlaybookStep]
        public var exits: [PlaybookExit]?

        public init(key: String, name: String, trigger: PlaybookTrigger, steps: [PlaybookStep], exits: [PlaybookExit]? = nil) {
            self.key = key
            self.name = name
            self.trigger = trigger
            self.steps = steps
            self.exits = exits
        }
    }

    /// Defines a playbook or its next version, which becomes the active one.
    public func define(_ input: Input, by caller: Caller) async throws -> Playbook {
        _ = try await rapport.scope(caller, .create, Self.kind, anchor: .userTable, table: "users")
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = PlaybookStore(sql)
            let previous = try await store.versions(key: input.key).first
            let playbook = Playbook(id: rapport.ids.next(.playbook, at: now), key: input.key, version: (previous?.version ?? 0) + 1,
                                    name: input.name.trimmingWhitespace(), trigger: input.trigger, steps: input.steps,
                                    exits: input.exits ?? PlaybookExit.allCases)
            let problems = playbook.problems(variables: PlaybookVariables.available(for: input.trigger.object))
            if !problems.isEmpty { throw RapportError.validation(problems) }
            try await store.deactivate(key: input.key, at: now)
            try await store.insert(playbook, by: caller.actorID, at: now)
            try await rapport.record(rapport.event(previous == nil ? "playbook.created" : "playbook.revised", by: caller, kind: Self.kind,
                                                   object: playbook.id.rawValue, details: [
                                                       "key": playbook.key, "version": String(playbook.version), "trigger": playbook.trigger.key,
                                                   ]), in: sql)
            return playbook
        }
    }

    /// The latest version of every playbook.
    public func list(by caller: Caller) async throws -> [Playbook] {
        _ = try await rapport.scope(caller, .read, Self.kind, anchor: .userTable, table: "users")
        return try await rapport.database.read { sql in try await PlaybookStore(sql).latest() }
    }

    /// Withdraws a playbook: no new runs start; running ones go on.
    public func withdraw(key: String, by caller: Caller) async throws {
        _ = try await rapport.scope(caller, .update, Self.kind, anchor: .userTable, table: "users")
        let now = rapport.clock.now()
        try await rapport.transaction { sql in
            let store = PlaybookStore(sql)
            guard let latest = try await store.versions(key: key).first else { throw RapportError.notFound("playbook") }
            try await store.deactivate(key: key, at: now)
            try await rapport.record(rapport.event("playbook.withdrawn", by: caller, kind: Self.kind, object: latest.id.rawValue,
                                                   details: ["key": key]), in: sql)
        }
    }

    /// What a change did to the runs: those it ended and those it started.
    public struct Observed: Sendable, Equatable {
        public var ended: [PlaybookRun] = []
        public var started: [PlaybookRun] = []
    }

    /// Called by the use case that made `change`, inside its transaction: ends the record's running
    /// runs whose exit it is, then starts a run of each active playbook it triggers (unless one is
    /// running on the record already), with steps for `owner` due in the business time zone, each
    /// step a task for `owner`. A change on a record nobody owns only ends runs.
    @discardableResult
    public func observe(_ change: RecordChange, owner: RecordID?, in sql: any SQLDatabase) async throws -> Observed {
        try await observe([(change, owner)], in: sql)
    }

    /// Many changes at once, in order (a bulk assignment, an import, the daily date triggers): the
    /// active playbooks are read once into a ``PlaybookIndex`` and the records' running runs in one
    /// query per thousand records, so a change that starts and ends nothing costs no query of its own.
    @discardableResult
    public func observe(_ changes: [(change: RecordChange, owner: RecordID?)], in sql: any SQLDatabase) async throws -> Observed {
        guard !changes.isEmpty else { return Observed() }
        let store = PlaybookStore(sql)
        let active = try await store.allActive()
        let index = PlaybookIndex(active)
        var definitions = Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func definition(_ id: RecordID) async throws -> Playbook? {
            if let known = definitions[id] { return known }
            let found = try await store.find(id)
            definitions[id] = found
            return found
        }
        func recordKey(_ object: DictionaryObject, _ record: RecordID) -> String { "\(object.rawValue):\(record.rawValue)" }
        var running: [String: [PlaybookRun]] = [:]
        for run in try await store.running(on: changes.map { ($0.change.object, $0.change.recordID) }) {
            running[recordKey(run.object, run.recordID), default: []].append(run)
        }
        var observed = Observed()
        var touched: [RecordID: PlaybookRun] = [:]
        var order: [RecordID] = []
        var starts: [(run: PlaybookRun, playbook: Playbook)] = []
        for (change, owner) in changes {
            let key = recordKey(change.object, change.recordID)
            var runs = running[key] ?? []
            for position in runs.indices where runs[position].status == .running {
                guard let playbook = try await definition(runs[position].playbookID),
                      runs[position].observe(change.event, exits: playbook.exits, at: change.at) != nil else { continue }
                if touched.updateValue(runs[position], forKey: runs[position].id) == nil { order.append(runs[position].id) }
                observed.ended.append(runs[position])
            }
            // A record nobody owns (a lead in a pool) starts nothing: there is nobody to do the steps.
            if let owner {
                for playbook in index.triggered(by: change) where !runs.contains(where: { $0.status == .running && $0.playbookKey == playbook.key }) {
                    let run = PlaybookRun.start(playbook, id: rapport.ids.next(.playbookRun, at: change.at), record: change.recordID, owner: owner,
                                                at: change.at, in: rapport.settings.businessTimeZone)
                    runs.append(run)
                    touched[run.id] = run
                    order.append(run.id)
                    starts.append((run, playbook))
                    observed.started.append(run)
                }
            }
            running[key] = runs
        }
        guard !order.isEmpty else { return observed }
        try await store.save(order.compactMap { touched[$0] })
        try await cancelTasks(of: observed.ended, in: sql)
        // The changes of one call happen at one time (one use case's transaction, or one batch).
        try await createTasks(for: starts.compactMap { start in touched[start.run.id].map { ($0, start.playbook) } },
                              at: starts.first?.run.startedAt ?? rapport.clock.now(), in: sql)
        return observed
    }

    /// After a handover moved records: the running runs on each moved record go to its new owner
    /// (their open tasks moved with the record); a record sent to a pool has nobody to do its steps,
    /// so its runs stop and their open tasks are cancelled.
    func followHandover(_ moves: [(object: DictionaryObject, record: RecordID, to: RecordID?)], at now: Date, in sql: any SQLDatabase) async throws {
        let store = PlaybookStore(sql)
        let destinations = Dictionary(moves.map { ("\($0.object.rawValue):\($0.record.rawValue)", $0.to) }, uniquingKeysWith: { _, last in last })
        var moved: [PlaybookRun] = []
        var stopped: [PlaybookRun] = []
        for var run in try await store.running(on: moves.map { ($0.object, $0.record) }) {
            guard let destination = destinations["\(run.object.rawValue):\(run.recordID.rawValue)"] else { continue }
            if let owner = destination {
                run.handOver(to: owner)
            } else {
                run.cancel(at: now)
                stopped.append(run)
            }
            moved.append(run)
        }
        try await cancelTasks(of: stopped, in: sql)
        try await store.save(moved)
    }
}

extension Rapport {
    public var playbooks: PlaybookUseCases { PlaybookUseCases(rapport: self) }
}
