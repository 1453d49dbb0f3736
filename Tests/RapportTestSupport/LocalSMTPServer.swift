import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small real SMTP server on 127.0.0.1 (an ephemeral port): it speaks enough of RFC 5321 for
/// the client (EHLO, optional AUTH PLAIN/LOGIN, MAIL/RCPT/DATA, QUIT), keeps what clients say
/// (the transcript) and the messages accepted (dot-stuffing undone), and refuses commands with
/// the codes it is told to. TLS (with a self-signed certificate for 127.0.0.1, ``certificatePEM``)
/// when asked: by STARTTLS or from the first byte; otherwise STARTTLS, when offered, is answered 454.
public actor LocalSMTPServer {
    /// How the server offers TLS.
    public enum TLS: Sendable {
        /// Offers STARTTLS and performs it.
        case starttls
        /// TLS from the first byte (port 465 style).
        case implicit
    }

    /// The server's certificate (self-signed, for 127.0.0.1 and localhost, valid until 2126): a
    /// client trusts it as its CA file.
    public static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBmjCCAUGgAwIBAgIUeLLUW+eNZzPke7l/4og9fVMd5vYwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEzMDExNTUxN1oYDzIxMjYxMTA2
        MTE1NTE3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAARChr65D9KIyvrAT2g5kHGK2CNOk8b7NF889zOWP2xhV1eGRFMCh3Yb
        K9EQAfaxqA6AK0ApZT5c26dbbXE56rkOo28wbTAdBgNVHQ4EFgQUUvg4AUCE+vGZ
        CHzL85YP+pWTkeMwHwYDVR0jBBgwFoAUUvg4AUCE+vGZCHzL85YP+pWTkeMwDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
        zj0EAwIDRwAwRAIgQs8ZHpF/C2rFtv44YCC4nzdML6pbPh6LEl+B0GwRZFgCIBc2
        4RbV4jQhcowdl0v1z4khZtSIE9LJVsQYDOSk+YWO
        -----END CERTIFICATE-----
        """
    static let keyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3pU7yK57lrjS5y6v
        R2tj4Bf4FF3sO8TkePt12XMbyayhRANCAARChr65D9KIyvrAT2g5kHGK2CNOk8b7
        NF889zOWP2xhV1eGRFMCh3YbK9EQAfaxqA6AK0ApZT5c26dbbXE56rkO
        -----END PRIVATE KEY-----
        """

    static func tlsContext() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))))
    }

    /// Writes ``certificatePEM`` to a temporary file and returns its path (for `caFile`).
    public static func writeCertificate() throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-smtp-ca-\(UUID()).pem")
        try Data(certificatePEM.utf8).write(to: file)
        return file.path
    }

    public struct Message: Sendable {
        public var from: String
        public var recipients: [String]
        /// The message as sent after DATA, lines joined by CRLF, dot-stuffing undone.
        public var data: String

        /// A header's value (unfolded), if present.
        public func header(_ name: String) -> String? {
            let head = data.components(separatedBy: "\r\n\r\n").first ?? ""
            let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ")
            for line in unfolded.components(separatedBy: "\r\n") where line.lowercased().hasPrefix(name.lowercased() + ":") {
                return String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces)
            }
            return nil
        }

        /// The body as sent (still transfer-encoded).
        public var body: String { data.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
    }

    /// Every line clients sent, in order (message lines too).
    public private(set) var transcript: [String] = []
    public private(set) var messages: [Message] = []
    /// The credentials AUTH accepts; nil: AUTH is not offered.
    let credentials: (username: String, password: String)?
    let mechanisms: String
    let offerStartTLS: Bool
    let tls: TLS?
    /// Never greet: the client waits until its deadline.
    let silent: Bool
    private var failures: [String: [Int]] = [:]
    /// Whether each accepted message came over TLS.
    public private(set) var encrypted: [Bool] = []

    public init(credentials: (username: String, password: String)? = nil, mechanisms: String = "PLAIN LOGIN", offerStartTLS: Bool = false,
                tls: TLS? = nil, silent: Bool = false) {
        self.credentials = credentials
        self.mechanisms = mechanisms
        self.offerStartTLS = offerStartTLS || tls == .starttls
        self.tls = tls
        self.silent = silent
    }

    /// Answers the next uses of `verb` (`MAIL`, `RCPT`, `DATA`, `MESSAGE` for the end of data,
    /// `AUTH`, `EHLO`) with these codes, one each, before accepting again.
    public func fail(_ verb: String, with codes: [Int]) { failures[verb] = codes }

    func heard(_ line: String) { transcript.append(line) }
    func accepted(_ message: Message, encrypted: Bool) {
        messages.append(message)
        self.encrypted.append(encrypted)
    }
    func failure(for verb: String) -> Int? {
        guard var codes = failures[verb], !codes.isEmpty else { return nil }
        let code = codes.removeFirst()
        failures[verb] = codes
        return code
    }

    /// Runs `body` with the server listening; `body` gets its port.
    @discardableResult
    public static func with<T: Sendable>(_ server: LocalSMTPServer, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let context = try tlsContext()
        let implicit = server.tls == .implicit
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = listener.channel.localAddress?.port ?? 0
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await listener.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { sessions in
                        for try await connection in connections {
                            sessions.addTask { try? await server.serve(connection, context: context) }
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            let result = try await body(port)
            listener.channel.close(promise: nil)
            return result
        }
    }

    /// One client's session.
    nonisolated func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, context: NIOSSLContext) async throws {
        var secure = tls == .implicit
        try await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var pending: [UInt8] = []
            func line() async throws -> String? {
                while true {
                    if let end = pending.firstIndex(of: 0x0A) {
                        var bytes = Array(pending[..<end])
                        pending.removeFirst(end + 1)
                        if bytes.last == 0x0D { bytes.removeLast() }
                        let text = String(decoding: bytes, as: UTF8.self)
                        await heard(text)
                        return text
                    }
                    guard var buffer = try await iterator.next() else { return nil }
                    pending += buffer.readBytes(length: buffer.readableBytes) ?? []
                }
            }
            func say(_ lines: String...) async throws {
                try await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
            }
            if silent {
                while try await line() != nil {}
                return
            }
            try await say("220 localhost ESMTP test")
            var from: String?
            var recipients: [String] = []
            while let command = try await line() {
                let verb = command.split(separator: " ").first.map { String($0).uppercased() } ?? ""
                let key = verb.hasPrefix("MAIL") ? "MAIL" : verb.hasPrefix("RCPT") ? "RCPT" : verb
                if let code = await failure(for: key) {
                    try await say("\(code) refused for the test")
                    continue
                }
                switch key {
                case "EHLO":
                    var lines = ["250-localhost greets you"]
                    if offerStartTLS && !secure { lines.append("250-STARTTLS") }
                    if credentials != nil { lines.append("250-AUTH " + mechanisms) }
                    lines.append("250 SIZE 10485760")
                    try await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
                case "HELO", "NOOP", "RSET": try await say("250 OK")
                case "STARTTLS":
                    guard tls == .starttls, !secure else {
                        try await say("454 TLS not available")
                        continue
                    }
                    // The answer and the TLS handler in one event-loop turn: the client's hello cannot slip in between.
                    let channel = connection.channel
                    try await channel.eventLoop.submit {
                        channel.writeAndFlush(ByteBuffer(string: "220 go ahead\r\n"), promise: nil)
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .first)
                    }.get()
                    secure = true
                    from = nil
                    recipients = []
                case "AUTH":
                    let words = command.split(separator: " ").map(String.init)
                    var user: String?
                    var password: String?
                    if words.count >= 2, words[1].uppercased() == "PLAIN" {
                        let decoded = words.count > 2 ? Data(base64Encoded: words[2]).map { Array($0) } ?? [] : []
                        let parts = decoded.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                        if parts.count == 3 { (user, password) = (parts[1], parts[2]) }
                    } else if words.count >= 2, words[1].uppercased() == "LOGIN" {
                        try await say("334 VXNlcm5hbWU6")
                        user = try await line().flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
                        try await say("334 UGFzc3dvcmQ6")
                        password = try await line().flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
                    }
                    if let credentials, user == credentials.username, password == credentials.password {
                        try await say("235 2.7.0 Authentication successful")
                    } else {
                        try await say("535 5.7.8 Authentication credentials invalid")
                    }
                case "MAIL":
                    from = command.firstIndex(of: "<").map { String(command[command.index(after: $0)...].prefix(while: { $0 != ">" })) }
                    recipients = []
                    try await say("250 OK")
                case "RCPT":
                    recipients += command.firstIndex(of: "<").map { [String(command[command.index(after: $0)...].prefix(while: { $0 != ">" }))] } ?? []
                    try await say("250 OK")
                case "DATA":
                    guard let sender = from, !recipients.isEmpty else {
                        try await say("503 need MAIL and RCPT first")
                        continue
                    }
                    try await say("354 end with .")
                    var lines: [String] = []
                    while let text = try await line(), text != "." { lines.append(text.hasPrefix(".") ? String(text.dropFirst()) : text) }
                    if let code = await failure(for: "MESSAGE") {
                        try await say("\(code) message refused for the test")
                    } else {
                        await accepted(Message(from: sender, recipients: recipients, data: lines.joined(separator: "\r\n")), encrypted: secure)
                        try await say("250 OK queued")
                    }
                    from = nil
                    recipients = []
                case "QUIT":
                    try await say("221 bye")
                    return
                default: try await say("502 command not implemented")
                }
            }
        }
    }
}
