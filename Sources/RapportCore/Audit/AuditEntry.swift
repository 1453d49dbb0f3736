import Foundation

/// One entry of the append-only audit log.
///
/// Entries are numbered without gaps (`seq`) and each carries the hash of the one before it, so
/// editing, deleting or reordering any entry breaks the chain at that point (``AuditChain``).
public struct AuditEntry: Sendable, Equatable {
    public var seq: Int64
    public var id: RecordID
    public var at: Date
    /// The acting user, or nil for the system (jobs, the command line before anyone logged in).
    public var actorID: RecordID?
    /// What happened, e.g. `auth.login`, `user.role_changed`, `token.revoked`.
    public var action: String
    public var objectKind: String?
    public var objectID: String?
    /// The network address the request came from, if any.
    public var address: String?
    /// Safe details as sorted `key=value` pairs (ids and old/new values; never a password or token).
    public var details: [String: String]
    public var previousHash: String
    public var hash: String

    public init(
        seq: Int64, id: RecordID, at: Date, actorID: RecordID?, action: String, objectKind: String?,
        objectID: String?, address: String?, details: [String: String], previousHash: String, hash: String
    ) {
        self.seq = seq
        self.id = id
        self.at = at
        self.actorID = actorID
        self.action = action
        self.objectKind = objectKind
        self.objectID = objectID
        self.address = address
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// An event to be written to the audit log (the chain fields are filled in when it is appended).
public struct AuditEvent: Sendable, Equatable {
    public var action: String
    public var actorID: RecordID?
    public var objectKind: String?
    public var objectID: String?
    public var address: String?
    public var details: [String: String]

    public init(
        _ action: String, actor: RecordID?, kind: ObjectKind? = nil, object: String? = nil,
        address: String? = nil, details: [String: String] = [:]
    ) {
        self.action = action
        self.actorID = actor
        self.objectKind = kind?.rawValue
        self.objectID = object
        self.address = address
        self.details = details
    }
}
