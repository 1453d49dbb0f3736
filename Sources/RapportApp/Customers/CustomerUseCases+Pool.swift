import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension CustomerUseCases {
    /// Lets a customer go into a customer pool (公海) with a reason: its owner, or a manager over
    /// them. The stage and history stay; the owner is remembered (the cooldown keeps them from
    /// claiming it straight back). Without `pool`, the pool it was last in.
    public func release(_ id: String, into pool: String? = nil, reason: String, by caller: Caller) async throws -> Customer {
        var check = Validator()
        let reason = check.text(reason, field: "reason", maxLength: 500, allowEmpty: false)
        try check.finish()
        let scope = try await filter(caller, .update)
        guard let customerID = RecordID(parsing: id, prefix: .customer) else { throw RapportError.notFound("customer") }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            guard var customer = try await CustomerStore(sql).find(customerID, in: scope) else { throw RapportError.notFound("customer") }
            guard let owner = customer.ownerID else { throw RapportError(.conflict, "The customer already waits in a pool.") }
            let target: Pool
            if let pool {
                guard let found = try await PoolUseCases.find(pool, sql), found.object == .customer, !found.archived else {
                    throw RapportError.validation([FieldError(field: "pool_id", code: "invalid", message: "pool_id must be an active customer pool.")])
                }
                target = found
            } else if let last = try await CustomerStore(sql).poolStates([customerID]).first?.poolID, let found = try await PoolStore(sql).find(last),
                      !found.archived {
                target = found
            } else {
                throw RapportError.validation([FieldError(field: "pool_id", code: "required", message: "Name the customer pool it goes to.")])
            }
            guard try await CustomerStore(sql).release(customerID, owner: owner, into: target.id, at: now) else {
                throw RapportError(.conflict, "The customer was changed at the same time; fetch it again and retry.")
            }
            try await CustomerStore(sql).log([CustomerAssignment(id: rapport.ids.next(.customerAssignment, at: now), record: customerID, kind: .release,
                                                                 poolID: target.id, from: owner, reason: reason, by: caller.actorID, at: now)])
            try await rapport.record(rapport.event("customer.released", by: caller, kind: .customer, object: customerID.rawValue,
                                                   details: ["pool_id": target.id.rawValue]), in: sql)
            customer.ownerID = nil
            customer.version += 1
            customer.updatedAt = now
            return customer.masked()
        }
    }

    /// Who owned a customer, when and why (claims, assignments, releases, reclaims, handovers).
    public func assignments(_ id: String, by caller: Caller) async throws -> [CustomerAssignment] {
        let scope = try await filter(caller, .read)
        guard let customerID = RecordID(parsing: id, prefix: .customer) else { throw RapportError.notFound("customer") }
        return try await rapport.database.read { sql in
            guard try await CustomerStore(sql).find(customerID, in: scope) != nil else { throw RapportError.notFound("customer") }
            return try await CustomerStore(sql).assignments(of: customerID)
        }
    }
}
