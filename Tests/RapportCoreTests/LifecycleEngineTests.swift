import Foundation
import RapportCore
import Testing

/// One exhaustive case: a dictionary, the record's current stage (nil before creation), an event's target,
/// and whether every guard field is filled.
struct LifecycleCase: Sendable, CustomTestStringConvertible {
    enum Kind: Sendable { case create, move }
    let name: String
    let dictionary: ObjectDictionary
    let kind: Kind
    let from: String?
    let to: String?
    let allFilled: Bool

    var testDescription: String {
        "\(name) \(kind) \(from ?? "∅") → \(to ?? "(initial)") \(allFilled ? "filled" : "empty")"
    }
}

/// The stage added to every default dictionary for the exhaustive tests: archived, reachable from the
/// initial stage's transitions (which the engine must still refuse), and leaving to the initial stage.
private let retiredStage = "retired_stage"
private let unknownStage = "no_such_stage"

private func withArchivedStage(_ dictionary: ObjectDictionary) -> ObjectDictionary {
    var copy = dictionary
    let retired = StageDefinition(
        key: retiredStage, label: LocalizedText(zhHans: "已停用", en: "Retired"), category: .open, lifecycle: .curious,
        transitions: [dictionary.initialStage, unknownStage], guards: ["never_filled"], slaDays: 5, archived: true)
    copy.stages.append(retired)
    let initial = copy.stages.firstIndex { $0.key == dictionary.initialStage }!
    copy.stages[initial].transitions.append(retiredStage)
    return copy
}

/// The default dictionaries by name, shared by the dictionary and lifecycle tests.
enum DictionaryFixtures {
    static let defaults: [(String, BusinessDictionary)] = [("education", .education), ("b2b", .b2b)]
}

private let lifecycleCases: [LifecycleCase] = {
    var cases: [LifecycleCase] = []
    for (dictionaryName, business) in DictionaryFixtures.defaults {
        for object in business.objects {
            let dictionary = withArchivedStage(object)
            let name = "\(dictionaryName).\(object.object.rawValue)"
            let keys = dictionary.stages.map(\.key)
            for allFilled in [true, false] {
                for to in [nil] + (keys + [unknownStage]).map(Optional.some) {
                    cases.append(LifecycleCase(name: name, dictionary: dictionary, kind: .create, from: nil, to: to, allFilled: allFilled))
                    // Creating what already exists.
                    cases.append(LifecycleCase(name: name, dictionary: dictionary, kind: .create, from: keys[0], to: to, allFilled: allFilled))
                }
                for from in [nil] + keys.map(Optional.some) {
                    for to in keys + [unknownStage] {
                        cases.append(LifecycleCase(name: name, dictionary: dictionary, kind: .move, from: from, to: to, allFilled: allFilled))
                    }
                }
            }
        }
    }
    return cases
}()

/// The oracle: what the engine must answer, computed directly from the dictionary's data.
private func expectedOutcome(_ test: LifecycleCase, filled: Set<String>, at: Date, by: RecordID?) -> Result<LifecycleTransition, LifecycleError> {
    let dictionary = test.dictionary
    func stage(_ key: String) -> StageDefinition? { dictionary.stages.first { $0.key == key } }
    func closed(_ category: StageCategory) -> Bool { category == .won || category == .lost }
    func order(_ lifecycle: GenericLifecycle) -> Int { GenericLifecycle.allCases.firstIndex(of: lifecycle)! }

    let from: StageDefinition?
    let target: StageDefinition
    let change: StageChange
    switch test.kind {
    case .create:
        if test.from != nil { return .failure(.alreadyCreated) }
        let key = test.to ?? dictionary.initialStage
        guard let found = stage(key) else { return .failure(.unknownStage(key)) }
        if found.archived { return .failure(.archivedStage(key)) }
        from = nil
        target = found
        change = StageChange(from: nil, to: key, at: at, by: by, reason: nil)
    case .move:
        guard let current = test.from else { return .failure(.notCreated) }
        let key = test.to!
        guard let found = stage(key) else { return .failure(.unknownStage(key)) }
        if key == current { return .failure(.sameStage(key)) }
        if found.archived { return .failure(.archivedStage(key)) }
        let currentStage = stage(current)!
        if !currentStage.transitions.contains(key) {
            let allowed = currentStage.transitions.filter { stage($0) != nil && stage($0)!.archived == false }
            return .failure(.illegalTransition(from: current, to: key, allowed: allowed))
        }
        from = currentStage
        target = found
        change = StageChange(from: current, to: key, at: at, by: by, reason: "because")
    }
    let missing = target.guards.filter { !filled.contains($0) }
    if !missing.isEmpty { return .failure(.guardUnmet(stage: target.key, missing: missing)) }

    var effects: [LifecycleEffect] = [.recordChange(change), .enteredCategory(target.category, stage: target.key)]
    if closed(target.category) && !(from.map { closed($0.category) } ?? false) { effects.append(.closed(target.category)) }
    if let from, closed(from.category), target.category == .open { effects.append(.reopened(from: from.key, to: target.key)) }
    if let reached = target.lifecycle {
        if let before = from?.lifecycle {
            if order(reached) > order(before) { effects.append(.lifecycleAdvanced(from: before, to: reached)) }
        } else {
            effects.append(.lifecycleAdvanced(from: nil, to: reached))
        }
    }
    if let days = target.slaDays { effects.append(.slaDue(stage: target.key, at: Date(timeIntervalSince1970: at.timeIntervalSince1970 + Double(days) * 86_400))) }
    return .success(LifecycleTransition(state: LifecycleState(stage: target.key, enteredAt: at), effects: effects))
}

