import Foundation
import RapportCore
import RapportStorage

/// Turns one CSV record into lead input by the import's mapping and options: cells listed in
/// `empty_values` count as empty, sources become channel keys (the label is kept), several region
/// columns are joined, `converted` marks a historic conversion, and rows without a name take the
/// name template. Pure, so a million rows cost no queries.
struct LeadRowMapper: Sendable {
    let columns: [(index: Int, header: String, field: String)]
    let dictionary: ObjectDictionary
    /// Users the importer may assign (lowercased email and id → id, team).
    let users: [String: (id: RecordID, team: RecordID?)]
    /// Status keys by key and by label in both languages (lowercased).
    let statuses: [String: String]
    /// Lowercased cell values that mean "not filled in".
    let emptyValues: Set<String>
    let template: ImportTemplate?
    /// Header → column index, for the template.
    let headerIndex: [String: Int]

    /// One row read: the input, a historic conversion, the source label, errors named by column,
    /// and use-case field names → headers.
    struct Row: Sendable {
        var input = LeadInput()
        var converted = false
        var sourceLabel: String?
        var errors: [FieldError] = []
        var headers: [String: String] = [:]
    }

    init(columns: [ImportColumn], header: [String], dictionary: ObjectDictionary, users: [String: (id: RecordID, team: RecordID?)],
         options: ImportStore.Options) throws(RapportError) {
        self.columns = try ImportRowMapping.resolve(columns, header: header)
        self.dictionary = dictionary
        self.users = users
        var statuses: [String: String] = [:]
        for stage in dictionary.stages where !stage.archived {
            for name in [stage.key, stage.label.zhHans, stage.label.en] { statuses[name.lowercased()] = stage.key }
        }
        self.statuses = statuses
        emptyValues = Set((options.emptyValues ?? []).map { $0.trimmingWhitespace().lowercased() })
        var index: [String: Int] = [:]
        for (position, name) in header.enumerated() where index[name.trimmingWhitespace()] == nil { index[name.trimmingWhitespace()] = position }
        headerIndex = index
        var template: ImportTemplate?
        if let text = options.nameTemplate, !text.isEmpty {
            guard let parsed = ImportTemplate(text) else {
                throw RapportError.validation([FieldError(field: "name_template", code: "invalid", message: "name_template names columns in braces, e.g. \"Lead {Lead Number}\".")])
            }
            let missing = parsed.columns.filter { index[$0] == nil }
            guard missing.isEmpty else {
                throw RapportError.validation([FieldError(field: "name_template", code: "not_found", message: "The file has no column \"\(missing[0])\" (name_template).")])
            }
            template = parsed
        }
        self.template = template
    }

    /// A cell, trimmed; empty when it is one of the empty values.
    func cell(_ fields: [String], _ index: Int) -> String {
        let raw = index < fields.count ? fields[index].trimmingWhitespace() : ""
        return emptyValues.contains(raw.lowercased()) ? "" : raw
    }

    func row(_ fields: [String]) -> Row {
        var row = Row()
        var regions: [String] = []
        var utm = UTM()
        var custom: [String: JSONValue] = [:]
        func error(_ header: String, _ code: String, _ message: String) { row.errors.append(FieldError(field: header, code: code, message: message)) }
        for column in columns {
            let raw = cell(fields, column.index)
            row.headers[column.field.hasPrefix("utm_") ? "utm.\(column.field.dropFirst(4))" : column.field] = column.header
            if raw.isEmpty { continue }
            switch column.field {
            case "name": row.input.name = raw
            case "company": row.input.company = .some(raw)
            case "title": row.input.title = .some(raw)
            case "phone": row.input.phone = .some(raw)
            case "email": row.input.email = .some(raw)
            case "wechat_unionid": row.input.wechatUnionid = .some(raw)
            case "campaign": row.input.campaign = .some(raw)
            case "referrer": row.input.referrer = .some(raw)
            case "interest": row.input.interest = .some(raw)
            case "external_id": row.input.externalID = .some(raw)
            case "region": regions.append(raw)
            case "utm_source": utm.source = raw
            case "utm_medium": utm.medium = raw
            case "utm_campaign": utm.campaign = raw
            case "utm_term": utm.term = raw
            case "utm_content": utm.content = raw
            case "source":
                if let key = LeadSource.channelKey(raw) {
                    row.input.source = .some(key)
                    row.sourceLabel = String(raw.prefix(200))
                } else { error(column.header, "invalid", "\(column.header): \"\(raw)\" has no letters or digits to name a source by.") }
            case "score":
                if let value = Int64(raw) ?? Double(raw).flatMap({ $0.isFinite && abs($0) < 1e12 ? Int64($0.rounded()) : nil }) {
                    row.input.score = .some(value)
                } else { error(column.header, "invalid", "\(column.header): \"\(raw)\" is not a number.") }
            case "status":
                if let key = statuses[raw.lowercased()] { row.input.status = key } else {
                    error(column.header, "invalid", "\(column.header): \"\(raw)\" is not a status of the lead dictionary.")
                }
            case "converted":
                if let value = CustomerRowMapper.bool(raw) { row.converted = value } else {
                    error(column.header, "invalid", "\(column.header): use yes/no, true/false, 1/0 or 是/否.")
                }
            case "owner":
                if let user = users[raw.lowercased()] ?? users[raw] { row.input.owner = .some(user.id.rawValue) } else {
                    error(column.header, "invalid", "\(column.header): no active user you may assign leads to is \"\(raw)\".")
                }
            default:
                guard column.field.hasPrefix("custom_fields.") else { continue }
                let key = String(column.field.dropFirst("custom_fields.".count))
                custom[key] = CustomerRowMapper.customValue(raw, field: dictionary.field(key))
            }
        }
        if !regions.isEmpty { row.input.region = .some(regions.joined(separator: ", ")) }
        if utm != UTM() { row.input.utm = utm }
        if !custom.isEmpty { row.input.customFields = custom }
        if row.input.name == nil, let template {
            row.input.name = template.render { name in headerIndex[name].map { cell(fields, $0) } ?? "" }
            if let first = template.columns.first { row.headers["name"] = row.headers["name"] ?? first }
        }
        return row
    }
}
