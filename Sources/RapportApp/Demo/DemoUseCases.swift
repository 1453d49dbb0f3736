import Foundation
import Logging
import RapportCore
import RapportStorage

/// The demo: fills a fresh database with a small education company (知学教育, a team tree,
/// managers, course advisors, service and an analyst) and ~1,400 customers derived from the public
/// X Education lead data (`Resources/demo-customers.csv`, made by `scripts/make-demo-data.py`),
/// with contact points, consents, tags, stages, custom fields, relations and a timeline each.
///
/// Everything goes through the use cases, so every invariant holds (dedup, guards, the frequency
/// cap, scopes, the audit chain). Deterministic: the same file gives the same data (ids and
/// "now" aside); no randomness, choices come from a hash of each lead's Prospect ID.
public struct DemoUseCases: Sendable {
    let rapport: Rapport

    /// Every demo account signs in with this password (the command line prints it).
    public static let password = "rapport-demo"

    /// A demo sign-in account.
    public struct Account: Sendable, Equatable {
        public var email: String
        public var name: String
        public var role: Role
        public var repLevel: String?
        /// The key of the team the account belongs to.
        public var team: String
    }

    /// What a fill made.
    public struct Summary: Sendable, Equatable {
        public var teams = 0
        public var users = 0
        public var customers = 0
        /// Customers created although they match another (flag policy): the duplicates report shows them.
        public var flaggedDuplicates = 0
        public var relations = 0
        public var activities = 0
        /// Stage moves after creation (each is in the stage history with its reason).
        public var stageMoves = 0
        /// Customers handed over from their advisor to student services (the renewed ones).
        public var handovers = 0
        /// Customers per stage key.
        public var stages: [String: Int] = [:]
        public var accounts: [Account] = []
        public var seconds: Double = 0
    }

    /// Whether a database may take the demo.
    public enum State: Sendable, Equatable {
        /// No customers, and no users or teams but the demo's own (an interrupted fill resumes).
        case fresh
        /// The demo is there (its administrator exists and there are customers).
        case demo
        /// Other data is there; the demo refuses to mix with it.
        case other(String)
    }

    // MARK: The organisation

    struct TeamSpec {
        var key: String
        var name: String
        var parent: String?
        /// Where this group's advisors meet families (visits and trial classes).
        var centre: String?
    }

    struct UserSpec {
        var email: String
        var name: String
        var role: Role
        var level: RepLevel?
        var team: String
    }

    static let domain = "zhixue.example.com"

    static let teams: [TeamSpec] = [
        TeamSpec(key: "zhixue", name: "知学教育 Zhixue Education"),
        TeamSpec(key: "east", name: "华东课程顾问部 East China Advisors", parent: "zhixue"),
        TeamSpec(key: "east-sh1", name: "上海一组 Shanghai Group 1", parent: "east", centre: "上海徐汇校区 Shanghai Xuhui Centre"),
        TeamSpec(key: "east-sh2", name: "上海二组 Shanghai Group 2", parent: "east", centre: "上海浦东校区 Shanghai Pudong Centre"),
        TeamSpec(key: "east-hz", name: "杭州组 Hangzhou Group", parent: "east", centre: "杭州西湖校区 Hangzhou Xihu Centre"),
        TeamSpec(key: "south", name: "华南课程顾问部 South China Advisors", parent: "zhixue"),
        TeamSpec(key: "south-sz", name: "深圳组 Shenzhen Group", parent: "south", centre: "深圳南山校区 Shenzhen Nanshan Centre"),
        TeamSpec(key: "south-gz", name: "广州组 Guangzhou Group", parent: "south", centre: "广州天河校区 Guangzhou Tianhe Centre"),
    ]

    static let users: [UserSpec] = [
        UserSpec(email: "admin@\(domain)", name: "李娜 Li Na", role: .admin, team: "zhixue"),
        UserSpec(email: "chen.jing@\(domain)", name: "陈静 Chen Jing", role: .manager, team: "east"),
        UserSpec(email: "huang.lei@\(domain)", name: "黄磊 Huang Lei", role: .manager, team: "south"),
        UserSpec(email: "wang.fang@\(domain)", name: "王芳 Wang Fang", role: .rep, level: .senior, team: "east-sh1"),
        UserSpec(email: "liu.yang@\(domain)", name: "刘洋 Liu Yang", role: .rep, level: .junior, team: "east-sh1"),
        UserSpec(email: "zhang.wei@\(domain)", name: "张伟 Zhang Wei", role: .rep, level: .expert, team: "east-sh2"),
        UserSpec(email: "zhao.min@\(domain)", name: "赵敏 Zhao Min", role: .rep, level: .junior, team: "east-sh2"),
        UserSpec(email: "zhou.jie@\(domain)", name: "周杰 Zhou Jie", role: .rep, level: .senior, team: "east-hz"),
        UserSpec(email: "wu.ting@\(domain)", name: "吴婷 Wu Ting", role: .rep, level: .expert, team: "south-sz"),
        UserSpec(email: "zheng.hao@\(domain)", name: "郑浩 Zheng Hao", role: .rep, level: .junior, team: "south-sz"),
        UserSpec(email: "sun.yue@\(domain)", name: "孙悦 Sun Yue", role: .rep, level: .senior, team: "south-gz"),
        UserSpec(email: "lin.xiao@\(domain)", name: "林晓 Lin Xiao", role: .rep, level: .junior, team: "south-gz"),
        UserSpec(email: "he.lin@\(domain)", name: "何琳 He Lin", role: .service, team: "zhixue"),
        UserSpec(email: "ma.chao@\(domain)", name: "马超 Ma Chao", role: .analyst, team: "zhixue"),
    ]

