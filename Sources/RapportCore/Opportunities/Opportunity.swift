import Foundation

/// An opportunity (商机): a possible sale to a customer, moving through the stages of one pipeline
/// of the business dictionary (新签, 续费, 增购…) until it is won or lost — and perhaps re-opened.
public struct Opportunity: Sendable, Equatable {
    public var id: RecordID
    public var name: String
    /// The customer (account) it is for; nil for an open deal without an account yet (a stage
    /// guard naming `customer_id` can require one).
    public var customerID: RecordID?
    /// The key of its pipeline in the opportunity dictionary; fixed at creation.
    public var pipeline: String
    /// The key of the current stage in that pipeline, and the stage's category.
    public var stage: String
    public var statusCategory: StageCategory
    public var stageEnteredAt: Date
    /// The expected value, once known.
    public var amount: Money?
    /// When the deal is expected to close: a calendar date `YYYY-MM-DD`, not an instant.
    public var expectedCloseDate: String?
    public var ownerID: RecordID
    public var teamID: RecordID?
    /// The channel it came from (`referral`, `web_form`, `renewal_job`, …).
    public var source: String?
    /// Why it was lost: an option key of the dictionary's `loss_reason` field.
    public var lossReason: String?
    /// Competitors the customer also considers, by name, in the order given.
    public var competitors: [String]
    public var customFields: [String: JSONValue]
    /// The owner's own chance of winning (0–100), overriding the stage's while open.
    public var probabilityOverride: Int?
    /// Products and services of the deal (SKUs as text until the catalogue links them).
    public var lines: [OpportunityLine]
    /// When it entered a won or lost stage; nil while open.
    public var closedAt: Date?
    public var version: Int64
    public var createdBy: RecordID?
    public var createdAt: Date
    public var updatedAt: Date
    /// Its id in the system it was imported from (unique), so a repeated import finds it.
    public var externalRef: String?

    public init(
        id: RecordID, name: String, customerID: RecordID?, pipeline: String, stage: String, statusCategory: StageCategory = .open,
        stageEnteredAt: Date, amount: Money? = nil, expectedCloseDate: String? = nil, ownerID: RecordID, teamID: RecordID? = nil,
        source: String? = nil, lossReason: String? = nil, competitors: [String] = [], customFields: [String: JSONValue] = [:],
        probabilityOverride: Int? = nil, lines: [OpportunityLine] = [], closedAt: Date? = nil, version: Int64 = 1, createdBy: RecordID? = nil,
        createdAt: Date, updatedAt: Date, externalRef: String? = nil
    ) {
        self.externalRef = externalRef
        self.id = id
        self.name = name
        self.customerID = customerID
        self.pipeline = pipeline
        self.stage = stage
        self.statusCategory = statusCategory
        self.stageEnteredAt = stageEnteredAt
        self.amount = amount
        self.expectedCloseDate = expectedCloseDate
        self.ownerID = ownerID
        self.teamID = teamID
        self.source = source
        self.lossReason = lossReason
        self.competitors = competitors
        self.customFields = customFields
        self.probabilityOverride = probabilityOverride
        self.lines = lines
        self.closedAt = closedAt
        self.version = version
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The built-in fields a stage guard may name (custom fields are named by their key).
    public static let builtInFields: Set<String> = [
        "name", "customer_id", "amount", "expected_close_date", "owner_id", "team_id", "source", "competitors",
    ]

    /// The dictionary field whose options are the loss reasons; opportunities keep its value in
    /// ``lossReason``, not among their custom fields.
    public static let lossReasonField = "loss_reason"

    /// The fields a stage guard can ask for, filled.
    public var filledFields: Set<String> {
        var filled: Set<String> = ["name", "owner_id"]
        if customerID != nil { filled.insert("customer_id") }
        if amount != nil { filled.insert("amount") }
        if expectedCloseDate != nil { filled.insert("expected_close_date") }
        if teamID != nil { filled.insert("team_id") }
        if source?.isEmpty == false { filled.insert("source") }
        if !competitors.isEmpty { filled.insert("competitors") }
        if lossReason != nil { filled.insert(Self.lossReasonField) }
        for (key, value) in customFields where !value.isEmptyValue { filled.insert(key) }
        return filled
    }

    /// The chance of winning now, 0–100: a closed opportunity its stage's (100 won, 0 lost); an open
    /// one the owner's override, else its stage's.
    public func probability(in pipeline: PipelineDefinition) -> Int {
        if !statusCategory.isClosed, let probabilityOverride { return probabilityOverride }
        return pipeline.probability(of: stage)
    }

    /// The amount weighted by the probability, rounded half-up to a minor unit; nil without an amount.
    public func weightedAmount(in pipeline: PipelineDefinition) -> Money? {
        amount.map { Money(Rounding.halfUp.scale($0.amountMinor, by: Int64(probability(in: pipeline)), over: 100), $0.currency) }
    }
}

/// One product or service of an opportunity: a SKU, a quantity and a unit price.
public struct OpportunityLine: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    public var unitPrice: Money

    public init(sku: String, quantity: Int64, unitPrice: Money) {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
    }

    /// quantity × unit price, or nil when it does not fit in 64 bits.
    public var total: Money? {
        let (product, overflow) = unitPrice.amountMinor.multipliedReportingOverflow(by: quantity)
        return overflow ? nil : Money(product, unitPrice.currency)
    }
}

/// Who else works on an opportunity, and whether they may change it.
public struct OpportunityCollaborator: Sendable, Equatable {
    public enum Access: String, Sendable, Codable, CaseIterable {
        case read
        case edit
    }

    public var userID: RecordID
    public var access: Access
    public var addedAt: Date

    public init(userID: RecordID, access: Access, addedAt: Date) {
        self.userID = userID
        self.access = access
        self.addedAt = addedAt
    }
}

extension IDPrefix {
    public static let opportunity = IDPrefix(rawValue: "opp")
}

extension ObjectKind {
    public static let opportunity = ObjectKind(rawValue: "opportunity")
}
