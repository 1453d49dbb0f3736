import Foundation

/// An address administrators register to receive notices as signed HTTP posts (Standard
/// Webhooks). A user's endpoint gets that user's notices (as their preferences choose); a
/// company endpoint (no user) gets every user's. `kinds`, when not empty, narrows either to
/// those notice kinds. The secret signs every post; it is shown once, when the endpoint is made.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: RecordID
    public var url: String
    public var secret: String
    public var userID: RecordID?
    public var description: String
    public var kinds: [String]
    public var createdBy: RecordID?
    public var createdAt: Date
    public var disabledAt: Date?

    public init(id: RecordID, url: String, secret: String, userID: RecordID?, description: String, kinds: [String],
                createdBy: RecordID?, createdAt: Date, disabledAt: Date? = nil) {
        self.id = id
        self.url = url
        self.secret = secret
        self.userID = userID
        self.description = description
        self.kinds = kinds
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    /// Whether a notice of `kind` for `user` goes to this endpoint (before the user's preferences).
    public func receives(_ kind: String, for user: RecordID) -> Bool {
        disabledAt == nil && (userID == nil || userID == user) && (kinds.isEmpty || kinds.contains(kind))
    }

    /// Whether `text` is an absolute http or https URL with a host (anything else is refused).
    public static func acceptable(_ text: String) -> Bool {
        guard text.count <= 2_000, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else { return false }
        return true
    }
}

/// One notice sent (or being sent) by one channel to one target: the log an administrator reads.
/// It holds no body, only what happened: status, attempts, the last HTTP status or error code.
public struct NoticeDelivery: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Queued, or failing and retrying.
        case pending
        case succeeded
        /// Gave up after the last attempt.
        case failed
        /// Not sent: the endpoint was disabled first.
        case cancelled
    }

    public var id: RecordID
    public var notificationID: RecordID
    public var channel: NoticeChannel
    /// The webhook endpoint's id, or `email`.
    public var target: String
    public var kind: String
    public var status: Status
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deliveredAt: Date?

    public init(id: RecordID, notificationID: RecordID, channel: NoticeChannel, target: String, kind: String, status: Status = .pending,
                attempts: Int = 0, lastStatusCode: Int? = nil, lastError: String? = nil, createdAt: Date, updatedAt: Date, deliveredAt: Date? = nil) {
        self.id = id
        self.notificationID = notificationID
        self.channel = channel
        self.target = target
        self.kind = kind
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deliveredAt = deliveredAt
    }
}

extension IDPrefix {
    /// Webhook endpoints (`whe_…`).
    public static let webhookEndpoint = IDPrefix(rawValue: "whe")
    /// Deliveries of notices by email or webhook (`msg_…`, the Standard Webhooks message id).
    public static let noticeDelivery = IDPrefix(rawValue: "msg")
}

extension ObjectKind {
    /// Webhook endpoints, as named in the audit log.
    public static let webhookEndpoint = ObjectKind(rawValue: "webhook_endpoint")
}
