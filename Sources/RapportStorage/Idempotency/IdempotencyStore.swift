import Foundation
import RapportCore
import SQLKit

/// Stored outcomes of `POST` requests made with an `Idempotency-Key`.
public struct IdempotencyStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// A stored key: either still running or finished with a response to replay.
    public struct Record: Sendable, Equatable {
        public var requestHash: String
        public var state: String
        public var createdAt: Date
        public var expiresAt: Date
        public var response: StoredResponse?
    }

    /// A response as it is replayed: its status, the headers worth replaying, and its body.
    public struct StoredResponse: Sendable, Equatable {
        public var status: Int
        /// Header name → value (`Content-Type`, `Location`, `ETag`…).
        public var headers: [String: String]
        public var body: String

        public init(status: Int, headers: [String: String], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public func find(principal: String, key: String) async throws -> Record? {
        guard let row = try await sql.select()
            .columns("request_hash", "state", "created_at", "expires_at", "response_status", "response_headers", "response_body")
            .from("idempotency_keys").where("principal_id", .equal, principal).where("key", .equal, key).first()
        else { return nil }
        var response: StoredResponse?
        if let status = try row.optionalInt("response_status") {
            let headerText = try row.optionalText("response_headers") ?? "{}"
            guard let headers = try? JSONDecoder().decode([String: String].self, from: Data(headerText.utf8)) else {
                throw CorruptRow(table: "idempotency_keys", column: "response_headers")
            }
            response = StoredResponse(status: Int(status), headers: headers, body: try row.optionalText("response_body") ?? "")
        }
        return Record(
            requestHash: try row.text("request_hash"), state: try row.text("state"), createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at"), response: response)
    }

    /// Claims a key for a request; throws a unique violation when the key exists.
    public func claim(principal: String, key: String, requestHash: String, at now: Date, expiresAt: Date) async throws {
        try await sql.insert(into: "idempotency_keys")
            .columns("principal_id", "key", "request_hash", "state", "created_at", "expires_at")
            .values(SQLBind(principal), SQLBind(key), SQLBind(requestHash), SQLBind("running"), SQLBind(now.microsSinceEpoch), SQLBind(expiresAt.microsSinceEpoch))
            .run()
    }

    /// Takes over a key whose earlier request stopped without finishing.
    public func reclaim(principal: String, key: String, at now: Date) async throws {
        try await sql.update("idempotency_keys").set("created_at", to: SQLBind(now.microsSinceEpoch))
            .where("principal_id", .equal, principal).where("key", .equal, key).run()
    }

    public func complete(principal: String, key: String, response: StoredResponse) async throws {
        try await sql.update("idempotency_keys")
            .set("state", to: SQLBind("done"))
            .set("response_status", to: SQLBind(Int64(response.status)))
            .set("response_headers", to: SQLBind(try AuditStore.encode(response.headers)))
            .set("response_body", to: SQLBind(response.body))
            .where("principal_id", .equal, principal).where("key", .equal, key).run()
    }

    public func release(principal: String, key: String) async throws {
        try await sql.delete(from: "idempotency_keys").where("principal_id", .equal, principal).where("key", .equal, key).run()
    }

    /// Forgets keys past their expiry.
    public func purge(before now: Date) async throws {
        try await sql.delete(from: "idempotency_keys").where("expires_at", .lessThan, now.microsSinceEpoch).run()
    }
}
