import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Synchronization
import Testing

/// Leads and pools: dedup, status, release, and claims under every rule with a moving clock, and
/// a storm of simultaneous claims on both engines.
@Suite struct LeadPoolTests {
    /// A rep created by the system, acting through a principal built from the stored user.
    static func rep(_ harness: TestHarness, _ index: Int, team: Team, level: String? = nil) async throws -> Caller {
        let user = try await harness.rapport.users.create(
            .init(email: "rep\(index)-\(UUID().uuidString.prefix(6).lowercased())@example.com", name: "Rep \(index)", role: "rep",
                  repLevel: level, team: team.id.rawValue), by: harness.system)
        let principal = Principal(userID: user.id, role: .rep, teamID: team.id, teamPath: team.path, repLevel: user.repLevel)
        return Caller(principal: principal, address: "127.0.0.1", channel: "api")
    }

    static func pool(_ harness: TestHarness, key: String, teams: [Team], rules: PoolRules) async throws -> Pool {
        try await harness.rapport.pools.create(.init(key: key, name: key, object: "lead", memberTeams: teams.map(\.id.rawValue), rules: rules),
                                               by: harness.system)
    }

    /// Leads waiting in `pool`, created by the system.
    static func waiting(_ harness: TestHarness, _ count: Int, in pool: Pool) async throws -> [Lead] {
        var leads: [Lead] = []
        for index in 0..<count {
            let (lead, _) = try await harness.rapport.leads.create(
                LeadInput(name: "Lead \(index)", phone: .some(String(format: "139%08d", index)), source: .some("web_form"), owner: .some(nil),
                          pool: .some(pool.id.rawValue)), by: harness.system)
            leads.append(lead)
        }
        return leads
    }

