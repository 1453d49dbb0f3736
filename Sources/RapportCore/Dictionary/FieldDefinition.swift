/// The type of a custom field, which decides what values it accepts (see ``CustomFieldValidation``).
public enum FieldType: String, Sendable, Codable, CaseIterable {
    /// Trimmed text, at most `max_length` characters.
    case text
    /// A finite number within `minimum`…`maximum`.
    case number
    /// `{"amount_minor": Int, "currency": "CNY"}`; `currency` on the field fixes the currency.
    case money
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// One option key.
    case `enum`
    /// A set of option keys.
    case multiEnum = "multi_enum"
    /// `true` or `false`.
    case bool
    /// A phone number, normalised (E.164).
    case phone
    /// An e-mail address, normalised.
    case email
    /// A user id (`usr_…`).
    case user
    /// The id of a record of the `link_to` object.
    case recordLink = "record_link"

    /// Whether the type takes values from an option list.
    public var hasOptions: Bool { self == .enum || self == .multiEnum }
}

/// One choice of an `enum` or `multi_enum` field.
public struct FieldOption: Sendable, Codable, Equatable {
    /// A stable key: `[a-z][a-z0-9_]{0,63}`; values store it.
    public var key: String
    /// The name shown to people.
    public var label: LocalizedText
    /// An archived option is no longer chosen, but values holding it stay valid.
    public var archived: Bool

    public init(key: String, label: LocalizedText, archived: Bool = false) {
        self.key = key
        self.label = label
        self.archived = archived
    }

    enum CodingKeys: String, CodingKey {
        case key, label, archived
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        label = try container.decode(LocalizedText.self, forKey: .label)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
    }
}

/// A custom field of an object, with its type, constraints and the written definition of the term.
///
/// JSON uses snake_case keys (`max_length`, `link_to`); `required`, `options` and `archived` may be
/// omitted (false, empty, false).
public struct FieldDefinition: Sendable, Codable, Equatable {
    /// A stable key: `[a-z][a-z0-9_]{0,63}`; the API shows the value as `custom_fields.<key>`.
    public var key: String
    /// The name shown to people.
    public var label: LocalizedText
    /// The written definition of the term.
    public var definition: LocalizedText?
    /// What values the field accepts.
    public var type: FieldType
    /// Whether a record must have a value (checked on create, and when clearing).
    public var required: Bool
    /// The choices of an `enum` or `multi_enum` field, in display order.
    public var options: [FieldOption]
    /// The most characters of a `text` field (default ``FieldDefinition/defaultMaxLength``).
    public var maxLength: Int?
    /// The smallest value of a `number` field, or of a `money` field in minor units.
    public var minimum: Double?
    /// The largest value of a `number` field, or of a `money` field in minor units.
    public var maximum: Double?
    /// A `money` field's fixed ISO 4217 currency, or nil for any currency.
    public var currency: String?
    /// The object a `record_link` field points to.
    public var linkTo: DictionaryObject?
    /// An archived field takes no new values; existing values stay.
    public var archived: Bool

    /// The most characters of a `text` field without `max_length`.
    public static let defaultMaxLength = 2000

    public init(
        key: String, label: LocalizedText, definition: LocalizedText? = nil, type: FieldType,
        required: Bool = false, options: [FieldOption] = [], maxLength: Int? = nil,
        minimum: Double? = nil, maximum: Double? = nil, currency: String? = nil,
        linkTo: DictionaryObject? = nil, archived: Bool = false
    ) {
        self.key = key
        self.label = label
        self.definition = definition
        self.type = type
        self.required = required
        self.options = options
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.currency = currency
        self.linkTo = linkTo
        self.archived = archived
    }

    /// The option with `key`, archived or not.
    public func option(_ key: String) -> FieldOption? { options.first { $0.key == key } }

    enum CodingKeys: String, CodingKey {
        case key, label, definition, type, required, options
        case maxLength = "max_length"
        case minimum, maximum, currency
        case linkTo = "link_to"
        case archived
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        label = try container.decode(LocalizedText.self, forKey: .label)
        definition = try container.decodeIfPresent(LocalizedText.self, forKey: .definition)
        type = try container.decode(FieldType.self, forKey: .type)
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
        options = try container.decodeIfPresent([FieldOption].self, forKey: .options) ?? []
        maxLength = try container.decodeIfPresent(Int.self, forKey: .maxLength)
        minimum = try container.decodeIfPresent(Double.self, forKey: .minimum)
        maximum = try container.decodeIfPresent(Double.self, forKey: .maximum)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        linkTo = try container.decodeIfPresent(DictionaryObject.self, forKey: .linkTo)
        archived = try container.decodeIfPresent(Bool.self, forKey: .archived) ?? false
    }
}
