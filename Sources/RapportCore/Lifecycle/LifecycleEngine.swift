import Foundation

/// The one stage machine every business object reuses: an event and the current state go in, the new
/// state and the effects come out. Pure: time and users come with the event; nothing is stored.
///
/// ```swift
/// let engine = LifecycleEngine(BusinessDictionary.education[.lead]!)
/// let created = try engine.apply(.create(stage: nil, at: now, by: rep), to: nil, filled: [])
/// let moved = try engine.apply(.move(to: "contacting", at: later, by: rep, reason: nil),
///                              to: created.state, filled: ["phone"])
/// ```
///
/// Rules, checked in this order for a move: the target exists (`unknownStage`), differs from the current
/// stage (`sameStage`), is not archived (`archivedStage`), is among the current stage's transitions
/// (`illegalTransition`), and its guards are filled (`guardUnmet`). A record in an archived stage may
/// leave it by that stage's transitions. At creation any stage that is not archived may be named.
public struct LifecycleEngine: Sendable {
    /// The dictionary the engine runs.
    public let dictionary: ObjectDictionary
    private let stages: [String: StageDefinition]

    /// Seconds in a day, for SLA deadlines (`at + slaDays × 86 400`).
    public static let secondsPerDay: TimeInterval = 86_400

    public init(_ dictionary: ObjectDictionary) {
        self.dictionary = dictionary
        self.stages = Dictionary(dictionary.stages.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Applies `event` to `state` (nil before creation). `filled` = keys of fields (custom or built-in)
    /// that currently have a non-empty value.
    public func apply(_ event: LifecycleEvent, to state: LifecycleState?, filled: Set<String>) throws(LifecycleError) -> LifecycleTransition {
        switch event {
        case .create(let requested, let at, let by):
            guard state == nil else { throw .alreadyCreated }
            let key = requested ?? dictionary.initialStage
            let target = try enterable(key)
            try checkGuards(target, filled: filled)
            let change = StageChange(from: nil, to: key, at: at, by: by, reason: nil)
            return LifecycleTransition(
                state: LifecycleState(stage: key, enteredAt: at), effects: effects(of: change, leaving: nil, entering: target))

        case .move(let key, let at, let by, let reason):
            guard let state else { throw .notCreated }
            guard stages[key] != nil else { throw .unknownStage(key) }
            guard key != state.stage else { throw .sameStage(key) }
            let target = try enterable(key)
            let current = stages[state.stage]
            guard let current, current.transitions.contains(key) else {
                throw .illegalTransition(from: state.stage, to: key, allowed: allowedTargets(from: state.stage))
            }
            try checkGuards(target, filled: filled)
            let change = StageChange(from: state.stage, to: key, at: at, by: by, reason: reason)
            return LifecycleTransition(
                state: LifecycleState(stage: key, enteredAt: at), effects: effects(of: change, leaving: current, entering: target))
        }
    }

    /// The stages a record in `stage` may move to now: its transitions to stages that exist and are not
    /// archived, in the dictionary's order of transitions. Guards are not considered.
    public func allowedTargets(from stage: String) -> [String] {
        guard let current = stages[stage] else { return [] }
        return current.transitions.filter { key in stages[key].map { !$0.archived } ?? false }
    }

    /// The fields still missing to enter `stage` (its guards not in `filled`), in guard order.
    public func missingFields(toEnter stage: String, filled: Set<String>) -> [String] {
        stages[stage]?.guards.filter { !filled.contains($0) } ?? []
    }

    private func enterable(_ key: String) throws(LifecycleError) -> StageDefinition {
        guard let stage = stages[key] else { throw .unknownStage(key) }
        guard !stage.archived else { throw .archivedStage(key) }
        return stage
    }

    private func checkGuards(_ stage: StageDefinition, filled: Set<String>) throws(LifecycleError) {
        let missing = stage.guards.filter { !filled.contains($0) }
        if !missing.isEmpty { throw .guardUnmet(stage: stage.key, missing: missing) }
    }

    private func effects(of change: StageChange, leaving old: StageDefinition?, entering new: StageDefinition) -> [LifecycleEffect] {
        var effects: [LifecycleEffect] = [.recordChange(change), .enteredCategory(new.category, stage: new.key)]
        let wasClosed = old?.category.isClosed ?? false
        if new.category.isClosed && !wasClosed { effects.append(.closed(new.category)) }
        if let old, wasClosed, new.category == .open { effects.append(.reopened(from: old.key, to: new.key)) }
        if let reached = new.lifecycle {
            let before = old?.lifecycle
            if before.map({ reached > $0 }) ?? true { effects.append(.lifecycleAdvanced(from: before, to: reached)) }
        }
        if let days = new.slaDays {
            effects.append(.slaDue(stage: new.key, at: change.at.addingTimeInterval(TimeInterval(days) * Self.secondsPerDay)))
        }
        return effects
    }
}
