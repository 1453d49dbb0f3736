import Foundation
import RapportCore
import Testing

/// The reclaim decision, rule by rule, with the protection and the warning days.
@Suite struct ReclaimRulesTests {
    static let assigned = Date(timeIntervalSince1970: 1_800_000_000)
    static func day(_ count: Double) -> Date { assigned.addingTimeInterval(count * 86_400) }
    static func facts(open: Bool = true, active: Bool = true, followUp: Double? = nil, progress: Double = -10, protected: Double? = nil) -> ReclaimFacts {
        ReclaimFacts(isOpen: open, ownerActive: active, assignedAt: assigned, lastFollowUpAt: followUp.map(day), lastProgressAt: day(progress),
                     protectedUntil: protected.map(day))
    }

    @Test func eachRuleWarnsThenReclaims() {
        let rules = ReclaimRules(noFollowUpDays: 5, noProgressDays: 10, notConvertedDays: 30, ownerDisabled: true, warningDays: 2)
        // No follow-up: counted from the assignment while untouched, from the last touch after.
        #expect(rules.decide(Self.facts(), now: Self.day(2.9)) == .keep)
        #expect(rules.decide(Self.facts(), now: Self.day(3)) == .warn(.noFollowUp, due: Self.day(5)))
        #expect(rules.decide(Self.facts(), now: Self.day(5)) == .reclaim(.noFollowUp))
        #expect(rules.decide(Self.facts(followUp: 4), now: Self.day(6.9)) == .keep)
        #expect(rules.decide(Self.facts(followUp: 4), now: Self.day(8.5)) == .warn(.noFollowUp, due: Self.day(9)))
        #expect(rules.decide(Self.facts(followUp: 4), now: Self.day(9)) == .reclaim(.noFollowUp))
        // A touch before the assignment is the previous owner's: it does not help the new one.
        #expect(rules.decide(Self.facts(followUp: -3), now: Self.day(5)) == .reclaim(.noFollowUp))
        // No progress and not converted, when follow-ups keep coming.
        let touched = ReclaimRules(noFollowUpDays: nil, noProgressDays: 10, notConvertedDays: 30, warningDays: 2)
        #expect(touched.decide(Self.facts(progress: 1), now: Self.day(11)) == .reclaim(.noProgress))
        #expect(touched.decide(Self.facts(progress: 25), now: Self.day(28)) == .warn(.notConverted, due: Self.day(30)))
        #expect(touched.decide(Self.facts(progress: 25), now: Self.day(30)) == .reclaim(.notConverted))
        // Closed records stay; a disabled owner's go back at once, even when protected.
        #expect(rules.decide(Self.facts(open: false, active: false), now: Self.day(100)) == .keep)
        #expect(rules.decide(Self.facts(active: false, protected: 3), now: Self.day(0.5)) == .reclaim(.ownerDisabled))
        #expect(ReclaimRules(ownerDisabled: false).decide(Self.facts(active: false), now: Self.day(100)) == .keep)
        // The protection moves the due time to its end.
        #expect(rules.decide(Self.facts(protected: 7), now: Self.day(6)) == .warn(.noFollowUp, due: Self.day(7)))
        #expect(rules.decide(Self.facts(protected: 7), now: Self.day(7)) == .reclaim(.noFollowUp))
    }

    @Test func theStorageFilterNeverMissesADecision() {
        // Whatever the clocks, a record the rules reclaim or warn about passes the cutoffs.
        let rules = ReclaimRules(noFollowUpDays: 5, noProgressDays: 10, notConvertedDays: 30, warningDays: 2)
        var random = SplitMix64(seed: 3)
        for _ in 0..<5_000 {
            let facts = Self.facts(followUp: Bool.random(using: &random) ? Double.random(in: -5...40, using: &random) : nil,
                                   progress: Double.random(in: -20...40, using: &random),
                                   protected: Bool.random(using: &random) ? Double.random(in: 0...10, using: &random) : nil)
            let now = Self.day(Double.random(in: 0...45, using: &random))
            guard rules.decide(facts, now: now) != .keep else { continue }
            let cut = rules.earliestCutoffs(now: now)
            let passes = (facts.lastFollowUpAt.map { $0 <= cut.followUp! } ?? true) || facts.lastProgressAt <= cut.progress! || facts.assignedAt <= cut.assigned!
            #expect(passes)
        }
    }
}
