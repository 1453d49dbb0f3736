import Foundation

/// Why a record went back to its pool by itself.
public enum ReclaimReason: String, Sendable, Codable, CaseIterable {
    case noFollowUp = "no_follow_up"
    case noProgress = "no_progress"
    case notConverted = "not_converted"
    case ownerDisabled = "owner_disabled"
}

/// What the reclaim rules read of one owned record.
public struct ReclaimFacts: Sendable, Equatable {
    public var isOpen: Bool
    public var ownerActive: Bool
    /// When the current owner received it.
    public var assignedAt: Date
    public var lastFollowUpAt: Date?
    public var lastProgressAt: Date
    public var protectedUntil: Date?

    public init(isOpen: Bool, ownerActive: Bool, assignedAt: Date, lastFollowUpAt: Date?, lastProgressAt: Date, protectedUntil: Date?) {
        self.isOpen = isOpen
        self.ownerActive = ownerActive
        self.assignedAt = assignedAt
        self.lastFollowUpAt = lastFollowUpAt
        self.lastProgressAt = lastProgressAt
        self.protectedUntil = protectedUntil
    }
}

/// What a reclaim run does with one record.
public enum ReclaimDecision: Sendable, Equatable {
    case keep
    /// Not yet, but within the warning days: tell the owner when and why.
    case warn(ReclaimReason, due: Date)
    case reclaim(ReclaimReason)
}

extension ReclaimRules {
    /// The decision for one record at `now`. Closed records stay. A disabled owner's records go
    /// back at once; otherwise the earliest due rule decides, never before the protection ends:
    /// no follow-up for N days (counted from the last touch, or from the assignment when the
    /// owner has not touched it since), no stage change for N days (from the later of the last
    /// change and the assignment), not converted N days after the assignment.
    public func decide(_ facts: ReclaimFacts, now: Date) -> ReclaimDecision {
        guard facts.isOpen else { return .keep }
        if ownerDisabled && !facts.ownerActive { return .reclaim(.ownerDisabled) }
        var dues: [(ReclaimReason, Date)] = []
        func days(_ count: Int) -> TimeInterval { Double(count) * 86_400 }
        if let limit = noFollowUpDays {
            dues.append((.noFollowUp, max(facts.lastFollowUpAt ?? facts.assignedAt, facts.assignedAt).addingTimeInterval(days(limit))))
        }
        if let limit = noProgressDays {
            dues.append((.noProgress, max(facts.lastProgressAt, facts.assignedAt).addingTimeInterval(days(limit))))
        }
        if let limit = notConvertedDays { dues.append((.notConverted, facts.assignedAt.addingTimeInterval(days(limit)))) }
        guard var (reason, due) = dues.min(by: { $0.1 < $1.1 }) else { return .keep }
        if let protected = facts.protectedUntil, protected > due {
            due = protected
            reason = dues.first { $0.1 <= protected }?.0 ?? reason
        }
        if due <= now { return .reclaim(reason) }
        if due.addingTimeInterval(-days(warningDays)) <= now { return .warn(reason, due: due) }
        return .keep
    }

    /// The latest instant before which a record's clock (touch, stage change, assignment) must
    /// lie for any rule to be due or warned about at `now`: a superset filter for storage.
    public func earliestCutoffs(now: Date) -> (followUp: Date?, progress: Date?, assigned: Date?) {
        func cutoff(_ limit: Int?) -> Date? { limit.map { now.addingTimeInterval(-Double($0 - warningDays) * 86_400) } }
        return (cutoff(noFollowUpDays), cutoff(noProgressDays), cutoff(notConvertedDays))
    }
}
