import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Data scope is applied in SQL, for every object kind the same way; outside scope is `not_found`.
@Suite struct ScopeContractTests {
    /// company → east → east-1, and west; a manager in east, reps in east-1 and west.
    struct World: Sendable {
        var admin: TestHarness.SignedIn
        var manager: TestHarness.SignedIn
        var repEast: TestHarness.SignedIn
        var repWest: TestHarness.SignedIn
        var analyst: TestHarness.SignedIn
        var company: Team, east: Team, eastOne: Team, west: Team
    }

    static func world(_ harness: TestHarness) async throws -> World {
        let company = try await harness.team("company")
        let east = try await harness.team("east", parent: company)
        let eastOne = try await harness.team("east-1", parent: east)
        let west = try await harness.team("west", parent: company)
        return World(
            admin: try await harness.signedIn(.admin), manager: try await harness.signedIn(.manager, team: east),
            repEast: try await harness.signedIn(.rep, team: eastOne), repWest: try await harness.signedIn(.rep, team: west),
            analyst: try await harness.signedIn(.analyst, team: company),
            company: company, east: east, eastOne: eastOne, west: west)
    }

    static func isNotFound(_ error: any Error) -> Bool { (error as? RapportError)?.code == .notFound }

    @Test(arguments: TestBackend.available)
    func repsSeeOnlyTheirOwnRecordsAndGetNotFoundForOthers(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let w = try await Self.world(harness)
            let records = TestRecords.UseCases(harness.rapport)
            let east = try await records.create(title: "east lead", by: w.repEast.caller)
            let west = try await records.create(title: "west lead", by: w.repWest.caller)

            #expect(try await records.list(by: w.repEast.caller).map(\.id) == [east.id])
            #expect(try await records.get(east.id, by: w.repEast.caller).title == "east lead")
            await #expect { try await records.get(west.id, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            await #expect { try await records.rename(west.id, to: "mine now", by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            await #expect { try await records.delete(west.id, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            // Nothing changed for the owner.
            #expect(try await records.get(west.id, by: w.repWest.caller).title == "west lead")
        }
    }

    @Test(arguments: TestBackend.available)
    func managersSeeTheirTeamSubtreeAndAdminsEverything(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let w = try await Self.world(harness)
            let records = TestRecords.UseCases(harness.rapport)
            let east = try await records.create(title: "east", by: w.repEast.caller)
            let west = try await records.create(title: "west", by: w.repWest.caller)
            let own = try await records.create(title: "manager's", by: w.manager.caller)

            #expect(Set(try await records.list(by: w.manager.caller).map(\.id)) == [east.id, own.id])
            try await records.rename(east.id, to: "coached", by: w.manager.caller)
            await #expect { try await records.get(west.id, by: w.manager.caller) } throws: { Self.isNotFound($0) }
            #expect(Set(try await records.list(by: w.admin.caller).map(\.id)) == [east.id, west.id, own.id])
            // Analysts read everything but may not write.
            #expect(try await records.list(by: w.analyst.caller).count == 3)
            await #expect { try await records.create(title: "x", by: w.analyst.caller) } throws: { ($0 as? RapportError)?.code == .forbidden }
        }
    }

    @Test(arguments: TestBackend.available)
    func collaboratorGrantsWidenAccessReadOrEdit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let w = try await Self.world(harness)
            let records = TestRecords.UseCases(harness.rapport)
            let west = try await records.create(title: "shared", by: w.repWest.caller)
            try await records.share(west.id, with: w.repEast.user.id, access: "read")
            #expect(try await records.get(west.id, by: w.repEast.caller).title == "shared")
            #expect(try await records.list(by: w.repEast.caller).map(\.id) == [west.id])
            await #expect { try await records.rename(west.id, to: "edited", by: w.repEast.caller) } throws: { Self.isNotFound($0) }

            let other = try await records.create(title: "editable", by: w.repWest.caller)
            try await records.share(other.id, with: w.repEast.user.id, access: "edit")
            try await records.rename(other.id, to: "edited", by: w.repEast.caller)
            #expect(try await records.get(other.id, by: w.repWest.caller).title == "edited")
        }
    }

    @Test(arguments: TestBackend.available)
    func adminsCanWidenARoleScopeAndTheChangeIsAudited(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let w = try await Self.world(harness)
            let records = TestRecords.UseCases(harness.rapport)
            let west = try await records.create(title: "west", by: w.repWest.caller)
            _ = try await harness.rapport.roles.setScopes("rep", [TestRecords.kind.rawValue: "all"], by: w.admin.caller)
            #expect(try await records.get(west.id, by: w.repEast.caller).id == west.id)
            _ = try await harness.rapport.roles.setScopes("rep", [TestRecords.kind.rawValue: "own"], by: w.admin.caller)
            await #expect { try await records.get(west.id, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            let log = try await harness.rapport.audit.list(.init(action: "role.scope_changed"), page: .init(), by: w.admin.caller)
            #expect(log.items.count == 2)
            #expect(log.items.first?.details["to"] == "own")
            await #expect { try await harness.rapport.roles.setScopes("rep", ["user": "all"], by: w.manager.caller) } throws: { ($0 as? RapportError)?.code == .forbidden }
        }
    }

    @Test(arguments: TestBackend.available)
    func usersAndTeamsFollowTheSameScopes(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let w = try await Self.world(harness)
            let users = harness.rapport.users
            let teams = harness.rapport.teams
            // A rep sees only themself and their own team.
            #expect(try await users.list(.init(), page: .init(), by: w.repEast.caller).items.map(\.id) == [w.repEast.user.id])
            await #expect { try await users.get(w.repWest.user.id.rawValue, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            #expect(try await teams.list(parent: nil, page: .init(), by: w.repEast.caller).items.map(\.id) == [w.eastOne.id])
            await #expect { try await teams.get(w.west.id.rawValue, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            // A rep may not change another user even inside scope rules: outside scope it is not found.
            await #expect { try await users.update(w.repWest.user.id.rawValue, .init(name: "x"), expectedVersion: 1, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            await #expect { try await users.delete(w.repWest.user.id.rawValue, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            await #expect { try await teams.delete(w.west.id.rawValue, by: w.repEast.caller) } throws: { Self.isNotFound($0) }
            // The manager of east sees east and east-1 and the people in them.
            #expect(Set(try await teams.list(parent: nil, page: .init(), by: w.manager.caller).items.map(\.id)) == [w.east.id, w.eastOne.id])
            #expect(Set(try await users.list(.init(), page: .init(), by: w.manager.caller).items.map(\.id)) == [w.manager.user.id, w.repEast.user.id])
            // Moving west under east brings its people into the manager's scope at once.
            _ = try await teams.update(w.west.id.rawValue, .init(parent: .some(w.east.id.rawValue)), expectedVersion: w.west.version, by: w.admin.caller)
            let manager = try await harness.rapport.auth.authenticate(secret: w.manager.secret, address: nil)
            let caller = Caller(principal: manager, channel: "api")
            #expect(Set(try await users.list(.init(), page: .init(), by: caller).items.map(\.id)) == [w.manager.user.id, w.repEast.user.id, w.repWest.user.id])
        }
    }

    @Test(arguments: TestBackend.available)
    func listsPageThroughEverythingExactlyOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            var made: [RecordID] = []
            for index in 0..<7 { made.append(try await harness.team("team-\(index)").id) }
            var seen: [RecordID] = []
            var page = PageRequest(limit: 3)
            while true {
                let result = try await harness.rapport.teams.list(parent: nil, page: page, by: harness.system)
                seen += result.items.map(\.id)
                guard let next = result.nextCursor else { break }
                page.cursor = next
            }
            #expect(seen == made)
        }
    }

    @Test(arguments: TestBackend.available)
    func userSearchMatchesNameAndEmailLiterally(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let ada = try await harness.signedIn(.rep, email: "ada_lovelace@example.com")
            _ = try await harness.signedIn(.rep, email: "adaxlovelace@example.com")
            _ = try await harness.rapport.users.update(ada.user.id.rawValue, .init(name: "Ada 100% Lovelace"), expectedVersion: ada.user.version, by: harness.system)
            let users = harness.rapport.users
            // `_` and `%` are literal characters in a search, not wildcards.
            #expect(try await users.list(.init(query: "ada_"), page: .init(), by: harness.system).items.map(\.id) == [ada.user.id])
            #expect(try await users.list(.init(query: "100%"), page: .init(), by: harness.system).items.map(\.id) == [ada.user.id])
            #expect(try await users.list(.init(query: "LOVELACE"), page: .init(), by: harness.system).items.count == 2)
            #expect(try await users.list(.init(role: .admin), page: .init(), by: harness.system).items.isEmpty)
        }
    }
}
