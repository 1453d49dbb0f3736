import Foundation
import RapportCore
import Testing

/// Pipelines in the dictionary (validation, revision, the object's stages as the first pipeline's)
/// and the board's fold (probabilities, currencies, one rounding per column).
@Suite struct PipelineTests {
    static let opportunity = BusinessDictionary.b2b[.opportunity]!
    static let builtIn = Opportunity.builtInFields

    @Test func bothTemplatesShipThreeValidPipelinesWithProbabilities() throws {
        for template in [BusinessDictionary.education, .b2b] {
            let dictionary = try #require(template[.opportunity])
            try dictionary.validate(builtInFields: Self.builtIn)
            #expect(dictionary.pipelines.map(\.key) == ["new_sale", "renewal", "upsell"])
            #expect(dictionary.stages == dictionary.pipelines[0].stages && dictionary.initialStage == dictionary.pipelines[0].initialStage)
            for pipeline in dictionary.pipelines {
                #expect(pipeline.stages.allSatisfy { $0.probability != nil })
                #expect(pipeline.stage("won")?.category == .won && pipeline.stage("lost")?.guards == ["loss_reason"])
                // Both closing stages can be re-opened to an open stage.
                for closed in ["won", "lost"] {
                    #expect(pipeline.stage(closed)?.transitions.contains { pipeline.stage($0)?.category == .open } == true)
                }
            }
        }
    }

    @Test func pipelineProblemsAreNamedByTheirPath() {
        func problems(_ edit: (inout ObjectDictionary) -> Void) -> [String: String] {
            var dictionary = Self.opportunity
            edit(&dictionary)
            do {
                try dictionary.validate(builtInFields: Self.builtIn)
                return [:]
            } catch {
                return Dictionary(error.fieldErrors.map { ($0.field, $0.code) }, uniquingKeysWith: { first, _ in first })
            }
        }
        #expect(problems { $0.pipelines[1].key = "new_sale" } == ["pipelines[1].key": "duplicate"])
        #expect(problems { $0.pipelines[2].key = "Upsell" } == ["pipelines[2].key": "invalid"])
        #expect(problems { $0.pipelines[1].stages[0].transitions = ["nowhere"] } == ["pipelines[1].stages[0].transitions[0]": "unknown_stage"])
        #expect(problems { $0.pipelines[1].stages[1].guards = ["shoe_size"] } == ["pipelines[1].stages[1].guards[0]": "unknown_field"])
        #expect(problems { $0.pipelines[2].stages[0].probability = 120 } == ["pipelines[2].stages[0].probability": "out_of_range"])
        #expect(problems { $0.pipelines[2].initialStage = "won" } == ["pipelines[2].initial_stage": "invalid"])
        #expect(problems { $0.pipelines[0].label.en = " " } == ["pipelines[0].label.en": "required"])
        #expect(problems { for index in $0.pipelines.indices { $0.pipelines[index].archived = true } } == ["pipelines": "required"])
        #expect(problems { $0.object = .order } == ["pipelines": "invalid"])
    }

    @Test func aRevisionKeepsPipelinesAndStagesInUseArchived() {
        var edited = Self.opportunity
        edited.pipelines.removeAll { $0.key == "renewal" || $0.key == "upsell" }
        edited.pipelines[0].stages.removeAll { $0.key == "engaging" }
        for index in edited.pipelines[0].stages.indices { edited.pipelines[0].stages[index].transitions.removeAll { $0 == "engaging" } }
        let revised = Self.opportunity.revised(
            to: edited, stagesInUse: [], fieldsInUse: [], pipelineStagesInUse: ["new_sale": ["engaging"], "renewal": ["upcoming"]])
        #expect(revised.pipelines.map(\.key) == ["new_sale", "renewal"] && revised.pipelines[1].archived)
        let engaging = revised.pipelines[0].stage("engaging")
        #expect(engaging?.archived == true && engaging?.guards == [] && engaging?.transitions == ["proposal", "prospecting", "lost"])
    }

    @Test func editingTheObjectsStagesEditsTheFirstPipeline() {
        var edited = Self.opportunity
        edited.stages[0].slaDays = 3
        let aligned = edited.aligned(after: Self.opportunity)
        #expect(aligned.pipelines[0].stages[0].slaDays == 3 && aligned.stages == aligned.pipelines[0].stages)
        // When the first pipeline is edited too, it wins.
        edited.pipelines[0].stages[0].slaDays = 9
        #expect(edited.aligned(after: Self.opportunity).stages[0].slaDays == 9)
        // A dictionary saved before pipelines existed runs as one pipeline of its own stages.
        var old = Self.opportunity
        old.pipelines = []
        #expect(old.pipelinesOrDefault.map(\.key) == ["new_sale"] && old.pipelinesOrDefault[0].stages == old.stages)
    }

