import Foundation
import RapportCore
import RapportStorage

/// Reads the cells of one CSV record by field, for the pipeline import kinds (team members,
/// products, accounts, opportunities): the mapping resolved against the header once, empty values
/// (`empty_values`) treated as blank, and value maps (`value_maps`) applied. Pure.
struct PipelineRowReader: Sendable {
    let columns: [(index: Int, header: String, field: String)]
    let emptyValues: Set<String>
    let valueMaps: [String: [String: String]]

    init(columns: [ImportColumn], header: [String], options: ImportStore.Options) throws(RapportError) {
        self.columns = try ImportRowMapping.resolve(columns, header: header)
        emptyValues = Set((options.emptyValues ?? []).map { $0.lowercased() })
        // Value maps match ignoring case and spaces around.
        valueMaps = (options.valueMaps ?? [:]).mapValues { map in
            Dictionary(map.map { ($0.key.trimmingWhitespace().lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The header of the column mapped to `field`, if any.
    func header(_ field: String) -> String? { columns.first { $0.field == field }?.header }

    /// Whether a column maps to `field`.
    func maps(_ field: String) -> Bool { columns.contains { $0.field == field } }

    /// The trimmed cell of `field` (nil when blank or not mapped), with its value map applied.
    func value(_ field: String, in fields: [String]) -> String? {
        guard let column = columns.first(where: { $0.field == field }), column.index < fields.count else { return nil }
        let raw = fields[column.index].trimmingWhitespace()
        guard !raw.isEmpty, !emptyValues.contains(raw.lowercased()) else { return nil }
        return valueMaps[field]?[raw.lowercased()] ?? raw
    }

    /// A decimal number of major units (`1054`, `4,821.50`) as minor units (×100), without floating point.
    static func minorUnits(_ text: String) -> Int64? {
        let cleaned = text.filter { $0 != "," && $0 != " " }
        guard !cleaned.isEmpty, cleaned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
              let decimal = Decimal(string: cleaned, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        var scaled = decimal * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        // Fractions of a minor unit round half away from zero.
        return Int64(NSDecimalNumber(decimal: rounded).stringValue)
    }

    /// A decimal number times a power of ten, as a plain decimal string (`1100.04` × 10⁶ → `1100040000`).
    static func scaled(_ text: String, byPowerOfTen power: Int) -> String? {
        let cleaned = text.filter { $0 != "," && $0 != " " }
        guard !cleaned.isEmpty, cleaned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
              let decimal = Decimal(string: cleaned, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        return NSDecimalNumber(decimal: decimal * pow(10, power)).stringValue
    }

    /// A calendar date `YYYY-MM-DD` (or `YYYY/MM/DD`), also as the start of an ISO 8601 timestamp, at
    /// midnight UTC; nil when it is not a real date.
    static func date(_ text: String) -> (day: String, at: Date)? {
        let day = String(text.prefix(10)).replacingOccurrences(of: "/", with: "-")
        guard CustomFieldValidation.isCalendarDate(day) else { return nil }
        let parts = day.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard parts.count == 3, let at = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        return (day, at)
    }

    /// A key made of a name: lowercase ASCII letters and digits joined by `separator`
    /// (`Dustin Brinkmann` → `dustin-brinkmann`); nil when nothing is left.
    static func slug(_ text: String, separator: Character = "-") -> String? {
        var result = ""
        var pending = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pending, !result.isEmpty { result.append(separator) }
                result.unicodeScalars.append(scalar)
                pending = false
            } else {
                pending = true
            }
        }
        return result.isEmpty ? nil : result
    }
}

/// A batch of a pipeline import read and checked: the rows to write and the rejected lines.
struct PreparedRows<Row: Sendable>: Sendable {
    var rows: [Row] = []
    var errors: [ImportStore.RowError] = []
    var erroneousLines: Set<Int> = []

    /// Takes the row when `check` found nothing wrong, else records its errors on its line.
    mutating func add(_ row: Row?, line: Int, _ check: Validator) {
        if check.isValid, let row {
            rows.append(row)
        } else {
            erroneousLines.insert(line)
            errors += check.errors.map { .init(line: Int64(line), field: $0.field, code: $0.code, message: $0.message) }
        }
    }

    /// A batch result starting with the rejected lines.
    var result: ImportBatchResult {
        var result = ImportBatchResult()
        result.errors = errors
        result.erroneousLines = erroneousLines
        return result
    }
}
