import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Customer exports: requested by users with the export permission, counted in their scope,
/// queued for an administrator's approval above the configured size, and downloaded by the
/// requester as CSV produced page by page through ``CustomerUseCases/list(_:page:by:)`` — so scope
/// and masking come from the one policy, and every row is the row the API would show.
///
/// ```swift
/// let export = try await rapport.exports.request(.init(filters: .init(stage: "enrolled")), by: caller)
/// if export.status == .ready {
///     let download = try await rapport.exports.download(export.id.rawValue, by: caller)
///     let rows = try await download.write(toFile: "customers.csv")
/// }
/// ```
public struct ExportUseCases: Sendable {
    let rapport: Rapport

    /// How long a ready or approved export may be downloaded.
    public static let downloadWindow: TimeInterval = 24 * 3_600
    /// How long a request waits for an administrator's decision.
    public static let approvalWindow: TimeInterval = 7 * 86_400
    /// Rows per page read from the customer list (and per chunk written).
    static let pageSize = 500

    /// What a caller asks to export.
    public struct Request: Sendable {
        /// What to export; only `customers` so far.
        public var object: String
        public var filters: CustomerUseCases.ListQuery
        /// A subset of ``ExportUseCases/columns(by:)`` in the order wanted; nil for all of them.
        public var columns: [String]?
        /// Only `csv` so far.
        public var format: String

        public init(object: String = "customers", filters: CustomerUseCases.ListQuery = .init(), columns: [String]? = nil, format: String = "csv") {
            self.object = object
            self.filters = filters
            self.columns = columns
            self.format = format
        }
    }

