import Foundation
import RapportCore
import SQLKit

/// A request to export records: what it covers, how many rows it counted, and where it stands
/// in the approval queue. The file itself is never stored; its rows are produced when it is
/// downloaded, under the requester's scope at that moment.
public struct Export: Sendable, Equatable {
    /// The id prefix of exports (`exp_…`).
    public static let idPrefix = IDPrefix(rawValue: "exp")

    public enum Status: String, Sendable, CaseIterable {
        /// More rows than the approval threshold: waits for an administrator.
        case pendingApproval = "pending_approval"
        /// Within the threshold: downloadable at once.
        case ready
        /// An administrator approved it: downloadable.
        case approved
        /// An administrator refused it.
        case rejected
        /// Never stored: shown for a request whose download (or approval) window has passed.
        case expired
    }

    /// The customer-list filters the export applies (as the requester sent them).
    public struct Filters: Sendable, Equatable, Codable {
        public var ownerID: String?
        public var teamID: String?
        public var stage: String?
        public var source: String?
        public var tag: String?
        public var kind: String?
        public var doNotContact: Bool?
        public var q: String?

        public init(ownerID: String? = nil, teamID: String? = nil, stage: String? = nil, source: String? = nil, tag: String? = nil,
                    kind: String? = nil, doNotContact: Bool? = nil, q: String? = nil) {
            self.ownerID = ownerID
            self.teamID = teamID
            self.stage = stage
            self.source = source
            self.tag = tag
            self.kind = kind
            self.doNotContact = doNotContact
            self.q = q
        }

        enum CodingKeys: String, CodingKey {
            case stage, source, tag, kind, q
            case ownerID = "owner_id", teamID = "team_id", doNotContact = "do_not_contact"
        }
    }

    public var id: RecordID
    /// What is exported (`customers`).
    public var object: String
    /// The stored status (``status(at:)`` tells whether it has expired).
    public var status: Status
    public var format: String
    public var filters: Filters
    public var columns: [String]
    /// The rows counted when it was requested (a download writes the rows in scope at that time).
    public var rowCount: Int64
    public var requestedBy: RecordID
    public var requestedAt: Date
    public var decidedBy: RecordID?
    public var decidedAt: Date?
    public var decisionNote: String?
    /// The last download, if any.
    public var downloadedAt: Date?
    /// After this a ready or approved export can no longer be downloaded, and a pending one no longer approved.
    public var expiresAt: Date
    public var version: Int64

    public init(id: RecordID, object: String, status: Status, format: String, filters: Filters, columns: [String], rowCount: Int64,
                requestedBy: RecordID, requestedAt: Date, decidedBy: RecordID? = nil, decidedAt: Date? = nil, decisionNote: String? = nil,
                downloadedAt: Date? = nil, expiresAt: Date, version: Int64 = 1) {
        self.id = id
        self.object = object
        self.status = status
        self.format = format
        self.filters = filters
        self.columns = columns
        self.rowCount = rowCount
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.decisionNote = decisionNote
        self.downloadedAt = downloadedAt
        self.expiresAt = expiresAt
        self.version = version
    }

    /// The status as it stands at `now`: `expired` once the window of a ready, approved or pending export has passed.
    public func status(at now: Date) -> Status {
        switch status {
        case .pendingApproval, .ready, .approved: now < expiresAt ? status : .expired
        case .rejected, .expired: status
        }
    }
}

