import Foundation

/// A touchpoint on a customer's one timeline: a call, message, visit, meeting or note, by any role.
public struct Activity: Sendable, Equatable {
    public enum ActivityType: String, Sendable, Codable, CaseIterable {
        case call, sms, wechat, email, visit, meeting, note

        /// Notes are internal; every other type is a touch in one direction or the other.
        public var isTouch: Bool { self != .note }
    }

    /// Outbound touches are the ones the frequency cap counts; inbound never.
    public enum Direction: String, Sendable, Codable, CaseIterable {
        case outbound, inbound, `internal`
    }

    public var id: RecordID
    public var customerID: RecordID
    public var type: ActivityType
    public var direction: Direction
    public var subject: String?
    public var body: String?
    public var occurredAt: Date
    /// Calls: how long, in seconds.
    public var durationSeconds: Int64?
    /// Calls and visits: `connected`, `no_answer`, `busy`, `voicemail`, `wrong_number`, … (free key).
    public var outcome: String?
    /// Visits: the check-in place.
    public var place: String?
    /// Another record this activity is about (a lead, an opportunity…), by kind and id.
    public var relatedKind: String?
    public var relatedID: String?
    /// Who did it (nil for the system).
    public var actorID: RecordID?
    /// Set when the activity was logged past the contact-frequency cap in warn mode.
    public var capWarning: Bool
    public var version: Int64
    public var createdAt: Date

    public init(
        id: RecordID, customerID: RecordID, type: ActivityType, direction: Direction, subject: String? = nil,
        body: String? = nil, occurredAt: Date, durationSeconds: Int64? = nil, outcome: String? = nil,
        place: String? = nil, relatedKind: String? = nil, relatedID: String? = nil, actorID: RecordID?,
        capWarning: Bool = false, version: Int64 = 1, createdAt: Date
    ) {
        self.id = id
        self.customerID = customerID
        self.type = type
        self.direction = direction
        self.subject = subject
        self.body = body
        self.occurredAt = occurredAt
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.place = place
        self.relatedKind = relatedKind
        self.relatedID = relatedID
        self.actorID = actorID
        self.capWarning = capWarning
        self.version = version
        self.createdAt = createdAt
    }
}

/// The limit of outbound touches per customer per period across all reps, so several reps do
/// not harass one customer. Inbound touches and notes never count.
public struct ContactFrequencyCap: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Log the touch, but say it is over the cap.
        case warn
        /// Refuse the touch (`rate_limited`, 429).
        case block
    }

    public var limit: Int
    public var periodDays: Int
    public var mode: Mode

    public init(limit: Int, periodDays: Int, mode: Mode) {
        self.limit = limit
        self.periodDays = periodDays
        self.mode = mode
    }

    enum CodingKeys: String, CodingKey {
        case limit, mode
        case periodDays = "period_days"
    }

    /// At most 3 outbound touches per customer per 7 days; warn beyond it.
    public static let standard = ContactFrequencyCap(limit: 3, periodDays: 7, mode: .warn)

    /// The decision for one more touch.
    public enum Decision: Sendable, Equatable {
        case allow
        /// Over the cap in warn mode: the count including the new touch.
        case warn(count: Int)
        /// Over the cap in block mode.
        case block(count: Int)
    }

    /// The window a touch at `at` is counted in: `(at − period, at]`.
    public func windowStart(for at: Date) -> Date { at.addingTimeInterval(-Double(periodDays) * 86_400) }

    /// Whether one more touch in `direction` is allowed when `outboundInWindow` outbound touches
    /// already fall in its window.
    public func decide(_ direction: Activity.Direction, outboundInWindow: Int) -> Decision {
        guard direction == .outbound else { return .allow }
        let count = outboundInWindow + 1
        guard count > limit else { return .allow }
        return mode == .warn ? .warn(count: count) : .block(count: count)
    }

    /// Checks the settings (limit 1…1000, period 1…365 days).
    public func validate() throws(RapportError) {
        var check = Validator()
        if !(1...1_000).contains(limit) { check.add("limit", "out_of_range", "limit must be from 1 to 1000.") }
        if !(1...365).contains(periodDays) { check.add("period_days", "out_of_range", "period_days must be from 1 to 365.") }
        try check.finish()
    }
}
