import Foundation
import RapportCore
import RapportStorage
import SQLKit

/// Words notices as emails in a user's language (the web layer's catalogue, set by the server).
public protocol NoticeEmailWriter: Sendable {
    /// One notice: its subject and plain-text body.
    func email(for notice: Notice, language: String?) -> (subject: String, body: String)
    /// The digest of a business day's unread notices (oldest first; never empty).
    func digest(of notices: [Notice], day: CalendarDate, language: String?) -> (subject: String, body: String)
}

/// Email: one notice at once (`notification.email`, queued by the outbox), or a day's unread
/// notices in one digest (`notification.digest`, daily).
extension NotificationUseCases {
    /// The daily digest job.
    public static let digestKind = "notification.digest"
    /// Business hour the digest of the day before goes out at.
    public static let digestHour = 7
    /// The most notices one digest lists.
    public static let digestLimit = 200

    /// Emails one notice (idempotent: a delivery no longer pending is left alone). A temporary
    /// failure is recorded on the delivery and retried by the job with back-off; a permanent
    /// refusal (5xx) or the job's last attempt leaves it `failed`.
    func email(_ job: Job) async throws {
        let request = try job.payload(as: WebhookUseCases.DeliveryRequest.self)
        guard let id = RecordID(parsing: request.deliveryID, prefix: .noticeDelivery) else { throw PermanentJobFailure("not a delivery id") }
        let (delivery, notice, user) = try await rapport.database.read { sql in
            let delivery = try await NotificationDeliveryStore(sql).delivery(id)
            let notice = try await delivery.asyncMap { try await NotificationStore(sql).notices([$0.notificationID]).first } ?? nil
            let user = try await notice.asyncMap { try await UserStore(sql).find($0.userID) } ?? nil
            return (delivery, notice, user)
        }
        guard let delivery, delivery.status == .pending, delivery.channel == .email else { return }
        guard let mailer = rapport.settings.mailer, let writer = rapport.settings.noticeEmails, let notice, let user, user.status == .active else {
            let reason = rapport.settings.mailer == nil ? "mail_not_configured" : "recipient_unavailable"
            try await record(delivery.id, .cancelled, attempted: false, error: reason)
            return
        }
        let content = writer.email(for: notice, language: user.locale)
        do {
            try await mailer.send(EmailMessage(to: [user.email], subject: content.subject, body: content.body, date: rapport.clock.now()))
        } catch {
            let failure = error as? SMTPError
            let permanent = failure?.isPermanent ?? false
            try await record(delivery.id, permanent || job.attempts >= job.maxAttempts ? .failed : .pending, attempted: true,
                             error: failure?.code ?? "smtp_failed")
            if permanent { throw PermanentJobFailure("the mail server refused the message for good (\(failure?.code ?? "smtp"))") }
            throw error
        }
        try await record(delivery.id, .succeeded, attempted: true, error: nil)
    }

    func record(_ delivery: RecordID, _ status: NoticeDelivery.Status, attempted: Bool, error: String?) async throws {
        let now = rapport.clock.now()
        try await rapport.transaction { sql in
            try await NotificationDeliveryStore(sql).record(delivery, status: status, attempted: attempted, statusCode: nil, error: error, at: now)
        }
    }

    /// The business day a digest run now covers (yesterday, in the business time zone) and its
    /// bounds as instants.
    func digestDay() -> (day: CalendarDate, from: Date, to: Date) {
        let zone = rapport.settings.businessTimeZone
        let day = CalendarDate(rapport.clock.now(), in: zone).adding(days: -1)
        return (day, Self.start(of: day, in: zone), Self.start(of: day.adding(days: 1), in: zone))
    }

    /// Midnight starting `day` in `zone`.
    static func start(of day: CalendarDate, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) ?? Date(timeIntervalSince1970: 0)
    }

    /// When the next digest run is due: the next ``digestHour`` o'clock in the business time zone.
    func nextDigestRun() -> Date {
        let zone = rapport.settings.businessTimeZone
        let now = rapport.clock.now()
        let today = CalendarDate(now, in: zone)
        let atToday = Self.start(of: today, in: zone).addingTimeInterval(TimeInterval(Self.digestHour * 3_600))
        return atToday > now ? atToday : Self.start(of: today.adding(days: 1), in: zone).addingTimeInterval(TimeInterval(Self.digestHour * 3_600))
    }

    /// Queues the next digest run (one at a time: the dedup key).
    func scheduleDigest() async throws {
        try await rapport.jobs.enqueue(kind: Self.digestKind, dedupKey: Self.digestKind, dueAt: nextDigestRun())
    }

    /// A failed digest send: the job retries, and users already sent theirs are skipped.
    struct DigestFailed: Error {}

    /// Emails each user who chose the daily digest the notices of yesterday (business time zone)
    /// still unread and of the groups they want by email — once per user and day, however often
    /// this runs. Returns how many digests were sent. Without a mailer it does nothing.
    @discardableResult
    public func sendDigests() async throws -> Int {
        guard let mailer = rapport.settings.mailer, let writer = rapport.settings.noticeEmails else { return 0 }
        let (day, from, to) = digestDay()
        let defaultDigest = try await rapport.database.read { sql in try await Self.defaults(sql).email == .dailyDigest }
        var after: RecordID?
        var sent = 0
        var failed = false
        while true {
            let users = try await rapport.database.read { sql in
                try await NotificationDeliveryStore(sql).digestUsers(defaultDigest: defaultDigest, after: after, limit: 200)
            }
            for userID in users {
                let (user, notices) = try await rapport.database.read { sql in
                    let preferences = try await Self.effective(for: [userID], sql)[userID] ?? NotificationPreferences()
                    let unread = try await NotificationStore(sql).unread(of: userID, from: from, to: to, limit: Self.digestLimit)
                    return (try await UserStore(sql).find(userID), unread.filter { preferences.wants($0.kind, by: .email) })
                }
                guard let user, user.status == .active, !notices.isEmpty else { continue }
                let now = rapport.clock.now()
                let first = try await rapport.transaction { sql in
                    try await NotificationDeliveryStore(sql).recordDigest(of: userID, day: day.description, notices: notices.count, at: now)
                }
                guard first else { continue }
                let content = writer.digest(of: notices, day: day, language: user.locale)
                do {
                    try await mailer.send(EmailMessage(to: [user.email], subject: content.subject, body: content.body, date: now))
                    sent += 1
                } catch {
                    try await rapport.transaction { sql in try await NotificationDeliveryStore(sql).forgetDigest(of: userID, day: day.description) }
                    if (error as? SMTPError)?.isPermanent != true { failed = true }
                }
            }
            guard users.count == 200, let last = users.last else { break }
            after = last
        }
        if failed { throw DigestFailed() }
        return sent
    }

    static func registerHandlers(in handlers: JobHandlers) {
        handlers.register(emailKind) { job, rapport in try await rapport.notifications.email(job) }
        handlers.register(digestKind) { _, rapport in try await rapport.notifications.sendDigests() }
    }
}