/// Exports and their approval queue in storage.
public struct ExportStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    static let columns = [
        "id", "object", "status", "format", "filters", "columns", "row_count", "requested_by", "requested_at", "decided_by",
        "decided_at", "decision_note", "downloaded_at", "expires_at", "version",
    ]

    public func insert(_ export: Export) async throws {
        try await sql.insert(into: "exports").columns(Self.columns)
            .values(
                SQLBind(export.id.rawValue), SQLBind(export.object), SQLBind(export.status.rawValue), SQLBind(export.format),
                SQLBind(JSONText.encode(export.filters)), SQLBind(JSONText.encode(export.columns)), SQLBind(export.rowCount),
                SQLBind(export.requestedBy.rawValue), SQLBind(export.requestedAt.microsSinceEpoch), SQLBind(export.decidedBy?.rawValue),
                SQLBind(export.decidedAt?.microsSinceEpoch), SQLBind(export.decisionNote), SQLBind(export.downloadedAt?.microsSinceEpoch),
                SQLBind(export.expiresAt.microsSinceEpoch), SQLBind(export.version))
            .run()
    }

    /// One export, regardless of who asked for it (the use case decides who may see it).
    public func find(_ id: RecordID) async throws -> Export? {
        try await sql.select().columns(Self.columns).from("exports").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// A page of exports, newest first: those of `requester` (nil: everyone's), in `status` as it stands at `now`.
    public func list(requestedBy requester: RecordID?, status: Export.Status?, at now: Date, page: PageRequest) async throws -> Page<Export> {
        let query = sql.select().columns(Self.columns).from("exports")
        if let requester { query.where("requested_by", .equal, requester.rawValue) }
        let at = SQLBind(now.microsSinceEpoch)
        switch status {
        case nil: break
        case .rejected?: query.where("status", .equal, Export.Status.rejected.rawValue)
        case .expired?:
            query.where("status", .in, [Export.Status.pendingApproval, .ready, .approved].map(\.rawValue)).where("expires_at", .lessThanOrEqual, at)
        case let open?: query.where("status", .equal, open.rawValue).where("expires_at", .greaterThan, at)
        }
        if let cursor = page.cursor { query.where("id", .lessThan, cursor.after) }
        let rows = try await query.orderBy("id", .descending).limit(page.limit + 1).all()
        return Page(fetched: try rows.map(Self.decode), limit: page.limit, key: \.id.rawValue)
    }

    /// Records an administrator's decision on a pending export whose approval window is still open;
    /// false when it was already decided, has expired, or does not exist.
    public func decide(_ id: RecordID, _ status: Export.Status, by actor: RecordID?, note: String?, at now: Date, expiresAt: Date) async throws -> Bool {
        try await sql.update("exports")
            .set("status", to: SQLBind(status.rawValue)).set("decided_by", to: SQLBind(actor?.rawValue))
            .set("decided_at", to: SQLBind(now.microsSinceEpoch)).set("decision_note", to: SQLBind(note))
            .set("expires_at", to: SQLBind(expiresAt.microsSinceEpoch)).set("version", to: SQLRaw("version + 1"))
            .where("id", .equal, id.rawValue).where("status", .equal, Export.Status.pendingApproval.rawValue)
            .where("expires_at", .greaterThan, SQLBind(now.microsSinceEpoch))
            .returning("id").first() != nil
    }

    /// Notes a download of a ready or approved export that has not expired; false otherwise.
    public func markDownloaded(_ id: RecordID, at now: Date) async throws -> Bool {
        try await sql.update("exports")
            .set("downloaded_at", to: SQLBind(now.microsSinceEpoch)).set("version", to: SQLRaw("version + 1"))
            .where("id", .equal, id.rawValue).where("status", .in, [Export.Status.ready, .approved].map(\.rawValue))
            .where("expires_at", .greaterThan, SQLBind(now.microsSinceEpoch))
            .returning("id").first() != nil
    }

    static func decode(_ row: any SQLRow) throws -> Export {
        guard let status = Export.Status(rawValue: try row.text("status")), status != .expired else {
            throw CorruptRow(table: "exports", column: "status")
        }
        return Export(
            id: try row.id("id"), object: try row.text("object"), status: status, format: try row.text("format"),
            filters: try JSONText.decode(Export.Filters.self, from: try row.text("filters")),
            columns: try JSONText.decode([String].self, from: try row.text("columns")), rowCount: try row.int("row_count"),
            requestedBy: try row.id("requested_by"), requestedAt: try row.date("requested_at"), decidedBy: try row.optionalID("decided_by"),
            decidedAt: try row.optionalDate("decided_at"), decisionNote: try row.optionalText("decision_note"),
            downloadedAt: try row.optionalDate("downloaded_at"), expiresAt: try row.date("expires_at"), version: try row.int("version"))
    }
}
