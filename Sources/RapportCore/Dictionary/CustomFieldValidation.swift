/// Checks and normalises custom-field values against an object's ``FieldDefinition``s.
///
/// Normal forms: text trimmed; number finite (`integer` or `double` as sent); money
/// `{"amount_minor": Int, "currency": "CNY"}`; date `"YYYY-MM-DD"` (a real calendar date); enum an
/// option key; multi_enum a sorted, de-duplicated array of option keys; bool; phone and email by the
/// normalisers passed in; user a `usr_…` id; record_link an id with the target's prefix.
/// `null`, an empty or blank string and an empty multi_enum array clear a field (normalised to `null`).
public struct CustomFieldValidation: Sendable {
    let normalisePhone: @Sendable (String) -> String?
    let normaliseEmail: @Sendable (String) -> String?

    /// How phone/email fields are normalised (the application passes the real normalisers in; tests pass simple closures).
    public init(normalisePhone: @escaping @Sendable (String) -> String?, normaliseEmail: @escaping @Sendable (String) -> String?) {
        self.normalisePhone = normalisePhone
        self.normaliseEmail = normaliseEmail
    }

    /// The field path of a custom field's value in requests and errors: `custom_fields.<key>`.
    public static func path(_ key: String) -> String { "custom_fields.\(key)" }

    /// Validates `values` (custom-field key → JSON value) against `fields`. Returns the normalised values
    /// (a cleared field maps to `null`).
    ///
    /// Unknown keys, archived fields (for new values), archived options, wrong types, out-of-range or too
    /// long values fail with a `FieldError` at `custom_fields.<key>` and one of the codes
    /// `unknown_field`, `archived`, `type_mismatch`, `invalid`, `too_long`, `out_of_range`, `required`.
    /// Clearing a required field is `required`; when `requireRequired` (create), so is leaving out a
    /// required field that is not archived.
    public func validate(
        _ values: [String: JSONValue], against fields: [FieldDefinition], requireRequired: Bool
    ) -> Result<[String: JSONValue], RapportError> {
        var normalised: [String: JSONValue] = [:]
        var errors: [FieldError] = []
        let byKey = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

        for key in values.keys.sorted() {
            let value = values[key]!
            let path = Self.path(key)
            guard let field = byKey[key] else {
                errors.append(FieldError(field: path, code: "unknown_field", message: "There is no custom field \(key)."))
                continue
            }
            let result = normalise(value, for: field)
            if field.archived, result != .success(.null) {
                errors.append(FieldError(field: path, code: "archived", message: "\(key) is archived and takes no new values."))
                continue
            }
            switch result {
            case .success(.null):
                if field.required {
                    errors.append(FieldError(field: path, code: "required", message: "\(key) is required and cannot be cleared."))
                } else {
                    normalised[key] = .null
                }
            case .success(let clean):
                normalised[key] = clean
            case .failure(let problem):
                errors.append(FieldError(field: path, code: problem.code, message: problem.message))
            }
        }

        if requireRequired {
            for field in fields where field.required && !field.archived && values[field.key] == nil {
                errors.append(FieldError(field: Self.path(field.key), code: "required", message: "\(field.key) is required."))
            }
        }
        return errors.isEmpty ? .success(normalised) : .failure(.validation(errors))
    }

    /// The keys of `values` that hold a non-empty value: what ``LifecycleEngine/apply(_:to:filled:)``
    /// takes as filled (add the filled built-in fields).
    public static func filledKeys(_ values: [String: JSONValue]) -> Set<String> {
        Set(values.compactMap { key, value in isFilled(value) ? key : nil })
    }

    /// Whether a value counts as filled: not null, not a blank string, not an empty array or object.
    public static func isFilled(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .unrepresentableNumber: false
        case .string(let text): !text.trimmingWhitespace().isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        case .bool, .integer, .double: true
        }
    }
}

extension CustomFieldValidation {
    /// Why one value was refused: a stable code and a message.
    struct Problem: Error, Equatable {
        var code: String
        var message: String

        init(_ code: String, _ message: String) {
            self.code = code
            self.message = message
        }

        static func typeMismatch(_ field: FieldDefinition, _ value: JSONValue, expected: String) -> Problem {
            Problem("type_mismatch", "\(field.key) takes \(expected), not a \(value.typeName).")
        }
    }
}
