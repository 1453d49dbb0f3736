import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Saved views: each user's own named filter sets of a list, normalised to the list's filter
/// keys, at most 20 per list, names unique per list, invisible to everyone else.
@Suite struct SavedViewTests {
    @Test func queriesKeepOnlyTheListsFiltersInOneForm() {
        #expect(SavedView.normalise("?cursor=abc&status=new&q=Wang+Li&bogus=1&status=contacting&source=", for: .lead)
                == "q=Wang%20Li&status=contacting")
        #expect(SavedView.normalise("quiet_days=3&scope=team&created_to=2025-03-31&created_from=2025-03-01", for: .lead)
                == "scope=team&created_from=2025-03-01&created_to=2025-03-31&quiet_days=3")
        #expect(SavedView.normalise("q=%E7%8E%8B%26%3D&notice=x", for: .lead) == "q=%E7%8E%8B%26%3D")
        #expect(SavedView.decode(SavedView.normalise("q=%E7%8E%8B%26%3D", for: .lead)).map(\.1) == ["王&="])
        #expect(SavedView.normalise("stage=won&status=new&tag=vip", for: .customer) == "stage=won&tag=vip")
        #expect(SavedView.normalise("q=%0Aa%09b%20&status=%ZZ", for: .lead) == "q=ab")
        #expect(SavedView.normalise("q=" + String(repeating: "x", count: 500), for: .lead) == "q=" + String(repeating: "x", count: 200))
        #expect(SavedView.normalise("", for: .lead) == "")
    }

    @Test(arguments: TestBackend.available)
    func eachUserKeepsTheirOwnViews(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let other = try await harness.signedIn(.rep, team: team)
            let views = harness.rapport.savedViews

            let hot = try await views.create(.init(object: "lead", name: "  Hot ones ", query: "cursor=x&status=new&q=Wang+Li&bogus=1"), by: rep.caller)
            #expect(hot.name == "Hot ones" && hot.query == "q=Wang%20Li&status=new" && hot.position == 0 && hot.userID == rep.user.id)
            let stale = try await views.create(.init(object: "lead", name: "Stale", query: "quiet_days=7"), by: rep.caller)
            let vip = try await views.create(.init(object: "customer", name: "Hot ones", query: "tag=vip"), by: rep.caller)
            #expect(stale.position == 1 && vip.position == 0, "positions count per list")
            #expect(try await views.list(object: "lead", by: rep.caller).map(\.name) == ["Hot ones", "Stale"])
            #expect(try await views.list(by: rep.caller).count == 3)

            // Nobody else sees, or deletes, them.
            #expect(try await views.list(by: other.caller).isEmpty)
            let foreign = try await #require(throws: RapportError.self) { try await views.delete(hot.id.rawValue, by: other.caller) }
            #expect(foreign.code == .notFound)
            let mine = try await views.create(.init(object: "lead", name: "Hot ones", query: ""), by: other.caller)
            #expect(mine.position == 0 && mine.query == "", "another user may use the same name")

            // Refusals name the field and store nothing.
            let taken = try await #require(throws: RapportError.self) { try await views.create(.init(object: "lead", name: "Stale", query: ""), by: rep.caller) }
            #expect(taken.code == .duplicate && taken.fieldErrors.map(\.field) == ["name"])
            let long = try await #require(throws: RapportError.self) {
                try await views.create(.init(object: "lead", name: String(repeating: "名", count: 61), query: ""), by: rep.caller)
            }
            #expect(long.code == .validationFailed && long.fieldErrors.map(\.code) == ["too_long"])
            _ = try await views.create(.init(object: "lead", name: String(repeating: "名", count: 60), query: ""), by: rep.caller)
            let bad = try await #require(throws: RapportError.self) { try await views.create(.init(object: "deal", name: " ", query: nil), by: rep.caller) }
            #expect(Set(bad.fieldErrors.map { "\($0.field):\($0.code)" }) == ["object:invalid", "name:required"])
            let badList = try await #require(throws: RapportError.self) { try await views.list(object: "deal", by: rep.caller) }
            #expect(badList.code == .validationFailed)
            #expect(try await harness.count("saved_views") == 5)

            // Read-only tokens and the system keep no views.
            let readOnly = Caller(principal: Principal(userID: rep.user.id, role: .rep, teamID: team.id, tokenScopes: [.read]), channel: "api")
            #expect(try await views.list(object: "lead", by: readOnly).count == 3)
            let refused = try await #require(throws: RapportError.self) { try await views.create(.init(object: "lead", name: "RO", query: ""), by: readOnly) }
            #expect(refused.code == .forbidden)
            let system = try await #require(throws: RapportError.self) { try await views.list(by: harness.system) }
            #expect(system.code == .forbidden)

            // At most 20 per list: the 21st is refused until one goes.
            for index in 3..<20 { _ = try await views.create(.init(object: "lead", name: "View \(index)", query: "status=new"), by: rep.caller) }
            let full = try await #require(throws: RapportError.self) { try await views.create(.init(object: "lead", name: "One more", query: ""), by: rep.caller) }
            #expect(full.code == .validationFailed && full.fieldErrors.map { "\($0.field):\($0.code)" } == ["object:too_many"])
            _ = try await views.create(.init(object: "customer", name: "One more", query: ""), by: rep.caller)
            try await views.delete(stale.id.rawValue, by: rep.caller)
            let again = try await views.create(.init(object: "lead", name: "One more", query: ""), by: rep.caller)
            #expect(again.position == 20, "a new view goes after the others")
            let gone = try await #require(throws: RapportError.self) { try await views.delete(stale.id.rawValue, by: rep.caller) }
            #expect(gone.code == .notFound)
            let junk = try await #require(throws: RapportError.self) { try await views.delete("not-an-id", by: rep.caller) }
            #expect(junk.code == .notFound)
            #expect(try await views.list(object: "lead", by: rep.caller).count == 20)

            // A user's views go with the user.
            try await harness.rapport.users.delete(other.user.id.rawValue, by: harness.system)
            #expect(try await harness.rapport.database.read { sql in try await SavedViewStore(sql).list(of: other.user.id, object: nil) }.isEmpty)
        }
    }
}
