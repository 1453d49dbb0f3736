import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// The in-app inbox: each user reads and marks their own notifications. Other use cases send
/// them inside their own transactions (`send(_:in:)`), so a notification exists exactly when
/// what it tells of happened.
public struct NotificationUseCases: Sendable {
    let rapport: Rapport

    /// Sends notifications in the caller's transaction (repeats of a dedup key are skipped), and
    /// queues their delivery by webhook and email as their users' preferences say (the outbox).
    func send(_ notifications: [Notice], in sql: any SQLDatabase) async throws {
        guard !notifications.isEmpty else { return }
        let store = NotificationStore(sql)
        try await store.send(notifications)
        try await enqueueDeliveries(of: try await store.notices(notifications.map(\.id)), in: sql)
    }

    /// A notification for `user` now, with a fresh id.
    func make(_ user: RecordID, _ kind: String, details: [String: String], about object: (ObjectKind, String)?, dedupKey: String? = nil) -> Notice {
        let now = rapport.clock.now()
        return Notice(id: rapport.ids.next(.notification, at: now), userID: user, kind: kind, details: details, objectKind: object?.0,
                            objectID: object?.1, dedupKey: dedupKey, createdAt: now)
    }

    func me(_ caller: Caller) throws -> RecordID {
        guard let user = caller.principal?.userID else { throw RapportError(.forbidden, "Only a user has an inbox.") }
        return user
    }

    /// The caller's notifications, newest first (only the unread, or only the read, when asked).
    public func list(unreadOnly: Bool, readOnly: Bool = false, page: PageRequest, by caller: Caller) async throws -> Page<Notice> {
        let user = try me(caller)
        return try await rapport.database.read { sql in
            try await NotificationStore(sql).list(of: user, unreadOnly: unreadOnly, readOnly: readOnly, page: page)
        }
    }

    /// How many of the caller's notifications are unread.
    public func unread(by caller: Caller) async throws -> Int {
        let user = try me(caller)
        return try await rapport.database.read { sql in try await NotificationStore(sql).unread(of: user) }
    }

    /// Marks the caller's notifications read (the given ids, or all); returns how many changed.
    public func markRead(_ ids: [String]?, by caller: Caller) async throws -> Int {
        let user = try me(caller)
        var parsed: [RecordID]?
        if let ids {
            guard ids.count <= 500 else {
                throw RapportError.validation([FieldError(field: "ids", code: "too_many", message: "Mark at most 500 notifications at once.")])
            }
            parsed = try ids.enumerated().map { index, text in
                guard let id = RecordID(parsing: text, prefix: .notification) else {
                    throw RapportError.validation([FieldError(field: "ids[\(index)]", code: "invalid", message: "ids[\(index)] is not a notification id.")])
                }
                return id
            }
        }
        let now = rapport.clock.now()
        return try await rapport.transaction { sql in try await NotificationStore(sql).markRead(of: user, ids: parsed, at: now) }
    }
}
