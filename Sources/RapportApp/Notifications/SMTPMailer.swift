import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import RapportCore
import Synchronization

/// The SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or implicit TLS (NIOSSL, the
/// system's trust roots), AUTH PLAIN or LOGIN, MAIL FROM / RCPT TO / DATA with dot-stuffing,
/// and one deadline over the whole conversation. One connection per message.
public struct SMTPMailer: Mailer {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup

    public init(_ configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    public func send(_ message: EmailMessage) async throws {
        let config = configuration
        guard MailFormat.isMailbox(config.from), !message.to.isEmpty, message.to.allSatisfy(MailFormat.isMailbox) else {
            throw SMTPError(.mailFrom, reason: "bad_address")
        }
        let domain = config.from.split(separator: "@").last.map(String.init) ?? "localhost"
        let text = MailFormat.message(from: config.from, to: message.to, subject: message.subject, body: message.body, date: message.date,
                                      messageID: "<\(UUID().uuidString.lowercased())@\(domain)>")
        let tls: NIOSSLContext?
        do {
            var settings = TLSConfiguration.makeClientConfiguration()
            if let file = config.caFile { settings.additionalTrustRoots = [.file(file)] }
            tls = config.security == .none ? nil : try NIOSSLContext(configuration: settings)
        } catch {
            throw SMTPError(.connect, reason: "tls_failed")
        }
        let serverName = Self.isIPAddress(config.host) ? nil : config.host
        let implicit = config.security == .tls
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group).connectTimeout(.seconds(Int64(min(config.timeout, 30))))
                .connect(host: config.host, port: config.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicit, let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(.connect, reason: "connection_failed")
        }
        let timedOut = Atomic<Bool>(false)
        let deadline = channel.channel.eventLoop.scheduleTask(in: .milliseconds(Int64(config.timeout * 1_000))) {
            timedOut.store(true, ordering: .relaxed)
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        var conversation = Conversation(config: config, tlsActive: implicit)
        do {
            try await channel.executeThenClose { inbound, outbound in
                var lines = LineReader(inbound.makeAsyncIterator())
                try await conversation.run(message: text, to: message.to, lines: &lines, outbound: outbound) {
                    guard let tls else { throw SMTPError(.starttls, reason: "tls_failed") }
                    let handler = channel.channel
                    try await handler.eventLoop.submit {
                        try handler.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName), position: .first)
                    }.get()
                }
            }
        } catch let error as SMTPError {
            if timedOut.load(ordering: .relaxed) { throw SMTPError(error.stage, reason: "timeout") }
            throw error
        } catch {
            if timedOut.load(ordering: .relaxed) { throw SMTPError(conversation.stage, reason: "timeout") }
            throw SMTPError(conversation.stage, reason: error is NIOSSLError || conversation.stage == .starttls ? "tls_failed" : "connection_closed")
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: 0)) != nil
    }
}

/// Lines from the server, CRLF (or LF) removed; at most 4 KB a line.
struct LineReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    /// Whether bytes arrived that no line asked for yet.
    var hasPending: Bool { !pending.isEmpty }

    mutating func line(_ stage: SMTPError.Stage) async throws -> String {
        while true {
            if let end = pending.firstIndex(of: 0x0A) {
                var line = Array(pending[..<end])
                pending.removeFirst(end + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard pending.count <= 4_096 else { throw SMTPError(stage, reason: "malformed_reply") }
            guard var buffer = try await iterator.next() else { throw SMTPError(stage, reason: "connection_closed") }
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        }
    }

    mutating func reply(_ stage: SMTPError.Stage) async throws -> SMTPReply {
        var reader = SMTPReplyReader()
        while true {
            do {
                if let reply = try reader.take(try await line(stage)) { return reply }
            } catch is SMTPReplyReader.Malformed {
                throw SMTPError(stage, reason: "malformed_reply")
            }
        }
    }
}

/// One conversation's state: where it is (for errors) and what the server allowed.
struct Conversation {
    let config: SMTPConfiguration
    var tlsActive: Bool
    var stage = SMTPError.Stage.greeting

    init(config: SMTPConfiguration, tlsActive: Bool) {
        self.config = config
        self.tlsActive = tlsActive
    }

    mutating func run(message: String, to recipients: [String], lines: inout LineReader, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                      startTLS: () async throws -> Void) async throws {
        func command(_ text: String, _ stage: SMTPError.Stage, expect codes: Set<Int>) async throws -> SMTPReply {
            try await outbound.write(ByteBuffer(string: text + "\r\n"))
            let reply = try await lines.reply(stage)
            guard codes.contains(reply.code) else { throw SMTPError(stage, replyCode: reply.code) }
            return reply
        }
        stage = .greeting
        let greeting = try await lines.reply(.greeting)
        guard greeting.code == 220 else { throw SMTPError(.greeting, replyCode: greeting.code) }
        stage = .ehlo
        var ehlo = try await command("EHLO " + config.helo, .ehlo, expect: [250])
        var authenticated = false
        negotiation: while true {
            let step: SMTPNegotiation.Step
            do {
                step = try SMTPNegotiation.next(security: config.security, extensions: ehlo.extensions, tlsActive: tlsActive, hasCredentials: config.username != nil,
                                                authenticated: authenticated, loopback: SMTPNegotiation.isLoopback(config.host))
            } catch {
                switch error {
                case .startTLSNotOffered: throw SMTPError(.starttls, reason: "starttls_not_offered")
                case .authenticationNotOffered: throw SMTPError(.auth, reason: "auth_not_offered")
                case .passwordInTheClear: throw SMTPError(.auth, reason: "password_in_the_clear")
                }
            }
            switch step {
            case .startTLS:
                stage = .starttls
                _ = try await command("STARTTLS", .starttls, expect: [220])
                // Bytes sent before the handshake would be read as if encrypted (a command injection).
                guard !lines.hasPending else { throw SMTPError(.starttls, reason: "malformed_reply") }
                try await startTLS()
                tlsActive = true
                // The handshake happens on the way to this EHLO's answer: its failure is STARTTLS's.
                ehlo = try await command("EHLO " + config.helo, .ehlo, expect: [250])
                stage = .ehlo
            case .authenticate(let mechanism):
                stage = .auth
                let username = config.username ?? ""
                let password = config.password ?? ""
                switch mechanism {
                case .plain:
                    _ = try await command("AUTH PLAIN " + SMTPNegotiation.plainResponse(username: username, password: password), .auth, expect: [235])
                case .login:
                    _ = try await command("AUTH LOGIN", .auth, expect: [334])
                    _ = try await command(Data(username.utf8).base64EncodedString(), .auth, expect: [334])
                    _ = try await command(Data(password.utf8).base64EncodedString(), .auth, expect: [235])
                }
                authenticated = true
            case .send:
                break negotiation
            }
        }
        stage = .mailFrom
        _ = try await command("MAIL FROM:<\(config.from)>", .mailFrom, expect: [250])
        stage = .rcptTo
        for recipient in recipients { _ = try await command("RCPT TO:<\(recipient)>", .rcptTo, expect: [250, 251]) }
        stage = .data
        _ = try await command("DATA", .data, expect: [354])
        stage = .message
        _ = try await command(MailFormat.dotStuffed(message) + ".", .message, expect: [250])
        // The message is accepted; a failed QUIT changes nothing.
        try? await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        _ = try? await lines.reply(.message)
    }
}
