/// One object's part of the business dictionary: its stage machine and its custom fields.
///
/// JSON: `{"object": "lead", "initial_stage": "new", "stages": […], "fields": […]}`; an object with
/// pipelines (opportunities) adds `"pipelines": […]` (omitted when there are none).
public struct ObjectDictionary: Sendable, Codable, Equatable {
    /// The object these definitions are for.
    public var object: DictionaryObject
    /// The stage a record starts in when it is created without naming one.
    public var initialStage: String
    /// The stages, in display order (archived ones included).
    public var stages: [StageDefinition]
    /// The custom fields, in display order (archived ones included).
    public var fields: [FieldDefinition]
    /// The pipelines (opportunities only), in display order (archived ones included). When there are
    /// any, `stages` and `initial_stage` are those of the first one (see ``aligned(after:)``).
    public var pipelines: [PipelineDefinition]

    public init(
        object: DictionaryObject, initialStage: String, stages: [StageDefinition], fields: [FieldDefinition] = [],
        pipelines: [PipelineDefinition] = []
    ) {
        self.object = object
        self.initialStage = initialStage
        self.stages = stages
        self.fields = fields
        self.pipelines = pipelines
    }

    /// The stage with `key`, archived or not.
    public func stage(_ key: String) -> StageDefinition? { stages.first { $0.key == key } }

    /// The custom field with `key`, archived or not.
    public func field(_ key: String) -> FieldDefinition? { fields.first { $0.key == key } }

    /// The stages a record may still enter (not archived), in display order.
    public var activeStages: [StageDefinition] { stages.filter { !$0.archived } }

    /// The custom fields that still take new values (not archived), in display order.
    public var activeFields: [FieldDefinition] { fields.filter { !$0.archived } }

    /// Keys of the stages of `category`, in display order.
    public func stageKeys(in category: StageCategory) -> [String] {
        stages.filter { $0.category == category }.map(\.key)
    }

    enum CodingKeys: String, CodingKey {
        case object
        case initialStage = "initial_stage"
        case stages, fields, pipelines
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(DictionaryObject.self, forKey: .object)
        initialStage = try container.decode(String.self, forKey: .initialStage)
        stages = try container.decode([StageDefinition].self, forKey: .stages)
        fields = try container.decodeIfPresent([FieldDefinition].self, forKey: .fields) ?? []
        pipelines = try container.decodeIfPresent([PipelineDefinition].self, forKey: .pipelines) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(initialStage, forKey: .initialStage)
        try container.encode(stages, forKey: .stages)
        try container.encode(fields, forKey: .fields)
        if !pipelines.isEmpty { try container.encode(pipelines, forKey: .pipelines) }
    }
}