@Suite struct LifecycleEngineTests {
    let at = Date(timeIntervalSince1970: 1_764_000_000)
    let enteredAt = Date(timeIntervalSince1970: 1_763_000_000)
    let rep = RecordID(trusted: "usr_01KB3Y8N4QZJ9V6E2T1XWMC0PD")

    @Test(arguments: lifecycleCases)
    func engineMatchesTheOracle(_ test: LifecycleCase) {
        let allGuards = Set(test.dictionary.stages.filter { $0.key != retiredStage }.flatMap(\.guards))
        let filled = test.allFilled ? allGuards : []
        let event: LifecycleEvent =
            switch test.kind {
            case .create: .create(stage: test.to, at: at, by: rep)
            case .move: .move(to: test.to!, at: at, by: rep, reason: "because")
            }
        let state = test.from.map { LifecycleState(stage: $0, enteredAt: enteredAt) }
        let engine = LifecycleEngine(test.dictionary)
        let actual = Result { () throws(LifecycleError) in try engine.apply(event, to: state, filled: filled) }
        let expected = expectedOutcome(test, filled: filled, at: at, by: rep)
        #expect(actual == expected)
        if case .success(let transition) = actual {
            guard case .recordChange(let change)? = transition.effects.first else {
                Issue.record("recordChange must come first")
                return
            }
            #expect(transition.change == change)
            #expect(change.to == transition.state.stage && transition.state.enteredAt == at)
        }
    }

    @Test func exhaustiveCasesCoverEveryStagePair() {
        // 2 dictionaries × 3 objects; each with its stages plus one archived stage.
        #expect(lifecycleCases.count > 800)
        let outcomes = lifecycleCases.map { test -> String in
            let allGuards = Set(test.dictionary.stages.flatMap(\.guards))
            switch expectedOutcome(test, filled: test.allFilled ? allGuards : [], at: at, by: nil) {
            case .success: return "ok"
            case .failure(let error): return "\(error)".components(separatedBy: "(")[0]
            }
        }
        // Every kind of answer occurs.
        for kind in ["ok", "unknownStage", "archivedStage", "sameStage", "illegalTransition", "guardUnmet", "notCreated", "alreadyCreated"] {
            #expect(outcomes.contains(kind), "no case yields \(kind)")
        }
    }

