import Foundation

/// An email to send: plain UTF-8 text to one or more addresses. The mailer adds the sender.
public struct EmailMessage: Sendable, Equatable {
    public var to: [String]
    public var subject: String
    public var body: String
    /// The Date header (the application clock's now).
    public var date: Date

    public init(to: [String], subject: String, body: String, date: Date) {
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
    }
}

/// Something that sends email (the SMTP client). Throwing makes the job that sends retry.
public protocol Mailer: Sendable {
    func send(_ message: EmailMessage) async throws
}
