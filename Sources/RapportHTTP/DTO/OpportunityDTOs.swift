import Foundation
import RapportApp
import RapportCore

/// An opportunity as the API shows it: money as `{"amount_minor", "currency"}`, the expected close
/// as a date `YYYY-MM-DD`, the probability now and the weighted amount, lines and collaborators.
public struct OpportunityDTO: Encodable, Sendable {
    public var id: String
    public var name: String
    @Nullable public var customerId: String?
    public var pipeline: String
    public var stage: String
    public var status: String
    public var stageEnteredAt: Date
    @Nullable public var amount: Money?
    @Nullable public var expectedCloseDate: String?
    public var ownerId: String
    @Nullable public var teamId: String?
    @Nullable public var source: String?
    @Nullable public var lossReason: String?
    public var competitors: [String]
    public var customFields: [String: JSONValue]
    public var probability: Int
    @Nullable public var probabilityOverride: Int?
    @Nullable public var weightedAmount: Money?
    public var lines: [OpportunityLineDTO]
    public var collaborators: [CollaboratorDTO]
    @Nullable public var closedAt: Date?
    public var version: Int64
    @Nullable public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date
    @Nullable public var externalRef: String?

    enum CodingKeys: String, CodingKey {
        case id, name, pipeline, stage, status, amount, source, competitors, probability, lines, collaborators, version
        case externalRef = "external_ref"
        case customerId = "customer_id", stageEnteredAt = "stage_entered_at", expectedCloseDate = "expected_close_date"
        case ownerId = "owner_id", teamId = "team_id", lossReason = "loss_reason", customFields = "custom_fields"
        case probabilityOverride = "probability_override", weightedAmount = "weighted_amount", closedAt = "closed_at"
        case createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(_ item: OpportunityUseCases.Item) {
        let opportunity = item.opportunity
        id = opportunity.id.rawValue
        name = opportunity.name
        customerId = opportunity.customerID?.rawValue
        pipeline = opportunity.pipeline
        stage = opportunity.stage
        status = opportunity.statusCategory.rawValue
        stageEnteredAt = opportunity.stageEnteredAt
        amount = opportunity.amount
        expectedCloseDate = opportunity.expectedCloseDate
        ownerId = opportunity.ownerID.rawValue
        teamId = opportunity.teamID?.rawValue
        source = opportunity.source
        lossReason = opportunity.lossReason
        competitors = opportunity.competitors
        customFields = opportunity.customFields
        probability = item.probability
        probabilityOverride = opportunity.probabilityOverride
        weightedAmount = item.weightedAmount
        lines = opportunity.lines.map(OpportunityLineDTO.init)
        collaborators = item.collaborators.map(CollaboratorDTO.init)
        closedAt = opportunity.closedAt
        version = opportunity.version
        createdBy = opportunity.createdBy?.rawValue
        createdAt = opportunity.createdAt
        updatedAt = opportunity.updatedAt
        externalRef = opportunity.externalRef
    }
}

public struct OpportunityLineDTO: Encodable, Sendable {
    public var sku: String
    public var quantity: Int64
    public var unitPrice: Money
    @Nullable public var total: Money?

    enum CodingKeys: String, CodingKey {
        case sku, quantity, total
        case unitPrice = "unit_price"
    }

    init(_ line: OpportunityLine) {
        sku = line.sku
        quantity = line.quantity
        unitPrice = line.unitPrice
        total = line.total
    }
}

public struct CollaboratorDTO: Encodable, Sendable {
    public var userId: String
    public var access: String
    public var addedAt: Date

    enum CodingKeys: String, CodingKey {
        case access
        case userId = "user_id", addedAt = "added_at"
    }

    init(_ collaborator: OpportunityCollaborator) {
        userId = collaborator.userID.rawValue
        access = collaborator.access.rawValue
        addedAt = collaborator.addedAt
    }
}

/// A pipeline with the dictionary version it belongs to (edit it with `PUT /dictionary/opportunity`).
public struct PipelineDTO: Encodable, Sendable {
    public var key: String
    public var label: LocalizedText
    @Nullable public var definition: LocalizedText?
    public var initialStage: String
    public var stages: [StageDefinition]
    public var archived: Bool
    public var dictionaryVersion: Int64

    enum CodingKeys: String, CodingKey {
        case key, label, definition, stages, archived
        case initialStage = "initial_stage", dictionaryVersion = "dictionary_version"
    }

    init(_ pipeline: PipelineDefinition, version: Int64) {
        key = pipeline.key
        label = pipeline.label
        definition = pipeline.definition
        initialStage = pipeline.initialStage
        stages = pipeline.stages
        archived = pipeline.archived
        dictionaryVersion = version
    }
}

/// The kanban of a pipeline: a column per stage with its sums and first cards, and the open total.
public struct BoardDTO: Encodable, Sendable {
    public struct Column: Encodable, Sendable {
        public var stage: String
        public var label: LocalizedText
        public var category: String
        public var probability: Int
        public var archived: Bool
        public var count: Int
        public var amount: [Money]
        public var weightedAmount: [Money]
        public var cards: [OpportunityDTO]

        enum CodingKeys: String, CodingKey {
            case stage, label, category, probability, archived, count, amount, cards
            case weightedAmount = "weighted_amount"
        }
    }

    public var pipeline: String
    public var label: LocalizedText
    public var rounding: String
    public var columns: [Column]
    public var openCount: Int
    public var openAmount: [Money]
    public var openWeightedAmount: [Money]

    enum CodingKeys: String, CodingKey {
        case pipeline, label, rounding, columns
        case openCount = "open_count", openAmount = "open_amount", openWeightedAmount = "open_weighted_amount"
    }

    init(_ board: OpportunityUseCases.Board) {
        pipeline = board.pipeline.key
        label = board.pipeline.label
        rounding = Rounding.halfUp.rawValue
        columns = board.summary.columns.map { column in
            Column(stage: column.stage.key, label: column.stage.label, category: column.stage.category.rawValue, probability: column.probability,
                   archived: column.stage.archived, count: column.count, amount: column.amount, weightedAmount: column.weighted,
                   cards: (board.cards[column.stage.key] ?? []).map(OpportunityDTO.init))
        }
        openCount = board.summary.openCount
        openAmount = board.summary.openAmount
        openWeightedAmount = board.summary.openWeighted
    }
}
