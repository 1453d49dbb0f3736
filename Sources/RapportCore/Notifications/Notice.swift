import Foundation

/// A message to one user in the app's inbox: what happened (`kind`, with its details for the
/// user's language to word), about which record, and whether it was read.
public struct Notice: Sendable, Equatable {
    public var id: RecordID
    public var userID: RecordID
    /// e.g. `lead.assigned`, `lead.reclaim_warning`, `lead.reclaimed`.
    public var kind: String
    public var details: [String: String]
    public var objectKind: ObjectKind?
    public var objectID: String?
    /// A notification with the same user and key is not sent twice (a nightly warning).
    public var dedupKey: String?
    public var readAt: Date?
    public var createdAt: Date

    public init(id: RecordID, userID: RecordID, kind: String, details: [String: String] = [:], objectKind: ObjectKind? = nil,
                objectID: String? = nil, dedupKey: String? = nil, readAt: Date? = nil, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.details = details
        self.objectKind = objectKind
        self.objectID = objectID
        self.dedupKey = dedupKey
        self.readAt = readAt
        self.createdAt = createdAt
    }
}

extension IDPrefix {
    public static let notification = IDPrefix(rawValue: "ntf")
}
