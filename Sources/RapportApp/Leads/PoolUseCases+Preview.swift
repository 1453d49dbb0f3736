import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension PoolUseCases {
    /// One lead waiting in a pool, masked, as its pool's page shows it: for whoever may look at
    /// that pool (members, its administrators, managers, administrators), so a rep can read a lead
    /// before claiming it. A lead that is owned, or waits in a pool the caller may not look at, is
    /// `not_found`.
    public func waitingLead(_ id: String, by caller: Caller) async throws -> (lead: Lead, pool: Pool) {
        _ = try await rapport.scope(caller, .read, .lead, anchor: .owner(column: "owner_id"), table: "leads")
        guard let leadID = RecordID(parsing: id, prefix: .lead) else { throw RapportError.notFound("lead") }
        return try await rapport.database.read { sql in
            guard let lead = try await LeadStore(sql).find(leadID), lead.isInPool, let poolID = lead.poolID,
                  let pool = try await PoolStore(sql).find(poolID), pool.object == .lead, !pool.archived
            else { throw RapportError.notFound("lead") }
            // Someone who may not look at the pool learns nothing, not even that the lead exists.
            do { try Self.mayView(pool, caller) } catch { throw RapportError.notFound("lead") }
            return (lead.masked(), pool)
        }
    }
}
