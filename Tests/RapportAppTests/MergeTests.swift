import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Merging duplicates with a field-by-field choice, and undoing it exactly.
@Suite struct MergeTests {
    @Test(arguments: TestBackend.available)
    func mergeMovesEverythingAndUndoRestoresBoth(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            let customers = harness.rapport.customers
            var first = CustomerUseCaseTests.person("Wang Wu", phone: "13800138010", email: "wu@example.com")
            first.tags = ["a"]
            first.company = .some("Old Co")
            let (survivor, _) = try await customers.create(first, by: manager.caller)
            var second = CustomerUseCaseTests.person("王五", phone: "13800138011", email: "wangwu@example.com")
            second.tags = ["b"]
            second.company = .some("New Co")
            second.title = .some("Director")
            let (merged, _) = try await customers.create(second, by: manager.caller)
            let (friend, _) = try await customers.create(CustomerUseCaseTests.person("Friend"), by: manager.caller)
            _ = try await customers.relate(friend.id.rawValue, to: merged.id.rawValue, type: "referred_by", note: nil, by: manager.caller)
            _ = try await harness.rapport.activities.log(.init(customerID: merged.id.rawValue, type: "call"), by: manager.caller)

            // Both share nothing yet; make them duplicates on email through the flag policy.
            let (dup, _) = try await customers.create(CustomerUseCaseTests.person("Wu W", email: "WU@example.com"), policy: .flag, by: manager.caller)
            let report = try await harness.rapport.merges.duplicates(page: PageRequest(), by: manager.caller)
            #expect(report.items.count == 1 && report.items[0].kind == .email && report.items[0].maskedValue == "w***@example.com")
            #expect(Set(report.items[0].customers.map(\.id)) == [survivor.id, dup.id])

            let bad = try await #require(throws: RapportError.self) {
                try await harness.rapport.merges.merge(survivor: survivor.id.rawValue, merged: merged.id.rawValue, choices: ["colour": "merged"], by: manager.caller)
            }
            #expect(bad.code == .validationFailed)

            let record = try await harness.rapport.merges.merge(
                survivor: survivor.id.rawValue, merged: merged.id.rawValue, choices: ["name": "merged", "company": "merged"], by: manager.caller)
            let after = try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(survivor.id) }!
            #expect(after.name == "王五" && after.company == "New Co" && after.title == "Director" && after.tags == ["a", "b"])
            #expect(Set(after.contacts.map(\.value)) == ["+8613800138010", "+8613800138011", "wu@example.com", "wangwu@example.com"])
            #expect(try await harness.rapport.activities.timeline(survivor.id.rawValue, page: PageRequest(), by: manager.caller).items.count == 1)
            #expect(try await customers.relations(survivor.id.rawValue, by: manager.caller).map(\.type) == ["referred"])
            let gone = try await #require(throws: RapportError.self) { try await customers.get(merged.id.rawValue, by: manager.caller) }
            #expect(gone.code == .notFound)
            #expect(try await customers.stageHistory(survivor.id.rawValue, by: manager.caller).count == 2)

            let undone = try await harness.rapport.merges.undo(record.id.rawValue, by: manager.caller)
            #expect(undone.undoneAt != nil)
            let restoredSurvivor = try await customers.get(survivor.id.rawValue, by: manager.caller)
            let restoredMerged = try await customers.get(merged.id.rawValue, by: manager.caller)
            #expect(restoredSurvivor.name == "Wang Wu" && restoredSurvivor.company == "Old Co" && restoredSurvivor.tags == ["a"])
            #expect(restoredMerged.name == "王五" && restoredMerged.contacts.count == 2 && restoredMerged.tags == ["b"])
            #expect(try await harness.rapport.activities.timeline(merged.id.rawValue, page: PageRequest(), by: manager.caller).items.count == 1)
            #expect(try await customers.relations(merged.id.rawValue, by: manager.caller).map(\.type) == ["referred"])
            #expect(try await customers.stageHistory(survivor.id.rawValue, by: manager.caller).count == 1)
            let twice = try await #require(throws: RapportError.self) { try await harness.rapport.merges.undo(record.id.rawValue, by: manager.caller) }
            #expect(twice.code == .conflict)
        }
    }
}
