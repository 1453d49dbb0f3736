import Foundation

/// A period in which a rep is away (leave, training, sick): assignment rules pass them over.
public struct UserLeave: Sendable, Equatable {
    public var id: RecordID
    public var userID: RecordID
    public var startsAt: Date
    /// Exclusive.
    public var endsAt: Date
    public var note: String?
    public var createdBy: RecordID?
    public var createdAt: Date

    public init(id: RecordID, userID: RecordID, startsAt: Date, endsAt: Date, note: String?, createdBy: RecordID?, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Whether the rep is away at `now`.
    public func covers(_ now: Date) -> Bool { startsAt <= now && now < endsAt }
}

extension IDPrefix {
    public static let leave = IDPrefix(rawValue: "leave")
}
