import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension OpportunityUseCases {
    /// The pipelines of the opportunity dictionary and its version.
    public struct Pipelines: Sendable, Equatable {
        public var version: Int64
        public var pipelines: [PipelineDefinition]
    }

    /// The kanban of one pipeline in the caller's scope: per stage the count, the amount and the
    /// weighted amount per currency, and the first cards (newest first).
    public struct Board: Sendable {
        public var pipeline: PipelineDefinition
        public var summary: PipelineBoard.Summary
        /// Per stage key, the first cards.
        public var cards: [String: [Item]]
    }

    /// The most cards a board column shows, and the default.
    public static let maxCardsPerStage = 100
    public static let defaultCardsPerStage = 20

    /// Every pipeline (archived ones included, marked), with the dictionary version they belong to.
    public func pipelines(by caller: Caller) async throws -> Pipelines {
        let current = try await rapport.dictionary.get(DictionaryObject.opportunity.rawValue, by: caller)
        return Pipelines(version: current.version, pipelines: current.dictionary.pipelinesOrDefault)
    }

    /// One pipeline by key.
    public func pipeline(_ key: String, by caller: Caller) async throws -> (version: Int64, pipeline: PipelineDefinition) {
        let all = try await pipelines(by: caller)
        guard let pipeline = all.pipelines.first(where: { $0.key == key }) else { throw RapportError.notFound("pipeline") }
        return (all.version, pipeline)
    }

    /// The board of pipeline `key`, optionally for one owner or team, with up to `cards` cards per
    /// stage (1…100, default 20).
    public func board(_ key: String, owner: String? = nil, team: String? = nil, cards: Int? = nil, by caller: Caller) async throws -> Board {
        var filter = try Self.listFilter(ListQuery(owner: owner, team: team))
        var check = Validator()
        let limit = cards ?? Self.defaultCardsPerStage
        if !(1...Self.maxCardsPerStage).contains(limit) { check.add("cards", "out_of_range", "cards is from 1 to \(Self.maxCardsPerStage).") }
        try check.finish()
        let scope = try await self.filter(caller, .read)
        let (_, pipeline) = try await self.pipeline(key, by: caller)
        filter.pipeline = pipeline.key
        return try await rapport.database.read { sql in
            let dictionary = try await dictionary(sql)
            let store = OpportunityStore(sql)
            let summary = PipelineBoard.fold(try await store.boardGroups(filter, in: scope), pipeline: pipeline)
            var cards: [String: [Item]] = [:]
            for column in summary.columns where column.count > 0 {
                var stageFilter = filter
                stageFilter.stage = column.stage.key
                let found = try await store.cards(stageFilter, limit: limit, in: scope)
                let collaborators = try await store.collaborators(of: found.map(\.id))
                cards[column.stage.key] = found.map { Self.item($0, in: dictionary, collaborators: collaborators[$0.id] ?? []) }
            }
            return Board(pipeline: pipeline, summary: summary, cards: cards)
        }
    }
}
