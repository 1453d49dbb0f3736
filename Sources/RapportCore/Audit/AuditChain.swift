import Foundation

/// The hash chain of the audit log: how an entry's hash is made and how a chain is checked.
///
/// The hash function is passed in (SHA-256 in production), which keeps this pure and testable.
public enum AuditChain {
    /// The hash that the first entry points back to.
    public static let genesis = String(repeating: "0", count: 64)

    /// The exact bytes that are hashed: each field length-prefixed, so no two entries share bytes.
    public static func canonicalBytes(
        seq: Int64, id: RecordID, at: Date, actorID: RecordID?, action: String, objectKind: String?,
        objectID: String?, address: String?, details: [String: String], previousHash: String
    ) -> [UInt8] {
        var fields: [String] = [
            "v1", String(seq), id.rawValue, String(at.microsSinceEpoch), actorID?.rawValue ?? "",
            action, objectKind ?? "", objectID ?? "", address ?? "", previousHash,
        ]
        for key in details.keys.sorted() {
            fields.append(key)
            fields.append(details[key] ?? "")
        }
        var bytes: [UInt8] = []
        for field in fields {
            let utf8 = Array(field.utf8)
            bytes.append(contentsOf: Array(String(utf8.count).utf8))
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: ","))
        }
        return bytes
    }

    /// The canonical bytes of a stored entry.
    public static func canonicalBytes(of entry: AuditEntry) -> [UInt8] {
        canonicalBytes(
            seq: entry.seq, id: entry.id, at: entry.at, actorID: entry.actorID, action: entry.action,
            objectKind: entry.objectKind, objectID: entry.objectID, address: entry.address,
            details: entry.details, previousHash: entry.previousHash)
    }

    /// The first problem found in a chain, or nil when it is intact.
    public struct Break: Error, Sendable, Equatable, CustomStringConvertible {
        /// The sequence number of the first entry that does not check out.
        public var seq: Int64
        public var reason: Reason

        public enum Reason: String, Sendable, Equatable {
            /// The entry's content does not match its hash: it was edited.
            case hashMismatch = "hash_mismatch"
            /// The entry does not point back to the entry before it: one was replaced or reordered.
            case linkMismatch = "link_mismatch"
            /// An entry with this number is missing: one was deleted.
            case missing
        }

        public init(seq: Int64, reason: Reason) {
            self.seq = seq
            self.reason = reason
        }

        public var description: String {
            switch reason {
            case .hashMismatch: "entry \(seq) was altered (its hash does not match its content)"
            case .linkMismatch: "entry \(seq) does not follow the entry before it"
            case .missing: "entry \(seq) is missing"
            }
        }
    }

    /// Checks one batch of entries (in ascending `seq`) that follows `previous` (seq, hash).
    /// Returns the first break, and otherwise the new (seq, hash) to continue from.
    public static func verify(
        _ entries: [AuditEntry], after previous: (seq: Int64, hash: String),
        hash: ([UInt8]) -> String
    ) -> Result<(seq: Int64, hash: String), Break> {
        var last = previous
        for entry in entries {
            if entry.seq != last.seq + 1 { return .failure(Break(seq: last.seq + 1, reason: .missing)) }
            if entry.previousHash != last.hash { return .failure(Break(seq: entry.seq, reason: .linkMismatch)) }
            if hash(canonicalBytes(of: entry)) != entry.hash { return .failure(Break(seq: entry.seq, reason: .hashMismatch)) }
            last = (entry.seq, entry.hash)
        }
        return .success(last)
    }

    /// Checks the end of the chain against the recorded head, which catches deleted last entries.
    public static func verifyHead(last: (seq: Int64, hash: String), head: (seq: Int64, hash: String)) -> Break? {
        if head.seq > last.seq { return Break(seq: last.seq + 1, reason: .missing) }
        if head.seq < last.seq || head.hash != last.hash { return Break(seq: last.seq, reason: .linkMismatch) }
        return nil
    }
}
