import Foundation
import RapportCore
import Testing

/// The turnover fold: what each rep received, gave back and converted, holding intervals, and
/// conversion after re-claim; and that grouping never changes the totals.
@Suite struct LeadTurnoverTests {
    static let from = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let to = from.addingTimeInterval(3 * 86_400)
    static let r1 = RecordID(trusted: "usr_r1")
    static let r2 = RecordID(trusted: "usr_r2")
    static let teams = [r1: RecordID(trusted: "team_t1"), r2: RecordID(trusted: "team_t2")]

    static func at(_ hours: Double) -> Date { from.addingTimeInterval(hours * 3_600) }

    static let leads: [LeadTurnover.LeadLog] = [
        // Created owned by r1, released, claimed again by r2, converted by r2.
        .init(source: "google", convertedAt: at(5), events: [
            .init(kind: .create, to: r1, at: at(0)), .init(kind: .release, from: r1, at: at(2)), .init(kind: .claim, to: r2, at: at(3)),
        ]),
        // Claimed by r1 on day 2, reclaimed from r1 on day 3.
        .init(source: nil, events: [.init(kind: .claim, to: r1, at: at(34)), .init(kind: .reclaim, from: r1, at: at(58))]),
        // Assigned to r2 before the report, released in it: the interval ends in the report.
        .init(source: "google", events: [.init(kind: .assign, to: r2, at: at(-24)), .init(kind: .release, from: r2, at: at(1))]),
        // A historic conversion in a pool: converted by nobody.
        .init(source: "olark_chat", convertedAt: at(4), events: []),
        // Everything after the report is left out.
        .init(source: "google", events: [.init(kind: .claim, to: r1, at: at(80))]),
    ]

    static func fold(_ grouping: LeadTurnover.Grouping, _ interval: AnalyticsInterval = .none, reps: Set<RecordID>? = nil,
                     _ leads: [LeadTurnover.LeadLog] = leads) -> LeadTurnover.Fold {
        var fold = LeadTurnover.Fold(from: from, to: to, periods: AnalyticsPeriods(interval, timeZone: .gmt), grouping: grouping, teams: teams, reps: reps)
        for lead in leads { fold.add(lead) }
        return fold
    }

    @Test func eachRepIsCreditedWithWhatTheyReceivedGaveBackAndConverted() throws {
        let rows = Self.fold(.rep).rows
        let r1 = try #require(rows[.init(group: Self.r1.rawValue, period: nil)])
        #expect(r1.received == 2 && r1.claimed == 1 && r1.released == 1 && r1.reclaimed == 1 && r1.converted == 0)
        #expect(r1.holdingIntervals == 2 && r1.averageHoldingHours == 13)  // 2 h and 24 h
        let r2 = try #require(rows[.init(group: Self.r2.rawValue, period: nil)])
        #expect(r2.received == 1 && r2.claimed == 1 && r2.released == 1 && r2.converted == 1)
        #expect(r2.holdingIntervals == 2 && r2.averageHoldingHours == 13.5)  // 25 h (from before the report) and 2 h (to the conversion)
        #expect(r2.reclaimedLeads == 1 && r2.convertedAfterReclaim == 1 && r2.reclaimConversionRate == 1)
        let nobody = try #require(rows[.init(group: nil, period: nil)])
        #expect(nobody.converted == 1 && nobody.received == 0)
        #expect(rows.count == 3)
    }

    @Test func periodsSplitByTheDayTheEventHappenedInTheTimeZone() throws {
        let daily = Self.fold(.rep, .day).rows
        let day2 = Self.from.addingTimeInterval(86_400)
        #expect(daily[.init(group: Self.r1.rawValue, period: day2)]?.claimed == 1)
        #expect(daily[.init(group: Self.r1.rawValue, period: day2.addingTimeInterval(86_400))]?.reclaimed == 1)
        // In Shanghai (UTC+8) the claim at 10:00 UTC on day 2 is still on day 2, 18:00 local.
        var shanghai = LeadTurnover.Fold(from: Self.from, to: Self.to, periods: AnalyticsPeriods(.day, timeZone: TimeZone(identifier: "Asia/Shanghai")!),
                                         grouping: .rep, teams: Self.teams)
        for lead in Self.leads { shanghai.add(lead) }
        #expect(shanghai.rows[.init(group: Self.r1.rawValue, period: day2.addingTimeInterval(-8 * 3_600))]?.claimed == 1)
    }

    @Test func aRepScopeShowsOnlyThatRepsNumbers() {
        let mine = Self.fold(.rep, reps: [Self.r1])
        #expect(Set(mine.rows.keys.map(\.group)) == [Self.r1.rawValue])
        let bySource = Self.fold(.source)
        #expect(bySource.rows[.init(group: "google", period: nil)]?.converted == 1)
        #expect(bySource.rows[.init(group: "olark_chat", period: nil)]?.converted == 1)
    }

    /// A small deterministic generator (SplitMix64), so a failing case can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Random but well-formed logs: ownership moves between reps and the pool, sometimes a conversion.
    static func randomLeads(_ generator: inout Generator) -> [LeadTurnover.LeadLog] {
        let reps = [r1, r2, RecordID(trusted: "usr_r3")]
        return (0..<Int.random(in: 1...30, using: &generator)).map { _ in
            var hour = Double.random(in: -48...60, using: &generator)
            var owner: RecordID?
            var events: [LeadTurnover.Event] = []
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                hour += Double.random(in: 0...20, using: &generator)
                let rep = reps.randomElement(using: &generator)!
                if let current = owner, Bool.random(using: &generator) {
                    let kind: LeadAssignment.Kind = [.release, .reclaim, .handover].randomElement(using: &generator)!
                    owner = kind == .handover ? rep : nil
                    events.append(.init(kind: kind, from: current, to: owner, at: at(hour)))
                } else {
                    let kind: LeadAssignment.Kind = owner == nil ? [.claim, .assign, .create].randomElement(using: &generator)! : .assign
                    events.append(.init(kind: kind, from: owner, to: rep, at: at(hour)))
                    owner = rep
                }
            }
            let converted = Bool.random(using: &generator) ? at(hour + Double.random(in: 0...10, using: &generator)) : nil
            return .init(source: ["google", "olark_chat", nil].randomElement(using: &generator)!, convertedAt: converted, events: events)
        }
    }

    @Test func totalsOverRepsEqualTotalsOverTeamsSourcesAndTheUngroupedTotal() {
        var generator = Generator(state: 20_260_101)
        for _ in 0..<300 {
            let leads = Self.randomLeads(&generator)
            let interval = AnalyticsInterval.allCases.randomElement(using: &generator)!
            let total = Self.fold(.none, interval, leads).total
            for grouping in [LeadTurnover.Grouping.rep, .team, .source] {
                #expect(Self.fold(grouping, interval, leads).total == total, "\(grouping) \(interval)")
            }
            // Splitting by period never changes the totals either.
            #expect(Self.fold(.rep, .none, leads).total == total)
        }
    }
}