    @Test func theBoardWeighsEachGroupAndRoundsOncePerColumn() {
        let pipeline = Self.opportunity.pipelines[0]  // prospecting 10, engaging 30, proposal 60, negotiation 80, won 100, lost 0
        let groups = [
            PipelineBoard.Group(stage: "proposal", currency: "CNY", probabilityOverride: nil, count: 3, amountMinor: 5),  // 3.0
            PipelineBoard.Group(stage: "proposal", currency: "CNY", probabilityOverride: 45, count: 1, amountMinor: 11),  // 4.95
            PipelineBoard.Group(stage: "proposal", currency: "USD", probabilityOverride: nil, count: 1, amountMinor: 1),  // 0.6
            PipelineBoard.Group(stage: "prospecting", currency: nil, probabilityOverride: nil, count: 2, amountMinor: 0),
            PipelineBoard.Group(stage: "won", currency: "CNY", probabilityOverride: 10, count: 1, amountMinor: 700),  // closed: 100 %
            PipelineBoard.Group(stage: "gone", currency: "CNY", probabilityOverride: nil, count: 9, amountMinor: 9),  // not in the pipeline
        ]
        let board = PipelineBoard.fold(groups, pipeline: pipeline)
        #expect(board.columns.map(\.stage.key) == ["prospecting", "engaging", "proposal", "negotiation", "won", "lost"])
        let proposal = board.columns[2]
        #expect(proposal.count == 5 && proposal.amount == [Money(16, "CNY"), Money(1, "USD")])
        #expect(proposal.weighted == [Money(8, "CNY"), Money(1, "USD")])  // 7.95 → 8; 0.6 → 1
        #expect(board.columns[0].count == 2 && board.columns[0].amount.isEmpty && board.columns[4].weighted == [Money(700, "CNY")])
        #expect(board.openCount == 7 && board.openWeighted == proposal.weighted)
        let down = PipelineBoard.fold(groups, pipeline: pipeline, rounding: .down)
        #expect(down.columns[2].weighted == [Money(7, "CNY"), Money(0, "USD")])
        // Half a unit: half-up goes up, half-even to the even neighbour.
        let half = [PipelineBoard.Group(stage: "proposal", currency: "CNY", probabilityOverride: 50, count: 1, amountMinor: 5)]  // 2.5
        #expect(PipelineBoard.fold(half, pipeline: pipeline).columns[2].weighted == [Money(3, "CNY")])
        #expect(PipelineBoard.fold(half, pipeline: pipeline, rounding: .halfEven).columns[2].weighted == [Money(2, "CNY")])
        // An archived stage shows only while it holds opportunities.
        var archived = pipeline
        archived.stages[1].archived = true
        #expect(!PipelineBoard.fold([], pipeline: archived).columns.contains { $0.stage.key == "engaging" })
        let held = [PipelineBoard.Group(stage: "engaging", currency: nil, probabilityOverride: nil, count: 1, amountMinor: 0)]
        #expect(PipelineBoard.fold(held, pipeline: archived).columns.contains { $0.stage.key == "engaging" })
    }

    @Test func anOpportunitysProbabilityAndWeightedAmount() {
        let pipeline = Self.opportunity.pipelines[0]
        var deal = Opportunity(
            id: RecordID(trusted: "opp_x"), name: "Deal", customerID: RecordID(trusted: "cus_x"), pipeline: "new_sale", stage: "proposal",
            stageEnteredAt: Date(timeIntervalSince1970: 0), amount: Money(333, "CNY"), ownerID: RecordID(trusted: "usr_x"),
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        #expect(deal.probability(in: pipeline) == 60 && deal.weightedAmount(in: pipeline) == Money(200, "CNY"))  // 199.8
        deal.probabilityOverride = 15
        #expect(deal.probability(in: pipeline) == 15 && deal.weightedAmount(in: pipeline) == Money(50, "CNY"))  // 49.95
        deal.stage = "lost"
        deal.statusCategory = .lost
        #expect(deal.probability(in: pipeline) == 0)
        deal.amount = nil
        #expect(deal.weightedAmount(in: pipeline) == nil && !deal.filledFields.contains("amount"))
    }
}
