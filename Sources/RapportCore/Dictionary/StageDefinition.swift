/// One concrete stage of an object's stage machine, as a company defines it.
///
/// JSON uses snake_case keys (`sla_days`); `transitions`, `guards` and `archived` may be omitted
/// (empty, empty, false).
public struct StageDefinition: Sendable, Codable, Equatable {
    /// A stable key: `[a-z][a-z0-9_]{0,63}`. Records store it; labels may change, keys do not.
    public var key: String
    /// The name shown to people.
    public var label: LocalizedText
    /// The written definition of the term: when a record is in this stage.
    public var definition: LocalizedText?
    /// What reaching the stage means (open, won, lost, dormant).
    public var category: StageCategory
    /// The generic lifecycle stage this one maps onto, if any.
    public var lifecycle: GenericLifecycle?
    /// Keys of the stages a record in this stage may move to.
    public var transitions: [String]
    /// Keys of fields (custom or built-in) that must be filled to enter this stage.
    public var guards: [String]
    /// The expected maximum number of days a record stays in this stage.
    public var slaDays: Int?
    /// The chance of winning, 0...100 (opportunities).
    public var probability: Int?
    /// An archived stage is no longer entered, but records in it and history naming it stay valid.
    public var archived: Bool

    public init(
        key: String, label: LocalizedText, definition: LocalizedText? = nil, category: StageCategory,
        lifecycle: GenericLifecycle? = nil, transitions: [String] = [], guards: [String] = [],
        slaDays: Int? = nil, probability: Int? = nil, archived: Bool = false
    ) {
        self.key = key
        self.label = label
        self.definition = definition
        self.category = category
        self.lifecycle = lifecycle
        self.transitions = transitions
        self.guards = guards
        self.slaDays = slaDays
        self.probability = probability
        self.archived = archived
    }

    enum CodingKeys: String, CodingKey {
        case key, label, definition, category, lifecycle, transitions, guards
        case slaDays = "sla_days"
        case probability, archived
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        label = try container.decode(LocalizedText.self, forKey: .label)
        definition = try container.decodeIfPresent(LocalizedText.self, forKey: .definition)
        category = try container.decode(StageCategory.self, forKey: .category)
        lifecycle = try container.decodeIfPresent(GenericLifecycle.self, forKey: .lifecycle)
        transitions = try container.decodeIfPresent([String].self, forKey: .transitions) ?? []
        guards = try container.decodeIfPresent([String].self, forKey: .guards) ?? []
        slaDays = try container.decodeIfPresent(Int.self, forKey: .slaDays)
        probability = try container.decodeIfPresent(Int.self, forKey: .probability)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
    }
}

/// The shape shared by stage, field and option keys: a lowercase letter, then up to 63 of `a-z 0-9 _`.
public enum DictionaryKey {
    /// The longest key, in characters.
    public static let maxLength = 64

    /// Whether `text` is a well-formed key (`[a-z][a-z0-9_]{0,63}`).
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...maxLength).contains(bytes.count), let first = bytes.first, isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
}
