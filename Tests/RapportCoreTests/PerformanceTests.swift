import Foundation
import RapportCore
import Testing

/// Targets, actuals, attainment and rankings as pure folds: team roll-ups add up their reps',
/// ties share a rank, attainment is null without a target, periods parse strictly.
@Suite struct PerformanceTests {
    /// The property the issue asks for: for random team trees, reps and records, every team's
    /// actual equals the sum over the reps of its subtree, for every metric and currency.
    @Test(arguments: 0..<40)
    func teamActualsAreTheSumOfTheirRepsActuals(_ seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        func id(_ prefix: IDPrefix, _ n: Int) -> RecordID { RecordID.make(prefix, millis: UInt64(n), entropy: (0, UInt64(n))) }
        // A random forest of teams: each team's parent is an earlier team (or none).
        let teamCount = 1 + Int(random.next() % 8)
        var parentOf: [RecordID: RecordID] = [:]
        var path: [RecordID: [RecordID]] = [:]
        for index in 0..<teamCount {
            let team = id(.team, index)
            if index > 0, random.next() % 4 != 0 {
                let parent = id(.team, Int(random.next() % UInt64(index)))
                parentOf[team] = parent
                path[team] = path[parent]! + [team]
            } else {
                path[team] = [team]
            }
        }
        let repCount = 1 + Int(random.next() % 25)
        var teamOf: [RecordID: RecordID] = [:]
        for index in 0..<repCount where random.next() % 10 != 0 {  // a few reps have no team
            teamOf[id(.user, index)] = id(.team, Int(random.next() % UInt64(teamCount)))
        }
        let currencies = ["CNY", "USD"]
        var actuals: [Performance.Actual] = []
        for _ in 0..<Int(random.next() % 200) {
            let metric = TargetMetric.allCases[Int(random.next() % UInt64(TargetMetric.allCases.count))]
            let value = Int64(random.next() % 1_000_000) - (metric == .collections ? 200_000 : 0)
            actuals.append(Performance.Actual(userID: id(.user, Int(random.next() % UInt64(repCount))), metric: metric,
                                              currency: currencies[Int(random.next() % 2)], value: value))
        }
        let users = Performance.byUser(actuals)
        let teams = Performance.byTeam(users, teamOf: teamOf, parentOf: parentOf)
        for index in 0..<teamCount {
            let team = id(.team, index)
            for metric in TargetMetric.allCases {
                for currency in (metric.isMoney ? currencies.map { Optional($0) } : [nil]) {
                    let key = Performance.Key(metric: metric, currency: currency)
                    // Independently: every record whose rep's team has this team on its path.
                    let expected = actuals.filter { actual in
                        actual.key == key && teamOf[actual.userID].map { path[$0]!.contains(team) } == true
                    }.reduce(0) { $0 + $1.value }
                    let members = users.filter { user, _ in teamOf[user].map { path[$0]!.contains(team) } == true }
                    #expect((teams[team]?[key] ?? 0) == expected)
                    #expect(members.values.reduce(0) { $0 + ($1[key] ?? 0) } == expected)
                }
            }
        }
    }

    @Test func tiesShareARankAndTheNextRankSkips() {
        let places = Performance.ranked([("d", 5), ("a", 9), ("c", 9), ("b", 7), ("e", 0)], order: <)
        #expect(places.map { "\($0.subject)\($0.rank)" } == ["a1", "c1", "b3", "d4", "e5"])
        #expect(Performance.ranked([(String, Int64)](), order: <).isEmpty)
        let all = Performance.ranked([("x", 0), ("y", 0)], order: <)
        #expect(all.map(\.rank) == [1, 1])
    }

    @Test func attainmentIsNullWithoutATarget() throws {
        #expect(Performance.Attainment(actual: 5, target: nil) == nil && Performance.Attainment(actual: 5, target: 0) == nil)
        let half = try #require(Performance.Attainment(actual: 50, target: 100))
        #expect(half.ratio == 0.5 && half.basisPoints == 5_000)
        #expect(Performance.Attainment(actual: 2, target: 3)?.basisPoints == 6_666)
        #expect(Performance.Attainment(actual: -1, target: 3)?.basisPoints == -3_334)
        #expect(Performance.Attainment(actual: Int64.max / 2, target: 1)?.basisPoints == .max)
    }

    @Test func periodsAreMonthsQuartersAndYears() throws {
        let month = try #require(PerformancePeriod("2026-03"))
        #expect(month.months.map(\.description) == ["2026-03"] && month.endDay.description == "2026-04-01")
        let quarter = try #require(PerformancePeriod("2025-Q4"))
        #expect(quarter.months.map(\.description) == ["2025-10", "2025-11", "2025-12"] && quarter.endDay.description == "2026-01-01")
        let year = try #require(PerformancePeriod("2017"))
        #expect(year.months.count == 12 && year.firstDay.description == "2017-01-01" && year.endDay.description == "2018-01-01")
        for bad in ["2026-13", "2026-3", "2026-Q5", "2026-Q0", "26", "2026-", "２０２６", "2026-03-01", "-202", "+2026"] {
            #expect(PerformancePeriod(bad) == nil, "\(bad)")
        }
        #expect(BusinessMonth("2026-12")?.adding(months: 1).description == "2027-01")
        #expect(TargetMetric.allCases.filter(\.isMoney) == [.wonRevenue, .signedRevenue, .collections])
    }
}
