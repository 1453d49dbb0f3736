import Foundation
import RapportCore

/// Where and how the server sends email: the operator's SMTP relay. The password is never
/// printed (not in ``description``, errors or logs).
public struct SMTPConfiguration: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    public var security: SMTPSecurity
    public var username: String?
    public var password: String?
    /// The sender: a bare address (`crm@example.com`), used in MAIL FROM and the From header.
    public var from: String
    /// The name the client gives in EHLO (default: the sender's domain).
    public var heloName: String?
    /// The longest a whole conversation (connect to QUIT) may take.
    public var timeout: TimeInterval
    /// Links in emails start with this (e.g. `https://crm.example.com`); none without it.
    public var publicURL: String?
    /// A PEM file of certificate authorities trusted besides the system's (a relay with its own CA).
    public var caFile: String?

    public init(host: String, port: Int, security: SMTPSecurity, username: String? = nil, password: String? = nil, from: String,
                heloName: String? = nil, timeout: TimeInterval = 30, publicURL: String? = nil, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.heloName = heloName
        self.timeout = timeout
        self.publicURL = publicURL
        self.caFile = caFile
    }

    public var description: String {
        "smtp \(security.rawValue)://\(host):\(port) from \(from)" + (username == nil ? "" : " as \(username ?? "") (password set)")
    }

    /// What `dump` and debuggers show: everything but the password.
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "security": security, "username": username as Any, "password": password == nil ? "none" : "(set)",
                                "from": from, "timeout": timeout, "caFile": caFile as Any], displayStyle: .struct)
    }

    /// The EHLO name: the configured one, or the sender's domain.
    var helo: String { heloName ?? from.split(separator: "@").last.map(String.init) ?? "localhost" }
}

/// Why an email was not sent: the stage of the conversation and the server's reply code, or a
/// stable reason when there was no reply. Its text never holds the password, the addresses or
/// the server's words (which may repeat an address).
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable {
        case connect, greeting, ehlo, starttls, auth, mailFrom = "mail_from", rcptTo = "rcpt_to", data, message
    }

    public var stage: Stage
    /// The server's reply code, when it answered with a refusal.
    public var replyCode: Int?
    /// `rejected` (see ``replyCode``), `timeout`, `connection_closed`, `connection_failed`,
    /// `tls_failed`, `malformed_reply`, `starttls_not_offered`, `auth_not_offered`, `password_in_the_clear`,
    /// `bad_address`.
    public var reason: String

    public init(_ stage: Stage, replyCode: Int? = nil, reason: String = "rejected") {
        self.stage = stage
        self.replyCode = replyCode
        self.reason = reason
    }

    /// A short code for the delivery log: `smtp_550`, `smtp_timeout`.
    public var code: String { replyCode.map { "smtp_\($0)" } ?? "smtp_\(reason)" }

    /// Whether trying again cannot help (a 5xx refusal, or the configuration is wrong).
    public var isPermanent: Bool {
        if let replyCode { return replyCode >= 500 }
        return ["starttls_not_offered", "auth_not_offered", "password_in_the_clear", "bad_address"].contains(reason)
    }

    public var description: String {
        let what = switch stage {
        case .connect: "connecting to the mail server"
        case .greeting: "the mail server's greeting"
        case .ehlo: "EHLO"
        case .starttls: "STARTTLS"
        case .auth: "AUTH (check the SMTP username and password)"
        case .mailFrom: "MAIL FROM (check the sender address)"
        case .rcptTo: "RCPT TO (the recipient was refused)"
        case .data: "DATA"
        case .message: "the message"
        }
        if let replyCode { return "SMTP \(what): the server answered \(replyCode)" + (replyCode >= 500 ? " (permanent)" : " (temporary)") }
        return "SMTP \(what): \(reason.replacingOccurrences(of: "_", with: " "))"
    }
}
