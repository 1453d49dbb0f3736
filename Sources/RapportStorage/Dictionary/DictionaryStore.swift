import Foundation
import RapportCore
import SQLKit

/// Versions of the business dictionary, one row per object type and version; the highest
/// version is current. Old versions stay, so history always reads against the terms it used.
public struct DictionaryStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// A stored version.
    public struct Version: Sendable, Equatable {
        public var object: DictionaryObject
        public var version: Int64
        public var dictionary: ObjectDictionary
        public var createdAt: Date
        public var createdBy: RecordID?
    }

    /// The current version of every object type that has one.
    public func current() async throws -> [DictionaryObject: Version] {
        let rows = try await sql.raw("""
            SELECT d.object, d.version, d.body, d.created_at, d.created_by FROM dictionary_versions d
            WHERE d.version = (SELECT max(m.version) FROM dictionary_versions m WHERE m.object = d.object)
            """).all()
        var result: [DictionaryObject: Version] = [:]
        for row in rows {
            let version = try Self.decode(row)
            result[version.object] = version
        }
        return result
    }

    /// Every version of one object type, newest first.
    public func versions(of object: DictionaryObject) async throws -> [Version] {
        try await sql.select().columns("object", "version", "body", "created_at", "created_by").from("dictionary_versions")
            .where("object", .equal, object.rawValue).orderBy("version", .descending).all().map(Self.decode)
    }

    /// Stores a new version; the primary key refuses a concurrent writer of the same version.
    public func insert(_ dictionary: ObjectDictionary, version: Int64, at now: Date, by actor: RecordID?) async throws {
        try await sql.insert(into: "dictionary_versions").columns("object", "version", "body", "created_at", "created_by")
            .values(SQLBind(dictionary.object.rawValue), SQLBind(version), SQLBind(JSONText.encode(dictionary)),
                    SQLBind(now.microsSinceEpoch), SQLBind(actor?.rawValue))
            .run()
    }

    static func decode(_ row: any SQLRow) throws -> Version {
        guard let object = DictionaryObject(rawValue: try row.text("object")) else { throw CorruptRow(table: "dictionary_versions", column: "object") }
        return Version(
            object: object, version: try row.int("version"),
            dictionary: try JSONText.decode(ObjectDictionary.self, from: try row.text("body")),
            createdAt: try row.date("created_at"), createdBy: try row.optionalID("created_by"))
    }
}
