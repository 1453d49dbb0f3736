import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension PerformanceUseCases {
    /// One person on a manager's team view (预警): attainment against the elapsed share of the
    /// period, overdue tasks and days since their last logged activity, and what is flagged.
    public struct TeamRow: Sendable {
        public var person: PerformanceStore.Person
        public var pace: Performance.Pace
        /// Open tasks past their due time (0 when none, or the caller cannot see tasks).
        public var overdueTasks: Int
        /// Whole days since the person's last activity; nil when none within ``TeamView/idleWindowDays``.
        public var daysSinceActivity: Int?
        /// Flags: behind pace, overdue tasks, or no activity for ``TeamView/idleDays`` days.
        public var behindPace: Bool { pace.behind }
        public var hasOverdue: Bool { overdueTasks > 0 }
        public var idle: Bool { (daysSinceActivity ?? Int.max) >= TeamView.idleDays }
        public var flagged: Bool { behindPace || hasOverdue || idle }
    }

    /// A manager's team view of a period.
    public struct TeamView: Sendable {
        /// Days without an activity after which a person is flagged.
        public static let idleDays = 7
        /// How far back the last activity is looked for.
        public static let idleWindowDays = 90
        public var period: PerformancePeriod
        /// The elapsed share of the period (0…1).
        public var elapsed: Double
        /// Flagged people first (most flags first), then by name.
        public var rows: [TeamRow]
    }

    /// The team view of the people the caller manages (never their own row): a sheet of the
    /// period, overdue task counts and the last activities, each one aggregate in SQL within the
    /// caller's scope. Reps (own scope) are refused.
    public func team(period text: String?, by caller: Caller) async throws -> TeamView {
        let sheet = try await sheet(period: text, user: nil, team: nil, by: caller)
        let scope = try await rapport.scope(caller, .read, .target, anchor: .userTable, table: "scope_rep")
        guard scope.scope != .own else { throw RapportError(.forbidden, "The team view is for managers and administrators.") }
        let now = rapport.clock.now()
        let overdue = try await rapport.allows(caller, .read, .task) ? try await rapport.tasks.overdueCounts(by: caller) : [:]
        let since = now.addingTimeInterval(-Double(TeamView.idleWindowDays) * 86_400)
        let last = try await rapport.database.read { sql in
            try await PerformanceStore(sql).lastActivity(since: since, people: .init(scope: scope.scope == .all ? nil : scope))
        }
        let elapsed = Performance.elapsedShare(now: now, from: sheet.range.from, to: sheet.range.to)
        let rows = sheet.people.filter { $0.person.id != caller.actorID && ($0.person.active || $0.lines.contains { $0.actual != 0 }) }.map { person in
            TeamRow(person: person.person, pace: Performance.Pace(person.lines.map { (key: $0.key, attainment: $0.attainment) }, elapsed: elapsed),
                    overdueTasks: overdue[person.person.id] ?? 0, daysSinceActivity: Performance.daysSince(last[person.person.id], now: now))
        }
        func flags(_ row: TeamRow) -> Int { [row.behindPace, row.hasOverdue, row.idle].filter { $0 }.count }
        let sorted = rows.sorted { flags($0) != flags($1) ? flags($0) > flags($1) : ($0.person.name, $0.person.id) < ($1.person.name, $1.person.id) }
        return TeamView(period: sheet.period, elapsed: elapsed, rows: sorted)
    }

    /// The workbench's figures: the caller's targeted figures this month and their place on the
    /// default board (won revenue; nil when the company hides boards from reps or they are on none).
    public struct Card: Sendable {
        public var period: PerformancePeriod
        public var lines: [Line]
        public var place: PersonPlace?
        public var boardSize: Int
        public var metric: TargetMetric
        public var currency: String?
    }

    /// The metric the workbench and the leaderboard page rank by unless told otherwise.
    public static let defaultMetric = TargetMetric.wonRevenue

    /// The caller's own month (their targets and the matching actuals) and their board position.
    public func card(by caller: Caller) async throws -> Card {
        guard let me = caller.actorID else { throw RapportError(.forbidden, "Only people have figures.") }
        var check = Validator()
        guard let (period, range) = range(nil, check: &check) else { throw RapportError.validation(check.errors) }
        let lines = try await rapport.database.read { sql in
            let mine = PerformanceStore.People(scope: nil, userID: me)
            let targets = Performance.targets(try await TargetStore(sql).list(months: period.months, people: mine, teams: nil))[.user(me)] ?? [:]
            guard !targets.isEmpty else { return [Line]() }
            let actuals = Performance.byUser(try await PerformanceStore(sql).actuals(Set(targets.keys.map(\.metric)), range: range, people: mine))[me] ?? [:]
            return targets.keys.sorted().map { key in
                Line(key: key, actual: actuals[key] ?? 0, target: targets[key], membersTarget: nil,
                     attainment: Performance.Attainment(actual: actuals[key] ?? 0, target: targets[key]))
            }
        }
        var board: Board?
        do {
            let team = (caller.principal?.role == .rep) ? nil : caller.principal?.teamID?.rawValue
            board = try await leaderboard(.init(metric: Self.defaultMetric.rawValue, team: team), by: caller)
        } catch let error as RapportError where [.leaderboardHidden, .forbidden, .notFound].contains(error.code) {
            board = nil
        }
        return Card(period: period, lines: lines, place: board?.people.first { $0.person.id == me }, boardSize: board?.people.count ?? 0,
                    metric: Self.defaultMetric, currency: board?.currency)
    }
}
