import Foundation
import RapportCore
import RapportStorage
import SQLKit

extension AssignmentUseCases {
    /// The user a leave is about: oneself, or someone the caller may change (managers within
    /// their team subtree, administrators).
    func leaveSubject(_ user: String, by caller: Caller, _ action: AccessAction, _ sql: any SQLDatabase) async throws -> User {
        guard let id = RecordID(parsing: user, prefix: .user) else { throw RapportError.notFound("user") }
        if let me = caller.principal?.userID, me == id, let found = try await UserStore(sql).find(id) { return found }
        let scope = try await rapport.scope(caller, action, .user, anchor: .userTable, table: "users")
        guard let found = try await UserStore(sql).find(id, in: scope) else { throw RapportError.notFound("user") }
        return found
    }

    /// Records a leave: from `startsAt` until `endsAt` the rules give the user no leads.
    public func addLeave(_ user: String, startsAt: Date, endsAt: Date, note: String?, by caller: Caller) async throws -> UserLeave {
        let now = rapport.clock.now()
        var check = Validator()
        if endsAt <= startsAt { check.add("ends_at", "invalid", "ends_at must be after starts_at.") }
        if endsAt <= now { check.add("ends_at", "invalid", "ends_at must be in the future.") }
        if endsAt.timeIntervalSince(startsAt) > 366 * 86_400 { check.add("ends_at", "out_of_range", "A leave lasts at most 366 days.") }
        let note = note.map { check.text($0, field: "note", maxLength: 500) }.flatMap { $0.isEmpty ? nil : $0 }
        try check.finish()
        return try await rapport.transaction { sql in
            let subject = try await leaveSubject(user, by: caller, .update, sql)
            let leave = UserLeave(id: rapport.ids.next(.leave, at: now), userID: subject.id, startsAt: startsAt, endsAt: endsAt, note: note,
                                  createdBy: caller.actorID, createdAt: now)
            try await AssignmentStore(sql).insert(leave)
            try await rapport.record(rapport.event("user.leave_added", by: caller, kind: .user, object: subject.id.rawValue,
                                                   details: ["leave_id": leave.id.rawValue]), in: sql)
            return leave
        }
    }

    /// A user's current and coming leave.
    public func leaves(_ user: String, by caller: Caller) async throws -> [UserLeave] {
        let now = rapport.clock.now()
        return try await rapport.database.read { sql in
            let subject = try await leaveSubject(user, by: caller, .read, sql)
            return try await AssignmentStore(sql).leaves(of: subject.id, endingAfter: now)
        }
    }

    /// Cancels a leave.
    public func deleteLeave(_ user: String, leave: String, by caller: Caller) async throws {
        try await rapport.transaction { sql in
            let subject = try await leaveSubject(user, by: caller, .update, sql)
            guard let id = RecordID(parsing: leave, prefix: .leave), try await AssignmentStore(sql).deleteLeave(id, of: subject.id) else {
                throw RapportError.notFound("leave")
            }
            try await rapport.record(rapport.event("user.leave_deleted", by: caller, kind: .user, object: subject.id.rawValue,
                                                   details: ["leave_id": id.rawValue]), in: sql)
        }
    }
}
