import RapportCore
import Testing

@Suite struct RoundRobinTests {
    static let users = (0..<5).map { RecordID.make(.user, millis: 1_767_603_600_000, entropy: (0, UInt64($0))) }

    @Test(arguments: [0, 1, 4, 5, 11, 1_003])
    func sharesDifferByAtMostOneAndMatchTheDeal(_ count: Int) {
        for recipients in 1...5 {
            let deal = RoundRobin.deal(Array(0..<count), to: Array(Self.users.prefix(recipients)))
            #expect(deal.map(\.record) == Array(0..<count))
            let dealt = Self.users.prefix(recipients).map { user in deal.filter { $0.to == user }.count }
            let shares = RoundRobin.shares(count, among: recipients)
            #expect(dealt == shares && shares.reduce(0, +) == count)
            #expect((shares.max() ?? 0) - (shares.min() ?? 0) <= 1)
        }
        #expect(RoundRobin.deal([1, 2], to: []).isEmpty && RoundRobin.shares(3, among: 0).isEmpty)
    }
}
