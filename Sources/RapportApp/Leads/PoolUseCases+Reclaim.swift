import Foundation
import Logging
import RapportCore
import RapportStorage
import SQLKit

extension PoolUseCases {
    /// The job kind that runs every lead pool's reclaim rules.
    public static let reclaimKind = "lead.reclaim"

    /// One lead a reclaim run returns (or will return) to its pool, or warns its owner about.
    public struct ReclaimItem: Sendable, Equatable {
        public var recordID: RecordID
        public var ownerID: RecordID
        public var reason: ReclaimReason
        /// When it goes back (warnings); nil for a reclaim.
        public var due: Date?
    }

    /// What a run did (or a preview would do).
    public struct ReclaimReport: Sendable, Equatable {
        public var poolID: RecordID
        /// What the pool holds: the items are leads or customers.
        public var object: Pool.Object
        public var at: Date
        public var reclaimed: [ReclaimItem]
        public var warned: [ReclaimItem]
    }

    /// When the nightly run is due next: the coming midnight UTC (the job runner queues it then).
    public func nextReclaimRun(after now: Date) -> Date {
        let day: Int64 = 86_400_000_000
        return Date(microsSinceEpoch: (now.microsSinceEpoch / day + 1) * day)
    }

    /// What tonight's run would reclaim and warn about, decided by the same rules at the run's time.
    public func reclaimPreview(_ reference: String, by caller: Caller) async throws -> ReclaimReport {
        let at = nextReclaimRun(after: rapport.clock.now())
        return try await rapport.database.read { sql in
            let pool = try await require(reference, sql)
            try Self.mayManage(pool, caller)
            return try await evaluate(pool, at: at, sql)
        }
    }

    /// Runs a pool's reclaim rules now (managers, administrators, the pool's administrators).
    public func reclaim(_ reference: String, by caller: Caller) async throws -> ReclaimReport {
        let pool = try await rapport.database.read { sql in try await require(reference, sql) }
        try Self.mayManage(pool, caller)
        return try await runReclaim(pool, by: caller)
    }

    static func mayManage(_ pool: Pool, _ caller: Caller) throws {
        guard let principal = caller.principal else { return }
        guard principal.role == .admin || principal.role == .manager || pool.adminIDs.contains(principal.userID) else {
            throw RapportError(.forbidden, "Only managers, administrators and the pool's administrators run or preview reclaims.")
        }
    }

    func evaluate(_ pool: Pool, at now: Date, _ sql: any SQLDatabase) async throws -> ReclaimReport {
        var report = ReclaimReport(poolID: pool.id, object: pool.object, at: now, reclaimed: [], warned: [])
        guard !pool.archived else { return report }
        let records = PooledRecords(sql, try await pooled(pool, sql))
        var cursor: RecordID?
        while true {
            let candidates = try await records.reclaimCandidates(in: pool.id, rules: pool.rules.reclaim, at: now, after: cursor)
            for candidate in candidates {
                switch pool.rules.reclaim.decide(candidate.facts, now: now) {
                case .keep: break
                case .warn(let reason, let due): report.warned.append(ReclaimItem(recordID: candidate.id, ownerID: candidate.ownerID, reason: reason, due: due))
                case .reclaim(let reason): report.reclaimed.append(ReclaimItem(recordID: candidate.id, ownerID: candidate.ownerID, reason: reason))
                }
            }
            guard let last = candidates.last, candidates.count == 5_000 else { break }
            cursor = last.id
        }
        return report
    }

    /// Decides at `now`, then returns each lead in batches of 500, one transaction each: only a
    /// lead its owner still holds moves (a claim or handover in between wins), with the reason and
    /// previous owner in the assignment log. Running twice reclaims nothing twice.
    func runReclaim(_ pool: Pool, by caller: Caller) async throws -> ReclaimReport {
        let now = rapport.clock.now()
        var report = try await rapport.database.read { sql in try await evaluate(pool, at: now, sql) }
        var done: [ReclaimItem] = []
        for start in stride(from: 0, to: report.reclaimed.count, by: 500) {
            let batch = Array(report.reclaimed[start..<min(start + 500, report.reclaimed.count)])
            let moved = try await rapport.transaction { sql in
                let movedIDs = try await PooledRecords(sql, try await pooled(pool, sql)).reclaim(batch.map { ($0.recordID, $0.ownerID) }, at: now)
                let moved = batch.filter { movedIDs.contains($0.recordID) }
                try await logOwnerChanges(moved.map { ($0.recordID, $0.ownerID, $0.reason.rawValue) }, kind: .reclaim, in: pool, by: caller, at: now, sql)
                let notices = rapport.notifications
                try await notices.send(moved.map { item in
                    notices.make(item.ownerID, "\(pool.object.rawValue).reclaimed", details: ["reason": item.reason.rawValue, "pool_id": pool.id.rawValue],
                                 about: (pool.object.objectKind, item.recordID.rawValue))
                }, in: sql)
                return moved
            }
            done += moved
        }
        report.reclaimed = done
        // Warnings, once per lead and due time however many nights they are repeated.
        for start in stride(from: 0, to: report.warned.count, by: 500) {
            let batch = report.warned[start..<min(start + 500, report.warned.count)]
            try await rapport.transaction { sql in
                let notices = rapport.notifications
                try await notices.send(batch.map { item in
                    let due = item.due ?? now
                    return notices.make(item.ownerID, "\(pool.object.rawValue).reclaim_warning", details: ["reason": item.reason.rawValue, "due": RFC3339.format(due)],
                                        about: (pool.object.objectKind, item.recordID.rawValue), dedupKey: "reclaim-warning:\(item.recordID.rawValue):\(due.microsSinceEpoch)")
                }, in: sql)
            }
        }
        try await rapport.transaction { sql in
            try await rapport.record(rapport.event("pool.reclaimed", by: caller, kind: .pool, object: pool.id.rawValue,
                                                   details: ["reclaimed": String(done.count), "warned": String(report.warned.count)]), in: sql)
        }
        return report
    }

    /// The nightly job: every active pool (leads and customers), by the system.
    func runNightlyReclaim() async throws {
        let pools = try await rapport.database.read { sql in try await PoolStore(sql).all() }
        for pool in pools {
            let report = try await runReclaim(pool, by: .system("reclaim"))
            rapport.logger.info("pool reclaimed", metadata: ["pool": .string(pool.id.rawValue), "reclaimed": .stringConvertible(report.reclaimed.count),
                                                             "warned": .stringConvertible(report.warned.count)])
        }
    }

    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(reclaimKind) { _, rapport in try await rapport.pools.runNightlyReclaim() }
    }
}
