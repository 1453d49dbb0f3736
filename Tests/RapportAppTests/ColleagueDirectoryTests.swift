import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The colleague directory (whom one may share a deal with): every active user of the company,
/// whatever the reader's scope, with name and team only; searched by name, paged by id.
@Suite struct ColleagueDirectoryTests {
    @Test(arguments: TestBackend.available)
    func everyoneActiveByNameAndTeamPagedAndSearchable(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east, email: "ray@example.com")
            let presales = try await harness.signedIn(.rep, team: west, email: "pres@example.com")
            let admin = try await harness.signedIn(.admin, email: "adam@example.com")
            let gone = try await harness.signedIn(.rep, team: east, email: "gone@example.com")
            _ = try await harness.rapport.users.disable(gone.user.id.rawValue, by: harness.system)
            let users = harness.rapport.users

            // A rep's own user list holds only themselves; the directory holds everyone active.
            #expect(try await users.list(.init(status: .active), page: PageRequest(), by: rep.caller).items.map(\.id) == [rep.user.id])
            var pages: [Page<UserStore.Colleague>] = [try await users.colleagues(matching: nil, page: PageRequest(limit: 2), by: rep.caller)]
            while let cursor = pages.last?.nextCursor {
                pages.append(try await users.colleagues(matching: nil, page: PageRequest(limit: 2, cursor: cursor), by: rep.caller))
            }
            let everyone = pages.flatMap(\.items)
            #expect(pages.count == 2 && everyone.count == 3 && everyone.map(\.id.rawValue) == everyone.map(\.id.rawValue).sorted())
            let byID = Dictionary(uniqueKeysWithValues: everyone.map { ($0.id, $0) })
            #expect(Set(byID.keys) == [rep.user.id, presales.user.id, admin.user.id])
            #expect(byID[rep.user.id]?.teamName == "East" && byID[presales.user.id]?.teamName == "West" && byID[admin.user.id]?.teamName == nil)
            #expect(byID[presales.user.id]?.name == presales.user.name && byID[presales.user.id]?.teamID == west.id)

            // By part of the name, any case; not by email.
            #expect(try await users.colleagues(matching: " PRES ", page: PageRequest(), by: rep.caller).items.map(\.id) == [presales.user.id])
            #expect(try await users.colleagues(matching: "example.com", page: PageRequest(), by: rep.caller).items.isEmpty)
            #expect(try await users.colleagues(matching: "gone", page: PageRequest(), by: admin.caller).items.isEmpty, "disabled users are not offered")
            let long = try await #require(throws: RapportError.self) {
                try await users.colleagues(matching: String(repeating: "x", count: 101), page: PageRequest(), by: rep.caller)
            }
            #expect(long.code == .validationFailed && long.fieldErrors.map(\.field) == ["q"])
            let names = try await users.colleagueNames([presales.user.id, gone.user.id, admin.user.id], by: rep.caller)
            #expect(names == [presales.user.id: presales.user.name, admin.user.id: admin.user.name])
        }
    }
}
