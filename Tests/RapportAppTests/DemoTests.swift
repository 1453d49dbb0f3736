import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// The demo data: a fresh database becomes a living company, through the use cases, once.
@Suite struct DemoTests {
    @Test(arguments: TestBackend.available)
    func fillMakesALivingCompanyOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rapport = harness.rapport
            #expect(try await rapport.demo.state(by: harness.system) == .fresh)
            let summary = try await rapport.demo.fill(by: harness.system)
            print("demo fill on \(backend): \(String(format: "%.1f", summary.seconds)) s, \(summary.customers) customers, "
                + "\(summary.activities) activities, \(summary.relations) relations, stages \(summary.stages.sorted { $0.key < $1.key })")

            // The organisation: company → 2 departments → 5 groups; 14 accounts of every role needed.
            #expect(summary.teams == 8 && summary.users == 14)
            #expect(try await harness.count("teams") == 8)
            #expect(try await harness.count("users") == 14)
            let roles = Dictionary(grouping: DemoUseCases.accounts, by: \.role).mapValues(\.count)
            #expect(roles == [.admin: 1, .manager: 2, .rep: 9, .service: 1, .analyst: 1])
            #expect(Set(DemoUseCases.accounts.compactMap(\.repLevel)) == ["junior", "senior", "expert"])

            // Customers, timelines, relations, stages spread over the lifecycle.
            #expect(summary.customers > 1_000)
            #expect(try await harness.count("customers") == summary.customers)
            #expect(summary.activities > summary.customers * 2)
            #expect(try await harness.count("activities") == summary.activities)
            #expect(summary.relations > 20 && summary.stageMoves > 500)
            #expect(try await harness.count("customer_relations") == summary.relations)
            #expect(summary.stages.values.reduce(0, +) == summary.customers)
            for stage in ["new", "engaged", "trial_booked", "trial_attended", "enrolled", "renewed", "promoter", "dormant", "lost"] {
                #expect((summary.stages[stage] ?? 0) > 0, "no customer in \(stage)")
            }
            // The contact-frequency cap was respected: no touch was logged past it.
            #expect(try await harness.count("activities WHERE cap_warning <> 0") == 0)

            // The deliberate duplicates show in the report.
            #expect(summary.flaggedDuplicates > 0)
            let duplicates = try await rapport.merges.duplicates(page: .init(), by: harness.system)
            #expect(duplicates.items.count >= summary.flaggedDuplicates)
            #expect(duplicates.items.allSatisfy { $0.customers.count >= 2 })

            // A rep signs in with the demo password and sees only their own customers; student
            // services see the renewed customers handed over to them.
            let repAccount = try #require(DemoUseCases.accounts.first { $0.role == .rep })
            let rep = try await Self.signIn(repAccount.email, rapport)
            let repID = try #require(rep.principal?.userID)
            let mine = try await Self.allCustomers(rep, rapport)
            #expect(!mine.isEmpty && mine.allSatisfy { $0.ownerID == repID })
            #expect(mine.count == (try await harness.count("customers WHERE owner_id = '\(repID.rawValue)'")))
            let foreign = try #require(try await Self.allCustomers(harness.system, rapport).first { $0.ownerID != repID })
            let hidden = try await #require(throws: RapportError.self) { try await rapport.customers.get(foreign.id.rawValue, by: rep) }
            #expect(hidden.code == .notFound)
            let service = try await Self.signIn(try #require(DemoUseCases.accounts.first { $0.role == .service }).email, rapport)
            let handedOver = try await Self.allCustomers(service, rapport)
            #expect(summary.handovers > 0 && handedOver.count == summary.handovers)
            #expect(handedOver.allSatisfy { $0.stage == "renewed" })

            // A second fill is refused and changes nothing.
            #expect(try await rapport.demo.state(by: harness.system) == .demo)
            let tables = ["teams", "users", "customers", "activities", "customer_relations", "stage_history", "audit_log"]
            var before: [String: Int] = [:]
            for table in tables { before[table] = try await harness.count(table) }
            let refused = try await #require(throws: RapportError.self) { try await rapport.demo.fill(by: harness.system) }
            #expect(refused.code == .conflict)
            for table in tables { #expect(try await harness.count(table) == before[table], "\(table) changed") }
        }
    }

    static func signIn(_ email: String, _ rapport: Rapport) async throws -> Caller {
        let issued = try await rapport.auth.signIn(email: email, password: DemoUseCases.password, address: "127.0.0.1")
        return Caller(principal: try await rapport.auth.authenticate(secret: issued.secret, address: "127.0.0.1"), channel: "api")
    }

    static func allCustomers(_ caller: Caller, _ rapport: Rapport) async throws -> [Customer] {
        var customers: [Customer] = []
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let result = try await rapport.customers.list(.init(), page: page, by: caller)
            customers += result.items
            guard let next = result.nextCursor else { return customers }
            page.cursor = next
        }
    }

    @Test(arguments: TestBackend.available)
    func fillRefusesADatabaseWithOtherData(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rapport = harness.rapport
            let admin = try await harness.signedIn(.admin)
            guard case .other = try await rapport.demo.state(by: harness.system) else {
                Issue.record("a database with a user is not fresh")
                return
            }
            let refused = try await #require(throws: RapportError.self) { try await rapport.demo.fill(by: admin.caller) }
            #expect(refused.code == .conflict)
            #expect(try await harness.count("teams") == 0)
            #expect(try await harness.count("users") == 1)
            // Only administrators (and the system) fill.
            let rep = try await harness.signedIn(.rep)
            let forbidden = try await #require(throws: RapportError.self) { try await rapport.demo.fill(by: rep.caller) }
            #expect(forbidden.code == .forbidden)
        }
    }
}
