import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Customers through their use cases, on every backend: dedup, scope, stages, relations, search.
@Suite struct CustomerUseCaseTests {
    static func person(_ name: String, phone: String? = nil, email: String? = nil, owner: String?? = nil) -> CustomerInput {
        var contacts: [CustomerInput.Contact] = []
        if let phone { contacts.append(.init(kind: "phone", value: phone)) }
        if let email { contacts.append(.init(kind: "email", value: email)) }
        return CustomerInput(kind: "person", name: name, owner: owner, contacts: contacts)
    }

    @Test(arguments: TestBackend.available)
    func createNormalisesContactsAndRecordsTheFirstStage(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            var input = Self.person("王小明", phone: "138 0013 8000", email: "  Wang.XM@Example.COM ")
            input.contacts?.append(.init(kind: "phone", value: "+852 5123 4567", label: "hk"))
            input.tags = ["vip", " vip ", "math"]
            input.consents = [.init(channel: "sms", purpose: "marketing", status: "granted", source: "web_form")]
            let (customer, outcome) = try await harness.rapport.customers.create(input, by: rep.caller)
            #expect(outcome == .created)
            #expect(customer.ownerID == rep.user.id)
            #expect(customer.stage == "new")
            #expect(customer.tags == ["math", "vip"])
            // Every answer is masked; storage holds the normalised values.
            #expect(customer.contacts.count == 3)
            #expect(customer.contacts.first { $0.kind == .phone }?.value == "+86 138****8000")
            #expect(customer.contacts.first { $0.kind == .email }?.value == "w***@example.com")
            let stored = try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(customer.id) }
            #expect(Set(stored?.contacts.map(\.value) ?? []) == ["+8613800138000", "wang.xm@example.com", "+85251234567"])
            #expect(stored?.contacts.filter(\.isPrimary).count == 2)  // one per kind
            let history = try await harness.rapport.customers.stageHistory(customer.id.rawValue, by: rep.caller)
            #expect(history.map(\.to) == ["new"] && history.first?.from == nil && history.first?.by == rep.user.id)
        }
    }

    @Test(arguments: TestBackend.available)
    func badInputNamesEachFieldAndChangesNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let before = try await harness.count("customers")
            var input = Self.person("", phone: "12", email: "not-an-email")
            input.kind = "robot"
            input.contacts?.append(.init(kind: "fax", value: "x"))
            input.customFields = ["grade": .string("no-such-grade"), "nope": .integer(1)]
            input.stage = "enrolled"
            let error = try await #require(throws: RapportError.self) { try await harness.rapport.customers.create(input, by: rep.caller) }
            let fields = Set(error.fieldErrors.map(\.field))
            #expect(fields.isSuperset(of: ["name", "kind", "contacts[0].value", "contacts[1].value", "contacts[2].kind", "custom_fields.grade", "custom_fields.nope"]))
            #expect(try await harness.count("customers") == before)
            #expect(try await harness.count("stage_history") == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func duplicatesAreBlockedFlaggedOrMergedByPolicy(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let repA = try await harness.signedIn(.rep, team: team)
            let repB = try await harness.signedIn(.rep, team: team)
            let (first, _) = try await harness.rapport.customers.create(Self.person("李雷", phone: "13900139000"), by: repA.caller)

            // Another rep, same number in another format: blocked, and the match is not named (not theirs to see).
            let hidden = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.create(Self.person("Li Lei", phone: "+86 139-0013-9000"), by: repB.caller)
            }
            #expect(hidden.code == .duplicate && hidden.extra["duplicate_of"] == nil && hidden.extra["matched_on"] == "phone")
            // The manager sees the team's customers: the match is named.
            let named = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.create(Self.person("Li Lei", phone: "0086 13900139000"), by: manager.caller)
            }
            #expect(named.code == .duplicate && named.extra["duplicate_of"] == first.id.rawValue)

            // Flag: created, reported.
            let (flagged, outcome) = try await harness.rapport.customers.create(Self.person("Li L.", phone: "13900139000"), policy: .flag, by: manager.caller)
            #expect(outcome == .flagged([first.id]) && flagged.id != first.id)

            // Merge: folded into the visible match, nothing new created.
            let before = try await harness.count("customers")
            var more = Self.person("李雷", phone: "13900139000", email: "lilei@example.com")
            more.tags = ["from-import"]
            let (merged, mergeOutcome) = try await harness.rapport.customers.create(more, policy: .merge, by: repA.caller)
            #expect(mergeOutcome == .mergedInto(first.id) && merged.id == first.id && merged.tags == ["from-import"])
            #expect(merged.contacts.map(\.kind) == [.phone, .email] && merged.version == 2)
            #expect(try await harness.count("customers") == before)

            // An update adding a number another customer has is refused too.
            let (other, _) = try await harness.rapport.customers.create(Self.person("韩梅梅", phone: "13700137000"), by: repA.caller)
            let update = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.update(other.id.rawValue, CustomerInput(contacts: [.init(kind: "email", value: "LILEI@example.com")]),
                                                           expectedVersion: nil, by: repA.caller)
            }
            #expect(update.code == .duplicate && update.extra["duplicate_of"] == first.id.rawValue)
        }
    }

    @Test(arguments: TestBackend.available)
    func scopeDecidesWhoSeesWhichCustomers(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let root = try await harness.team("sales")
            let east = try await harness.team("east", parent: root)
            let west = try await harness.team("west", parent: root)
            let manager = try await harness.signedIn(.manager, team: east)
            let repEast = try await harness.signedIn(.rep, team: east)
            let repWest = try await harness.signedIn(.rep, team: west)
            let (mine, _) = try await harness.rapport.customers.create(Self.person("East One"), by: repEast.caller)
            let (theirs, _) = try await harness.rapport.customers.create(Self.person("West One"), by: repWest.caller)
            #expect(mine.teamID == east.id)

            let listed = { (caller: Caller) in try await harness.rapport.customers.list(.init(), page: PageRequest(), by: caller).items.map(\.id) }
            #expect(try await listed(repEast.caller) == [mine.id])
            #expect(try await listed(manager.caller) == [mine.id])
            #expect(try await listed(harness.system) == [theirs.id, mine.id])
            let outside = try await #require(throws: RapportError.self) { try await harness.rapport.customers.get(theirs.id.rawValue, by: repEast.caller) }
            #expect(outside.code == .notFound)
            // A rep may not hand a customer to someone else; a manager may, within the team.
            let refused = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.update(mine.id.rawValue, CustomerInput(owner: .some(repWest.user.id.rawValue)), expectedVersion: nil, by: repEast.caller)
            }
            #expect(refused.fieldErrors.map(\.field) == ["owner_id"])
            let other = try await harness.signedIn(.rep, team: east)
            let moved = try await harness.rapport.customers.update(mine.id.rawValue, CustomerInput(owner: .some(other.user.id.rawValue)), expectedVersion: 1, by: manager.caller)
            #expect(moved.ownerID == other.user.id && moved.version == 2)
            // A lost update is refused.
            let stale = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.update(mine.id.rawValue, CustomerInput(title: .some("CTO")), expectedVersion: 1, by: manager.caller)
            }
            #expect(stale.code == .preconditionFailed)
        }
    }

    /// A tag filter gives the same pages whether the tag is rare (its customers are collected)
    /// or common (each row of the list is tested in order), for a rep and for a manager.
    @Test(arguments: TestBackend.available)
    func tagFilterPagesAreTheSameForRareAndCommonTags(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: east)
            let rep = try await harness.signedIn(.rep, team: east)
            let outsider = try await harness.signedIn(.rep)
            let now = harness.clock.now()
            var customers: [Customer] = []
            for index in 0..<4_500 {
                var tags: [String] = []
                if index % 2 == 0 { tags.append("common") }
                if index % 900 == 7 { tags.append("rare") }
                customers.append(Customer(
                    id: harness.rapport.ids.next(.customer, at: now.addingTimeInterval(Double(index))), kind: .person, name: "Customer \(index)",
                    ownerID: index % 3 == 0 ? outsider.user.id : rep.user.id, teamID: index % 3 == 0 ? nil : east.id,
                    stage: "new", stageEnteredAt: now, tags: tags, createdAt: now, updatedAt: now))
            }
            try await harness.rapport.transaction { sql in try await CustomerStore(sql).insertRows(customers) }
            for caller in [rep.caller, manager.caller] {
                for tag in ["common", "rare"] {
                    let expected = customers.filter { $0.tags.contains(tag) && $0.ownerID == rep.user.id }.map(\.id).sorted(by: >)
                    var listed: [RecordID] = []
                    var page = PageRequest(limit: 200)
                    while true {
                        let result = try await harness.rapport.customers.list(.init(tag: tag), page: page, by: caller)
                        listed += result.items.map(\.id)
                        guard let next = result.nextCursor, listed.count < 1_000 else { break }
                        page.cursor = next
                    }
                    #expect(listed == Array(expected.prefix(listed.count)) && listed.count == min(expected.count, 1_000), "\(tag)")
                    #expect(try await harness.rapport.customers.count(.init(tag: tag), by: caller) == expected.count)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func stagesMoveOnlyThroughTheEngine(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let (customer, _) = try await harness.rapport.customers.create(Self.person("Zhang San"), by: rep.caller)
            let customers = harness.rapport.customers
            let illegal = try await #require(throws: RapportError.self) { try await customers.move(customer.id.rawValue, to: "enrolled", reason: nil, by: rep.caller) }
            #expect(illegal.code == .conflict)
            harness.clock.advance(by: 3_600)
            let engaged = try await customers.move(customer.id.rawValue, to: "engaged", reason: "first call", by: rep.caller)
            #expect(engaged.stage == "engaged" && engaged.lifecycle == .curious)
            let guarded = try await #require(throws: RapportError.self) { try await customers.move(customer.id.rawValue, to: "trial_booked", reason: nil, by: rep.caller) }
            #expect(guarded.code == .validationFailed && guarded.fieldErrors.map(\.field).contains("custom_fields.trial_class_date"))
            _ = try await customers.update(customer.id.rawValue, CustomerInput(customFields: ["trial_class_date": .string("2026-01-10")]), expectedVersion: nil, by: rep.caller)
            harness.clock.advance(by: 7_200)
            let booked = try await customers.move(customer.id.rawValue, to: "trial_booked", reason: nil, by: rep.caller)
            #expect(booked.stage == "trial_booked")
            let history = try await customers.stageHistory(customer.id.rawValue, by: rep.caller)
            #expect(history.map(\.to) == ["new", "engaged", "trial_booked"] && history[1].reason == "first call")
            let durations = TimeInStage.durations(history, now: harness.clock.now())
            #expect(durations["new"] == 3_600 && durations["engaged"] == 7_200)
            let unknown = try await #require(throws: RapportError.self) { try await customers.move(customer.id.rawValue, to: "nowhere", reason: nil, by: rep.caller) }
            #expect(unknown.code == .validationFailed)
        }
    }

    @Test(arguments: TestBackend.available)
    func relationsReadBothWays(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let (parent, _) = try await harness.rapport.customers.create(Self.person("Parent"), by: rep.caller)
            let (child, _) = try await harness.rapport.customers.create(Self.person("Child"), by: rep.caller)
            let relation = try await harness.rapport.customers.relate(child.id.rawValue, to: parent.id.rawValue, type: "child_of", note: nil, by: rep.caller)
            #expect(relation.type == "child_of" && relation.otherID == parent.id)
            #expect(try await harness.rapport.customers.relations(parent.id.rawValue, by: rep.caller).map(\.type) == ["parent_of"])
            #expect(try await harness.rapport.customers.relations(child.id.rawValue, by: rep.caller).map(\.otherName) == ["Parent"])
            let again = try await #require(throws: RapportError.self) {
                try await harness.rapport.customers.relate(parent.id.rawValue, to: child.id.rawValue, type: "parent_of", note: nil, by: rep.caller)
            }
            #expect(again.code == .conflict)
            try await harness.rapport.customers.unrelate(parent.id.rawValue, relation: relation.id.rawValue, by: rep.caller)
            #expect(try await harness.rapport.customers.relations(child.id.rawValue, by: rep.caller).isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func searchFindsNamesAndFullNumbersWithoutRevealingThem(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            var acme = Self.person("Alice Example", phone: "13800138000", email: "alice@acme.test")
            acme.company = .some("Acme Trading")
            _ = try await harness.rapport.customers.create(acme, by: rep.caller)
            _ = try await harness.rapport.customers.create(Self.person("张三丰", phone: "13900000001"), by: rep.caller)
            _ = try await harness.rapport.customers.create(Self.person("Bob Other"), by: rep.caller)
            let search = { (q: String) in
                try await harness.rapport.customers.list(.init(q: q), page: PageRequest(), by: rep.caller).items.map(\.name)
            }
            #expect(try await search("trading") == ["Alice Example"])
            #expect(try await search("XAMPL") == ["Alice Example"])
            #expect(try await search("三丰") == [])            // two characters match the start only
            #expect(try await search("张三") == ["张三丰"])
            #expect(try await search("张三丰") == ["张三丰"])
            #expect(try await search("+86 138 0013 8000") == ["Alice Example"])
            #expect(try await search("ALICE@acme.test") == ["Alice Example"])
            #expect(try await search("0013") == [])            // partial numbers find nothing
            let found = try await harness.rapport.customers.list(.init(q: "13800138000"), page: PageRequest(), by: rep.caller).items
            #expect(found.first?.contacts.allSatisfy { !$0.value.contains("13800138000") } == true)
        }
    }
}
