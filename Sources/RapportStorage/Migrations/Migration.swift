/// A named, append-only schema change, written in SQL.
///
/// Migrations never refer to application types and are never edited once they have landed: the
/// migrator keeps a checksum of each applied migration and refuses to start when one changed.
/// Each runs in one transaction, on both engines. Where the engines' SQL differs, the statements
/// are chosen by engine in the migration itself.
public struct Migration: Sendable {
    /// A sortable unique name, e.g. `0001_foundation`.
    public let name: String
    /// The SQL statements, in order, for the given engine.
    public let statements: @Sendable (SQLEngine) -> [String]

    public init(_ name: String, statements: @escaping @Sendable (SQLEngine) -> [String]) {
        self.name = name
        self.statements = statements
    }

    /// A migration whose SQL is the same on both engines.
    public init(_ name: String, sql: [String]) {
        self.init(name) { _ in sql }
    }

    /// A checksum of the SQL for one engine (FNV-1a, 64 bits, hex), to detect edits.
    public func checksum(for engine: SQLEngine) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for statement in statements(engine) {
            for byte in statement.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= 0x0A
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
