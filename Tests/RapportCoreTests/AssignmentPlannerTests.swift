import Foundation
import RapportCore
import Testing

/// The pure routing of incoming leads: conditions, targets, strategies, availability and limits.
@Suite struct AssignmentPlannerTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
    static let pool = RecordID(trusted: "pool_A")
    static let other = RecordID(trusted: "pool_B")
    static let team = RecordID(trusted: "team_E")

    static func rule(_ id: String, _ position: Int, _ conditions: [AssignmentCondition] = [], _ target: AssignmentTarget) -> AssignmentRule {
        AssignmentRule(id: RecordID(trusted: "arule_\(id)"), name: id, position: position, conditions: conditions, target: target, createdAt: t0, updatedAt: t0)
    }

    static func reps(_ levels: [String?], available: Set<Int> = []) -> [AssignmentCandidate] {
        levels.enumerated().map { index, level in
            AssignmentCandidate(userID: RecordID(trusted: "usr_\(index)"), teamID: team, level: level, available: available.isEmpty || available.contains(index))
        }
    }

    static func planner(_ rules: [AssignmentRule], _ reps: [AssignmentCandidate], limit: Int? = nil,
                        holding: [AssignmentPlanner.HoldingKey: Int] = [:]) -> AssignmentPlanner {
        AssignmentPlanner(rules: rules, users: Dictionary(uniqueKeysWithValues: reps.map { ($0.userID, $0) }), members: [team: reps.map(\.userID)],
                          pools: [pool: PoolRules(holdingLimit: LevelLimits(limit)), other: PoolRules()], holding: holding, credits: [:])
    }

    static func incoming(_ facts: AssignmentFacts = .init()) -> AssignmentPlanner.Incoming {
        AssignmentPlanner.Incoming(facts: facts, poolID: pool)
    }

    static func owner(_ placement: AssignmentPlacement) -> String? {
        if case .user(let user, _, _) = placement { return user.rawValue }
        return nil
    }

    @Test func conditionsCompareTextWithoutCaseNumbersByValueAndListsByAnyItem() {
        let facts = AssignmentFacts(source: "Baidu", region: "上海", score: 72, customFields: ["subjects": .array([.string("math"), .string("art")]), "grade": .integer(7)])
        func holds(_ field: String, _ op: AssignmentCondition.Operator, _ value: JSONValue?) -> Bool {
            AssignmentCondition(field: AssignmentCondition.Field(name: field)!, op: op, value: value).holds(for: facts)
        }
        #expect(holds("source", .equals, .string("baidu")))
        #expect(holds("source", .oneOf, .array([.string("360"), .string("BAIDU")])))
        #expect(!holds("source", .noneOf, .array([.string("baidu")])))
        #expect(holds("region", .contains, .string("上")))
        #expect(holds("score", .greaterOrEqual, .integer(72)) && !holds("score", .greater, .integer(72)) && holds("score", .less, .double(72.5)))
        #expect(holds("custom.subjects", .equals, .string("Math")) && !holds("custom.subjects", .equals, .string("english")))
        #expect(holds("custom.grade", .equals, .string("7")))
        #expect(holds("interest", .absent, nil) && !holds("interest", .present, nil) && holds("interest", .notEquals, .string("x")))
        // A condition on a missing value fails, except the negative ones.
        #expect(!holds("interest", .equals, .string("x")) && !holds("campaign", .greaterOrEqual, .integer(1)) && holds("campaign", .noneOf, .array([.string("a")])))
        #expect(AssignmentCondition.Field(name: "nonsense") == nil && AssignmentCondition.Field(name: "custom.") == nil)
        #expect(!AssignmentCondition(field: .score, op: .greaterOrEqual, value: .string("high")).validate("c").isEmpty)
        #expect(!AssignmentCondition(field: .source, op: .oneOf, value: .array([])).validate("c").isEmpty)
        #expect(AssignmentCondition(field: .source, op: .oneOf, value: .array([.string("a")])).validate("c").isEmpty)
    }

    @Test func roundRobinTakesPlainTurnsAndWeightsShareInProportion() {
        var even = Self.planner([Self.rule("rr", 1, [], .team(Self.team, strategy: .roundRobin, weights: [:]))], Self.reps([nil, nil, nil]))
        let owners = (0..<9).map { _ in Self.owner(even.place(Self.incoming()))! }
        #expect(owners == ["usr_0", "usr_1", "usr_2", "usr_0", "usr_1", "usr_2", "usr_0", "usr_1", "usr_2"])

        var weighted = Self.planner([Self.rule("w", 1, [], .team(Self.team, strategy: .weighted, weights: ["senior": 3, "junior": 1]))],
                                    Self.reps(["senior", "junior", nil, "trainee"]))
        let shares = (0..<60).reduce(into: [String: Int]()) { counts, _ in counts[Self.owner(weighted.place(Self.incoming()))!, default: 0] += 1 }
        // 3 : 1 : 1 (no level) : 1 (a level not named weighs 1)
        #expect(shares == ["usr_0": 30, "usr_1": 10, "usr_2": 10, "usr_3": 10])
        // Smooth: the senior never gets more than 3 in a row.
        var again = Self.planner([Self.rule("w", 1, [], .team(Self.team, strategy: .weighted, weights: ["senior": 3]))], Self.reps(["senior", nil]))
        let sequence = (0..<12).map { _ in Self.owner(again.place(Self.incoming()))! }
        #expect(!sequence.joined(separator: ",").contains("usr_0,usr_0,usr_0,usr_0"))
        #expect(sequence.filter { $0 == "usr_0" }.count == 9)
    }

    @Test func leastLoadedFillsTheEmptiestFirstAndUnavailableOrFullRepsArePassedOver() {
        let reps = Self.reps([nil, nil, nil])
        let holding: [AssignmentPlanner.HoldingKey: Int] = [.init(user: reps[0].userID, pool: Self.pool): 4, .init(user: reps[1].userID, pool: Self.pool): 1]
        var planner = Self.planner([Self.rule("ll", 1, [], .team(Self.team, strategy: .leastLoaded, weights: [:]))], reps, limit: 5, holding: holding)
        let owners = (0..<6).map { _ in Self.owner(planner.place(Self.incoming()))! }
        // usr_2 (0) until it reaches usr_1 (1), then in turn; usr_0 at 4 gets one when all are at 4, and none past the limit of 5.
        #expect(owners.prefix(1) == ["usr_2"])
        #expect(owners.filter { $0 == "usr_0" }.count <= 1)
        #expect(planner.holding.values.allSatisfy { $0 <= 5 })

        // Away reps get nothing; when everyone is full or away the lead falls to the next rule, then stays.
        let away = Self.reps([nil, nil, nil], available: [1])
        var skipping = Self.planner([Self.rule("t", 1, [], .team(Self.team, strategy: .roundRobin, weights: [:])),
                                     Self.rule("p", 2, [], .pool(Self.other))], away, limit: 2)
        let placed = (0..<4).map { _ in skipping.place(Self.incoming()) }
        #expect(placed.prefix(2).map(Self.owner) == ["usr_1", "usr_1"])
        #expect(placed[2] == .pool(Self.other, rule: RecordID(trusted: "arule_p")) && placed[3] == placed[2])
        var nothing = Self.planner([Self.rule("t", 1, [], .team(Self.team, strategy: .roundRobin, weights: [:]))], Self.reps([nil], available: [5]))
        #expect(nothing.place(Self.incoming()) == .unchanged)
    }

    @Test func theFirstMatchingRuleWinsAndClosedLeadsDoNotCountTowardsHolding() {
        let reps = Self.reps(["senior", nil])
        let rules = [
            Self.rule("vip", 1, [AssignmentCondition(field: .score, op: .greaterOrEqual, value: .integer(80))], .user(reps[0].userID)),
            Self.rule("baidu", 2, [AssignmentCondition(field: .source, op: .equals, value: .string("baidu"))], .team(Self.team, strategy: .roundRobin, weights: [:])),
            Self.rule("off", 0, [], .pool(Self.other)),
        ]
        var inactive = rules
        inactive[2].active = false
        var planner = Self.planner(inactive, reps, limit: 1)
        #expect(Self.owner(planner.place(Self.incoming(AssignmentFacts(source: "baidu", score: 90)))) == "usr_0")
        // usr_0 is now at the limit of 1: a closed lead still goes to them, an open one to the next rule.
        #expect(Self.owner(planner.place(AssignmentPlanner.Incoming(facts: AssignmentFacts(score: 95), poolID: Self.pool, isOpen: false))) == "usr_0")
        #expect(Self.owner(planner.place(Self.incoming(AssignmentFacts(source: "BAIDU", score: 99)))) == "usr_1")
        #expect(planner.place(Self.incoming(AssignmentFacts(source: "google", score: 10))) == .unchanged)
        // A pool target that is not an active lead pool is skipped.
        var gone = Self.planner([Self.rule("x", 1, [], .pool(RecordID(trusted: "pool_gone")))], reps)
        #expect(gone.place(Self.incoming()) == .unchanged)
    }

    @Test(arguments: 0..<20)
    func noBatchEverPutsARepOverTheirLimit(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let reps = Self.reps((0..<5).map { _ in ["senior", "junior", nil].randomElement(using: &random)! },
                             available: Set((0..<5).filter { _ in random.next() % 4 != 0 }))
        var holding: [AssignmentPlanner.HoldingKey: Int] = [:]
        for rep in reps { holding[.init(user: rep.userID, pool: Self.pool)] = Int(random.next() % 6) }
        let strategy = AssignmentStrategy.allCases[Int(random.next() % 3)]
        var planner = AssignmentPlanner(
            rules: [Self.rule("t", 1, [], .team(Self.team, strategy: strategy, weights: ["senior": 3, "junior": 2]))],
            users: Dictionary(uniqueKeysWithValues: reps.map { ($0.userID, $0) }), members: [Self.team: reps.map(\.userID)],
            pools: [Self.pool: PoolRules(holdingLimit: LevelLimits(6, byLevel: ["senior": 8]))], holding: holding, credits: [:])
        var given: [String: Int] = [:]
        for _ in 0..<60 {
            if let owner = Self.owner(planner.place(Self.incoming())) { given[owner, default: 0] += 1 }
        }
        for rep in reps {
            let total = planner.holding[.init(user: rep.userID, pool: Self.pool), default: 0]
            #expect(total <= (rep.level == "senior" ? 8 : 6))
            if !rep.available { #expect(given[rep.userID.rawValue] == nil) }
        }
        // Capacity is used up before any lead is left unplaced.
        let capacity = reps.filter(\.available).reduce(0) { $0 + ($1.level == "senior" ? 8 : 6) - holding[.init(user: $1.userID, pool: Self.pool), default: 0] }
        #expect(given.values.reduce(0, +) == min(60, capacity))
    }
}
