/// One sales pipeline (新签, 续费, 增购…): its own ordered stages, each with a probability, a
/// category (open, won, lost) and guards. An object with pipelines (opportunities) runs every record
/// on the stages of the pipeline it belongs to.
///
/// JSON: `{"key": "new_sale", "label": {…}, "initial_stage": "qualify", "stages": […]}`;
/// `definition` and `archived` may be omitted.
public struct PipelineDefinition: Sendable, Codable, Equatable {
    /// A stable key: `[a-z][a-z0-9_]{0,63}`. Records store it.
    public var key: String
    /// The name shown to people.
    public var label: LocalizedText
    /// What the pipeline is for.
    public var definition: LocalizedText?
    /// The stage a record starts in when it is created without naming one (an open stage).
    public var initialStage: String
    /// The stages, in display order (archived ones included).
    public var stages: [StageDefinition]
    /// An archived pipeline takes no new records; records in it stay and still move.
    public var archived: Bool

    public init(
        key: String, label: LocalizedText, definition: LocalizedText? = nil, initialStage: String, stages: [StageDefinition],
        archived: Bool = false
    ) {
        self.key = key
        self.label = label
        self.definition = definition
        self.initialStage = initialStage
        self.stages = stages
        self.archived = archived
    }

    /// The stage with `key`, archived or not.
    public func stage(_ key: String) -> StageDefinition? { stages.first { $0.key == key } }

    /// The pipeline as a stage machine of `object` with the object's custom `fields`: what the
    /// ``LifecycleEngine`` runs and what guards are checked against.
    public func stageMachine(of object: DictionaryObject, fields: [FieldDefinition]) -> ObjectDictionary {
        ObjectDictionary(object: object, initialStage: initialStage, stages: stages, fields: fields)
    }

    /// The chance of winning in `stage`: its probability, else 100 for a won stage and 0 otherwise.
    public func probability(of stage: String) -> Int {
        guard let definition = self.stage(stage) else { return 0 }
        return definition.probability ?? (definition.category == .won ? 100 : 0)
    }

    enum CodingKeys: String, CodingKey {
        case key, label, definition
        case initialStage = "initial_stage"
        case stages, archived
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        label = try container.decode(LocalizedText.self, forKey: .label)
        definition = try container.decodeIfPresent(LocalizedText.self, forKey: .definition)
        initialStage = try container.decode(String.self, forKey: .initialStage)
        stages = try container.decode([StageDefinition].self, forKey: .stages)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
    }
}
