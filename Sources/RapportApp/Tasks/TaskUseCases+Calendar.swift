import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension TaskUseCases {
    /// A new calendar feed token: shown once; only its hash is kept.
    public struct CalendarToken: Sendable {
        public var token: String
        /// `/cal/{token}.ics`.
        public var path: String
        public var createdAt: Date
    }

    static let calendarPrefix = "cal_"

    /// Makes (or replaces: the old feed address stops working) the caller's secret calendar feed
    /// token. Audited as `calendar_feed.rotated`.
    public func rotateCalendarToken(by caller: Caller) async throws -> CalendarToken {
        guard let user = caller.principal?.userID else { throw RapportError(.forbidden, "Only a user has a calendar feed.") }
        guard caller.principal?.tokenScopes.contains(.write) == true else {
            throw RapportError(.forbidden, "Making a calendar feed address needs a token that may write.")
        }
        _ = try await filter(caller, .read)
        let token = Self.calendarPrefix + SecretMaker.make().dropFirst(SecretMaker.prefix.count)
        let now = rapport.clock.now()
        try await rapport.transaction { sql in
            try await CalendarFeedStore(sql).set(user, tokenHash: Digest.sha256Hex(token), at: now)
            try await rapport.record(rapport.event("calendar_feed.rotated", by: caller, kind: .user, object: user.rawValue), in: sql)
        }
        return CalendarToken(token: token, path: "/cal/\(token).ics", createdAt: now)
    }

    /// Stops the caller's calendar feed. Audited as `calendar_feed.revoked`.
    public func revokeCalendarToken(by caller: Caller) async throws {
        guard let user = caller.principal?.userID else { throw RapportError(.forbidden, "Only a user has a calendar feed.") }
        try await rapport.transaction { sql in
            try await CalendarFeedStore(sql).remove(user)
            try await rapport.record(rapport.event("calendar_feed.revoked", by: caller, kind: .user, object: user.rawValue), in: sql)
        }
    }

    /// When the caller's current feed token was made (nil: no feed).
    public func calendarTokenCreatedAt(by caller: Caller) async throws -> Date? {
        guard let user = caller.principal?.userID else { return nil }
        return try await rapport.database.read { sql in try await CalendarFeedStore(sql).createdAt(of: user) }
    }

    /// The iCalendar feed of the open tasks assigned to the token's user (an active user):
    /// `not_found` for any token that is not a current one. `baseURL` (e.g. `https://crm.example.com`)
    /// makes each event's link to its record's page. Descriptions carry the task's title, type and
    /// that link only — no customer's personal data beyond the record's name.
    public func calendarFeed(token: String, baseURL: String) async throws -> String {
        guard token.hasPrefix(Self.calendarPrefix), token.count < 100 else { throw RapportError.notFound("calendar") }
        let hash = Digest.sha256Hex(token)
        let now = rapport.clock.now()
        return try await rapport.database.read { sql in
            guard let userID = try await CalendarFeedStore(sql).user(tokenHash: hash),
                  let user = try await UserStore(sql).find(userID), user.status == .active
            else { throw RapportError.notFound("calendar") }
            let own = ScopeFilter(Principal(userID: userID, role: .rep), .own, kind: .task, anchor: .owner(column: "assignee_id"), table: "tasks")
            var events: [ICalendar.Event] = []
            var page = PageRequest(limit: PageRequest.maximumLimit)
            // Open tasks from 30 days back on; at most 2 000.
            let filter = TaskStore.ListFilter(assigneeID: userID, statuses: [.open], dueAfter: now.addingTimeInterval(-30 * 86_400))
            for _ in 0..<4 {
                let rows = try await TaskStore(sql).list(filter, page: page, in: own)
                events += rows.items.map { Self.event($0, baseURL: baseURL) }
                guard let next = rows.nextCursor else { break }
                page.cursor = next
            }
            return ICalendar.calendar(name: "Rapport – \(user.name)", events: events, stamp: now)
        }
    }

    static func event(_ row: TaskRow, baseURL: String) -> ICalendar.Event {
        let task = row.task
        var lines = ["\(task.type.rawValue): \(task.title)"]
        var url: String?
        if let kind = task.linkedKind, let id = task.linkedID {
            let path = switch kind {
            case .customer: "customers"
            case .lead: "leads"
            case .opportunity: "opportunities"
            case .order: "orders"
            }
            url = "\(baseURL)/\(path)/\(id.rawValue)"
            lines.append("\(kind.rawValue): \(row.linkedName ?? id.rawValue)")
            lines.append(url!)
        }
        let priority = switch task.priority {
        case .urgent: 1
        case .high: 3
        case .normal: 5
        case .low: 9
        }
        return ICalendar.Event(uid: "\(task.id.rawValue)@rapport", summary: task.title, description: lines.joined(separator: "\n"), start: task.dueAt,
                               priority: priority, categories: [task.type.rawValue], url: url, lastModified: task.updatedAt,
                               alarmMinutes: task.reminderMinutes)
    }
}
