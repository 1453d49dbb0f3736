import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

@Suite struct AuditContractTests {
    static func someHistory(_ harness: TestHarness) async throws {
        let team = try await harness.team("sales")
        _ = try await harness.signedIn(.rep, team: team)
        _ = try await harness.team("support")
    }

    @Test(arguments: TestBackend.available)
    func anUntouchedChainVerifies(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await Self.someHistory(harness)
            let result = try await harness.rapport.audit.verify(by: harness.system)
            #expect(result.firstBreak == nil)
            #expect(result.checked == Int64(try await harness.count("audit_log")))
            #expect(result.checked >= 4)
        }
    }

    @Test(arguments: TestBackend.available)
    func anEditedEntryIsNamed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await Self.someHistory(harness)
            try await harness.rapport.database.write { sql in
                try await sql.update("audit_log").set("action", to: SQLBind("nothing.happened")).where("seq", .equal, 2).run()
            }
            let result = try await harness.rapport.audit.verify(by: harness.system)
            #expect(result.firstBreak == AuditChain.Break(seq: 2, reason: .hashMismatch))
            #expect(result.checked == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func aDeletedEntryIsNamed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await Self.someHistory(harness)
            try await harness.rapport.database.write { sql in try await sql.delete(from: "audit_log").where("seq", .equal, 3).run() }
            #expect(try await harness.rapport.audit.verify(by: harness.system).firstBreak == AuditChain.Break(seq: 3, reason: .missing))
        }
    }

    @Test(arguments: TestBackend.available)
    func aDeletedLastEntryIsNamed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await Self.someHistory(harness)
            let last = Int64(try await harness.count("audit_log"))
            try await harness.rapport.database.write { sql in try await sql.delete(from: "audit_log").where("seq", .equal, last).run() }
            #expect(try await harness.rapport.audit.verify(by: harness.system).firstBreak == AuditChain.Break(seq: last, reason: .missing))
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentWritersKeepTheChainGapless(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask { _ = try await harness.team("parallel-\(index)") }
                }
                try await group.waitForAll()
            }
            let result = try await harness.rapport.audit.verify(by: harness.system)
            #expect(result.firstBreak == nil)
            #expect(result.checked == 24)
        }
    }

    @Test(arguments: TestBackend.available)
    func onlyAdministratorsReadTheLog(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            await #expect { try await harness.rapport.audit.list(.init(), page: .init(), by: manager.caller) } throws: { ($0 as? RapportError)?.code == .forbidden }
            let admin = try await harness.signedIn(.admin)
            let page = try await harness.rapport.audit.list(.init(actorID: admin.user.id), page: .init(), by: admin.caller)
            #expect(page.items.map(\.action).contains("auth.login"))
            #expect(page.items.allSatisfy { $0.actorID == admin.user.id })
        }
    }
}