    func exportScope(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .export, anchor: .owner(column: "requested_by"), table: "exports")
    }

    /// Asks for an export: checks the permission and the request, counts the rows in the caller's
    /// scope, and stores it `ready` (within the approval threshold) or `pending_approval`.
    /// Nothing is stored when the request is invalid.
    public func request(_ request: Request, by caller: Caller) async throws -> Export {
        _ = try await exportScope(caller, .create)
        guard let requester = caller.actorID else {
            throw RapportError(.forbidden, "Export requests belong to users; the system exports directly (rapport export customers).")
        }
        let plan = try await self.plan(request, by: caller)
        let rows = try await count(plan, by: caller)
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let threshold = try await CustomerSettings.load(sql).exportApprovalThreshold
            let status: Export.Status = rows <= threshold ? .ready : .pendingApproval
            let window = status == .ready ? Self.downloadWindow : Self.approvalWindow
            let export = Export(
                id: rapport.ids.next(Export.idPrefix, at: now), object: request.object, status: status, format: request.format,
                filters: Self.filters(request.filters), columns: plan.columns.map(\.name), rowCount: Int64(rows),
                requestedBy: requester, requestedAt: now, expiresAt: now.addingTimeInterval(window))
            try await ExportStore(sql).insert(export)
            try await rapport.record(rapport.event("export.requested", by: caller, kind: .export, object: export.id.rawValue,
                                                   details: Self.details(export, filters: request.filters)), in: sql)
            return export
        }
    }

    /// Exports visible to the caller, newest first: their own; everyone's for a role whose export scope is `all` (administrators).
    public func list(status: String?, page: PageRequest, by caller: Caller) async throws -> Page<Export> {
        let scope = try await exportScope(caller, .read)
        var parsed: Export.Status?
        if let status {
            parsed = Export.Status(rawValue: status)
            guard parsed != nil else {
                let names = Export.Status.allCases.map(\.rawValue).joined(separator: ", ")
                throw RapportError.validation([FieldError(field: "status", code: "invalid", message: "status must be one of \(names).")])
            }
        }
        let now = rapport.clock.now()
        let requester = scope.scope == .all ? nil : caller.actorID
        let found = try await rapport.database.read { sql in try await ExportStore(sql).list(requestedBy: requester, status: parsed, at: now, page: page) }
        return found.map { Self.shown($0, at: now) }
    }

    /// One export the caller may see (`not_found` otherwise).
    public func get(_ id: String, by caller: Caller) async throws -> Export {
        Self.shown(try await visible(id, by: caller), at: rapport.clock.now())
    }

    /// Approves a pending export (administrators; never the requester themselves). It may then be
    /// downloaded for ``downloadWindow``.
    public func approve(_ id: String, note: String?, by caller: Caller) async throws -> Export {
        try await decide(id, .approved, note: note, by: caller)
    }

    /// Rejects a pending export (administrators): it can never be downloaded.
    public func reject(_ id: String, note: String?, by caller: Caller) async throws -> Export {
        try await decide(id, .rejected, note: note, by: caller)
    }

    private func decide(_ id: String, _ decision: Export.Status, note: String?, by caller: Caller) async throws -> Export {
        _ = try await exportScope(caller, .create)  // a write: a read-only token may not decide
        guard caller.principal?.isAdmin ?? true else {
            throw RapportError(.forbidden, "Only administrators may approve or reject exports.")
        }
        var check = Validator()
        let note = note.map { check.text($0, field: "note", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        try check.finish()
        let export = try await visible(id, by: caller)
        if decision == .approved, export.requestedBy == caller.actorID {
            throw RapportError(.forbidden, "You may not approve your own export; another administrator must.")
        }
        let now = rapport.clock.now()
        try Self.requirePending(export, at: now)
        return try await rapport.transaction { sql in
            let store = ExportStore(sql)
            let expiresAt = decision == .approved ? now.addingTimeInterval(Self.downloadWindow) : export.expiresAt
            guard try await store.decide(export.id, decision, by: caller.actorID, note: note, at: now, expiresAt: expiresAt),
                  let decided = try await store.find(export.id)
            else { throw RapportError(.conflict, "The export was decided by someone else at the same time.") }
            try await rapport.record(rapport.event("export.\(decision.rawValue)", by: caller, kind: .export, object: export.id.rawValue,
                                                   details: ["requested_by": export.requestedBy.rawValue, "row_count": String(export.rowCount)]), in: sql)
            return Self.shown(decided, at: now)
        }
    }

    static func requirePending(_ export: Export, at now: Date) throws {
        switch export.status(at: now) {
        case .pendingApproval: return
        case .expired: throw RapportError(.conflict, "The request expired before anyone decided on it; ask for a new export.")
        case let status: throw RapportError(.conflict, "The export is already \(status.rawValue.replacingOccurrences(of: "_", with: " ")); it no longer awaits a decision.")
        }
    }

    /// Checks that the caller may download the export now, without downloading it (HEAD).
    ///
    /// Only its requester may, while it is `ready` or `approved` and not expired, and while their
    /// role still has the export permission and may read customers.
    public func checkDownload(_ id: String, by caller: Caller) async throws -> Export {
        let export = try await visible(id, by: caller)
        guard export.requestedBy == caller.actorID else {
            throw RapportError(.forbidden, "Only the person who requested an export may download it.")
        }
        _ = try await rapport.customers.filter(caller, .read)
        let now = rapport.clock.now()
        switch export.status(at: now) {
        case .ready, .approved: return Self.shown(export, at: now)
        case .pendingApproval: throw RapportError(.conflict, "The export awaits an administrator's approval; it can be downloaded once approved.")
        case .rejected: throw RapportError(.conflict, "The export was rejected by an administrator; it cannot be downloaded.")
        case .expired: throw RapportError(.conflict, "The export's download window (24 hours) has passed; ask for a new export.")
        }
    }

    /// Starts a download of the caller's own ready or approved export: audited before any row is
    /// produced (`export.download_started`), and again with the rows written when it ends
    /// (`export.downloaded`). The rows are those in the requester's scope now.
    public func download(_ id: String, by caller: Caller) async throws -> Download {
        let export = try await checkDownload(id, by: caller)
        let request = Request(object: export.object, filters: Self.query(export.filters), columns: export.columns, format: export.format)
        let plan = try await self.plan(request, by: caller, stored: true)
        let now = rapport.clock.now()
        try await rapport.transaction { sql in
            guard try await ExportStore(sql).markDownloaded(export.id, at: now) else {
                throw RapportError(.conflict, "The export can no longer be downloaded.")
            }
            try await rapport.record(rapport.event("export.download_started", by: caller, kind: .export, object: export.id.rawValue,
                                                   details: Self.details(export, filters: request.filters)), in: sql)
        }
        return Download(rapport: rapport, caller: caller, exportID: export.id, plan: plan, expectedRows: Int(export.rowCount))
    }

    /// Exports at once, without a stored request or approval: for the system only (the command line
    /// without `--as`), which sees every record — still masked. Audited like a download.
    public func direct(_ request: Request, by caller: Caller) async throws -> Download {
        guard caller.principal == nil else {
            throw RapportError(.forbidden, "Users request exports (and large ones wait for approval); only the system exports directly.")
        }
        let plan = try await self.plan(request, by: caller)
        let rows = try await count(plan, by: caller)
        let now = rapport.clock.now()
        let id = rapport.ids.next(Export.idPrefix, at: now)
        var details = Self.details(object: request.object, format: request.format, rows: Int64(rows), status: .ready,
                                   columns: plan.columns.count, filters: request.filters)
        details["direct"] = "true"
        try await rapport.transaction { sql in
            try await rapport.record(rapport.event("export.download_started", by: caller, kind: .export, object: id.rawValue, details: details), in: sql)
        }
        return Download(rapport: rapport, caller: caller, exportID: id, plan: plan, expectedRows: rows)
    }

    /// The export visible to the caller: their own, or any when their export scope is `all`.
    private func visible(_ id: String, by caller: Caller) async throws -> Export {
        let scope = try await exportScope(caller, .read)
        guard let id = RecordID(parsing: id, prefix: Export.idPrefix),
              let export = try await rapport.database.read({ sql in try await ExportStore(sql).find(id) }),
              scope.scope == .all || export.requestedBy == caller.actorID
        else { throw RapportError.notFound("export") }
        return export
    }

    /// The export with its status as it stands at `now` (`expired` once its window has passed).
    static func shown(_ export: Export, at now: Date) -> Export {
        var shown = export
        shown.status = export.status(at: now)
        return shown
    }

    /// Safe audit details: counts and the names of the filters used, never their values (a search
    /// text may be a phone number).
    static func details(_ export: Export, filters: CustomerUseCases.ListQuery) -> [String: String] {
        details(object: export.object, format: export.format, rows: export.rowCount, status: export.status, columns: export.columns.count, filters: filters)
    }

    static func details(object: String, format: String, rows: Int64, status: Export.Status, columns: Int, filters: CustomerUseCases.ListQuery) -> [String: String] {
        var used: [String] = []
        if filters.owner != nil { used.append("owner_id") }
        if filters.team != nil { used.append("team_id") }
        if filters.stage != nil { used.append("stage") }
        if filters.source != nil { used.append("source") }
        if filters.tag != nil { used.append("tag") }
        if filters.kind != nil { used.append("kind") }
        if filters.doNotContact != nil { used.append("do_not_contact") }
        if filters.q != nil { used.append("q") }
        return ["object": object, "format": format, "row_count": String(rows), "status": status.rawValue,
                "columns": String(columns), "filters": used.joined(separator: ",")]
    }

    static func filters(_ query: CustomerUseCases.ListQuery) -> Export.Filters {
        Export.Filters(ownerID: query.owner, teamID: query.team, stage: query.stage, source: query.source, tag: query.tag, kind: query.kind,
                       doNotContact: query.doNotContact, q: query.q)
    }

    static func query(_ filters: Export.Filters) -> CustomerUseCases.ListQuery {
        CustomerUseCases.ListQuery(owner: filters.ownerID, team: filters.teamID, stage: filters.stage, source: filters.source, tag: filters.tag,
                                   kind: filters.kind, doNotContact: filters.doNotContact, q: filters.q)
    }
}
