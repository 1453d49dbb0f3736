import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension ReportUseCases {
    /// Submits the caller's own draft (or returned) report: its figures are computed from the
    /// records and kept as they are now, and the author's managers are told (`report.submitted`).
    public func submit(_ id: String, expectedVersion: Int64? = nil, by caller: Caller) async throws -> View {
        let existing = try await loadOwn(id, by: caller)
        try Self.check(existing.status, allows: .submitted)
        let now = rapport.clock.now()
        let figures = try await rapport.database.read { sql in try await self.figures(of: existing, sql) }
        var report = existing
        report.status = .submitted
        report.figures = figures
        report.submittedAt = now
        let version = (expectedVersion ?? existing.version) + 1
        return try await change(report, from: existing, expectedVersion: expectedVersion, action: "report.submitted", by: caller) { saved, sql in
            let managers = try await rapport.approvers(for: saved.authorID, excluding: [saved.authorID], sql)
            try await notify(managers, "report.submitted", about: saved, dedup: "\(version)", sql)
        }
    }

    /// Sends a submitted report back to its author for rework (`report.returned`), with an
    /// optional reason kept as a comment. Not by the author.
    public func returnForRework(_ id: String, reason: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> View {
        try await decide(id, to: .returned, note: reason, expectedVersion: expectedVersion, action: "report.returned", by: caller) { report, now in
            report.returnedAt = now
        }
    }

    /// Marks a submitted report reviewed (批阅, `report.reviewed`), with an optional comment. Not by the author.
    public func review(_ id: String, comment: String?, expectedVersion: Int64? = nil, by caller: Caller) async throws -> View {
        try await decide(id, to: .reviewed, note: comment, expectedVersion: expectedVersion, action: "report.reviewed", by: caller) { report, now in
            report.reviewedAt = now
            report.reviewedBy = caller.actorID
        }
    }

    private func decide(
        _ id: String, to status: WorkReport.Status, note: String?, expectedVersion: Int64?, action: String, by caller: Caller,
        _ change: @Sendable (inout WorkReport, Date) -> Void
    ) async throws -> View {
        let existing = try await load(id, by: caller, .update)
        guard existing.authorID != caller.actorID else {
            throw RapportError(.forbidden, "A report is returned or reviewed by the author's manager, not by its author.")
        }
        try Self.check(existing.status, allows: status)
        var check = Validator()
        let note = note.map { check.text($0, field: status == .returned ? "reason" : "comment", maxLength: WorkReport.maximumCommentLength, multiline: true) }
            .flatMap { $0.isEmpty ? nil : $0 }
        try check.finish()
        let now = rapport.clock.now()
        var report = existing
        report.status = status
        change(&report, now)
        let version = (expectedVersion ?? existing.version) + 1
        return try await self.change(report, from: existing, expectedVersion: expectedVersion, action: action, by: caller) { saved, sql in
            if let note, let commenter = caller.actorID {
                try await ReportStore(sql).addComment(ReportComment(id: rapport.ids.next(.reportComment, at: now), reportID: saved.id, authorID: commenter,
                                                                    authorName: "", body: note, createdAt: now))
            }
            try await notify([saved.authorID], action, about: saved, dedup: "\(version)", sql)
        }
    }

    static func check(_ status: WorkReport.Status, allows next: WorkReport.Status) throws {
        guard status.allows(next) else {
            throw RapportError(.conflict, "The report is \(status.rawValue); it cannot become \(next.rawValue).")
        }
    }

    /// A report's comments, oldest first (whoever may read the report).
    public func comments(_ id: String, by caller: Caller) async throws -> [ReportComment] {
        let report = try await load(id, by: caller, .read)
        return try await rapport.database.read { sql in try await ReportStore(sql).comments(report.id) }
    }

    /// Comments on a report: its author, or a manager or administrator who may change it. The
    /// other side is told (`report.commented`): the author when someone else comments; the
    /// author's managers and earlier commenters when the author does.
    public func comment(_ id: String, body: String?, by caller: Caller) async throws -> ReportComment {
        let report = try await load(id, by: caller, .update)
        guard let commenter = caller.actorID else { throw RapportError(.forbidden, "Only a signed-in user comments on a report.") }
        var check = Validator()
        if body == nil { check.add("body", "required", "body is required.") }
        let text = check.text(body ?? "", field: "body", maxLength: WorkReport.maximumCommentLength, allowEmpty: body == nil, multiline: true)
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            let store = ReportStore(sql)
            let comment = ReportComment(id: rapport.ids.next(.reportComment, at: now), reportID: report.id, authorID: commenter,
                                        authorName: "", body: text, createdAt: now)
            try await store.addComment(comment)
            try await rapport.record(rapport.event("report.commented", by: caller, kind: .report, object: report.id.rawValue,
                                                   details: ["comment_id": comment.id.rawValue]), in: sql)
            var recipients: [RecordID]
            if commenter == report.authorID {
                let managers = try await rapport.approvers(for: report.authorID, excluding: [report.authorID], sql)
                recipients = managers + (try await store.commenters(report.id)).filter { $0 != commenter && !managers.contains($0) }.sorted()
            } else {
                recipients = [report.authorID]
            }
            try await notify(recipients, "report.commented", about: report, dedup: comment.id.rawValue, sql)
            guard let saved = try await store.comments(report.id).first(where: { $0.id == comment.id }) else { throw RapportError.notFound("comment") }
            return saved
        }
    }

    /// Sends `kind` about `report` to `users`, once per user and `dedup`.
    func notify(_ users: [RecordID], _ kind: String, about report: WorkReport, dedup: String, _ sql: any SQLDatabase) async throws {
        let name = try await UserStore(sql).find(report.authorID)?.name ?? ""
        let details = ["kind": report.kind.rawValue, "period": report.period.description, "author_id": report.authorID.rawValue, "author_name": name]
        let notices = rapport.notifications
        try await notices.send(users.map { user in
            notices.make(user, kind, details: details, about: (.report, report.id.rawValue), dedupKey: "\(kind):\(report.id.rawValue):\(dedup):\(user.rawValue)")
        }, in: sql)
    }
}
