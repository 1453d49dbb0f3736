import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension UserUseCases {
    /// The people a caller may pick as a colleague — to share an opportunity with, say: every
    /// active user of the company, whatever the caller's scope (a deal is shared with a presales
    /// engineer of another team), showing name and team only, never contact details. A page by id,
    /// narrowed by `matching` (part of a name, case-insensitive, at most 100 characters). Anyone
    /// signed in may look.
    public func colleagues(matching text: String?, page: PageRequest, by caller: Caller) async throws -> Page<UserStore.Colleague> {
        var check = Validator()
        let text = text.map { check.text($0, field: "q", maxLength: 100) }.flatMap { $0.isEmpty ? nil : $0 }
        try check.finish()
        return try await rapport.database.read { sql in try await UserStore(sql).colleagues(nameContains: text, page: page) }
    }

    /// The names of those of `ids` who are active users, whatever the caller's scope — as the
    /// directory would show them (a deal's collaborators and owner across teams); others left out.
    public func colleagueNames(_ ids: Set<RecordID>, by caller: Caller) async throws -> [RecordID: String] {
        guard !ids.isEmpty else { return [:] }
        return try await rapport.database.read { sql in try await UserStore(sql).colleagueNames(ids) }
    }
}
