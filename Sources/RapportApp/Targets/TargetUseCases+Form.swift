import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension TargetUseCases {
    /// What a month's target sheet (目标表) edits: the people and teams the caller may set targets
    /// for (optionally one team's subtree) and the targets they already have that month.
    public struct SheetForm: Sendable {
        public var month: BusinessMonth
        public var teamID: RecordID?
        /// Active people in the caller's scope to set (at most ``maximumRows``), by name.
        public var people: [PerformanceStore.Person]
        /// Teams in the caller's scope to set, by path.
        public var teams: [PerformanceStore.TeamNode]
        public var targets: [Target]
    }

    /// The most people a sheet shows at once (narrow it to a team beyond that).
    public static let maximumRows = 500

    /// The sheet of a month (default: the current business month) for the caller's update scope:
    /// a manager their team subtree, an administrator everyone; refused to anyone who may not set targets.
    public func sheetForm(month text: String?, team: String?, by caller: Caller) async throws -> SheetForm {
        let people = try await people(caller, .update)
        let teams = try await teams(caller, .update)
        var check = Validator()
        let month = Self.month(text, required: false, check: &check) ?? BusinessMonth(CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone))
        let teamID = team.map { RecordID(parsing: $0, prefix: .team) }
        if case .some(.none) = teamID { check.add("team_id", "invalid", "team_id is not a team id.") }
        try check.finish()
        return try await rapport.database.read { sql in
            let store = PerformanceStore(sql)
            var filter = PerformanceStore.People(scope: people)
            var nodes = try await store.teams(teams)
            if let teamID = teamID ?? nil {
                guard let node = nodes.first(where: { $0.id == teamID }) else { throw RapportError.notFound("team") }
                filter.teamPath = node.path
                nodes = nodes.filter { $0.path.hasPrefix(node.path) }
            }
            let active = try await store.people(filter).filter(\.active)
            return SheetForm(month: month, teamID: teamID ?? nil, people: Array(active.prefix(Self.maximumRows)), teams: nodes,
                             targets: try await TargetStore(sql).list(months: [month], people: filter, teams: teams))
        }
    }
}
