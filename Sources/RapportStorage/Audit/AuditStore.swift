import Foundation
import RapportCore
import SQLKit

/// The append-only, hash-chained audit log.
///
/// Appends are serialised through the single `audit_head` row (a row lock on PostgreSQL, the
/// single writer on SQLite), so sequence numbers have no gaps and every entry links to the last.
public struct AuditStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "seq", "id", "at", "actor_id", "action", "object_kind", "object_id", "address", "details", "prev_hash", "hash",
    ]

    /// Appends an event inside the caller's transaction and returns the stored entry.
    @discardableResult
    public func append(_ event: AuditEvent, id: RecordID, at now: Date, hash: ([UInt8]) -> String) async throws -> AuditEntry {
        guard let head = try await sql.raw("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").first() else {
            throw CorruptRow(table: "audit_head", column: "seq")
        }
        let seq = try head.int("seq")
        let previous = try head.text("hash")
        let bytes = AuditChain.canonicalBytes(
            seq: seq, id: id, at: now, actorID: event.actorID, action: event.action, objectKind: event.objectKind,
            objectID: event.objectID, address: event.address, details: event.details, previousHash: previous)
        let entry = AuditEntry(
            seq: seq, id: id, at: now, actorID: event.actorID, action: event.action, objectKind: event.objectKind,
            objectID: event.objectID, address: event.address, details: event.details, previousHash: previous, hash: hash(bytes))
        try await sql.insert(into: "audit_log").columns(Self.columns)
            .values(
                SQLBind(entry.seq), SQLBind(entry.id.rawValue), SQLBind(now.microsSinceEpoch), SQLBind(entry.actorID?.rawValue),
                SQLBind(entry.action), SQLBind(entry.objectKind), SQLBind(entry.objectID), SQLBind(entry.address),
                SQLBind(try Self.encode(entry.details)), SQLBind(entry.previousHash), SQLBind(entry.hash))
            .run()
        try await sql.update("audit_head").set("hash", to: SQLBind(entry.hash)).where("id", .equal, 1).run()
        return entry
    }

    /// The filters an audit listing accepts.
    public struct ListFilter: Sendable, Equatable {
        public var actorID: RecordID?
        public var action: String?
        public var objectKind: String?
        public var objectID: String?
        /// Entries at or after this instant.
        public var since: Date?
        /// Entries before this instant.
        public var until: Date?

        public init(actorID: RecordID? = nil, action: String? = nil, objectKind: String? = nil, objectID: String? = nil, since: Date? = nil, until: Date? = nil) {
            self.actorID = actorID
            self.action = action
            self.objectKind = objectKind
            self.objectID = objectID
            self.since = since
            self.until = until
        }
    }

    /// A page of entries, newest first.
    public func list(_ filter: ListFilter, page: PageRequest) async throws -> Page<AuditEntry> {
        let query = sql.select().columns(Self.columns).from("audit_log")
        if let actor = filter.actorID { query.where("actor_id", .equal, actor.rawValue) }
        if let action = filter.action { query.where("action", .equal, action) }
        if let kind = filter.objectKind { query.where("object_kind", .equal, kind) }
        if let object = filter.objectID { query.where("object_id", .equal, object) }
        if let since = filter.since { query.where("at", .greaterThanOrEqual, SQLBind(since.microsSinceEpoch)) }
        if let until = filter.until { query.where("at", .lessThan, SQLBind(until.microsSinceEpoch)) }
        if let cursor = page.cursor {
            guard let seq = Int64(cursor.after) else {
                throw RapportError.validation([FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this server issued.")])
            }
            query.where("seq", .lessThan, seq)
        }
        let rows = try await query.orderBy("seq", .descending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: { String($0.seq) })
    }

    /// Entries after `seq`, ascending, at most `limit` (for verification in batches).
    public func entries(after seq: Int64, limit: Int) async throws -> [AuditEntry] {
        try await sql.select().columns(Self.columns).from("audit_log").where("seq", .greaterThan, seq)
            .orderBy("seq", .ascending).limit(limit).all().map(Self.decode)
    }

    /// The recorded head of the chain: the last sequence number and hash.
    public func head() async throws -> (seq: Int64, hash: String) {
        guard let row = try await sql.select().columns("seq", "hash").from("audit_head").where("id", .equal, 1).first() else {
            throw CorruptRow(table: "audit_head", column: "seq")
        }
        return (try row.int("seq"), try row.text("hash"))
    }

    static func encode(_ details: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(details), as: UTF8.self)
    }

    static func decode(_ row: any SQLRow) throws -> AuditEntry {
        let detailsText = try row.text("details")
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8)) else {
            throw CorruptRow(table: "audit_log", column: "details")
        }
        return AuditEntry(
            seq: try row.int("seq"), id: try row.id("id"), at: try row.date("at"), actorID: try row.optionalID("actor_id"),
            action: try row.text("action"), objectKind: try row.optionalText("object_kind"),
            objectID: try row.optionalText("object_id"), address: try row.optionalText("address"), details: details,
            previousHash: try row.text("prev_hash"), hash: try row.text("hash"))
    }
}
