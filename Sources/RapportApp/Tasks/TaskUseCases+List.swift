import Foundation
import RapportCore
import RapportStorage

extension TaskUseCases {
    /// What a task list asks for, as sent.
    public struct ListQuery: Sendable {
        public var assignee: String?
        /// `open`, `done`, `cancelled` (comma-separated for several); default all.
        public var status: String?
        /// RFC 3339: due strictly before / at or after.
        public var dueBefore: String?
        public var dueAfter: String?
        /// `true`: open and past due now; `false`: not overdue.
        public var overdue: String?
        public var linkedKind: String?
        public var linkedID: String?

        public init(assignee: String? = nil, status: String? = nil, dueBefore: String? = nil, dueAfter: String? = nil, overdue: String? = nil,
                    linkedKind: String? = nil, linkedID: String? = nil) {
            self.assignee = assignee
            self.status = status
            self.dueBefore = dueBefore
            self.dueAfter = dueAfter
            self.overdue = overdue
            self.linkedKind = linkedKind
            self.linkedID = linkedID
        }
    }

    /// Tasks within the caller's scope, earliest due first.
    public func list(_ query: ListQuery, page: PageRequest, by caller: Caller) async throws -> Page<TaskRow> {
        let scope = try await filter(caller, .read)
        let now = rapport.clock.now()
        var check = Validator()
        var filter = TaskStore.ListFilter()
        if let assignee = query.assignee {
            filter.assigneeID = RecordID(parsing: assignee, prefix: .user)
            if filter.assigneeID == nil { check.add("assignee_id", "invalid", "assignee_id is not a user id.") }
        }
        if let status = query.status {
            filter.statuses = status.split(separator: ",", omittingEmptySubsequences: false).compactMap {
                check.choice(String($0), field: "status", of: SalesTask.Status.self)
            }
        }
        func time(_ text: String?, _ field: String) -> Date? {
            guard let text else { return nil }
            guard let date = RFC3339.parse(text) else {
                check.add(field, "invalid", "\(field) is an RFC 3339 time.")
                return nil
            }
            return date
        }
        filter.dueBefore = time(query.dueBefore, "due_before")
        filter.dueAfter = time(query.dueAfter, "due_after")
        switch query.overdue {
        case nil: break
        case "true":
            if !filter.statuses.isEmpty && filter.statuses != [.open] { check.add("overdue", "invalid", "Only open tasks are overdue.") }
            filter.statuses = [.open]
            filter.dueBefore = min(filter.dueBefore ?? now, now)
        case "false":
            filter.dueAfter = max(filter.dueAfter ?? now, now)
        default: check.add("overdue", "invalid", "overdue is true or false.")
        }
        if query.linkedKind != nil || query.linkedID != nil {
            if let kind = query.linkedKind { filter.linkedKind = check.choice(kind, field: "linked_kind", of: SalesTask.LinkedKind.self) }
            if let id = query.linkedID {
                let prefixes = (filter.linkedKind.map { [$0] } ?? SalesTask.LinkedKind.allCases).map(\.prefix)
                filter.linkedID = prefixes.lazy.compactMap { RecordID(parsing: id, prefix: $0) }.first
                if filter.linkedID == nil { check.add("linked_id", "invalid", "linked_id is not the id of a customer, lead, opportunity or order.") }
            }
        }
        try check.finish()
        return try await rapport.database.read { sql in try await TaskStore(sql).list(filter, page: page, in: scope) }
    }

    /// The tasks about one record the caller can see, open first by due time then the rest (a record page's task list).
    public func about(_ kind: SalesTask.LinkedKind, _ id: String, limit: Int = 50, by caller: Caller) async throws -> [TaskRow] {
        let page = try await list(ListQuery(linkedKind: kind.rawValue, linkedID: id), page: PageRequest(limit: limit), by: caller)
        return page.items.filter { $0.task.status == .open } + page.items.filter { $0.task.status != .open }.reversed()
    }
}

extension TaskUseCases {
    /// One person's open tasks split as a day planner shows them (我的待办): overdue, due later
    /// today (the business time zone's day), and upcoming.
    public struct Agenda: Sendable {
        public var now: Date
        /// When the business day ends (the next midnight in the business time zone).
        public var endOfToday: Date
        /// Open and past due, longest overdue first.
        public var overdue: [TaskRow]
        public var today: [TaskRow]
        /// Due after today, soonest first (at most `limit`).
        public var upcoming: [TaskRow]
    }

    /// The open tasks of `assignee` (default: the caller; a manager may name anyone in scope, whose
    /// tasks then come through the same scope in SQL), at most `limit` in each part.
    public func agenda(assignee: String? = nil, limit: Int = 50, by caller: Caller) async throws -> Agenda {
        let now = rapport.clock.now()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = rapport.settings.businessTimeZone
        let endOfToday = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now)) ?? now.addingTimeInterval(86_400)
        let who = assignee ?? caller.actorID?.rawValue
        let page = PageRequest(limit: min(max(limit, 1), PageRequest.maximumLimit))
        let overdue = try await list(ListQuery(assignee: who, overdue: "true"), page: page, by: caller).items
        let today = try await list(ListQuery(assignee: who, status: "open", dueBefore: RFC3339.format(endOfToday), dueAfter: RFC3339.format(now)),
                                   page: page, by: caller).items
        let upcoming = try await list(ListQuery(assignee: who, status: "open", dueAfter: RFC3339.format(endOfToday)), page: page, by: caller).items
        return Agenda(now: now, endOfToday: endOfToday, overdue: overdue, today: today, upcoming: upcoming)
    }

    /// How many open, overdue tasks each assignee within the caller's scope has (one aggregate in
    /// SQL; assignees with none are absent). For the manager's team view.
    public func overdueCounts(by caller: Caller) async throws -> [RecordID: Int] {
        let scope = try await filter(caller, .read)
        let now = rapport.clock.now()
        return try await rapport.database.read { sql in try await TaskStore(sql).overdueCounts(before: now, in: scope) }
    }
}