    @Test(arguments: DictionaryFixtures.defaults.flatMap { name, business in business.objects.map { (name, $0) } })
    func everyGuardedStageNeedsEachOfItsFields(_ name: String, _ dictionary: ObjectDictionary) throws {
        let engine = LifecycleEngine(dictionary)
        let guarded = dictionary.stages.filter { !$0.guards.isEmpty }
        #expect(!guarded.isEmpty, "\(name).\(dictionary.object) has no guarded stage")
        for stage in guarded {
            let all = Set(stage.guards)
            // With every guard filled, creation in the stage and each allowed move into it succeed.
            #expect(throws: Never.self) { try engine.apply(.create(stage: stage.key, at: at, by: nil), to: nil, filled: all) }
            for source in dictionary.stages where source.transitions.contains(stage.key) {
                let state = LifecycleState(stage: source.key, enteredAt: enteredAt)
                let moved = try engine.apply(.move(to: stage.key, at: at, by: rep, reason: nil), to: state, filled: all)
                #expect(moved.state.stage == stage.key)
                // Without any, all are named, in guard order.
                #expect(throws: LifecycleError.guardUnmet(stage: stage.key, missing: stage.guards)) {
                    try engine.apply(.move(to: stage.key, at: at, by: rep, reason: nil), to: state, filled: [])
                }
            }
            // Missing exactly one names exactly that one.
            for key in stage.guards {
                #expect(throws: LifecycleError.guardUnmet(stage: stage.key, missing: [key])) {
                    try engine.apply(.create(stage: stage.key, at: at, by: nil), to: nil, filled: all.subtracting([key]))
                }
            }
            #expect(engine.missingFields(toEnter: stage.key, filled: []) == stage.guards)
        }
    }

    @Test func opportunityNeedsAnAmountBeforeTheProposal() throws {
        let engine = LifecycleEngine(BusinessDictionary.b2b[.opportunity]!)
        let engaging = LifecycleState(stage: "engaging", enteredAt: enteredAt)
        #expect(throws: LifecycleError.guardUnmet(stage: "proposal", missing: ["amount"])) {
            try engine.apply(.move(to: "proposal", at: at, by: rep, reason: nil), to: engaging, filled: ["expected_close_date"])
        }
        let moved = try engine.apply(.move(to: "proposal", at: at, by: rep, reason: nil), to: engaging, filled: ["amount", "expected_close_date"])
        #expect(moved.effects.contains(.slaDue(stage: "proposal", at: at.addingTimeInterval(14 * 86_400))))
    }

    @Test func leadsCloseAndReopen() throws {
        let engine = LifecycleEngine(BusinessDictionary.education[.lead]!)
        let created = try engine.apply(.create(stage: nil, at: at, by: rep), to: nil, filled: [])
        #expect(created.state == LifecycleState(stage: "new", enteredAt: at))
        #expect(created.effects == [
            .recordChange(StageChange(from: nil, to: "new", at: at, by: rep)),
            .enteredCategory(.open, stage: "new"),
            .lifecycleAdvanced(from: nil, to: .aware),
            .slaDue(stage: "new", at: at.addingTimeInterval(86_400)),
        ])
        let later = at.addingTimeInterval(600)
        let invalid = try engine.apply(.move(to: "invalid", at: later, by: rep, reason: "空号"), to: created.state, filled: ["invalid_reason"])
        #expect(invalid.effects == [
            .recordChange(StageChange(from: "new", to: "invalid", at: later, by: rep, reason: "空号")),
            .enteredCategory(.lost, stage: "invalid"),
            .closed(.lost),
        ])
        let reopened = try engine.apply(.move(to: "contacting", at: later, by: nil, reason: nil), to: invalid.state, filled: ["phone"])
        #expect(reopened.effects.contains(.reopened(from: "invalid", to: "contacting")))
        #expect(reopened.effects.contains(.lifecycleAdvanced(from: nil, to: .curious)))
        #expect(throws: LifecycleError.illegalTransition(from: "invalid", to: "converted", allowed: ["contacting"])) {
            try engine.apply(.move(to: "converted", at: later, by: nil, reason: nil), to: invalid.state, filled: [])
        }
    }

    @Test func aRecordInAnArchivedStageLeavesByItsTransitions() throws {
        let dictionary = withArchivedStage(BusinessDictionary.education[.customer]!)
        let engine = LifecycleEngine(dictionary)
        let state = LifecycleState(stage: retiredStage, enteredAt: enteredAt)
        let moved = try engine.apply(.move(to: "new", at: at, by: nil, reason: nil), to: state, filled: [])
        #expect(moved.state.stage == "new")
        #expect(throws: LifecycleError.archivedStage(retiredStage)) {
            try engine.apply(.move(to: retiredStage, at: at, by: nil, reason: nil), to: moved.state, filled: ["never_filled"])
        }
        #expect(engine.allowedTargets(from: retiredStage) == ["new"])
        #expect(engine.allowedTargets(from: unknownStage) == [])
    }

    @Test func errorsTakeTheirAPIForm() {
        let guardError = LifecycleError.guardUnmet(stage: "enrolled", missing: ["grade", "phone"])
        #expect(guardError.rapportError.code == .validationFailed)
        #expect(guardError.rapportError.fieldErrors.map(\.field) == ["grade", "phone"])
        let inDictionary = guardError.rapportError(in: BusinessDictionary.education[.customer]!)
        #expect(inDictionary.fieldErrors.map(\.field) == ["custom_fields.grade", "phone"])
        #expect(inDictionary.fieldErrors.allSatisfy { $0.code == "required" })

        let illegal = LifecycleError.illegalTransition(from: "new", to: "converted", allowed: ["contacting", "invalid"]).rapportError
        #expect(illegal.code == .conflict)
        #expect(illegal.detail.contains("contacting, invalid"))
        #expect(illegal.extra["allowed_stages"] == "contacting,invalid")

        for error in [LifecycleError.unknownStage("x"), .archivedStage("x")] {
            #expect(error.rapportError.code == .validationFailed)
            #expect(error.rapportError.fieldErrors.map(\.field) == ["stage"])
        }
        #expect(LifecycleError.archivedStage("x").rapportError.fieldErrors.first?.code == "archived")
        for error in [LifecycleError.sameStage("x"), .notCreated, .alreadyCreated] {
            #expect(error.rapportError.code == .conflict)
        }
    }

    // MARK: Time in stage

    @Test func timeInStageSumsVisitsAndCountsTheCurrentStageUpToNow() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        func at(_ hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }
        let history = [
            StageChange(from: nil, to: "new", at: at(0)),
            StageChange(from: "new", to: "contacting", at: at(2)),
            StageChange(from: "contacting", to: "invalid", at: at(5)),
            StageChange(from: "invalid", to: "contacting", at: at(29)),
            StageChange(from: "contacting", to: "qualified", at: at(30)),
        ]
        // The clock moves on; only the current stage grows.
        for now: Double in [30, 31, 48, 240] {
            let durations = TimeInStage.durations(history, now: at(now))
            #expect(durations["new"] == TimeInterval(2 * 3600))
            #expect(durations["contacting"] == TimeInterval((3 + 1) * 3600), "both visits count")
            #expect(durations["invalid"] == TimeInterval(24 * 3600))
            #expect(durations["qualified"] == (now - 30) * 3600)
            #expect(durations.count == 4)
            #expect(TimeInStage.current(history, now: at(now)) == (now - 30) * 3600)
        }
        #expect(TimeInStage.entries(history) == ["new": 1, "contacting": 2, "invalid": 1, "qualified": 1])
        // Between changes, the stage entered last is the one that grows.
        let partial = Array(history.prefix(3))
        #expect(TimeInStage.durations(partial, now: at(6))["invalid"] == 3600)
        #expect(TimeInStage.current(partial, now: at(6)) == 3600)
    }

    @Test func timeInStageNeverGoesNegative() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(TimeInStage.durations([], now: start).isEmpty)
        #expect(TimeInStage.current([], now: start) == nil)
        let skewed = [
            StageChange(from: nil, to: "a", at: start),
            StageChange(from: "a", to: "b", at: start.addingTimeInterval(-60)),
        ]
        #expect(TimeInStage.durations(skewed, now: start.addingTimeInterval(-120)) == ["a": 0, "b": 0])
        #expect(TimeInStage.current(skewed, now: start.addingTimeInterval(-120)) == 0)
    }

    @Test func theEngineWritesTheHistoryTimeInStageReads() throws {
        let engine = LifecycleEngine(BusinessDictionary.education[.customer]!)
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        let day: TimeInterval = 86_400
        var clock = start
        var history: [StageChange] = []
        var filled: Set<String> = []
        var state: LifecycleState?
        func apply(_ event: LifecycleEvent) throws {
            let transition = try engine.apply(event, to: state, filled: filled)
            history.append(try #require(transition.change))
            state = transition.state
        }
        try apply(.create(stage: nil, at: clock, by: rep))
        clock += day
        try apply(.move(to: "engaged", at: clock, by: rep, reason: nil))
        clock += 2 * day
        filled.insert("trial_class_date")
        try apply(.move(to: "trial_booked", at: clock, by: rep, reason: "约了周六"))
        clock += day / 2
        try apply(.move(to: "engaged", at: clock, by: rep, reason: "no-show"))
        clock += day
        try apply(.move(to: "trial_booked", at: clock, by: rep, reason: nil))
        clock += 3 * day
        try apply(.move(to: "trial_attended", at: clock, by: rep, reason: nil))
        let now = clock + day / 4
        #expect(TimeInStage.durations(history, now: now) == [
            "new": day, "engaged": 3 * day, "trial_booked": 3.5 * day, "trial_attended": day / 4,
        ])
        #expect(history.map(\.from) == [nil, "new", "engaged", "trial_booked", "engaged", "trial_booked"])
        #expect(state == LifecycleState(stage: "trial_attended", enteredAt: clock))
    }

    @Test func stateAndChangesUseSnakeCaseJSON() throws {
        let state = LifecycleState(stage: "new", enteredAt: at)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let json = String(decoding: try encoder.encode(state), as: UTF8.self)
        #expect(json.contains("\"entered_at\""))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(LifecycleState.self, from: Data(json.utf8)) == state)
        let change = StageChange(from: "a", to: "b", at: at, by: rep, reason: "r")
        #expect(try decoder.decode(StageChange.self, from: try encoder.encode(change)) == change)
    }
}