    @Test(arguments: TestBackend.available)
    func leadsAreDeduplicatedMoveThroughStatusesAndGoBackToThePool(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await Self.rep(harness, 1, team: team)
            let pool = try await Self.pool(harness, key: "default", teams: [team], rules: PoolRules())
            let (lead, outcome) = try await harness.rapport.leads.create(
                LeadInput(name: "王小明", phone: .some("138 0013 8000"), email: .some("Parent@Example.com"), source: .some("web_form"),
                          utm: UTM(source: "baidu", medium: "cpc")), by: rep)
            #expect(outcome == .created && lead.ownerID == rep.principal?.userID && lead.poolID == pool.id && lead.status == "new")
            #expect(lead.phone == "+86 138****8000" && lead.email == "p***@example.com")
            // The same number again is a duplicate (by the API's block policy), and so is a customer's.
            let duplicate = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.create(LeadInput(name: "Again", phone: .some("+8613800138000")), by: rep)
            }
            #expect(duplicate.code == .duplicate && duplicate.extra["duplicate_of"] == lead.id.rawValue)
            _ = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Customer", contacts: [.init(kind: "email", value: "known@example.com")]), by: rep)
            let known = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.create(LeadInput(name: "Known", email: .some("KNOWN@example.com")), by: rep)
            }
            #expect(known.code == .duplicate && known.extra["matches_customer"] == "true")
            // Bad input names each field and changes nothing.
            let before = try await harness.count("leads")
            let bad = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.create(LeadInput(name: "", phone: .some("12"), score: .some(9_999_999)), by: rep)
            }
            #expect(Set(bad.fieldErrors.map(\.field)) == ["name", "phone", "score"])
            #expect(try await harness.count("leads") == before)

            // Statuses move through the engine: converted is not reachable from new directly; invalid needs its reason.
            let contacting = try await harness.rapport.leads.move(lead.id.rawValue, to: "contacting", reason: nil, by: rep)
            #expect(contacting.status == "contacting")
            let unmet = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.move(lead.id.rawValue, to: "invalid", reason: nil, by: rep)
            }
            #expect(unmet.code == .validationFailed)
            #expect(try await harness.rapport.leads.statusHistory(lead.id.rawValue, by: rep).map(\.to) == ["new", "contacting"])

            // Release: back to the pool, masked, the owner remembered for the cooldown; the status stays.
            let released = try await harness.rapport.leads.release(lead.id.rawValue, reason: "Not reachable", by: rep)
            #expect(released.ownerID == nil && released.previousOwnerID == rep.principal?.userID && released.status == "contacting")
            let waiting = try await harness.rapport.pools.waiting(pool.id.rawValue, page: PageRequest(), by: rep)
            #expect(waiting.items.map(\.id) == [lead.id] && waiting.items[0].phone == "+86 138****8000")
            let gone = try await #require(throws: RapportError.self) { try await harness.rapport.leads.get(lead.id.rawValue, by: rep) }
            #expect(gone.code == .notFound)
            #expect(try await harness.rapport.leads.assignments(lead.id.rawValue, by: harness.system).map(\.kind) == [.create, .release])
        }
    }

    @Test(arguments: TestBackend.available)
    func conversionCreatesOrJoinsACustomerInOneStep(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await Self.rep(harness, 1, team: team)
            let (lead, _) = try await harness.rapport.leads.create(
                LeadInput(name: "李华", company: .some("星河教育"), phone: .some("13900001111"), email: .some("lihua@example.com"),
                          source: .some("web_form"), customFields: ["grade": .string("adult"), "subject_interest": .array([.string("math")])],
                          marketingConsent: true), by: rep)
            // new → converted is not a transition; the engine refuses and nothing is created.
            let early = try await #require(throws: RapportError.self) { try await harness.rapport.leads.convert(lead.id.rawValue, by: rep) }
            #expect(early.code == .conflict)
            #expect(try await harness.count("customers") == 0)
            _ = try await harness.rapport.leads.move(lead.id.rawValue, to: "contacting", reason: nil, by: rep)
            _ = try await harness.rapport.leads.move(lead.id.rawValue, to: "qualified", reason: nil, by: rep)
            let conversion = try await harness.rapport.leads.convert(lead.id.rawValue, by: rep)
            #expect(conversion.outcome == .created && conversion.lead.status == "converted" && conversion.lead.convertedCustomerID == conversion.customer.id)
            let customer = try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(conversion.customer.id) }
            #expect(customer?.ownerID == rep.principal?.userID && customer?.source == "web_form" && customer?.company == "星河教育")
            #expect(Set(customer?.contacts.map(\.value) ?? []) == ["+8613900001111", "lihua@example.com"])
            #expect(customer?.consents.filter { $0.purpose == .marketing && $0.status == .granted }.count == 3)
            let again = try await #require(throws: RapportError.self) { try await harness.rapport.leads.convert(lead.id.rawValue, by: rep) }
            #expect(again.code == .conflict && again.extra["customer_id"] == conversion.customer.id.rawValue)

            // A second lead with the same email joins that customer instead of creating another.
            let (second, _) = try await harness.rapport.leads.create(
                LeadInput(name: "李华 (妈妈)", phone: .some("13900002222"), email: .some("LIHUA@example.com"),
                          customFields: ["grade": .string("adult"), "subject_interest": .array([.string("english")])], status: "qualified"),
                policy: .flag, by: rep)
            let joined = try await harness.rapport.leads.convert(second.id.rawValue, by: rep)
            #expect(joined.outcome == .mergedInto(conversion.customer.id) && joined.customer.id == conversion.customer.id)
            #expect(try await harness.count("customers") == 1)
            let merged = try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(conversion.customer.id) }
            #expect(merged?.contacts.contains { $0.value == "+8613900002222" } == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func claimsKeepToHoldingLimitsDailyCapsAndCooldowns(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            var rules = PoolRules(holdingLimit: LevelLimits(3, byLevel: ["senior": 5]), claimsPerDay: LevelLimits(4), protectionDays: 3, cooldownDays: 7,
                                  timeZone: "Asia/Shanghai")
            rules.reclaim = ReclaimRules()
            let pool = try await Self.pool(harness, key: "east-leads", teams: [east], rules: rules)
            let leads = try await Self.waiting(harness, 12, in: pool)
            let junior = try await Self.rep(harness, 1, team: east)
            let senior = try await Self.rep(harness, 2, team: east, level: "senior")
            let outsider = try await Self.rep(harness, 3, team: west)

            let refused = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: [leads[0].id.rawValue], by: outsider)
            }
            #expect(refused.code == .forbidden)

            // The holding limit by level: 3 for a junior (a claim of 4 at once is refused whole).
            let tooMany = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: leads[0..<4].map(\.id.rawValue), by: junior)
            }
            #expect(tooMany.code == .holdingLimitReached && tooMany.extra["limit"] == "3")
            #expect(try await harness.rapport.pools.standing(pool.key, by: junior).holding == 0)
            let claimed = try await harness.rapport.pools.claim(pool.key, leads: leads[0..<3].map(\.id.rawValue), by: junior)
            let now = harness.clock.now()
            #expect(claimed.allSatisfy { $0.ownerID == junior.principal?.userID && $0.protectedUntil == now.addingTimeInterval(3 * 86_400) })
            let over = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: [leads[3].id.rawValue], by: junior)
            }
            #expect(over.code == .holdingLimitReached)
            // Creating a lead of their own in the pool counts the same way.
            let created = try await #require(throws: RapportError.self) {
                try await harness.rapport.leads.create(LeadInput(name: "Walk-in", phone: .some("13711112222"), pool: .some(pool.key)), by: junior)
            }
            #expect(created.code == .holdingLimitReached)
            // Someone else's lead is already claimed.
            let taken = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: [leads[0].id.rawValue], by: senior)
            }
            #expect(taken.code == .alreadyClaimed)

            // The daily cap (4), which a new day in the pool's time zone resets; the senior may hold 5.
            _ = try await harness.rapport.pools.claim(pool.key, leads: leads[3..<7].map(\.id.rawValue), by: senior)
            for lead in leads[3..<5] { _ = try await harness.rapport.leads.release(lead.id.rawValue, reason: "Wrong number", by: senior) }
            let capped = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: [leads[7].id.rawValue], by: senior)
            }
            #expect(capped.code == .claimLimitReached && capped.extra["claimed_today"] == "4")
            let standing = try await harness.rapport.pools.standing(pool.key, by: senior)
            #expect(standing == PoolUseCases.Standing(holding: 2, holdingLimit: 5, claimedToday: 4, claimsPerDay: 4, claimsLeftToday: 0))
            // Move to just after the next midnight in Shanghai.
            let start = rules.dayStart(containing: harness.clock.now())
            harness.clock.advance(by: start.addingTimeInterval(86_400 + 60).timeIntervalSince(harness.clock.now()))
            _ = try await harness.rapport.pools.claim(pool.key, leads: [leads[7].id.rawValue], by: senior)

            // The cooldown: the senior released leads[3] a day ago; 7 days must pass before claiming it again.
            let cooling = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: [leads[3].id.rawValue], by: senior)
            }
            #expect(cooling.code == .cooldownActive)
            // Another rep may take it meanwhile; the senior may claim again once the cooldown has passed.
            let other = try await Self.rep(harness, 4, team: east)
            _ = try await harness.rapport.pools.claim(pool.key, leads: [leads[3].id.rawValue], by: other)
            harness.clock.advance(by: 7 * 86_400)
            _ = try await harness.rapport.pools.claim(pool.key, leads: [leads[4].id.rawValue], by: senior)

            // A manager assigns from the pool within the assignee's holding limit; a rep may not assign.
            let manager = try await harness.signedIn(.manager, team: east)
            let assigned = try await harness.rapport.pools.assign(pool.key, leads: [leads[8].id.rawValue], to: senior.principal!.userID.rawValue,
                                                                  reason: "Follow-up from the fair", by: manager.caller)
            #expect(assigned[0].ownerID == senior.principal?.userID)
            let notice = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: senior).items.first
            #expect(notice?.kind == "lead.assigned" && notice?.objectID == leads[8].id.rawValue)
            let notAllowed = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.assign(pool.key, leads: [leads[9].id.rawValue], to: junior.principal!.userID.rawValue, reason: nil, by: junior)
            }
            #expect(notAllowed.code == .forbidden)
            let full = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.assign(pool.key, leads: [leads[9].id.rawValue], to: junior.principal!.userID.rawValue, reason: nil, by: manager.caller)
            }
            #expect(full.code == .holdingLimitReached)
            #expect(try await harness.rapport.leads.assignments(leads[8].id.rawValue, by: harness.system).last?.reason == "Follow-up from the fair")
        }
    }

    /// Reclaim with a moving clock: warnings, each reason, protection, a disabled owner, the
    /// preview matching the run, and a second run that reclaims nothing.
    @Test(arguments: TestBackend.available)
    func reclaimFollowsTheRulesAndThePreviewMatchesTheRun(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            var rules = PoolRules(holdingLimit: LevelLimits(50), claimsPerDay: LevelLimits(50), protectionDays: 1)
            rules.reclaim = ReclaimRules(noFollowUpDays: 5, noProgressDays: nil, notConvertedDays: 30, ownerDisabled: true, warningDays: 2)
            let pool = try await Self.pool(harness, key: "reclaim", teams: [team], rules: rules)
            let leads = try await Self.waiting(harness, 4, in: pool)
            let rep = try await Self.rep(harness, 1, team: team)
            let leaver = try await Self.rep(harness, 2, team: team)
            _ = try await harness.rapport.pools.claim(pool.key, leads: leads[0..<3].map(\.id.rawValue), by: rep)
            _ = try await harness.rapport.pools.claim(pool.key, leads: [leads[3].id.rawValue], by: leaver)
            let start = harness.clock.now()

            // Day 0.5: the leaver is disabled; protected or not, their lead goes back tonight.
            harness.clock.advance(by: 0.5 * 86_400)
            _ = try await harness.rapport.users.disable(leaver.principal!.userID.rawValue, by: harness.system)
            var preview = try await harness.rapport.pools.reclaimPreview(pool.key, by: harness.system)
            #expect(preview.reclaimed.map(\.recordID) == [leads[3].id] && preview.reclaimed[0].reason == .ownerDisabled)
            #expect(preview.warned.isEmpty)
            harness.clock.advance(by: preview.at.timeIntervalSince(harness.clock.now()))
            var run = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            #expect(run.reclaimed == preview.reclaimed)

            // Day 3.5: warnings for the untouched leads (due on day 5).
            harness.clock.advance(by: start.addingTimeInterval(3.5 * 86_400).timeIntervalSince(harness.clock.now()))
            preview = try await harness.rapport.pools.reclaimPreview(pool.key, by: harness.system)
            #expect(preview.reclaimed.isEmpty && Set(preview.warned.map(\.recordID)) == Set(leads[0..<3].map(\.id)))
            #expect(preview.warned.allSatisfy { $0.reason == .noFollowUp && $0.due == start.addingTimeInterval(5 * 86_400) })
            // A run warns the owner once per lead and due time, however often it runs.
            _ = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            _ = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            let inbox = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: rep).items
            #expect(inbox.filter { $0.kind == "lead.reclaim_warning" }.count == 3 && inbox.allSatisfy { $0.details["reason"] == "no_follow_up" })
            #expect(try await harness.rapport.notifications.markRead([], by: rep) == 0)
            #expect(try await harness.rapport.notifications.markRead(nil, by: rep) == 3)
            #expect(try await harness.rapport.notifications.unread(by: rep) == 0)

            // A status change is no follow-up: on day 5 all three go back, and the preview said so.
            _ = try await harness.rapport.leads.move(leads[0].id.rawValue, to: "contacting", reason: nil, by: rep)
            harness.clock.advance(by: start.addingTimeInterval(5 * 86_400).timeIntervalSince(harness.clock.now()))
            preview = try await harness.rapport.pools.reclaimPreview(pool.key, by: harness.system)
            harness.clock.advance(by: preview.at.timeIntervalSince(harness.clock.now()))
            run = try await harness.rapport.pools.reclaim(pool.key, by: harness.system)
            #expect(Set(run.reclaimed.map(\.recordID)) == Set(leads[0..<3].map(\.id)) && run.reclaimed == preview.reclaimed)
            let back = try await harness.rapport.database.read { sql in try await LeadStore(sql).find(leads[0].id) }
            #expect(back?.ownerID == nil && back?.previousOwnerID == rep.principal?.userID && back?.status == "contacting")
            #expect(try await harness.rapport.leads.assignments(leads[0].id.rawValue, by: harness.system).last?.reason == "no_follow_up")
            let told = try await harness.rapport.notifications.list(unreadOnly: true, page: PageRequest(), by: rep).items
            #expect(told.filter { $0.kind == "lead.reclaimed" }.compactMap(\.objectID).sorted() == leads[0..<3].map(\.id.rawValue).sorted())
            // Running again reclaims nothing; the cooldown keeps the rep from claiming it straight back.
            #expect(try await harness.rapport.pools.reclaim(pool.key, by: harness.system).reclaimed.isEmpty)
            let cooling = try await #require(throws: RapportError.self) {
                try await harness.rapport.pools.claim(pool.key, leads: [leads[0].id.rawValue], by: rep)
            }
            #expect(cooling.code == .cooldownActive)
            // Reps may not run or preview a reclaim.
            let refused = try await #require(throws: RapportError.self) { try await harness.rapport.pools.reclaimPreview(pool.key, by: rep) }
            #expect(refused.code == .forbidden)
        }
    }

    /// 50 reps × 20 simultaneous claims on 200 waiting leads: every lead has at most one owner,
    /// no rep holds more than the limit, and the log, the owners and the successes agree.
    @Test(arguments: TestBackend.available)
    func simultaneousClaimsHaveExactlyOneWinnerAndNeverPassTheLimit(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("floor")
            let limit = 5
            let pool = try await Self.pool(harness, key: "storm", teams: [team], rules: PoolRules(holdingLimit: LevelLimits(limit), claimsPerDay: LevelLimits(100)))
            let leads = try await Self.waiting(harness, 200, in: pool)
            var reps: [Caller] = []
            for index in 0..<50 { reps.append(try await Self.rep(harness, index, team: team)) }
            let tally = Tally()
            let rapport = harness.rapport
            let poolID = pool.id.rawValue
            let attempts = reps.enumerated().flatMap { repIndex, rep in
                (0..<20).map { attempt in (rep, leads[(repIndex * 7 + attempt * 13) % leads.count].id.rawValue) }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (rep, lead) in attempts {
                    group.addTask {
                        do {
                            let claimed = try await rapport.pools.claim(poolID, leads: [lead], by: rep)
                            tally.wins.withLock { $0[claimed[0].id, default: []].append(rep.principal!.userID) }
                        } catch let error as RapportError {
                            tally.refusals.withLock { $0[error.code, default: 0] += 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let won = tally.wins.withLock { $0 }
            #expect(won.values.allSatisfy { $0.count == 1 }, "a lead was won twice")
            let refusals = tally.refusals.withLock { $0 }
            #expect(Set(refusals.keys).isSubset(of: [.alreadyClaimed, .holdingLimitReached]), "\(refusals)")
            #expect(won.count + refusals.values.reduce(0, +) == 1_000)
            let owners = try await harness.rapport.database.read { sql in
                try await sql.raw("SELECT owner_id, count(*) AS n FROM leads WHERE owner_id IS NOT NULL GROUP BY owner_id").all()
                    .map { (try $0.decode(column: "owner_id", as: String.self), try $0.decode(column: "n", as: Int64.self)) }
            }
            #expect(owners.allSatisfy { $0.1 <= Int64(limit) })
            #expect(owners.map(\.1).reduce(0, +) == Int64(won.count))
            let logged = try await harness.rapport.database.read { sql in
                try await sql.raw("SELECT count(*) AS n FROM lead_assignments WHERE kind = 'claim'").first()?.decode(column: "n", as: Int64.self)
            }
            #expect(logged == Int64(won.count))
            for (lead, winners) in won {
                let stored = try await harness.rapport.database.read { sql in try await LeadStore(sql).find(lead) }
                #expect(stored?.ownerID == winners.first)
            }
        }
    }

    final class Tally: Sendable {
        let wins = Mutex<[RecordID: [RecordID]]>([:])
        let refusals = Mutex<[ErrorCode: Int]>([:])
    }
}
