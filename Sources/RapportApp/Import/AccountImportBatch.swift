import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Accounts (company customers) from an account file: the customer import's rows, deduplication
/// and writing (``CustomerImportBatch``), with what an account file needs first — every row an
/// organisation, the name as its external reference (so importing again folds into the same
/// account), option fields' values matched to the dictionary's options (a typo such as
/// `technolgy` corrected to `technology`, reported; a value no option is near left empty,
/// reported), revenue in millions, and the parent company (`subsidiary_of`) linked by name.
struct AccountImportBatch: ImportBatch {
    let inner: CustomerImportBatch
    let reader: PipelineRowReader
    /// Where the cells of the inner batch's extra columns come from (see ``columns(_:header:)``).
    let extra: Extra
    let dictionary: ObjectDictionary
    let currency: String?

    /// The inner batch's columns after the file's: kind, and external reference when not mapped.
    struct Extra: Sendable {
        var refFromName: Bool
    }

    static let kindHeader = "\u{1}kind", refHeader = "\u{1}external_ref"

    /// The customer import's mapping for an account mapping and the header it reads (the file's
    /// plus the extra columns): `parent` is read here, `annual_revenue_millions` becomes
    /// `custom_fields.annual_revenue`.
    static func columns(_ columns: [ImportColumn], header: [String]) -> (columns: [ImportColumn], header: [String], extra: Extra) {
        var inner = columns.map { column -> ImportColumn in
            switch column.field {
            case "parent": ImportColumn(header: column.header, field: ImportColumn.ignore)
            case "annual_revenue_millions": ImportColumn(header: column.header, field: "custom_fields.annual_revenue")
            default: column
            }
        }
        inner.append(ImportColumn(header: kindHeader, field: "kind"))
        var extended = header + [kindHeader]
        let refFromName = !columns.contains { $0.field == "external_ref" }
        if refFromName {
            inner.append(ImportColumn(header: refHeader, field: "external_ref"))
            extended.append(refHeader)
        }
        return (inner, extended, Extra(refFromName: refFromName))
    }

    struct Prepared: Sendable {
        var inner: CustomerImportBatch.Prepared
        /// Account name → parent name, by line.
        var parents: [(line: Int, name: String, parent: String)] = []
        var warnings: [ImportWarning] = []
    }

    func prepare(_ records: [CSVReader.Record]) -> Prepared {
        var warnings: [ImportWarning] = []
        var parents: [(Int, String, String)] = []
        let rewritten = records.map { record -> CSVReader.Record in
            var fields = record.fields
            for column in reader.columns where column.index < fields.count {
                let raw = fields[column.index].trimmingWhitespace()
                guard !raw.isEmpty else { continue }
                if column.field == "annual_revenue_millions" {
                    let code = currency ?? dictionary.field("annual_revenue")?.currency ?? "USD"
                    if let value = PipelineRowReader.scaled(raw, byPowerOfTen: 6) { fields[column.index] = "\(code) \(value)" }
                } else if column.field.hasPrefix("custom_fields."), let field = dictionary.field(String(column.field.dropFirst(14))), field.type == .enum {
                    guard let mapped = reader.value(column.field, in: fields) else {
                        fields[column.index] = ""
                        continue
                    }
                    fields[column.index] = Self.option(mapped, of: field, line: record.line, header: column.header, into: &warnings)
                }
            }
            if let name = reader.value("name", in: fields), let parent = reader.value("parent", in: fields) { parents.append((record.line, name, parent)) }
            fields.append("organisation")
            if extra.refFromName { fields.append(reader.value("name", in: fields) ?? "") }
            return CSVReader.Record(line: record.line, fields: fields)
        }
        return Prepared(inner: inner.prepare(rewritten), parents: parents, warnings: warnings)
    }

    /// An option field's value as an option key: the option whose key or label it is (case, spaces
    /// and punctuation aside), else the one it is a likely typo of (reported), else empty (reported).
    static func option(_ value: String, of field: FieldDefinition, line: Int, header: String, into warnings: inout [ImportWarning]) -> String {
        let active = field.options.filter { !$0.archived }
        let key = ImportMatchKey.normalised(value)
        if let exact = active.first(where: { $0.key == value || [$0.key, $0.label.en, $0.label.zhHans].contains { ImportMatchKey.normalised($0) == key } }) {
            return exact.key
        }
        if let near = ImportMatchKey.closest(value, among: active.map(\.key)) {
            ImportWarning.merge([ImportWarning(code: "option_corrected", subject: "\(value) → \(near)",
                                               message: "\(header): \"\(value)\" is not an option of \(field.key); taken as the option \"\(near)\".",
                                               firstLine: Int64(line))], into: &warnings)
            return near
        }
        ImportWarning.merge([ImportWarning(code: "unknown_option", subject: value,
                                           message: "\(header): \"\(value)\" is no option of \(field.key) (nor near one); left empty. Add the option to the dictionary or a value map, and import again.",
                                           firstLine: Int64(line))], into: &warnings)
        return ""
    }

    func apply(_ prepared: Prepared, write: Bool, seen: inout ImportSeenKeys, _ sql: any SQLDatabase) async throws -> ImportBatchResult {
        var result = try await inner.apply(prepared.inner, write: write, seen: &seen, sql)
        ImportWarning.merge(prepared.warnings, into: &result.warnings)
        for row in prepared.parents where !result.erroneousLines.contains(row.line) { seen.keys["account:\(row.name.lowercased())"] = row.line }
        guard !prepared.parents.isEmpty else { return result }
        // Parents: accounts of the database (this batch's included, when writing) by reference or name.
        let found = try await Self.accounts(named: prepared.parents.map(\.parent) + prepared.parents.map(\.name), sql)
        let store = CustomerStore(sql)
        for row in prepared.parents where !result.erroneousLines.contains(row.line) {
            let parent = found[row.parent.lowercased()]
            guard parent != nil || (!write && seen.keys["account:\(row.parent.lowercased())"] != nil) else {
                result.warn("unknown_parent", row.parent, "\(reader.header("parent") ?? "parent"): no account \"\(row.parent)\" (in the database or earlier in the file); the link is left empty.",
                            line: row.line)
                continue
            }
            guard write, let parent, let child = found[row.name.lowercased()], var customer = try await store.find(child),
                  customer.customFields["parent_account"] != .string(parent.rawValue) else { continue }
            let version = customer.version
            customer.customFields["parent_account"] = .string(parent.rawValue)
            customer.updatedAt = inner.now
            guard try await store.replace(customer, expectedVersion: version) else {
                throw RapportError(.unavailable, "An account changed during the import; it will be retried.", retryAfterSeconds: 1)
            }
        }
        return result
    }

    /// Live organisations by external reference or exact name, keyed by the lowercased name asked for.
    static func accounts(named names: [String], _ sql: any SQLDatabase) async throws -> [String: RecordID] {
        try await CustomerStore(sql).organisations(named: names)
    }
}
