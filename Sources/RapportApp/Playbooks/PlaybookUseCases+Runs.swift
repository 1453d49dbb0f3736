import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Reading playbooks and runs, stopping a run, and compliance within the caller's scope.
extension PlaybookUseCases {
    /// Every version of a playbook, newest first (`not_found` for an unknown key).
    public func versions(key: String, by caller: Caller) async throws -> [Playbook] {
        _ = try await rapport.scope(caller, .read, Self.kind, anchor: .userTable, table: "users")
        let versions = try await rapport.database.read { sql in try await PlaybookStore(sql).versions(key: key) }
        guard !versions.isEmpty else { throw RapportError.notFound("playbook") }
        return versions
    }

    /// A run with the definition of the version it runs.
    public struct RunView: Sendable, Equatable {
        public var run: PlaybookRun
        public var playbook: Playbook
    }

    /// The runs on one record (lead, customer, opportunity or order) the caller may read, newest first.
    public func runs(on recordID: String, by caller: Caller) async throws -> [RunView] {
        _ = try await rapport.scope(caller, .read, Self.kind, anchor: .userTable, table: "users")
        let object = try await readableRecord(recordID, by: caller)
        guard let record = RecordID(parsing: recordID, prefix: object.idPrefix) else { throw RapportError.notFound("record") }
        return try await rapport.database.read { sql in
            let store = PlaybookStore(sql)
            var views: [RunView] = []
            for run in try await store.runs(object: object, record: record, runningOnly: false).reversed() {
                guard let playbook = try await store.find(run.playbookID) else { continue }
                views.append(RunView(run: run, playbook: playbook))
            }
            return views
        }
    }

    /// The kind of a record the caller may read (`not_found` otherwise, and for ids of other kinds).
    func readableRecord(_ recordID: String, by caller: Caller) async throws -> DictionaryObject {
        switch recordID.split(separator: "_").first.map(String.init) {
        case IDPrefix.lead.rawValue?: _ = try await rapport.leads.get(recordID, by: caller); return .lead
        case IDPrefix.customer.rawValue?: _ = try await rapport.customers.get(recordID, by: caller); return .customer
        case IDPrefix.opportunity.rawValue?: _ = try await rapport.opportunities.get(recordID, by: caller); return .opportunity
        case IDPrefix.order.rawValue?: _ = try await rapport.orders.get(recordID, by: caller); return .order
        default: throw RapportError.notFound("record")
        }
    }

    /// Stops a running run (managers and administrators, on records they may read): its pending
    /// steps are cancelled, and so are their open tasks.
    public func stop(_ runID: String, by caller: Caller) async throws -> RunView {
        _ = try await rapport.scope(caller, .update, Self.kind, anchor: .userTable, table: "users")
        let now = rapport.clock.now()
        guard let id = RecordID(parsing: runID, prefix: .playbookRun),
              let found = try await rapport.database.read({ sql in try await PlaybookStore(sql).run(id) })
        else { throw RapportError.notFound("playbook_run") }
        do { _ = try await readableRecord(found.recordID.rawValue, by: caller) } catch { throw RapportError.notFound("playbook_run") }
        return try await rapport.transaction { sql in
            let store = PlaybookStore(sql)
            guard var run = try await store.run(id) else { throw RapportError.notFound("playbook_run") }
            guard run.status == .running else { throw RapportError(.conflict, "The run has ended (\(run.status.rawValue)).") }
            run.cancel(at: now)
            try await store.save([run])
            try await cancelTasks(of: [run], in: sql)
            try await rapport.record(rapport.event("playbook_run.stopped", by: caller, kind: Self.kind, object: run.id.rawValue,
                                                   details: ["playbook": run.playbookKey, "record_id": run.recordID.rawValue]), in: sql)
            guard let playbook = try await store.find(run.playbookID) else { throw RapportError.notFound("playbook") }
            return RunView(run: run, playbook: playbook)
        }
    }

    /// A playbook's compliance: per rep the caller may see (their own, a manager's team, everyone for
    /// administrators and analysts), where the steps stand now; per version, how runs ended.
    public struct Compliance: Sendable, Equatable {
        public var steps: [(key: PlaybookCompliance.Key, counts: PlaybookCompliance.Counts, name: String)]
        public var outcomes: [(version: PlaybookCompliance.Version, outcomes: PlaybookCompliance.Outcomes)]

        public static func == (lhs: Compliance, rhs: Compliance) -> Bool {
            lhs.steps.map(\.key) == rhs.steps.map(\.key) && lhs.steps.map(\.counts) == rhs.steps.map(\.counts)
                && lhs.outcomes.map(\.version) == rhs.outcomes.map(\.version) && lhs.outcomes.map(\.outcomes) == rhs.outcomes.map(\.outcomes)
        }
    }

    /// Compliance of one playbook (every version) within the caller's scope of tasks, over the runs
    /// started from `from` (inclusive) to `to` (exclusive): RFC 3339 times or dates in the business
    /// time zone (`to` a date counts through its end); either open when nil.
    public func compliance(key: String, from: String? = nil, to: String? = nil, by caller: Caller) async throws -> Compliance {
        var check = Validator()
        let started = LeadAnalyticsUseCases.openPeriod(from: from, to: to, zone: rapport.settings.businessTimeZone, check: &check)
        try check.finish()
        _ = try await versions(key: key, by: caller)
        let people = try await rapport.scope(caller, .read, .task, anchor: .owner(column: "id"), table: "users")
        let now = rapport.clock.now()
        return try await rapport.database.read { sql in
            let store = PlaybookStore(sql)
            let names = try await store.people(in: people)
            let steps = PlaybookCompliance.steps(try await store.stepTallies(playbookKey: key, now: now, started: started)).filter { names[$0.key.assignee.rawValue] != nil }
                .sorted { $0.key < $1.key }.map { ($0.key, $0.value, names[$0.key.assignee.rawValue] ?? "") }
            let outcomes = PlaybookCompliance.outcomes(try await store.runTallies(playbookKey: key, started: started)).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return Compliance(steps: steps, outcomes: outcomes)
        }
    }
}
