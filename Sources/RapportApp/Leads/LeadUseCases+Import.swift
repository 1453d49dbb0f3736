import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension LeadUseCases {
    /// Where imported leads go, just before they are written: every lead belongs to the import's
    /// pool (the `default` lead pool unless named); one nobody owns waits there. This is the one
    /// place an imported ownerless lead gets its pool — assignment rules hook in here (a rule that
    /// gives a lead an owner returns its `assign` entry with the others). Returns the assignment
    /// log entries to write: a `create` entry for every lead created owned.
    static func placeImported(_ leads: inout [Lead], defaultPool: RecordID?, by actor: RecordID?, ids: any IDGenerating, at now: Date,
                              _ sql: any SQLDatabase) async throws -> [LeadAssignment] {
        var log: [LeadAssignment] = []
        for index in leads.indices {
            if leads[index].poolID == nil { leads[index].poolID = defaultPool }
            if let owner = leads[index].ownerID {
                log.append(LeadAssignment(id: ids.next(.assignment, at: now), leadID: leads[index].id, kind: .create,
                                          poolID: leads[index].poolID, to: owner, reason: "import", by: actor, at: now))
            }
        }
        return log
    }

    /// The pool an import names (id or key), or the `default` lead pool; an error when it is not an active lead pool.
    static func importPool(_ named: String?, _ sql: any SQLDatabase) async throws -> RecordID? {
        guard let named else {
            return try await PoolStore(sql).find(key: "default").flatMap { $0.object == .lead && !$0.archived ? $0.id : nil }
        }
        guard let pool = try await PoolUseCases.find(named, sql), pool.object == .lead, !pool.archived else {
            throw RapportError.validation([FieldError(field: "pool", code: "invalid", message: "pool must be an active lead pool (id or key).")])
        }
        return pool.id
    }
}
