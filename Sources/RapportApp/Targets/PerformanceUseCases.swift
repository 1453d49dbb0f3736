import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Actuals (业绩) and attainment (达成率) against monthly targets, per person and rolled up per
/// team (`GET /api/v1/performance`), and leaderboards (排行榜/PK, `GET /api/v1/leaderboards`).
///
/// Scope: the caller's scope on targets decides whose figures they see — a rep their own, a
/// manager their team subtree's people and teams, administrators and analysts everyone's. A team's
/// actual is the sum over the people of its whole subtree. On a leaderboard a rep (own scope)
/// sees their own team's board: names, values and ranks only — the figures a sales floor posts on
/// the wall; no attainment, no targets, no team ranking.
public struct PerformanceUseCases: Sendable {
    let rapport: Rapport

    /// One figure: the actual, the target (nil when none), and attainment.
    public struct Line: Sendable, Equatable {
        public var key: Performance.Key
        public var actual: Int64
        /// The target set for the subject itself (for a team: set directly).
        public var target: Int64?
        /// For a team: the sum of its people's targets (nil when none of them has one).
        public var membersTarget: Int64?
        public var attainment: Performance.Attainment?
    }

    /// A person's lines.
    public struct PersonLines: Sendable {
        public var person: PerformanceStore.Person
        public var lines: [Line]
    }

    /// A team's lines (its subtree rolled up).
    public struct TeamLines: Sendable {
        public var team: PerformanceStore.TeamNode
        public var lines: [Line]
    }

    /// A period's performance.
    public struct Sheet: Sendable {
        public var period: PerformancePeriod
        public var range: PerformanceStore.Range
        public var timeZone: TimeZone
        public var people: [PersonLines]
        public var teams: [TeamLines]
    }

    /// Resolves a period (default: the current business month) into instants and days.
    func range(_ text: String?, check: inout Validator) -> (PerformancePeriod, PerformanceStore.Range)? {
        let zone = rapport.settings.businessTimeZone
        let period: PerformancePeriod
        if let text {
            guard let parsed = PerformancePeriod(text) else {
                check.add("period", "invalid", "period is a month (YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY).")
                return nil
            }
            period = parsed
        } else {
            period = PerformancePeriod(month: BusinessMonth(CalendarDate(rapport.clock.now(), in: zone)))
        }
        guard let from = LeadAnalyticsUseCases.instant(period.firstDay.description, zone: zone, endOfDay: false),
              let to = LeadAnalyticsUseCases.instant(period.endDay.description, zone: zone, endOfDay: false) else {
            check.add("period", "invalid", "period is out of range.")
            return nil
        }
        return (period, PerformanceStore.Range(from: from, to: to, firstDay: period.firstDay, lastDay: period.endDay.adding(days: -1)))
    }

    /// The caller's view: whom they see, and the subtree asked for.
    struct View {
        var people: PerformanceStore.People
        var teams: [PerformanceStore.TeamNode]
        var teamScope: ScopeFilter?
        var own: Bool
    }

    func view(_ caller: Caller, user: String?, team: String?, check: inout Validator, _ sql: any SQLDatabase) async throws -> View {
        let peopleScope = try await rapport.scope(caller, .read, .target, anchor: .userTable, table: "scope_rep")
        let teamScope = try await rapport.scope(caller, .read, .target, anchor: .teamTable, table: "scope_team")
        let userID = user.map { RecordID(parsing: $0, prefix: .user) }
        if case .some(.none) = userID { check.add("user_id", "invalid", "user_id is not a user id.") }
        let teamID = team.map { RecordID(parsing: $0, prefix: .team) }
        if case .some(.none) = teamID { check.add("team_id", "invalid", "team_id is not a team id.") }
        try check.finish()
        var people = PerformanceStore.People(scope: peopleScope.scope == .all ? nil : peopleScope, userID: userID ?? nil)
        let own = peopleScope.scope == .own
        var teams = own ? [] : try await PerformanceStore(sql).teams(teamScope.scope == .all ? nil : teamScope)
        if let teamID = teamID ?? nil {
            guard let node = try await PerformanceStore(sql).teams(teamScope.scope == .all ? nil : teamScope).first(where: { $0.id == teamID })
            else { throw RapportError.notFound("team") }
            people.teamPath = node.path
            teams = teams.filter { $0.path.hasPrefix(node.path) }
        }
        if userID != nil { teams = [] }
        return View(people: people, teams: teams, teamScope: teamScope.scope == .all ? nil : teamScope, own: own)
    }

    /// Actuals, targets and attainment of a period for the people (and teams) the caller sees,
    /// optionally one user's or one team subtree's.
    public func sheet(period text: String?, user: String?, team: String?, by caller: Caller) async throws -> Sheet {
        var check = Validator()
        let resolved = range(text, check: &check)
        return try await rapport.database.read { sql in
            let view = try await view(caller, user: user, team: team, check: &check, sql)
            guard let (period, range) = resolved else { throw RapportError.validation(check.errors) }
            let store = PerformanceStore(sql)
            let people = try await store.people(view.people)
            let actuals = Performance.byUser(try await store.actuals(Set(TargetMetric.allCases), range: range, people: view.people))
            let targetList = try await TargetStore(sql).list(months: period.months, people: view.people, teams: view.teamScope)
            let targets = Performance.targets(targetList)
            var teamOf: [RecordID: RecordID] = [:]
            for person in people { teamOf[person.id] = person.teamID }
            let parentOf = Dictionary(view.teams.compactMap { team in team.parentID.map { (team.id, $0) } }, uniquingKeysWith: { first, _ in first })
            let teamActuals = Performance.byTeam(actuals, teamOf: teamOf, parentOf: parentOf)
            var userTargets: [RecordID: Performance.Figures] = [:]
            for (subject, figures) in targets { if case .user(let id) = subject { userTargets[id] = figures } }
            let membersTargets = Performance.byTeam(userTargets, teamOf: teamOf, parentOf: parentOf)
            let personLines = people.map { person in
                PersonLines(person: person, lines: Self.lines(actual: actuals[person.id] ?? [:], target: targets[.user(person.id)] ?? [:], members: nil))
            }
            let teamLines = view.teams.map { team in
                TeamLines(team: team, lines: Self.lines(actual: teamActuals[team.id] ?? [:], target: targets[.team(team.id)] ?? [:], members: membersTargets[team.id] ?? [:]))
            }
            return Sheet(period: period, range: range, timeZone: rapport.settings.businessTimeZone, people: personLines, teams: teamLines)
        }
    }

    /// Every count metric, and each money metric in every currency with an actual or a target.
    static func lines(actual: Performance.Figures, target: Performance.Figures, members: Performance.Figures?) -> [Line] {
        var keys = Set(actual.keys).union(target.keys).union(members?.keys ?? [:].keys)
        for metric in TargetMetric.allCases where !metric.isMoney { keys.insert(Performance.Key(metric: metric, currency: nil)) }
        return keys.sorted().map { key in
            let value = actual[key] ?? 0
            let own = target[key]
            let fromMembers = members?[key]
            return Line(key: key, actual: value, target: own, membersTarget: fromMembers,
                        attainment: Performance.Attainment(actual: value, target: own ?? fromMembers))
        }
    }
}

extension Rapport {
    public var performance: PerformanceUseCases { PerformanceUseCases(rapport: self) }
}
