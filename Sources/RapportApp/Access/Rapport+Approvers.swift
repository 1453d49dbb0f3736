import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension Rapport {
    /// Who is asked to approve a record (a quote, an order) of `owner`: the active managers of the
    /// owner's team, else of the nearest team above that has any; else the active administrators.
    /// Never anyone in `excluding` (the owner, the submitter).
    func approvers(for owner: RecordID, excluding: [RecordID], _ sql: any SQLDatabase) async throws -> [RecordID] {
        let excluded = Set(excluding)
        var teamID = try await UserStore(sql).find(owner)?.teamID
        var seen: Set<RecordID> = []
        while let id = teamID, !seen.contains(id), let team = try await TeamStore(sql).find(id) {
            seen.insert(id)
            let managers = try await UserStore(sql).activeMembers(ofSubtree: team.path)
                .filter { $0.teamID == id && $0.role == .manager && !excluded.contains($0.id) }
            if !managers.isEmpty { return managers.map(\.id) }
            teamID = team.parentID
        }
        return try await UserStore(sql).active(role: .admin).map(\.id).filter { !excluded.contains($0) }
    }

    /// Asks `approvers` in their inboxes to decide on a record (`<kind>.approval_requested`, about
    /// the record), once per `request` (an approval request's id, a submission's version).
    func askApprovers(
        _ approvers: [RecordID], about object: (ObjectKind, String), request: String, details: [String: String], _ sql: any SQLDatabase
    ) async throws {
        let notices = notifications
        try await notices.send(approvers.map { approver in
            notices.make(approver, "\(object.0.rawValue).approval_requested", details: details, about: object,
                         dedupKey: "\(object.0.rawValue)-approval:\(request):\(approver.rawValue)")
        }, in: sql)
    }
}
