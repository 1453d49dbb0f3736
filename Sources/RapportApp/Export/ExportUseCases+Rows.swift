import Foundation
import RapportCore
import RapportStorage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One column of a customer export.
struct ExportColumn: Sendable, Equatable {
    enum Source: Sendable, Equatable {
        case builtIn(BuiltIn)
        /// A custom field; `type` is nil when the dictionary no longer has it (written empty).
        case custom(key: String, type: FieldType?)
    }

    /// The columns every customer export may have, in their default order.
    enum BuiltIn: String, Sendable, CaseIterable {
        case id, kind, name, company, title
        case ownerID = "owner_id", teamID = "team_id"
        case source, stage, lifecycle
        case valueTier = "value_tier"
        case score
        case doNotContact = "do_not_contact"
        case phones, emails
        case wechatUnionids = "wechat_unionids"
        case addresses, tags
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    var name: String
    var source: Source

    static let customPrefix = "custom_fields."
}

extension ExportUseCases {
    /// A checked request: the list query and the columns in order.
    struct Plan: Sendable {
        var query: CustomerUseCases.ListQuery
        var columns: [ExportColumn]
    }

    /// The columns a customer export may have, in their default order: the built-in ones, then
    /// `custom_fields.<key>` for each custom field of the business dictionary.
    public func columns(by caller: Caller) async throws -> [String] {
        let dictionary = try await rapport.dictionary.get("customer", by: caller).dictionary
        return Self.defaultColumns(dictionary).map(\.name)
    }

    static func defaultColumns(_ dictionary: ObjectDictionary) -> [ExportColumn] {
        ExportColumn.BuiltIn.allCases.map { ExportColumn(name: $0.rawValue, source: .builtIn($0)) }
            + dictionary.activeFields.map { ExportColumn(name: ExportColumn.customPrefix + $0.key, source: .custom(key: $0.key, type: $0.type)) }
    }

    /// Checks a request (object, format, columns, filters) and resolves its columns. Filters are
    /// checked by the customer list itself (one page of one row), so they mean exactly what they
    /// mean there; their errors are named `filters.<field>`. A stored request (`stored`) keeps
    /// columns whose custom field has since gone (written empty).
    func plan(_ request: Request, by caller: Caller, stored: Bool = false) async throws -> Plan {
        var check = Validator()
        if request.object != "customers" { check.add("object", "invalid", "object must be customers.") }
        if request.format != "csv" { check.add("format", "invalid", "format must be csv.") }
        let dictionary = try await rapport.dictionary.get("customer", by: caller).dictionary
        let columns = Self.resolve(request.columns, in: dictionary, stored: stored, check: &check)
        if !stored, let stage = request.filters.stage, dictionary.stage(stage) == nil {
            check.add("filters.stage", "invalid", "filters.stage is not a stage of customers.")
        }
        do {
            _ = try await rapport.customers.list(request.filters, page: PageRequest(limit: 1), by: caller)
        } catch let error as RapportError where error.code == .validationFailed {
            for field in error.fieldErrors { check.add("filters.\(field.field)", field.code, "filters.\(field.message)") }
        }
        try check.finish()
        return Plan(query: request.filters, columns: columns)
    }

    static func resolve(_ names: [String]?, in dictionary: ObjectDictionary, stored: Bool, check: inout Validator) -> [ExportColumn] {
        guard let names else { return defaultColumns(dictionary) }
        if names.isEmpty { check.add("columns", "invalid", "columns must name at least one column (or be left out for all).") }
        var columns: [ExportColumn] = []
        var seen: Set<String> = []
        for (index, name) in names.enumerated() {
            let field = "columns[\(index)]"
            guard seen.insert(name).inserted else {
                check.add(field, "duplicate", "\(field) names \(name) twice.")
                continue
            }
            if let builtIn = ExportColumn.BuiltIn(rawValue: name) {
                columns.append(ExportColumn(name: name, source: .builtIn(builtIn)))
            } else if name.hasPrefix(ExportColumn.customPrefix), case let key = String(name.dropFirst(ExportColumn.customPrefix.count)),
                      stored || dictionary.field(key) != nil {
                columns.append(ExportColumn(name: name, source: .custom(key: key, type: dictionary.field(key)?.type)))
            } else {
                check.add(field, "invalid", "\(field) (\(name)) is not a column of customer exports; they are \(defaultColumns(dictionary).map(\.name).joined(separator: ", ")).")
            }
        }
        return columns
    }

    /// The rows the plan covers in the caller's scope now, counted page by page through the list.
    func count(_ plan: Plan, by caller: Caller) async throws -> Int {
        try await rapport.customers.count(plan.query, by: caller)
    }

    /// A download in progress: writes the CSV page by page and audits how many rows it wrote.
    public struct Download: Sendable {
        let rapport: Rapport
        let caller: Caller
        public let exportID: RecordID
        let plan: Plan
        /// The rows counted before the download started (for progress; the rows written may differ
        /// if customers changed since).
        public let expectedRows: Int

        public static let contentType = "text/csv; charset=utf-8"

        /// `customers-<id>.csv`.
        public var fileName: String { "customers-\(exportID.rawValue).csv" }

