import Foundation

/// What a rule's conditions look at: the incoming lead's routing attributes.
public struct AssignmentFacts: Sendable, Equatable {
    public var source: String?
    public var campaign: String?
    public var region: String?
    public var interest: String?
    public var score: Int64?
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?
    /// The pool the lead arrived in.
    public var poolID: RecordID?
    public var customFields: [String: JSONValue]

    public init(source: String? = nil, campaign: String? = nil, region: String? = nil, interest: String? = nil, score: Int64? = nil,
                utmSource: String? = nil, utmMedium: String? = nil, utmCampaign: String? = nil, poolID: RecordID? = nil,
                customFields: [String: JSONValue] = [:]) {
        self.source = source
        self.campaign = campaign
        self.region = region
        self.interest = interest
        self.score = score
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
        self.poolID = poolID
        self.customFields = customFields
    }

    /// The value of a condition field: text, a number, or nil when the lead has none.
    func value(of field: AssignmentCondition.Field) -> JSONValue? {
        func text(_ value: String?) -> JSONValue? { value.map(JSONValue.string) }
        return switch field {
        case .source: text(source)
        case .campaign: text(campaign)
        case .region: text(region)
        case .interest: text(interest)
        case .score: score.map(JSONValue.integer)
        case .utmSource: text(utmSource)
        case .utmMedium: text(utmMedium)
        case .utmCampaign: text(utmCampaign)
        case .pool: text(poolID?.rawValue)
        case .custom(let key): customFields[key].flatMap { $0 == .null ? nil : $0 }
        }
    }
}

/// One test of a rule: a field, an operator and a value. Text compares without regard to case;
/// a list field (a custom multi-choice) holds when any of its items does.
public struct AssignmentCondition: Sendable, Equatable, Codable {
    public enum Field: Sendable, Hashable {
        case source, campaign, region, interest, score, utmSource, utmMedium, utmCampaign, pool
        /// A custom field of the lead dictionary.
        case custom(String)

        static let named: [String: Field] = [
            "source": .source, "campaign": .campaign, "region": .region, "interest": .interest, "score": .score,
            "utm_source": .utmSource, "utm_medium": .utmMedium, "utm_campaign": .utmCampaign, "pool_id": .pool,
        ]

        /// `source`, `score`, …, or `custom.<key>`.
        public init?(name: String) {
            if let field = Self.named[name] {
                self = field
            } else if name.hasPrefix("custom."), case let key = String(name.dropFirst(7)), !key.isEmpty, key.count <= 64 {
                self = .custom(key)
            } else {
                return nil
            }
        }

        public var name: String {
            if case .custom(let key) = self { return "custom.\(key)" }
            return Self.named.first { $0.value == self }!.key
        }
    }

    public enum Operator: String, Sendable, Codable, CaseIterable {
        case equals = "eq", notEquals = "ne", oneOf = "in", noneOf = "not_in", contains
        case greaterOrEqual = "gte", lessOrEqual = "lte", greater = "gt", less = "lt"
        case present = "exists", absent = "missing"
    }

    public var field: Field
    public var op: Operator
    /// A text or number (`eq` … `lt`, `contains`), a list (`in`, `not_in`), nothing (`exists`, `missing`).
    public var value: JSONValue?

    public init(field: Field, op: Operator, value: JSONValue? = nil) {
        self.field = field
        self.op = op
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case field, op, value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .field)
        guard let field = Field(name: name) else {
            throw DecodingError.dataCorruptedError(forKey: .field, in: container, debugDescription: "Unknown field \(name).")
        }
        self.field = field
        op = try container.decode(Operator.self, forKey: .op)
        value = try container.decodeIfPresent(JSONValue.self, forKey: .value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field.name, forKey: .field)
        try container.encode(op, forKey: .op)
        try container.encodeIfPresent(value, forKey: .value)
    }

    /// Whether the value suits the operator; problems are reported under `prefix`.
    public func validate(_ prefix: String) -> [FieldError] {
        func error(_ message: String) -> [FieldError] { [FieldError(field: "\(prefix).value", code: "invalid", message: message)] }
        switch op {
        case .present, .absent:
            return value == nil || value == .null ? [] : error("\(op.rawValue) takes no value.")
        case .oneOf, .noneOf:
            guard case .array(let items)? = value, !items.isEmpty, items.count <= 500, items.allSatisfy(\.isScalar) else {
                return error("\(op.rawValue) takes a list of 1 to 500 texts or numbers.")
            }
            return []
        case .greaterOrEqual, .lessOrEqual, .greater, .less:
            return value?.number == nil ? error("\(op.rawValue) takes a number.") : []
        case .equals, .notEquals, .contains:
            guard let value, value.isScalar, value != .null else { return error("\(op.rawValue) takes a text or a number.") }
            if case .string(let text) = value, text.count > 500 { return error("The value is at most 500 characters.") }
            return []
        }
    }

    /// Whether the condition holds for `facts`.
    public func holds(for facts: AssignmentFacts) -> Bool {
        let actual = facts.value(of: field)
        switch op {
        case .present: return actual != nil
        case .absent: return actual == nil
        case .notEquals: return !(actual.map { any($0) { Self.same($0, value) } } ?? false)
        case .noneOf:
            guard case .array(let items)? = value else { return false }
            return !(actual.map { any($0) { item in items.contains { Self.same(item, $0) } } } ?? false)
        default: break
        }
        guard let actual else { return false }
        switch op {
        case .equals: return any(actual) { Self.same($0, value) }
        case .oneOf:
            guard case .array(let items)? = value else { return false }
            return any(actual) { item in items.contains { Self.same(item, $0) } }
        case .contains:
            guard let needle = value?.text?.lowercased() else { return false }
            return any(actual) { $0.text?.lowercased().contains(needle) ?? false }
        case .greaterOrEqual, .lessOrEqual, .greater, .less:
            guard let bound = value?.number else { return false }
            return any(actual) { item in
                guard let number = item.number else { return false }
                return switch op {
                case .greaterOrEqual: number >= bound
                case .lessOrEqual: number <= bound
                case .greater: number > bound
                default: number < bound
                }
            }
        default: return false
        }
    }

    /// Whether `test` holds for the value or, for a list, any of its items.
    private func any(_ actual: JSONValue, _ test: (JSONValue) -> Bool) -> Bool {
        if case .array(let items) = actual { return items.contains(where: test) }
        return test(actual)
    }

    /// Equality of scalars: text without regard to case, numbers by value, a number and its text alike.
    static func same(_ lhs: JSONValue, _ rhs: JSONValue?) -> Bool {
        guard let rhs else { return false }
        if let a = lhs.number, let b = rhs.number { return a == b }
        if let a = lhs.text, let b = rhs.text { return a.caseInsensitiveCompare(b) == .orderedSame }
        return lhs == rhs
    }
}

extension JSONValue {
    var isScalar: Bool {
        switch self {
        case .string, .integer, .double, .bool: true
        default: false
        }
    }

    /// The value as a number: integers, doubles, and text that reads as one.
    var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        case .string(let text): Double(text.trimmingWhitespace())
        default: nil
        }
    }

    /// The value as text: strings, and booleans as `true`/`false`.
    var text: String? {
        switch self {
        case .string(let text): text
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        default: nil
        }
    }
}
