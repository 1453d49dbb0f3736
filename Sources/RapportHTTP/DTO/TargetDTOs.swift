import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// A monthly target.
struct TargetDTO: Encodable, Sendable {
    var id: String
    var month: String
    @Nullable var userId: String?
    @Nullable var teamId: String?
    var metric: String
    @Nullable var currency: String?
    var amount: Int64
    var version: Int64
    @Nullable var setBy: String?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, month, metric, currency, amount, version
        case userId = "user_id", teamId = "team_id", setBy = "set_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ target: Target) {
        id = target.id.rawValue
        month = target.month.description
        switch target.subject {
        case .user(let user): userId = user.rawValue
        case .team(let team): teamId = team.rawValue
        }
        metric = target.metric.rawValue
        currency = target.currency
        amount = target.amount
        version = target.version
        setBy = target.setBy?.rawValue
        createdAt = target.createdAt
        updatedAt = target.updatedAt
    }
}

/// A month's targets.
struct TargetSheetDTO: Encodable, Sendable {
    var month: String
    var data: [TargetDTO]
}

/// Attainment: actual ÷ target, as a ratio and in basis points.
struct AttainmentDTO: Encodable, Sendable {
    var ratio: Double
    var basisPoints: Int64

    enum CodingKeys: String, CodingKey {
        case ratio
        case basisPoints = "basis_points"
    }

    init?(_ attainment: Performance.Attainment?) {
        guard let attainment else { return nil }
        ratio = attainment.ratio
        basisPoints = attainment.basisPoints
    }
}

/// One figure of a person or a team.
struct PerformanceLineDTO: Encodable, Sendable {
    var metric: String
    @Nullable var currency: String?
    var actual: Int64
    @Nullable var target: Int64?
    @Nullable var membersTarget: Int64?
    @Nullable var attainment: AttainmentDTO?

    enum CodingKeys: String, CodingKey {
        case metric, currency, actual, target, attainment
        case membersTarget = "members_target"
    }

    init(_ line: PerformanceUseCases.Line) {
        metric = line.key.metric.rawValue
        currency = line.key.currency
        actual = line.actual
        target = line.target
        membersTarget = line.membersTarget
        attainment = AttainmentDTO(line.attainment)
    }
}

/// A period's actuals, targets and attainment, per person and per team.
struct PerformanceDTO: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        var userId: String
        var name: String
        @Nullable var teamId: String?
        var figures: [PerformanceLineDTO]

        enum CodingKeys: String, CodingKey {
            case name, figures
            case userId = "user_id", teamId = "team_id"
        }
    }

    struct Team: Encodable, Sendable {
        var teamId: String
        var name: String
        @Nullable var parentId: String?
        var figures: [PerformanceLineDTO]

        enum CodingKeys: String, CodingKey {
            case name, figures
            case teamId = "team_id", parentId = "parent_id"
        }
    }

    var period: String
    var from: Date
    var to: Date
    var timeZone: String
    var people: [Person]
    var teams: [Team]

    enum CodingKeys: String, CodingKey {
        case period, from, to, people, teams
        case timeZone = "time_zone"
    }

    init(_ sheet: PerformanceUseCases.Sheet) {
        period = sheet.period.description
        from = sheet.range.from
        to = sheet.range.to
        timeZone = sheet.timeZone.identifier
        people = sheet.people.map { Person(userId: $0.person.id.rawValue, name: $0.person.name, teamId: $0.person.teamID?.rawValue, figures: $0.lines.map(PerformanceLineDTO.init)) }
        teams = sheet.teams.map { Team(teamId: $0.team.id.rawValue, name: $0.team.name, parentId: $0.team.parentID?.rawValue, figures: $0.lines.map(PerformanceLineDTO.init)) }
    }
}

/// A leaderboard. On a rep's view (`public_only`) people carry only rank, name and value.
struct LeaderboardDTO: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        var rank: Int
        var name: String
        var value: Int64
        var userId: String?
        var teamId: String?
        var target: Int64?
        var attainment: AttainmentDTO?
        let full: Bool

        enum CodingKeys: String, CodingKey {
            case rank, name, value, target, attainment
            case userId = "user_id", teamId = "team_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rank, forKey: .rank)
            try container.encode(name, forKey: .name)
            try container.encode(value, forKey: .value)
            guard full else { return }
            try container.encode(userId, forKey: .userId)
            try container.encode(teamId, forKey: .teamId)
            try container.encode(target, forKey: .target)
            try container.encode(attainment, forKey: .attainment)
        }
    }

    struct Team: Encodable, Sendable {
        var rank: Int
        var teamId: String
        var name: String
        var value: Int64
        @Nullable var target: Int64?
        @Nullable var attainment: AttainmentDTO?

        enum CodingKeys: String, CodingKey {
            case rank, name, value, target, attainment
            case teamId = "team_id"
        }
    }

    var metric: String
    var period: String
    var from: Date
    var to: Date
    @Nullable var currency: String?
    @Nullable var teamId: String?
    var publicOnly: Bool
    var people: [Person]
    var teams: [Team]

    enum CodingKeys: String, CodingKey {
        case metric, period, from, to, currency, people, teams
        case teamId = "team_id", publicOnly = "public_only"
    }

    init(_ board: PerformanceUseCases.Board) {
        metric = board.metric.rawValue
        period = board.period.description
        from = board.range.from
        to = board.range.to
        currency = board.currency
        teamId = board.teamID?.rawValue
        publicOnly = board.publicOnly
        people = board.people.map {
            Person(rank: $0.rank, name: $0.person.name, value: $0.value, userId: $0.person.id.rawValue, teamId: $0.person.teamID?.rawValue,
                   target: $0.target, attainment: AttainmentDTO($0.attainment), full: !board.publicOnly)
        }
        teams = board.teams.map { Team(rank: $0.rank, teamId: $0.team.id.rawValue, name: $0.team.name, value: $0.value, target: $0.target, attainment: AttainmentDTO($0.attainment)) }
    }
}

/// The leaderboard settings (`/api/v1/settings/leaderboards`).
public struct LeaderboardSettingsDTO: Encodable, Sendable {
    public var visibleToReps: Bool

    enum CodingKeys: String, CodingKey {
        case visibleToReps = "visible_to_reps"
    }

    init(_ settings: LeaderboardSettings) {
        visibleToReps = settings.visibleToReps
    }
}