        /// Writes the header and every row in scope, one page (500 rows) per call of `sink`, and
        /// returns how many rows it wrote. Ends with an `export.downloaded` audit entry giving that
        /// count (with `complete=false` when writing failed part way). `progress` hears the rows
        /// written after each page; it may throw to stop the export.
        public func write(byteOrderMark: Bool = false, progress: (Int) throws -> Void = { _ in },
                          to sink: (_ bytes: [UInt8]) async throws -> Void) async throws -> Int {
            var csv = CSVWriter(byteOrderMark: byteOrderMark)
            csv.row(plan.columns.map(\.name))
            var rows = 0
            do {
                var page = PageRequest(limit: ExportUseCases.pageSize)
                while true {
                    let found = try await rapport.customers.list(plan.query, page: page, by: caller)
                    for customer in found.items { CustomerRow.write(customer, plan.columns, into: &csv) }
                    rows += found.items.count
                    let bytes = csv.take()
                    if !bytes.isEmpty { try await sink(bytes) }
                    try progress(rows)
                    guard let next = found.nextCursor else { break }
                    page.cursor = next
                }
            } catch {
                try? await audit(rows: rows, complete: false)
                throw error
            }
            try await audit(rows: rows, complete: true)
            return rows
        }

        /// Writes the CSV to `path` atomically: into a temporary file beside it (mode 0600), renamed
        /// over `path` only when complete, so a failed export leaves no partial file behind.
        public func write(toFile path: String, byteOrderMark: Bool = false, progress: (Int) throws -> Void = { _ in }) async throws -> Int {
            let target = URL(fileURLWithPath: path)
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).part")
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = try? FileHandle(forWritingTo: temporary)
            else {
                try? await audit(rows: 0, complete: false)
                throw RapportError.validation([FieldError(field: "output", code: "invalid", message: "Cannot create a file in \(target.deletingLastPathComponent().path).")])
            }
            do {
                let rows = try await write(byteOrderMark: byteOrderMark, progress: progress) { bytes in try handle.write(contentsOf: bytes) }
                try handle.synchronize()
                try handle.close()
                guard rename(temporary.path, target.path) == 0 else {
                    throw RapportError.validation([FieldError(field: "output", code: "invalid", message: "Cannot write \(target.path).")])
                }
                return rows
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
        }

        private func audit(rows: Int, complete: Bool) async throws {
            try await rapport.transaction { sql in
                try await rapport.record(rapport.event("export.downloaded", by: caller, kind: .export, object: exportID.rawValue,
                                                       details: ["row_count": String(rows), "complete": String(complete)]), in: sql)
            }
        }
    }
}

/// How one customer becomes one CSV row. The customer comes from the list use case, so contact
/// values, the ID number and phone or email custom fields are already masked exactly as the API
/// shows them (``Customer/masked()``, the one masking policy); nothing is masked again here.
enum CustomerRow {
    static let separator = "; "

    static func write(_ customer: Customer, _ columns: [ExportColumn], into csv: inout CSVWriter) {
        for column in columns {
            switch column.source {
            case .builtIn(let builtIn): write(builtIn, of: customer, into: &csv)
            case .custom(let key, let type): write(type == nil ? nil : customer.customFields[key], into: &csv)
            }
        }
        csv.endRow()
    }

    static func write(_ column: ExportColumn.BuiltIn, of customer: Customer, into csv: inout CSVWriter) {
        switch column {
        case .id: csv.field(customer.id.rawValue)
        case .kind: csv.field(customer.kind.rawValue)
        case .name: csv.field(customer.name)
        case .company: csv.field(customer.company ?? "")
        case .title: csv.field(customer.title ?? "")
        case .ownerID: csv.field(customer.ownerID?.rawValue ?? "")
        case .teamID: csv.field(customer.teamID?.rawValue ?? "")
        case .source: csv.field(customer.source ?? "")
        case .stage: csv.field(customer.stage)
        case .lifecycle: csv.field(customer.lifecycle?.rawValue ?? "")
        case .valueTier: csv.field(customer.valueTier ?? "")
        case .score: if let score = customer.score { csv.field(score) } else { csv.emptyField() }
        case .doNotContact: csv.field(customer.doNotContact ? "true" : "false")
        case .phones: csv.field(contacts(customer, .phone))
        case .emails: csv.field(contacts(customer, .email))
        case .wechatUnionids: csv.field(contacts(customer, .wechatUnionid))
        case .addresses: csv.field(contacts(customer, .address))
        case .tags: csv.field(customer.tags.joined(separator: separator))
        case .createdAt: csv.field(RFC3339.format(customer.createdAt))
        case .updatedAt: csv.field(RFC3339.format(customer.updatedAt))
        }
    }

    static func contacts(_ customer: Customer, _ kind: ContactPoint.Kind) -> String {
        customer.contacts.lazy.filter { $0.kind == kind }.map(\.value).joined(separator: separator)
    }

    static func write(_ value: JSONValue?, into csv: inout CSVWriter) {
        guard let value else { return csv.emptyField() }
        switch value {
        case .null, .unrepresentableNumber: csv.emptyField()
        case .integer(let number): csv.field(number)
        case .double(let number): csv.field(number)
        case .bool(let flag): csv.field(flag ? "true" : "false")
        case .string, .array, .object: csv.field(text(value))
        }
    }

    /// A custom-field value as cell text: lists (multi_enum) joined, objects (money) as compact JSON.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null, .unrepresentableNumber: ""
        case .string(let text): text
        case .integer(let number): String(number)
        case .double(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        case .array(let values): values.map(text).joined(separator: separator)
        case .object: JSONText.encode(value)
        }
    }
}
