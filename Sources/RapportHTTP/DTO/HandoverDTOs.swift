import Foundation
import RapportApp
import RapportCore

/// A handover report: whose records, by whom, why, and per kind where they went.
public struct HandoverDTO: Encodable, Sendable {
    public var id: String
    public var userId: String
    @Nullable public var byUserId: String?
    public var reason: String
    public var at: Date
    public var summary: HandoverSummaryDTO

    enum CodingKeys: String, CodingKey {
        case id, reason, at, summary
        case userId = "user_id", byUserId = "by_user_id"
    }

    init(_ handover: Handover) {
        id = handover.id.rawValue
        userId = handover.userID.rawValue
        byUserId = handover.byUserID?.rawValue
        reason = handover.reason
        at = handover.at
        summary = HandoverSummaryDTO(handover.summary)
    }
}

public struct HandoverSummaryDTO: Encodable, Sendable {
    public var kinds: [String: KindDTO]
    public var revokedCredentials: Int

    enum CodingKeys: String, CodingKey {
        case kinds
        case revokedCredentials = "revoked_credentials"
    }

    public struct KindDTO: Encodable, Sendable {
        public var to: String
        @Nullable public var teamId: String?
        @Nullable public var poolId: String?
        public var moved: Int
        public var kept: Int
        public var skipped: Int
        public var recipients: [ShareDTO]

        enum CodingKeys: String, CodingKey {
            case to, moved, kept, skipped, recipients
            case teamId = "team_id", poolId = "pool_id"
        }
    }

    public struct ShareDTO: Encodable, Sendable {
        public var userId: String
        public var count: Int

        enum CodingKeys: String, CodingKey {
            case count
            case userId = "user_id"
        }
    }

    init(_ summary: HandoverSummary) {
        revokedCredentials = summary.revokedCredentials
        kinds = summary.kinds.mapValues { kind in
            KindDTO(to: kind.to, teamId: kind.teamID?.rawValue, poolId: kind.poolID?.rawValue, moved: kind.moved, kept: kind.kept, skipped: kind.skipped,
                    recipients: kind.recipients.map { ShareDTO(userId: $0.userID.rawValue, count: $0.count) })
        }
    }
}

/// One record a handover moved.
public struct HandoverItemDTO: Encodable, Sendable {
    public var objectKind: String
    public var objectId: String
    @Nullable public var fromUserId: String?
    @Nullable public var toUserId: String?
    @Nullable public var poolId: String?

    enum CodingKeys: String, CodingKey {
        case objectKind = "object_kind", objectId = "object_id", fromUserId = "from_user_id", toUserId = "to_user_id", poolId = "pool_id"
    }

    init(_ item: HandoverItem) {
        objectKind = item.objectKind.rawValue
        objectId = item.objectID.rawValue
        fromUserId = item.from?.rawValue
        toUserId = item.to?.rawValue
        poolId = item.poolID?.rawValue
    }
}

/// `POST /handovers/preview`: what a handover would move, and where a plan would send it.
public struct HandoverPreviewDTO: Encodable, Sendable {
    public var user: UserDTO
    public var leads: KindDTO
    public var customers: KindDTO
    public var opportunities: KindDTO
    public var tasks: KindDTO
    public var warnings: [WarningDTO]

    public struct KindDTO: Encodable, Sendable {
        public var count: Int
        @Nullable public var open: Int?
        public var skipped: Int
        public var records: [RecordDTO]
        @Nullable public var plan: PlanDTO?
    }

    public struct RecordDTO: Encodable, Sendable {
        public var id: String
        public var name: String
        public var stage: String
        @Nullable public var phone: String?
        @Nullable public var email: String?
    }

    public struct PlanDTO: Encodable, Sendable {
        public var to: String
        @Nullable public var teamId: String?
        @Nullable public var poolId: String?
        public var recipients: [ShareDTO]

        enum CodingKeys: String, CodingKey {
            case to, recipients
            case teamId = "team_id", poolId = "pool_id"
        }
    }

    public struct ShareDTO: Encodable, Sendable {
        public var userId: String
        public var name: String
        public var count: Int
        public var open: Int

        enum CodingKeys: String, CodingKey {
            case name, count, open
            case userId = "user_id"
        }
    }

    public struct WarningDTO: Encodable, Sendable {
        public var userId: String
        public var poolId: String
        public var holding: Int
        public var incoming: Int
        public var limit: Int

        enum CodingKeys: String, CodingKey {
            case holding, incoming, limit
            case userId = "user_id", poolId = "pool_id"
        }
    }

    init(_ preview: HandoverUseCases.Preview) {
        user = UserDTO(preview.user)
        func kind(_ kind: HandoverKind) -> KindDTO {
            guard let found = preview.kinds.first(where: { $0.kind == kind }) else { return KindDTO(count: 0, skipped: 0, records: []) }
            return KindDTO(count: found.count, open: found.open, skipped: found.skipped,
                           records: found.records.map { RecordDTO(id: $0.id.rawValue, name: $0.name, stage: $0.stage, phone: $0.phone, email: $0.email) },
                           plan: found.plan.map(Self.plan))
        }
        leads = kind(.leads)
        customers = kind(.customers)
        opportunities = kind(.opportunities)
        tasks = kind(.tasks)
        warnings = preview.warnings.map {
            WarningDTO(userId: $0.userID.rawValue, poolId: $0.poolID.rawValue, holding: $0.holding, incoming: $0.incoming, limit: $0.limit)
        }
    }

    static func plan(_ plan: HandoverUseCases.KindPlan) -> PlanDTO {
        var teamID: String?
        var poolID: String?
        switch plan.target {
        case .users: break
        case .team(let team): teamID = team.rawValue
        case .pool(let pool): poolID = pool.rawValue
        }
        return PlanDTO(to: plan.target.name, teamId: teamID, poolId: poolID,
                       recipients: plan.recipients.map { ShareDTO(userId: $0.userID.rawValue, name: $0.name, count: $0.count, open: $0.open) })
    }
}
