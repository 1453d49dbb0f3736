import Foundation

/// One SMTP reply: its three-digit code and the text of each line (RFC 5321 §4.2).
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx (and 3xx, an intermediate yes: go on with DATA or AUTH).
    public var isPositive: Bool { (200..<400).contains(code) }
    /// 5xx: retrying the same will not help.
    public var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// What an EHLO reply says the server can do: extension keywords (upper case) and their
    /// parameters, e.g. `STARTTLS`, `AUTH` → `PLAIN LOGIN`.
    public var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            result[keyword.uppercased()] = words.dropFirst().map { $0.uppercased() }
        }
        return result
    }
}

/// Reads replies line by line: `250-…` lines continue a reply, `250 …` ends it.
public struct SMTPReplyReader: Sendable {
    private var code: Int?
    private var lines: [String] = []

    public init() {}

    /// A malformed reply line (the server is not speaking SMTP).
    public struct Malformed: Error, Equatable {}

    /// Takes one line (without its CRLF); returns the reply it completes, if it does.
    public mutating func take(_ line: String) throws -> SMTPReply? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(String(decoding: bytes[0...2], as: UTF8.self)),
              (200..<600).contains(value), bytes.count == 3 || bytes[3] == 0x20 || bytes[3] == 0x2D else { throw Malformed() }
        if let code, code != value { throw Malformed() }
        code = value
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard bytes.count == 3 || bytes[3] == 0x20 else { return nil }
        let reply = SMTPReply(code: value, lines: lines)
        code = nil
        lines = []
        return reply
    }
}

/// How the connection to the mail server is protected.
public enum SMTPSecurity: String, Sendable, Equatable, CaseIterable {
    /// Plain text (a relay on the same host or network).
    case none
    /// Plain connect, then STARTTLS before anything else (usually port 587); refused if not offered.
    case starttls
    /// TLS from the first byte (usually port 465).
    case tls
}

/// What the client does after each EHLO: the negotiation as a pure decision, so the rules
/// (STARTTLS first when asked, never a password in the clear to another host) are tested alone.
public enum SMTPNegotiation {
    public enum Step: Equatable, Sendable {
        case startTLS
        case authenticate(Mechanism)
        case send
    }

    public enum Mechanism: String, Sendable, Equatable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    /// Why the conversation cannot go on, with a stable code.
    public enum Refusal: Error, Equatable, Sendable {
        /// STARTTLS was asked for and the server did not offer it.
        case startTLSNotOffered
        /// A username is configured and the server offers neither AUTH PLAIN nor AUTH LOGIN.
        case authenticationNotOffered
        /// A password would go unencrypted to a host other than this machine.
        case passwordInTheClear
    }

    /// The next step after an EHLO reply.
    /// - Parameters:
    ///   - extensions: the EHLO reply's extensions.
    ///   - tlsActive: whether the connection is encrypted now.
    ///   - authenticated: whether AUTH already succeeded.
    ///   - loopback: whether the server is on this machine (a password may go in the clear to it).
    public static func next(security: SMTPSecurity, extensions: [String: [String]], tlsActive: Bool, hasCredentials: Bool, authenticated: Bool,
                            loopback: Bool) throws(Refusal) -> Step {
        if security == .starttls && !tlsActive {
            guard extensions["STARTTLS"] != nil else { throw .startTLSNotOffered }
            return .startTLS
        }
        guard hasCredentials && !authenticated else { return .send }
        guard tlsActive || loopback else { throw .passwordInTheClear }
        let offered = Set(extensions["AUTH"] ?? [])
        if offered.contains("PLAIN") { return .authenticate(.plain) }
        if offered.contains("LOGIN") { return .authenticate(.login) }
        throw .authenticationNotOffered
    }

    /// AUTH PLAIN's initial response (RFC 4616): base64 of NUL username NUL password.
    public static func plainResponse(username: String, password: String) -> String {
        Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
    }

    /// Whether `host` names this machine.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
