import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// An export request as the API shows it, with its place in the approval queue.
public struct ExportDTO: Encodable, Sendable {
    /// The customer-list filters the export applies; every key present, null when not used.
    public struct FiltersDTO: Encodable, Sendable {
        @Nullable public var ownerId: String?
        @Nullable public var teamId: String?
        @Nullable public var stage: String?
        @Nullable public var source: String?
        @Nullable public var tag: String?
        @Nullable public var kind: String?
        @Nullable public var doNotContact: Bool?
        @Nullable public var q: String?

        enum CodingKeys: String, CodingKey {
            case stage, source, tag, kind, q
            case ownerId = "owner_id", teamId = "team_id", doNotContact = "do_not_contact"
        }
    }

    public var id: String
    public var object: String
    /// `pending_approval`, `ready`, `approved`, `rejected` or `expired`.
    public var status: String
    public var format: String
    public var filters: FiltersDTO
    public var columns: [String]
    public var rowCount: Int64
    public var requestedBy: String
    public var requestedAt: Date
    @Nullable public var decidedBy: String?
    @Nullable public var decidedAt: Date?
    @Nullable public var decisionNote: String?
    @Nullable public var downloadedAt: Date?
    public var expiresAt: Date
    /// Where to download it, while it may be downloaded (`ready` or `approved`).
    @Nullable public var downloadUrl: String?
    public var version: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, status, format, filters, columns, version
        case rowCount = "row_count", requestedBy = "requested_by", requestedAt = "requested_at", decidedBy = "decided_by"
        case decidedAt = "decided_at", decisionNote = "decision_note", downloadedAt = "downloaded_at", expiresAt = "expires_at"
        case downloadUrl = "download_url"
    }

    /// `export` as the use cases return it (its status already as it stands now).
    public init(_ export: Export) {
        id = export.id.rawValue
        object = export.object
        status = export.status.rawValue
        format = export.format
        filters = FiltersDTO(
            ownerId: export.filters.ownerID, teamId: export.filters.teamID, stage: export.filters.stage, source: export.filters.source,
            tag: export.filters.tag, kind: export.filters.kind, doNotContact: export.filters.doNotContact, q: export.filters.q)
        columns = export.columns
        rowCount = export.rowCount
        requestedBy = export.requestedBy.rawValue
        requestedAt = export.requestedAt
        decidedBy = export.decidedBy?.rawValue
        decidedAt = export.decidedAt
        decisionNote = export.decisionNote
        downloadedAt = export.downloadedAt
        expiresAt = export.expiresAt
        downloadUrl = export.status == .ready || export.status == .approved ? "/api/v1/exports/\(export.id.rawValue)/download" : nil
        version = export.version
    }
}
