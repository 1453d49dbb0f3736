import Foundation

/// The kinds of notice Rapport sends, in the groups a user chooses channels for. A kind not
/// listed here (a newer area's) falls in ``NoticeGroup/other``.
public enum NoticeGroup: String, Sendable, Codable, CaseIterable {
    /// Records given to the user: leads and customers assigned, handovers received.
    case assignments
    /// Pool warnings: a lead or customer about to go back to the pool, or gone back.
    case reclaims
    /// Approvals asked of the user, and decisions on the user's own submissions (work reports too).
    case approvals
    /// Alerts (预警): overdue receivables, expired quotes, entitlements due for renewal.
    case alerts
    /// Any other kind.
    case other

    /// Every kind Rapport sends today, by group (the inbox words each one).
    public static let kinds: [String: NoticeGroup] = [
        "lead.assigned": .assignments, "customer.assigned": .assignments, "handover.received": .assignments,
        "lead.reclaim_warning": .reclaims, "lead.reclaimed": .reclaims, "customer.reclaim_warning": .reclaims, "customer.reclaimed": .reclaims,
        "order.approval_requested": .approvals, "order.approved": .approvals, "order.rejected": .approvals,
        "quote.approval_requested": .approvals, "quote.approved": .approvals, "quote.rejected": .approvals,
        "receivable.overdue": .alerts, "quote.expired": .alerts, "entitlement.renewal_due": .alerts,
        "report.submitted": .approvals, "report.commented": .approvals, "report.returned": .approvals, "report.reviewed": .approvals,
    ]

    /// The group of a notice kind.
    public static func of(_ kind: String) -> NoticeGroup { kinds[kind] ?? .other }
}

/// The channels a notice can go out by besides the in-app inbox (which always gets it).
public enum NoticeChannel: String, Sendable, Codable, CaseIterable {
    case email
    case webhook
}

/// When email goes out: at once per notice, once a day as a digest, or never.
public enum EmailCadence: String, Sendable, Codable, CaseIterable {
    case immediate
    case dailyDigest = "daily_digest"
    case off
}

/// One user's choice (or the administrators' default) of where notices go: per group, whether
/// by email and by webhook, and how email is sent. The in-app inbox always gets every notice.
public struct NotificationPreferences: Sendable, Equatable, Codable {
    public var email: EmailCadence
    /// Per group, the external channels chosen; a group not listed has none.
    public var groups: [NoticeGroup: Set<NoticeChannel>]

    public init(email: EmailCadence = .dailyDigest, groups: [NoticeGroup: Set<NoticeChannel>] = NotificationPreferences.defaultGroups) {
        self.email = email
        self.groups = groups
    }

    /// Out of the box: approvals and alerts by email and webhook, assignments and reclaims by webhook.
    public static let defaultGroups: [NoticeGroup: Set<NoticeChannel>] = [
        .assignments: [.webhook], .reclaims: [.webhook], .approvals: [.email, .webhook], .alerts: [.email, .webhook], .other: [.webhook],
    ]

    /// Whether a notice of `kind` goes out by `channel` (email only when the cadence is not off).
    public func wants(_ kind: String, by channel: NoticeChannel) -> Bool {
        if channel == .email && email == .off { return false }
        return groups[NoticeGroup.of(kind)]?.contains(channel) ?? false
    }

    /// Whether a notice of `kind` is emailed at once (rather than in the digest or not at all).
    public func emailsAtOnce(_ kind: String) -> Bool { email == .immediate && wants(kind, by: .email) }

    enum CodingKeys: String, CodingKey { case email, groups }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        email = try container.decode(EmailCadence.self, forKey: .email)
        let raw = try container.decode([String: [NoticeChannel]].self, forKey: .groups)
        groups = Dictionary(uniqueKeysWithValues: raw.compactMap { key, channels in NoticeGroup(rawValue: key).map { ($0, Set(channels)) } })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        let raw = Dictionary(uniqueKeysWithValues: groups.map { group, channels in (group.rawValue, NoticeChannel.allCases.filter { channels.contains($0) }) })
        try container.encode(raw, forKey: .groups)
    }
}
