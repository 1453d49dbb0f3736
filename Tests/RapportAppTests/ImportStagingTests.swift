import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// An import in steps (the web's): the file kept as a staged import that no worker takes, its
/// header read back, a mapping checked and queued as a dry run, and staged uploads left too long cancelled.
@Suite struct ImportStagingTests {
    static let file = "Name,Mobile,Notes\nStaged One,+8613800000051,x\nStaged Two,12,y\n"

    @Test(arguments: TestBackend.available)
    func stageMapDryRunAndCommit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let other = try await harness.signedIn(.rep)
            let imports = harness.rapport.imports
            let staged = try await imports.stage(.init(fileName: "staged.csv", bytes: Array(Self.file.utf8)), by: rep.caller)
            #expect(staged.status == .staged && staged.options.dryRun)
            #expect(staged.columns.map(\.field) == ["name", "phone", "ignore"])
            #expect(try await imports.runPending(worker: "test") == 0, "no worker takes a staged import")
            let preview = try await imports.stagedPreview(staged.id.rawValue, by: rep.caller)
            #expect(preview.headers == ["Name", "Mobile", "Notes"] && preview.sample.count == 2 && preview.suggested == staged.columns)
            let hidden = try await #require(throws: RapportError.self) { try await imports.stagedPreview(staged.id.rawValue, by: other.caller) }
            #expect(hidden.code == .notFound)

            let nameless = try await #require(throws: RapportError.self) {
                try await imports.queueStaged(staged.id.rawValue, columns: [.init(header: "Mobile", field: "phone")], by: rep.caller)
            }
            #expect(nameless.code == .validationFailed && nameless.fieldErrors.map(\.field) == ["columns"])
            let missing = try await #require(throws: RapportError.self) {
                try await imports.queueStaged(staged.id.rawValue, columns: [.init(header: "Full name", field: "name")], by: rep.caller)
            }
            #expect(missing.code == .validationFailed)
            let columns: [ImportColumn] = [.init(header: "Name", field: "name"), .init(header: "Mobile", field: "phone"), .init(header: "Notes", field: "ignore")]
            let queued = try await imports.queueStaged(staged.id.rawValue, columns: columns, by: rep.caller)
            #expect(queued.status == .pending && queued.options.dryRun && queued.columns == columns)
            let again = try await #require(throws: RapportError.self) { try await imports.queueStaged(staged.id.rawValue, columns: columns, by: rep.caller) }
            #expect(again.code == .conflict)

            _ = try await imports.runPending(worker: "test")
            let checked = try await imports.get(staged.id.rawValue, by: rep.caller)
            #expect(checked.status == .validated && checked.counters.created == 1 && checked.counters.errors == 1)
            #expect(try await harness.count("customers") == 0)
            _ = try await imports.commit(staged.id.rawValue, by: rep.caller)
            _ = try await imports.runPending(worker: "test")
            #expect(try await imports.get(staged.id.rawValue, by: rep.caller).status == .completed)
            #expect(try await harness.count("customers") == 1)
            let audited = try await harness.rapport.audit.list(.init(objectID: staged.id.rawValue), page: PageRequest(), by: harness.system).items.map(\.action)
            #expect(Set(audited).isSuperset(of: ["import.staged", "import.started", "import.committed", "import.finished"]))
        }
    }

    @Test(arguments: TestBackend.available)
    func housekeepingCancelsUploadsNeverMapped(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let imports = harness.rapport.imports
            let old = try await imports.stage(.init(fileName: "old.csv", bytes: Array(Self.file.utf8)), by: rep.caller)
            harness.clock.advance(by: ImportUseCases.stagedFor + 60)
            let fresh = try await imports.stage(.init(fileName: "fresh.csv", bytes: Array("Name\nA\n".utf8)), by: rep.caller)
            try await harness.rapport.system.purgeExpired()
            #expect(try await imports.get(old.id.rawValue, by: rep.caller).status == .cancelled)
            #expect(try await imports.get(fresh.id.rawValue, by: rep.caller).status == .staged)
            #expect(try await harness.count("import_chunks") == 1)
            let gone = try await #require(throws: RapportError.self) { try await imports.stagedPreview(old.id.rawValue, by: rep.caller) }
            #expect(gone.code == .conflict)
        }
    }
}
