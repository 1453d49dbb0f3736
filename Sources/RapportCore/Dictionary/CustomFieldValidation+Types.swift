extension CustomFieldValidation {
    /// The normal form of one value for `field`, `.null` when the value clears the field.
    func normalise(_ value: JSONValue, for field: FieldDefinition) -> Result<JSONValue, Problem> {
        if case .null = value { return .success(.null) }
        switch field.type {
        case .text: return text(value, field)
        case .number: return number(value, field)
        case .money: return money(value, field)
        case .date: return string(value, field, expected: "a date (YYYY-MM-DD)") { Self.isCalendarDate($0) ? .string($0) : nil }
        case .enum:
            guard case .string(let raw) = value else { return .failure(.typeMismatch(field, value, expected: "an option key")) }
            let key = raw.trimmingWhitespace()
            if key.isEmpty { return .success(.null) }
            return option(key, field).map(JSONValue.string)
        case .multiEnum: return options(value, field)
        case .bool:
            guard case .bool = value else { return .failure(.typeMismatch(field, value, expected: "true or false")) }
            return .success(value)
        case .phone: return string(value, field, expected: "a phone number") { normalisePhone($0).map(JSONValue.string) }
        case .email: return string(value, field, expected: "an e-mail address") { normaliseEmail($0).map(JSONValue.string) }
        case .user:
            return string(value, field, expected: "a user id") { RecordID(parsing: $0, prefix: .user).map { .string($0.rawValue) } }
        case .recordLink:
            guard let target = field.linkTo else { return .failure(Problem("invalid", "\(field.key) links to no object.")) }
            return string(value, field, expected: "the id of a \(target.rawValue)") {
                RecordID(parsing: $0, prefix: target.idPrefix).map { .string($0.rawValue) }
            }
        }
    }

    private func text(_ value: JSONValue, _ field: FieldDefinition) -> Result<JSONValue, Problem> {
        guard case .string(let raw) = value else { return .failure(.typeMismatch(field, value, expected: "text")) }
        let trimmed = raw.trimmingWhitespace()
        if trimmed.isEmpty { return .success(.null) }
        let limit = field.maxLength ?? FieldDefinition.defaultMaxLength
        if trimmed.count > limit {
            return .failure(Problem("too_long", "\(field.key) must be at most \(limit) characters."))
        }
        let allowed: Set<Unicode.Scalar> = ["\n", "\r", "\t"]
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowed.contains($0) }) {
            return .failure(Problem("invalid", "\(field.key) must not contain control characters."))
        }
        return .success(.string(trimmed))
    }

    private func number(_ value: JSONValue, _ field: FieldDefinition) -> Result<JSONValue, Problem> {
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .double(let double):
            guard double.isFinite else { return .failure(Problem("invalid", "\(field.key) must be a finite number.")) }
            number = double
        case .unrepresentableNumber:
            return .failure(Problem("out_of_range", "\(field.key) is too large or too precise."))
        default:
            return .failure(.typeMismatch(field, value, expected: "a number"))
        }
        if let problem = bounds(number, field) { return .failure(problem) }
        return .success(value)
    }

    private func money(_ value: JSONValue, _ field: FieldDefinition) -> Result<JSONValue, Problem> {
        guard case .object(let members) = value else {
            return .failure(.typeMismatch(field, value, expected: #"money ({"amount_minor": …, "currency": "…"})"#))
        }
        if let extra = members.keys.sorted().first(where: { $0 != "amount_minor" && $0 != "currency" }) {
            return .failure(Problem("invalid", "\(field.key) has an unknown member \(extra)."))
        }
        let amount: Int64
        switch members["amount_minor"] {
        case .integer(let integer)?: amount = integer
        case .double(let double)? where double.isFinite && double == double.rounded() && abs(double) < 9_007_199_254_740_992:
            amount = Int64(double)
        case .unrepresentableNumber?:
            return .failure(Problem("out_of_range", "\(field.key).amount_minor is too large."))
        case nil, .null?:
            return .failure(Problem("invalid", "\(field.key) needs amount_minor, an integer number of minor units."))
        default:
            return .failure(Problem("invalid", "\(field.key).amount_minor must be an integer number of minor units."))
        }
        let currency: String
        switch members["currency"] {
        case .string(let text)?:
            currency = text.trimmingWhitespace().uppercased()
            guard FieldDefinition.isCurrencyCode(currency) else {
                return .failure(Problem("invalid", "\(field.key).currency must be an ISO 4217 code such as CNY."))
            }
        case nil, .null?:
            guard let fixed = field.currency else {
                return .failure(Problem("invalid", "\(field.key) needs a currency."))
            }
            currency = fixed
        default:
            return .failure(Problem("invalid", "\(field.key).currency must be an ISO 4217 code such as CNY."))
        }
        if let fixed = field.currency, fixed != currency {
            return .failure(Problem("invalid", "\(field.key) is in \(fixed), not \(currency)."))
        }
        if let problem = bounds(Double(amount), field) { return .failure(problem) }
        return .success(.object(["amount_minor": .integer(amount), "currency": .string(currency)]))
    }

    private func options(_ value: JSONValue, _ field: FieldDefinition) -> Result<JSONValue, Problem> {
        guard case .array(let items) = value else { return .failure(.typeMismatch(field, value, expected: "an array of option keys")) }
        var keys: Set<String> = []
        for item in items {
            guard case .string(let raw) = item else { return .failure(.typeMismatch(field, item, expected: "option keys")) }
            switch option(raw.trimmingWhitespace(), field) {
            case .success(let key): keys.insert(key)
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(keys.isEmpty ? .null : .array(keys.sorted().map(JSONValue.string)))
    }

    /// `key` when it names an option of `field` that is not archived.
    private func option(_ key: String, _ field: FieldDefinition) -> Result<String, Problem> {
        guard let option = field.option(key) else { return .failure(Problem("invalid", "\(field.key) has no option \(key).")) }
        if option.archived { return .failure(Problem("archived", "Option \(key) of \(field.key) is archived.")) }
        return .success(key)
    }

    /// Trimmed text checked by `check`; a blank string clears the field.
    private func string(
        _ value: JSONValue, _ field: FieldDefinition, expected: String, _ check: (String) -> JSONValue?
    ) -> Result<JSONValue, Problem> {
        guard case .string(let raw) = value else { return .failure(.typeMismatch(field, value, expected: expected)) }
        let trimmed = raw.trimmingWhitespace()
        if trimmed.isEmpty { return .success(.null) }
        guard let clean = check(trimmed) else { return .failure(Problem("invalid", "\(field.key) must be \(expected).")) }
        return .success(clean)
    }

    private func bounds(_ number: Double, _ field: FieldDefinition) -> Problem? {
        if let minimum = field.minimum, number < minimum {
            return Problem("out_of_range", "\(field.key) must be at least \(minimum.formattedBound).")
        }
        if let maximum = field.maximum, number > maximum {
            return Problem("out_of_range", "\(field.key) must be at most \(maximum.formattedBound).")
        }
        return nil
    }
}

extension Double {
    /// A bound for messages: `100`, not `100.0`.
    fileprivate var formattedBound: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        return String(self)
    }
}

extension CustomFieldValidation {
    /// Whether `text` is a real proleptic-Gregorian date `YYYY-MM-DD` with a year from 0001 to 9999.
    public static func isCalendarDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var result = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                result = result * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return result
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              year >= 1, (1...12).contains(month), day >= 1
        else { return false }
        return day <= daysIn(month: month, year: year)
    }

    /// The number of days of `month` (1...12) in `year`.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
