import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Monthly targets (目标, `/api/v1/targets`): per month, per user or team, per metric (and
/// currency for money metrics). Administrators set anyone's, managers their team subtree's (their
/// people and their teams); everyone reads the targets of the people and teams they see. A month's
/// sheet for a team is set in one request; a single target changes with If-Match. Every change is audited.
public struct TargetUseCases: Sendable {
    let rapport: Rapport

    /// One line of a sheet as sent: a user or a team, a metric, a currency for money metrics, an amount.
    public struct Entry: Sendable {
        public var user: String?
        public var team: String?
        public var metric: String?
        public var currency: String?
        public var amount: Int64?

        public init(user: String? = nil, team: String? = nil, metric: String?, currency: String? = nil, amount: Int64?) {
            self.user = user
            self.team = team
            self.metric = metric
            self.currency = currency
            self.amount = amount
        }
    }

    /// The largest amount a target may have (minor units or a count).
    static let maximumAmount: Int64 = 1_000_000_000_000_000

    func people(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .target, anchor: .userTable, table: "scope_rep")
    }

    func teams(_ caller: Caller, _ action: AccessAction) async throws -> ScopeFilter {
        try await rapport.scope(caller, action, .target, anchor: .teamTable, table: "scope_team")
    }

    /// Sets a month's targets in one transaction: each line inserts its target or changes the
    /// amount of the one already set (unchanged amounts stay at their version). Any invalid line,
    /// or a subject outside the caller's scope, fails the whole sheet and changes nothing.
    public func setSheet(month text: String?, entries: [Entry], by caller: Caller) async throws -> [Target] {
        let people = try await people(caller, .update)
        let teams = try await teams(caller, .update)
        var check = Validator()
        let month = Self.month(text, required: true, check: &check)
        if entries.isEmpty { check.add("targets", "required", "targets lists at least one target.") }
        if entries.count > 2_000 { check.add("targets", "too_many", "A sheet sets at most 2000 targets.") }
        var parsed: [(Target.Subject, Performance.Key, Int64)] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            guard let line = Self.line(entry, field: "targets[\(index)]", check: &check) else { continue }
            if !seen.insert("\(line.0.id) \(line.1.metric) \(line.1.currency ?? "")").inserted {
                check.add("targets[\(index)]", "duplicate", "The sheet sets this target twice.")
            }
            parsed.append(line)
        }
        try check.finish()
        guard let month else { throw RapportError.validation(check.errors) }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            try await Self.checkSubjects(parsed.map(\.0), people: people, teams: teams, sql)
            var result: [Target] = []
            for (subject, key, amount) in parsed {
                let store = TargetStore(sql)
                if var target = try await store.find(month: month, subject: subject, key: key) {
                    if target.amount != amount { try await change(&target, to: amount, at: now, by: caller, sql) }
                    result.append(target)
                } else {
                    let target = Target(id: rapport.ids.next(.target, at: now), month: month, subject: subject, metric: key.metric, currency: key.currency,
                                        amount: amount, version: 1, setBy: caller.actorID, createdAt: now, updatedAt: now)
                    try await store.insert(target)
                    try await rapport.record(event("target.set", target, caller), in: sql)
                    result.append(target)
                }
            }
            return result
        }
    }

    /// One target the caller sees.
    public func get(_ id: String, by caller: Caller) async throws -> Target {
        let people = try await people(caller, .read)
        let teams = try await teams(caller, .read)
        return try await rapport.database.read { sql in try await Self.visible(id, people: people, teams: teams, sql) }
    }

    /// Changes one target's amount, at `expectedVersion` when given (If-Match).
    public func update(_ id: String, amount: Int64?, expectedVersion: Int64?, by caller: Caller) async throws -> Target {
        let people = try await people(caller, .update)
        let teams = try await teams(caller, .update)
        var check = Validator()
        if let amount { Self.checkAmount(amount, field: "amount", check: &check) } else { check.add("amount", "required", "amount is required.") }
        try check.finish()
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in
            var target = try await Self.visible(id, people: people, teams: teams, sql)
            if let expectedVersion, expectedVersion != target.version {
                throw RapportError(.preconditionFailed, "The target was changed by someone else; fetch it again and retry.")
            }
            guard let amount, amount != target.amount else { return target }
            try await change(&target, to: amount, at: now, by: caller, sql)
            return target
        }
    }

    /// Removes a target (the month then has none for that subject and metric).
    public func delete(_ id: String, by caller: Caller) async throws {
        let people = try await people(caller, .delete)
        let teams = try await teams(caller, .delete)
        try await rapport.transaction { sql in
            let target = try await Self.visible(id, people: people, teams: teams, sql)
            try await TargetStore(sql).delete(target.id)
            try await rapport.record(event("target.delete", target, caller), in: sql)
        }
    }

    /// The targets of a month (default: the current business month) the caller sees, optionally
    /// one user's, or one team's subtree's (its people and teams).
    public func list(month text: String?, user: String?, team: String?, by caller: Caller) async throws -> (BusinessMonth, [Target]) {
        let people = try await people(caller, .read)
        let teams = try await teams(caller, .read)
        var check = Validator()
        let month = Self.month(text, required: false, check: &check) ?? BusinessMonth(CalendarDate(rapport.clock.now(), in: rapport.settings.businessTimeZone))
        let userID = user.map { RecordID(parsing: $0, prefix: .user) }
        if case .some(.none) = userID { check.add("user_id", "invalid", "user_id is not a user id.") }
        let teamID = team.map { RecordID(parsing: $0, prefix: .team) }
        if case .some(.none) = teamID { check.add("team_id", "invalid", "team_id is not a team id.") }
        try check.finish()
        return try await rapport.database.read { sql in
            var filter = PerformanceStore.People(scope: people, userID: userID ?? nil)
            if let teamID = teamID ?? nil {
                guard let node = try await PerformanceStore(sql).teams(teams).first(where: { $0.id == teamID }) else { throw RapportError.notFound("team") }
                filter.teamPath = node.path
            }
            return (month, try await TargetStore(sql).list(months: [month], people: filter, teams: teams))
        }
    }

    // MARK: - Checks

    static func month(_ text: String?, required: Bool, check: inout Validator) -> BusinessMonth? {
        guard let text else {
            if required { check.add("month", "required", "month is required (YYYY-MM).") }
            return nil
        }
        guard let month = BusinessMonth(text) else {
            check.add("month", "invalid", "month is a business month, YYYY-MM.")
            return nil
        }
        return month
    }

    static func checkAmount(_ amount: Int64, field: String, check: inout Validator) {
        if amount < 0 || amount > maximumAmount { check.add(field, "out_of_range", "\(field) is from 0 to \(maximumAmount).") }
    }

    static func line(_ entry: Entry, field: String, check: inout Validator) -> (Target.Subject, Performance.Key, Int64)? {
        let before = check.errors.count
        var subject: Target.Subject?
        switch (entry.user, entry.team) {
        case (let user?, nil):
            if let id = RecordID(parsing: user, prefix: .user) { subject = .user(id) } else { check.add("\(field).user_id", "invalid", "user_id is not a user id.") }
        case (nil, let team?):
            if let id = RecordID(parsing: team, prefix: .team) { subject = .team(id) } else { check.add("\(field).team_id", "invalid", "team_id is not a team id.") }
        default:
            check.add(field, "invalid", "A target is for exactly one of user_id and team_id.")
        }
        let metric = entry.metric.flatMap(TargetMetric.init(rawValue:))
        if entry.metric == nil { check.add("\(field).metric", "required", "metric is required.") } else if metric == nil {
            check.add("\(field).metric", "invalid", "metric is one of \(TargetMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var currency: String?
        if let metric {
            if metric.isMoney {
                currency = entry.currency?.uppercased()
                if let code = currency {
                    if !OpportunityAnalyticsUseCases.isCurrency(code) { check.add("\(field).currency", "invalid", "currency is an ISO 4217 code such as CNY.") }
                } else {
                    check.add("\(field).currency", "required", "A money target has a currency.")
                }
            } else if entry.currency != nil {
                check.add("\(field).currency", "invalid", "\(metric.rawValue) is a count; it has no currency.")
            }
        }
        if let amount = entry.amount { checkAmount(amount, field: "\(field).amount", check: &check) } else { check.add("\(field).amount", "required", "amount is required.") }
        guard check.errors.count == before, let subject, let metric, let amount = entry.amount else { return nil }
        return (subject, Performance.Key(metric: metric, currency: currency), amount)
    }

    /// Every subject exists and is within the caller's scope (a 422 naming the first that is not).
    static func checkSubjects(_ subjects: [Target.Subject], people: ScopeFilter, teams: ScopeFilter, _ sql: any SQLDatabase) async throws {
        let store = PerformanceStore(sql)
        let users = Set(try await store.people(.init(scope: people)).map(\.id))
        let visibleTeams = Set(try await store.teams(teams).map(\.id))
        for (index, subject) in subjects.enumerated() {
            switch subject {
            case .user(let id) where !users.contains(id):
                throw RapportError.validation([FieldError(field: "targets[\(index)].user_id", code: "not_found", message: "No such user in your scope.")])
            case .team(let id) where !visibleTeams.contains(id):
                throw RapportError.validation([FieldError(field: "targets[\(index)].team_id", code: "not_found", message: "No such team in your scope.")])
            default: continue
            }
        }
    }

    /// A target whose subject is within the scopes (not found otherwise).
    static func visible(_ text: String, people: ScopeFilter, teams: ScopeFilter, _ sql: any SQLDatabase) async throws -> Target {
        guard let id = RecordID(parsing: text, prefix: .target), let target = try await TargetStore(sql).find(id) else { throw RapportError.notFound("target") }
        let store = PerformanceStore(sql)
        let visible: Bool
        switch target.subject {
        case .user(let user): visible = try await !store.people(.init(scope: people, userID: user)).isEmpty
        case .team(let team): visible = try await store.teams(teams).contains { $0.id == team }
        }
        guard visible else { throw RapportError.notFound("target") }
        return target
    }

    /// Writes a new amount at the next version (precondition_failed when it changed meanwhile), audited.
    func change(_ target: inout Target, to amount: Int64, at now: Date, by caller: Caller, _ sql: any SQLDatabase) async throws {
        let previous = target.amount
        target.amount = amount
        target.version += 1
        target.setBy = caller.actorID
        target.updatedAt = now
        guard try await TargetStore(sql).update(target, expectedVersion: target.version - 1) else {
            throw RapportError(.preconditionFailed, "The target was changed by someone else; fetch it again and retry.")
        }
        try await rapport.record(event("target.update", target, caller, ["previous": String(previous)]), in: sql)
    }

    func event(_ action: String, _ target: Target, _ caller: Caller, _ extra: [String: String] = [:]) -> AuditEvent {
        var details = ["month": target.month.description, "metric": target.metric.rawValue, "amount": String(target.amount),
                       "subject_id": target.subject.id.rawValue]
        if let currency = target.currency { details["currency"] = currency }
        details.merge(extra) { $1 }
        return rapport.event(action, by: caller, kind: .target, object: target.id.rawValue, details: details)
    }
}

extension Rapport {
    public var targets: TargetUseCases { TargetUseCases(rapport: self) }
}
