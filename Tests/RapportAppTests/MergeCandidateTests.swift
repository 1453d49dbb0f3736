import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// One customer's side of merging: its duplicates within scope, and the merges into it.
@Suite struct MergeCandidateTests {
    @Test(arguments: TestBackend.available)
    func duplicatesOfACustomerStayInScopeAndRecentMergesListUndoneOnes(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east)
            let stranger = try await harness.signedIn(.rep, team: west)
            let customers = harness.rapport.customers
            let (one, _) = try await customers.create(CustomerUseCaseTests.person("One", phone: "13800000061", email: "one@example.com"), by: rep.caller)
            let (two, _) = try await customers.create(CustomerUseCaseTests.person("Two", email: "ONE@example.com"), policy: .flag, by: rep.caller)
            let (three, _) = try await customers.create(CustomerUseCaseTests.person("Three", phone: "138 0000 0061"), policy: .flag, by: rep.caller)
            _ = try await customers.create(CustomerUseCaseTests.person("Elsewhere", phone: "13800000061"), policy: .flag, by: stranger.caller)
            _ = try await customers.create(CustomerUseCaseTests.person("Unrelated", phone: "13800000069"), by: rep.caller)
            let found = try await harness.rapport.merges.duplicates(of: one.id.rawValue, by: rep.caller)
            #expect(found.map(\.id) == [two.id, three.id].sorted() && found.allSatisfy { $0.contacts.allSatisfy { !$0.value.contains("0000006") } })
            let outside = try await #require(throws: RapportError.self) { try await harness.rapport.merges.duplicates(of: one.id.rawValue, by: stranger.caller) }
            #expect(outside.code == .notFound)

            #expect(try await harness.rapport.merges.recent(into: one.id.rawValue, by: rep.caller).isEmpty)
            let first = try await harness.rapport.merges.merge(survivor: one.id.rawValue, merged: two.id.rawValue, choices: [:], by: rep.caller)
            _ = try await harness.rapport.merges.undo(first.id.rawValue, by: rep.caller)
            harness.clock.advance(by: 60)
            let second = try await harness.rapport.merges.merge(survivor: one.id.rawValue, merged: three.id.rawValue, choices: [:], by: rep.caller)
            let recent = try await harness.rapport.merges.recent(into: one.id.rawValue, by: rep.caller)
            #expect(recent.map(\.id) == [second.id, first.id] && recent[0].undoneAt == nil && recent[1].undoneAt != nil)
            #expect(try await harness.rapport.merges.duplicates(of: one.id.rawValue, by: rep.caller).map(\.id) == [two.id])
            let hidden = try await #require(throws: RapportError.self) { try await harness.rapport.merges.recent(into: one.id.rawValue, by: stranger.caller) }
            #expect(hidden.code == .notFound)
        }
    }
}
