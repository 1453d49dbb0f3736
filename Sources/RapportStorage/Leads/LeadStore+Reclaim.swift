import Foundation
import RapportCore
import SQLKit

extension LeadStore {
    /// One owned lead a reclaim run looks at.
    public typealias ReclaimCandidate = PooledRecords.ReclaimCandidate

    /// The open, owned leads of `pool` that some rule could reclaim or warn about at `now` (see
    /// ``PooledRecords/reclaimCandidates(in:rules:at:after:limit:)``).
    public func reclaimCandidates(in pool: RecordID, rules: ReclaimRules, at now: Date, after cursor: RecordID? = nil, limit: Int = 5_000) async throws -> [ReclaimCandidate] {
        try await PooledRecords(sql, .leads).reclaimCandidates(in: pool, rules: rules, at: now, after: cursor, limit: limit)
    }

    /// Returns leads to their pool, each only if its owner (the pair's second) still holds it, in
    /// one statement; returns the ids that moved.
    public func reclaim(_ pairs: [(lead: RecordID, owner: RecordID)], at now: Date) async throws -> Set<RecordID> {
        try await PooledRecords(sql, .leads).reclaim(pairs.map { ($0.lead, $0.owner) }, at: now)
    }
}
