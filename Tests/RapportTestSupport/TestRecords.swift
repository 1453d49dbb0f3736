import Foundation
import RapportApp
import RapportCore
import RapportStorage
import SQLKit

/// A record type that exists only in tests, to exercise the data-scope machinery the way every
/// business object will (an owner column, collaborator grants, scope in SQL, 404 outside scope)
/// before the first business object arrives.
public enum TestRecords {
    public static let kind = ObjectKind(rawValue: "test_record")
    public static let prefix = IDPrefix(rawValue: "trec")

    /// The test-only table, added after the real migrations.
    public static let migration = Migration("9000_test_records", sql: [
        """
        CREATE TABLE test_records (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL REFERENCES users (id),
            title TEXT NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
    ])

    /// The standard policy plus the test kind: owners see their own, managers their subtree, admins all.
    public static func register(in policy: inout ScopePolicy) {
        let all = Set(AccessAction.allCases)
        policy.register(kind, [
            .admin: (.all, all), .manager: (.subtree, all), .rep: (.own, all), .service: (.own, all),
            .marketer: (.own, all), .partner: (.own, all), .analyst: (.all, [.read]), .readOnly: (.own, [.read]),
        ])
    }

    public struct Record: Sendable, Equatable {
        public var id: RecordID
        public var ownerID: RecordID
        public var title: String
        public var version: Int64
    }

    /// The use cases of the test record type, written exactly as a business area's would be.
    public struct UseCases: Sendable {
        let rapport: Rapport

        public init(_ rapport: Rapport) { self.rapport = rapport }

        func filter(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
            try await rapport.scope(caller, action, kind, anchor: .owner(column: "owner_id"), table: "test_records")
        }

        public func create(title: String, owner: RecordID? = nil, by caller: Caller) async throws -> Record {
            _ = try await filter(caller, .create)
            let now = rapport.clock.now()
            let record = Record(id: rapport.ids.next(prefix, at: now), ownerID: owner ?? caller.effectivePrincipal.userID, title: title, version: 1)
            try await rapport.transaction { sql in
                try await sql.insert(into: "test_records").columns("id", "owner_id", "title", "version", "created_at")
                    .values(SQLBind(record.id.rawValue), SQLBind(record.ownerID.rawValue), SQLBind(title), SQLBind(Int64(1)), SQLBind(now.microsSinceEpoch))
                    .run()
            }
            return record
        }

        public func get(_ id: RecordID, by caller: Caller) async throws -> Record {
            let filter = try await filter(caller, .read)
            let query = rapport.database
            let row = try await query.read { sql in
                try await filter.apply(to: sql.select().columns("id", "owner_id", "title", "version").from("test_records")
                    .where(SQLColumn("id", table: "test_records"), .equal, SQLBind(id.rawValue))).first()
            }
            guard let row else { throw RapportError.notFound("test record") }
            return try Self.decode(row)
        }

        public func list(by caller: Caller) async throws -> [Record] {
            let filter = try await filter(caller, .read)
            return try await rapport.database.read { sql in
                try await filter.apply(to: sql.select().columns("id", "owner_id", "title", "version").from("test_records"))
                    .orderBy("id", .ascending).all().map(Self.decode)
            }
        }

        public func rename(_ id: RecordID, to title: String, by caller: Caller) async throws {
            let filter = try await filter(caller, .update)
            let changed = try await rapport.transaction { sql in
                try await filter.apply(to: sql.update("test_records").set("title", to: SQLBind(title))
                    .set("version", to: SQLQueryString("version + 1"))
                    .where(SQLColumn("id", table: "test_records"), .equal, SQLBind(id.rawValue)))
                    .returning("id").first() != nil
            }
            guard changed else { throw RapportError.notFound("test record") }
        }

        public func delete(_ id: RecordID, by caller: Caller) async throws {
            let filter = try await filter(caller, .delete)
            let deleted = try await rapport.transaction { sql in
                try await filter.apply(to: sql.delete(from: "test_records").where(SQLColumn("id", table: "test_records"), .equal, SQLBind(id.rawValue)))
                    .returning("id").first() != nil
            }
            guard deleted else { throw RapportError.notFound("test record") }
        }

        /// Shares a record with a collaborator (`read` or `edit`).
        public func share(_ id: RecordID, with user: RecordID, access: String) async throws {
            let now = rapport.clock.now()
            try await rapport.transaction { sql in
                try await sql.insert(into: "record_grants").columns("object_kind", "record_id", "user_id", "access", "created_at")
                    .values(SQLBind(kind.rawValue), SQLBind(id.rawValue), SQLBind(user.rawValue), SQLBind(access), SQLBind(now.microsSinceEpoch))
                    .run()
            }
        }

        static func decode(_ row: any SQLRow) throws -> Record {
            Record(
                id: RecordID(trusted: try row.decode(column: "id", as: String.self)),
                ownerID: RecordID(trusted: try row.decode(column: "owner_id", as: String.self)),
                title: try row.decode(column: "title", as: String.self), version: try row.decode(column: "version", as: Int64.self))
        }
    }
}
