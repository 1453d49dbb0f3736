import Foundation
import RapportCore
import RapportStorage

/// Reading and checking the audit log.
public struct AuditUseCases: Sendable {
    let rapport: Rapport

    public func list(_ filter: AuditStore.ListFilter, page: PageRequest, by caller: Caller) async throws -> Page<AuditEntry> {
        guard try await rapport.allows(caller, .read, .audit) else { throw RapportError(.forbidden, "Only administrators may read the audit log.") }
        return try await rapport.database.read { sql in try await AuditStore(sql).list(filter, page: page) }
    }

    /// The outcome of checking the whole chain.
    public struct Verification: Sendable, Equatable {
        /// How many entries were checked.
        public var checked: Int64
        /// The first broken entry, or nil when the chain is intact.
        public var firstBreak: AuditChain.Break?
    }

    /// Walks the whole chain in batches and names the first entry that does not check out.
    public func verify(by caller: Caller) async throws -> Verification {
        guard try await rapport.allows(caller, .read, .audit) else { throw RapportError(.forbidden, "Only administrators may verify the audit log.") }
        return try await rapport.database.read { sql in
            let store = AuditStore(sql)
            let head = try await store.head()
            var last: (seq: Int64, hash: String) = (0, AuditChain.genesis)
            var checked: Int64 = 0
            while true {
                let batch = try await store.entries(after: last.seq, limit: 1_000)
                if batch.isEmpty { break }
                switch AuditChain.verify(batch, after: last, hash: Digest.sha256Hex) {
                case .failure(let broken): return Verification(checked: max(0, broken.seq - 1), firstBreak: broken)
                case .success(let next):
                    checked += next.seq - last.seq
                    last = next
                }
            }
            return Verification(checked: checked, firstBreak: AuditChain.verifyHead(last: last, head: head))
        }
    }
}
