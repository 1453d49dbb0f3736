import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension BenchUseCases {
    /// Defines the playbooks the trigger benchmark evaluates: twenty, of which two match its changes
    /// (a lead entering `qualified`, the tag `vip` on a lead), each of three steps with a script.
    public func definePlaybooks(by caller: Caller) async throws {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may seed benchmark data.") }
        func steps(_ object: DictionaryObject) -> [PlaybookStep] { [
            PlaybookStep(title: "首呼", channel: "call", offset: .within(minutes: 120), script: "您好{{\(object.rawValue).name}}，我是{{rep.name}}"),
            PlaybookStep(title: "发送资料", channel: "wechat", offset: .dayAt(day: 1, hour: 10, minute: 0)),
            PlaybookStep(title: "邀约到店", channel: "visit", offset: .day(3)),
        ] }
        var triggers: [PlaybookTrigger] = [.stageEntered(object: .lead, stage: "qualified"), .tagAdded(object: .lead, tag: "vip")]
        triggers += (0..<18).map { PlaybookTrigger.tagAdded(object: .customer, tag: "t\($0)") }
        for (index, trigger) in triggers.enumerated() {
            _ = try await rapport.playbooks.define(.init(key: String(format: "bench_%02d", index), name: "Bench \(index)", trigger: trigger, steps: steps(trigger.object)),
                                                   by: caller)
        }
    }

    /// The ids of the leads in the pool `key`, in id order (the benchmark's records).
    public func leadIDs(pool key: String) async throws -> [RecordID] {
        try await rapport.database.read { sql in
            guard let pool = try await PoolStore(sql).find(key: key) else { throw RapportError.notFound("pool") }
            return try await sql.select().column("id").from("leads").where("pool_id", .equal, pool.id.rawValue).orderBy("id").all()
                .map { RecordID(trusted: try $0.decode(column: "id", as: String.self)) }
        }
    }

    /// What the benchmark's changes did.
    public struct ObservedCount: Sendable {
        public var changes = 0
        public var started = 0
        public var ended = 0
    }

    /// The benchmark's change for the `index`th change over `leads`: one in ten enters `qualified`
    /// (starts a run), one in twenty is tagged `vip` (starts a run), one in twenty is found invalid
    /// (ends the run started two changes before), the rest start and end nothing.
    public static func benchChange(_ index: Int, leads: [(id: RecordID, owner: RecordID?)], at now: Date) -> (change: RecordChange, owner: RecordID?) {
        let slot = index % 20
        let lead = leads[(slot == 2 ? index - 2 : index) % leads.count]
        let event: RecordChange.Event = switch slot {
        case 0, 10: .stageEntered("qualified", category: .open)
        case 1: .tagAdded("vip")
        case 2: .stageEntered("invalid", category: .lost)
        case 3...9: .stageEntered("contacting", category: .open)
        default: .tagAdded("other-\(index % 7)")
        }
        return (RecordChange(object: .lead, recordID: lead.id, event: event, at: now), lead.owner)
    }

    /// Evaluates changes `range` over `leads`, `batch` changes per transaction (1: a transaction per
    /// change, as a use case makes them; more: the bulk path).
    public func observeChanges(_ range: Range<Int>, leads: [(id: RecordID, owner: RecordID?)], batch: Int, by caller: Caller) async throws -> ObservedCount {
        guard caller.principal == nil else { throw RapportError(.forbidden, "Only the command line may run benchmarks.") }
        let now = rapport.clock.now()
        var count = ObservedCount()
        for start in stride(from: range.lowerBound, to: range.upperBound, by: max(1, batch)) {
            let changes = (start..<min(start + max(1, batch), range.upperBound)).map { Self.benchChange($0, leads: leads, at: now) }
            let observed = try await rapport.transaction { sql in try await rapport.playbooks.observe(changes, in: sql) }
            count.changes += changes.count
            count.started += observed.started.count
            count.ended += observed.ended.count
        }
        return count
    }

    /// The owners of `leads`.
    public func owners(of leads: [RecordID]) async throws -> [(id: RecordID, owner: RecordID?)] {
        try await rapport.database.read { sql in
            var owners: [String: RecordID] = [:]
            for start in stride(from: 0, to: leads.count, by: 1_000) {
                let chunk = leads[start..<min(start + 1_000, leads.count)].map(\.rawValue)
                for row in try await sql.select().columns("id", "owner_id").from("leads").where("id", .in, chunk).all() {
                    if let owner = try row.decode(column: "owner_id", as: String?.self) { owners[try row.decode(column: "id", as: String.self)] = RecordID(trusted: owner) }
                }
            }
            return leads.map { ($0, owners[$0.rawValue]) }
        }
    }
}
