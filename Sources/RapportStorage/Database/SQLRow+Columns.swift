import Foundation
import RapportCore
import SQLKit

extension SQLRow {
    /// A non-null text column.
    func text(_ column: String) throws -> String { try decode(column: column, as: String.self) }

    /// A nullable text column.
    func optionalText(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }

    /// A non-null integer column.
    func int(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }

    /// A nullable integer column.
    func optionalInt(_ column: String) throws -> Int64? { try decode(column: column, as: Int64?.self) }

    /// A non-null time column (microseconds since the epoch).
    func date(_ column: String) throws -> Date { Date(microsSinceEpoch: try int(column)) }

    /// A nullable time column.
    func optionalDate(_ column: String) throws -> Date? { try optionalInt(column).map(Date.init(microsSinceEpoch:)) }

    /// A non-null id column.
    func id(_ column: String) throws -> RecordID { RecordID(trusted: try text(column)) }

    /// A nullable id column.
    func optionalID(_ column: String) throws -> RecordID? { try optionalText(column).map(RecordID.init(trusted:)) }
}

/// A value that cannot be decoded from storage: a row written by a newer version or by hand.
struct CorruptRow: Error, CustomStringConvertible {
    var table: String
    var column: String
    var description: String { "unexpected value in \(table).\(column)" }
}
