import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension PerformanceUseCases {
    /// What a leaderboard asks for (query parameters).
    public struct BoardQuery: Sendable {
        public var metric: String?
        /// `YYYY-MM`, `YYYY-Qn` or `YYYY`; default the current business month.
        public var period: String?
        public var team: String?
        /// For money metrics; default the currency with the largest total on the board.
        public var currency: String?

        public init(metric: String?, period: String? = nil, team: String? = nil, currency: String? = nil) {
            self.metric = metric
            self.period = period
            self.team = team
            self.currency = currency
        }
    }

    /// A rep's place on a board.
    public struct PersonPlace: Sendable {
        public var person: PerformanceStore.Person
        public var rank: Int
        public var value: Int64
        /// Nil on a rep's view, or when no target is set.
        public var target: Int64?
        public var attainment: Performance.Attainment?
    }

    /// A team's place (its subtree rolled up).
    public struct TeamPlace: Sendable {
        public var team: PerformanceStore.TeamNode
        public var rank: Int
        public var value: Int64
        public var target: Int64?
        public var attainment: Performance.Attainment?
    }

    /// A leaderboard: its metric, period, currency (money metrics) and places.
    public struct Board: Sendable {
        public var metric: TargetMetric
        public var period: PerformancePeriod
        public var range: PerformanceStore.Range
        public var currency: String?
        /// The team whose subtree is ranked (nil: everyone the caller sees).
        public var teamID: RecordID?
        /// True on a rep's view: names, values and ranks only.
        public var publicOnly: Bool
        public var people: [PersonPlace]
        public var teams: [TeamPlace]
    }

    /// Ranks the people (and the teams right under the board's team) by a metric over a period.
    /// People on the board: active reps, and anyone else with a figure in the period. A rep is
    /// refused (`leaderboard_hidden`) when the company hides leaderboards from reps.
    public func leaderboard(_ query: BoardQuery, by caller: Caller) async throws -> Board {
        var check = Validator()
        let metric = query.metric.flatMap(TargetMetric.init(rawValue:))
        if query.metric == nil { check.add("metric", "required", "metric is required.") } else if metric == nil {
            check.add("metric", "invalid", "metric is one of \(TargetMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let currency = query.currency?.uppercased()
        if let currency, !OpportunityAnalyticsUseCases.isCurrency(currency) { check.add("currency", "invalid", "currency is an ISO 4217 code such as CNY.") }
        let resolved = range(query.period, check: &check)
        let scope = try await rapport.scope(caller, .read, .target, anchor: .userTable, table: "scope_rep")
        return try await rapport.database.read { sql in
            var publicOnly = false
            var view: View
            if scope.scope == .own, let principal = caller.principal {
                // A rep's board: their own team's people (public figures), whatever their scope on records.
                if let team = query.team, team != principal.teamID?.rawValue {
                    if RecordID(parsing: team, prefix: .team) == nil { check.add("team_id", "invalid", "team_id is not a team id.") } else {
                        try check.finish()
                        throw RapportError.notFound("team")
                    }
                }
                try check.finish()
                guard try await LeaderboardSettings.load(sql).visibleToReps else {
                    throw RapportError(.leaderboardHidden, "The company does not show leaderboards to reps.")
                }
                publicOnly = true
                view = View(people: principal.teamID.map { .init(scope: nil, teamID: $0) } ?? .init(scope: nil, userID: principal.userID),
                            teams: [], teamScope: nil, own: true)
            } else {
                view = try await self.view(caller, user: nil, team: query.team, check: &check, sql)
            }
            try check.finish()
            guard let metric, let (period, range) = resolved else { throw RapportError.validation(check.errors) }
            let store = PerformanceStore(sql)
            let actuals = try await store.actuals([metric], range: range, people: view.people)
            let chosen = metric.isMoney ? (currency ?? Self.mainCurrency(actuals)) : nil
            let key = Performance.Key(metric: metric, currency: chosen)
            let values = Performance.byUser(actuals).mapValues { $0[key] ?? 0 }
            let people = try await store.people(view.people)
            let targets = publicOnly ? [:] : Performance.targets(try await TargetStore(sql).list(months: period.months, people: view.people, teams: view.teamScope))
            let onBoard = people.filter { ($0.active && $0.role == .rep) || (values[$0.id] ?? 0) != 0 }
            let byID = Dictionary(onBoard.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let ranked = Performance.ranked(onBoard.map { ($0.id, values[$0.id] ?? 0) }) { byID[$0]!.name != byID[$1]!.name ? byID[$0]!.name < byID[$1]!.name : $0 < $1 }
            let places = ranked.map { place in
                let target = targets[.user(place.subject)]?[key]
                return PersonPlace(person: byID[place.subject]!, rank: place.rank, value: place.value, target: target,
                                   attainment: Performance.Attainment(actual: place.value, target: target))
            }
            var teamPlaces: [TeamPlace] = []
            if !publicOnly {
                var teamOf: [RecordID: RecordID] = [:]
                for person in people { teamOf[person.id] = person.teamID }
                let parentOf = Dictionary(view.teams.compactMap { team in team.parentID.map { (team.id, $0) } }, uniquingKeysWith: { first, _ in first })
                let rolled = Performance.byTeam(Performance.byUser(actuals), teamOf: teamOf, parentOf: parentOf)
                let visible = Set(view.teams.map(\.id))
                let top = query.team.flatMap { RecordID(parsing: $0, prefix: .team) }
                // The teams right under the board's team; without one, the highest teams the caller sees.
                let ranks = view.teams.filter { team in top.map { team.parentID == $0 } ?? (team.parentID.map { !visible.contains($0) } ?? true) }
                let nodes = Dictionary(ranks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                teamPlaces = Performance.ranked(ranks.map { ($0.id, rolled[$0.id]?[key] ?? 0) }) { nodes[$0]!.path < nodes[$1]!.path }.map { place in
                    let target = targets[.team(place.subject)]?[key]
                    return TeamPlace(team: nodes[place.subject]!, rank: place.rank, value: place.value, target: target,
                                     attainment: Performance.Attainment(actual: place.value, target: target))
                }
            }
            return Board(metric: metric, period: period, range: range, currency: chosen, teamID: query.team.flatMap { RecordID(parsing: $0, prefix: .team) },
                         publicOnly: publicOnly, people: places, teams: teamPlaces)
        }
    }

    /// The currency with the largest total (ties: the first code), nil when nothing happened.
    static func mainCurrency(_ actuals: [Performance.Actual]) -> String? {
        var totals: [String: Int64] = [:]
        for actual in actuals { if let currency = actual.key.currency { totals[currency, default: 0] += actual.value } }
        return totals.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }
}
