extension FieldDefinition {
    /// The largest `max_length` a text field may declare.
    public static let maxMaxLength = 10_000

    /// Structural problems of this field definition (its key's uniqueness is the dictionary's concern),
    /// with paths below `path` (e.g. `fields[3].options[1].key`).
    func problems(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) {
            errors.append(FieldError(field: field, code: code, message: message))
        }

        if !DictionaryKey.isValid(key) {
            add("\(path).key", "invalid", "A field key is a lowercase letter followed by up to 63 of a-z, 0-9 and _.")
        }
        errors += label.problems(path: "\(path).label")
        if let definition { errors += definition.problems(path: "\(path).definition", maxLength: 2000) }

        // Options: only for enum types, which need at least one that is not archived.
        if type.hasOptions {
            if !options.contains(where: { !$0.archived }) {
                add("\(path).options", "required", "An \(type.rawValue) field needs at least one option that is not archived.")
            }
            var seen: Set<String> = []
            for (index, option) in options.enumerated() {
                let optionPath = "\(path).options[\(index)]"
                if !DictionaryKey.isValid(option.key) {
                    add("\(optionPath).key", "invalid", "An option key is a lowercase letter followed by up to 63 of a-z, 0-9 and _.")
                } else if !seen.insert(option.key).inserted {
                    add("\(optionPath).key", "duplicate", "Option \(option.key) is defined twice.")
                }
                errors += option.label.problems(path: "\(optionPath).label")
            }
        } else if !options.isEmpty {
            add("\(path).options", "invalid", "Only enum and multi_enum fields have options.")
        }

        // Text length.
        if let maxLength {
            if type != .text {
                add("\(path).max_length", "invalid", "Only text fields have a max_length.")
            } else if !(1...Self.maxMaxLength).contains(maxLength) {
                add("\(path).max_length", "out_of_range", "max_length must be between 1 and \(Self.maxMaxLength).")
            }
        }

        // Numeric bounds.
        if minimum != nil || maximum != nil {
            if type != .number && type != .money {
                let member = minimum != nil ? "minimum" : "maximum"
                add("\(path).\(member)", "invalid", "Only number and money fields have bounds.")
            } else {
                if let minimum, !minimum.isFinite { add("\(path).minimum", "invalid", "minimum must be a finite number.") }
                if let maximum, !maximum.isFinite { add("\(path).maximum", "invalid", "maximum must be a finite number.") }
                if let minimum, let maximum, minimum.isFinite, maximum.isFinite, minimum > maximum {
                    add("\(path).maximum", "out_of_range", "maximum must not be less than minimum.")
                }
            }
        }

        // Currency.
        if let currency {
            if type != .money {
                add("\(path).currency", "invalid", "Only money fields have a currency.")
            } else if !Self.isCurrencyCode(currency) {
                add("\(path).currency", "invalid", "A currency is an ISO 4217 code of three capital letters, e.g. CNY.")
            }
        }

        // Link target.
        if type == .recordLink {
            if linkTo == nil { add("\(path).link_to", "required", "A record_link field names the object it links to.") }
        } else if linkTo != nil {
            add("\(path).link_to", "invalid", "Only record_link fields have link_to.")
        }
        return errors
    }

    /// Whether `text` has the shape of an ISO 4217 code: three capital ASCII letters.
    public static func isCurrencyCode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 3 && bytes.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }
}