    /// The demo's sign-in accounts (what the command line prints).
    public static var accounts: [Account] {
        users.map { Account(email: $0.email, name: $0.name, role: $0.role, repLevel: $0.level?.rawValue, team: $0.team) }
    }

    /// A member of staff the fill acts as: a course advisor, or student services.
    struct Rep: Sendable {
        var user: User
        var caller: Caller
        /// The centre of the rep's group (the place of visits and trial classes).
        var centre: String
    }

    // MARK: State and fill

    /// Whether this database is fresh, already has the demo, or has other data (administrators
    /// and the system only: it looks at everything).
    public func state(by caller: Caller) async throws -> State {
        guard caller.principal == nil || caller.principal?.role == .admin else {
            throw RapportError(.forbidden, "Only administrators may fill the demo.")
        }
        let customers = try await rapport.customers.list(.init(), page: PageRequest(limit: 1), by: caller)
        let demoEmails = Set(Self.users.map(\.email))
        var users: [User] = []
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let result = try await rapport.users.list(.init(), page: page, by: caller)
            users += result.items
            guard let next = result.nextCursor else { break }
            page.cursor = next
        }
        if !customers.items.isEmpty {
            return users.contains { $0.email == Self.users[0].email } ? .demo : .other("it has customers")
        }
        let strangers = users.filter { !demoEmails.contains($0.email) }.count
        if strangers > 0 { return .other("it has \(strangers) user\(strangers == 1 ? "" : "s") of its own") }
        let demoKeys = Set(Self.teams.map(\.key))
        let teams = try await allTeams(by: caller).filter { !demoKeys.contains($0.key) }.count
        if teams > 0 { return .other("it has \(teams) team\(teams == 1 ? "" : "s") of its own") }
        return .fresh
    }

    /// Fills a fresh database (`conflict` otherwise, and nothing changes). Administrators and
    /// the system only. `progress` hears how many customers are done, of how many.
    public func fill(by caller: Caller, progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> Summary {
        guard caller.principal == nil || caller.principal?.role == .admin else {
            throw RapportError(.forbidden, "Only administrators may fill the demo.")
        }
        let started = ContinuousClock.now
        switch try await state(by: caller) {
        case .fresh: break
        case .demo: throw RapportError(.conflict, "The database already has the demo data.")
        case .other(let what): throw RapportError(.conflict, "The demo fills only a fresh database, and \(what).")
        }
        let leads = try DemoLead.loadAll()
        var summary = Summary()
        let staff = try await organise(by: caller, into: &summary)
        try await createCustomers(leads, reps: staff.reps, service: staff.service, by: caller, into: &summary, progress: progress)
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        rapport.logger.info("demo filled", metadata: [
            "customers": .stringConvertible(summary.customers), "activities": .stringConvertible(summary.activities),
            "seconds": .stringConvertible(summary.seconds),
        ])
        return summary
    }

    /// Creates (or, after an interrupted fill, finds) the teams and users; returns the reps and
    /// student services.
    func organise(by caller: Caller, into summary: inout Summary) async throws -> (reps: [Rep], service: Rep) {
        var teams = Dictionary(try await allTeams(by: caller).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for spec in Self.teams where teams[spec.key] == nil {
            teams[spec.key] = try await rapport.teams.create(.init(key: spec.key, name: spec.name, parent: spec.parent.flatMap { teams[$0]?.id.rawValue }), by: caller)
        }
        summary.teams = Self.teams.count
        // bcrypt is slow on purpose: hash the accounts' passwords side by side.
        let users = try await withThrowingTaskGroup(of: User.self) { group in
            for spec in Self.users {
                let team = teams[spec.team]?.id.rawValue
                group.addTask { [rapport] in
                    if let existing = try? await rapport.users.find(email: spec.email, by: caller) { return existing }
                    return try await rapport.users.create(
                        .init(email: spec.email, name: spec.name, role: spec.role.rawValue, repLevel: spec.level?.rawValue, team: team,
                              locale: "zh-Hans", password: Self.password), by: caller)
                }
            }
            var users: [String: User] = [:]
            for try await user in group { users[user.email] = user }
            return users
        }
        summary.users = Self.users.count
        summary.accounts = Self.accounts
        let staff = Self.users.filter { $0.role == .rep || $0.role == .service }.compactMap { spec -> Rep? in
            guard let user = users[spec.email], let team = teams[spec.team] else { return nil }
            let principal = Principal(userID: user.id, role: spec.role, teamID: team.id, teamPath: team.path, repLevel: user.repLevel)
            return Rep(user: user, caller: Caller(principal: principal, channel: "demo"), centre: Self.teams.first { $0.key == spec.team }?.centre ?? team.name)
        }
        guard let service = staff.first(where: { $0.user.role == .service }) else {
            throw RapportError(.conflict, "The demo's student services account is missing.")
        }
        return (staff.filter { $0.user.role == .rep }, service)
    }

    func allTeams(by caller: Caller) async throws -> [Team] {
        var teams: [Team] = []
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let result = try await rapport.teams.list(parent: nil, page: page, by: caller)
            teams += result.items
            guard let next = result.nextCursor else { break }
            page.cursor = next
        }
        return teams
    }
}
