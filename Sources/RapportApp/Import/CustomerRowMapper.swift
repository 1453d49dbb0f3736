import Foundation
import RapportCore
import RapportStorage

/// Turns one CSV record into customer input by the import's column mapping, and field errors back
/// into the file's own column names. Pure, so a million rows cost no queries.
struct CustomerRowMapper: Sendable {
    /// Column index → field, resolved against the file's header.
    let columns: [(index: Int, header: String, field: String)]
    let dictionary: ObjectDictionary
    /// Users the importer may assign (lowercased email and id → id, team).
    let users: [String: (id: RecordID, team: RecordID?)]
    /// Teams by key and id.
    let teams: [String: RecordID]
    /// Stage keys by key and by label in both languages (lowercased).
    let stages: [String: String]

    init(columns: [ImportColumn], header: [String], dictionary: ObjectDictionary, users: [String: (id: RecordID, team: RecordID?)],
         teams: [String: RecordID]) throws(RapportError) {
        self.columns = try ImportRowMapping.resolve(columns, header: header)
        self.dictionary = dictionary
        self.users = users
        self.teams = teams
        var stages: [String: String] = [:]
        for stage in dictionary.stages where !stage.archived {
            for name in [stage.key, stage.label.zhHans, stage.label.en] { stages[name.lowercased()] = stage.key }
        }
        self.stages = stages
    }

    /// The input for one record, the errors found while reading it (named by column header), and
    /// a translation of the use-case field names (`contacts[2].value`, `custom_fields.grade`) to headers.
    func input(_ fields: [String]) -> (input: CustomerInput, errors: [FieldError], headers: [String: String]) {
        var input = CustomerInput(kind: "person", contacts: [], tags: [])
        var errors: [FieldError] = []
        var headers: [String: String] = [:]
        var custom: [String: JSONValue] = [:]
        func error(_ header: String, _ code: String, _ message: String) { errors.append(FieldError(field: header, code: code, message: message)) }
        for column in columns {
            let raw = column.index < fields.count ? fields[column.index].trimmingWhitespace() : ""
            if !CustomerImportFields.repeatable.contains(column.field) { headers[column.field] = column.header }
            if raw.isEmpty { continue }
            switch column.field {
            case "name": input.name = raw; headers["name"] = column.header
            case "kind":
                let lower = raw.lowercased()
                input.kind = ["organisation", "organization", "company", "org", "企业", "公司", "机构"].contains(lower) ? "organisation"
                    : ["person", "individual", "个人"].contains(lower) ? "person" : raw
                headers["kind"] = column.header
            case "company": input.company = .some(raw); headers["company"] = column.header
            case "title": input.title = .some(raw); headers["title"] = column.header
            case "source": input.source = .some(raw); headers["source"] = column.header
            case "value_tier": input.valueTier = .some(raw); headers["value_tier"] = column.header
            case "do_not_contact_reason": input.doNotContactReason = .some(raw); headers["do_not_contact_reason"] = column.header
            case "id_number": input.idNumber = .some(raw); headers["id_number"] = column.header
            case "external_ref": input.externalRef = .some(raw); headers["external_ref"] = column.header
            case "score":
                if let value = Int64(raw) ?? Double(raw).flatMap({ $0.isFinite && abs($0) < 1e12 ? Int64($0.rounded()) : nil }) {
                    input.score = .some(value)
                    headers["score"] = column.header
                } else { error(column.header, "invalid", "\(column.header): \"\(raw)\" is not a number.") }
            case "do_not_contact":
                if let value = Self.bool(raw) { input.doNotContact = value } else {
                    error(column.header, "invalid", "\(column.header): use yes/no, true/false, 1/0 or 是/否.")
                }
            case "stage":
                if let key = stages[raw.lowercased()] { input.stage = key } else {
                    error(column.header, "invalid", "\(column.header): \"\(raw)\" is not a stage of the customer dictionary.")
                }
            case "owner":
                if let user = users[raw.lowercased()] ?? users[raw] { input.owner = .some(user.id.rawValue) } else {
                    error(column.header, "invalid", "\(column.header): no active user you may assign customers to is \"\(raw)\".")
                }
            case "team":
                if let team = teams[raw] ?? teams[raw.lowercased()] { input.team = .some(team.rawValue) } else {
                    error(column.header, "invalid", "\(column.header): no team \"\(raw)\".")
                }
            case "phone", "email", "wechat_openid", "wechat_unionid", "address":
                let values = column.field == "address" ? [raw] : Self.split(raw)
                for value in values {
                    headers["contacts[\(input.contacts!.count)]"] = column.header
                    input.contacts!.append(.init(kind: column.field, value: value))
                }
            case "tags":
                input.tags! += Self.split(raw)
                headers["tags"] = column.header
            default:
                guard column.field.hasPrefix("custom_fields.") else { continue }
                let key = String(column.field.dropFirst("custom_fields.".count))
                headers["custom_fields.\(key)"] = column.header
                custom[key] = Self.customValue(raw, field: dictionary.field(key))
            }
        }
        if !custom.isEmpty { input.customFields = custom }
        if input.tags?.isEmpty == true { input.tags = nil }
        return (input, errors, headers)
    }

    /// Names a use-case field error by the file's column.
    static func rename(_ error: FieldError, _ headers: [String: String]) -> FieldError {
        var error = error
        let field = error.field
        if let header = headers[field] {
            error.field = header
        } else if let bracket = field.range(of: "]"), let header = headers[String(field[..<bracket.upperBound])] {
            error.field = header
        } else if field.hasPrefix("tags"), let header = headers["tags"] {
            error.field = header
        }
        return error
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "y", "true", "t", "1", "是", "对": true
        case "no", "n", "false", "f", "0", "否", "不": false
        default: nil
        }
    }

    /// Several values in one cell: `;`, `；`, `|` or `,` separate them.
    static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "；" || $0 == "|" || $0 == "," || $0 == "，" })
            .map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// A cell as the JSON value its custom field expects (the dictionary's validation checks it).
    static func customValue(_ raw: String, field: FieldDefinition?) -> JSONValue {
        guard let field else { return .string(raw) }
        switch field.type {
        case .number:
            if let integer = Int64(raw) { return .integer(integer) }
            if let double = Double(raw), double.isFinite { return .double(double) }
            return .string(raw)
        case .bool:
            return bool(raw).map(JSONValue.bool) ?? .string(raw)
        case .multiEnum:
            return .array(split(raw).map(JSONValue.string))
        case .money:
            var text = raw.uppercased()
            var currency = field.currency ?? "CNY"
            if let code = text.split(separator: " ").first(where: { $0.count == 3 && $0.allSatisfy(\.isLetter) }) {
                currency = String(code)
                text = text.replacingOccurrences(of: String(code), with: "")
            }
            text = String(text.filter { $0.isNumber || $0 == "." || $0 == "-" })
            guard let decimal = Decimal(string: text), let minor = Int64(exactly: NSDecimalNumber(decimal: decimal * 100).doubleValue.rounded()) else {
                return .string(raw)
            }
            return .object(["amount_minor": .integer(minor), "currency": .string(currency)])
        case .enum:
            let option = field.options.first { $0.key == raw || $0.label.zhHans == raw || $0.label.en.lowercased() == raw.lowercased() }
            return .string(option?.key ?? raw)
        default:
            return .string(raw)
        }
    }
}
