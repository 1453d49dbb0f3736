import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// Email: the message format, the SMTP negotiation rules, the client against a real local SMTP
/// server, notice emails through the job queue, and the daily digest with the moving clock.
@Suite struct NotificationEmailTests {
    static let password = "s3cret-Pa55word"

    static func config(_ port: Int, username: String? = nil, password: String? = nil, security: SMTPSecurity = .none, timeout: TimeInterval = 10) -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: port, security: security, username: username, password: password, from: "crm@example.com", timeout: timeout)
    }

    /// Undoes RFC 2047 B encoded-words (what a mail reader shows).
    static func decodeWords(_ header: String) -> String {
        header.components(separatedBy: " ").map { word in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="), let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) else { return word }
            return String(decoding: data, as: UTF8.self)
        }.joined()
    }

    /// Undoes quoted-printable.
    static func decodeQP(_ text: String) -> String {
        let joined = text.replacingOccurrences(of: "=\r\n", with: "")
        var bytes: [UInt8] = []
        var index = joined.utf8.startIndex
        let utf8 = joined.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == 61, let end = utf8.index(index, offsetBy: 3, limitedBy: utf8.endIndex),
               let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<end], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = end
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func messagesAreWrittenAsSMTPCarriesThem() throws {
        let subject = "您的订单已审批通过 — order «Q-17» approved, with a long tail to fold over several encoded words"
        let encoded = MailFormat.headerValue(subject)
        #expect(encoded.hasPrefix("=?UTF-8?B?"))
        for word in encoded.components(separatedBy: "\r\n ") { #expect(word.count <= 75 && word.hasSuffix("?=")) }
        #expect(Self.decodeWords(encoded.replacingOccurrences(of: "\r\n", with: "")) == subject)
        #expect(MailFormat.headerValue("Plain ASCII") == "Plain ASCII")
        #expect(!MailFormat.headerValue("Hi\r\nBcc: victim@example.com").contains("\r\n"))

        let body = "Line one\n.leading dot\n" + String(repeating: "x", count: 200) + " \nend = tail"
        let qp = MailFormat.quotedPrintable(body)
        for line in qp.components(separatedBy: "\r\n") { #expect(line.count <= 76) }
        #expect(qp.contains("=20\r\n") || qp.contains(" =\r\n") == false)
        #expect(Self.decodeQP(qp) == body.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(MailFormat.transferEncoding(of: body) == "quoted-printable" && MailFormat.transferEncoding(of: "线索已分配给您，请及时跟进") == "base64")
        let b64 = MailFormat.base64("线索已分配给您")
        #expect(String(data: Data(base64Encoded: b64) ?? Data(), encoding: .utf8) == "线索已分配给您")

        #expect(MailFormat.dotStuffed("a\r\n.b\r\n..c\r\n.") == "a\r\n..b\r\n...c\r\n..")
        #expect(MailFormat.date(Date(timeIntervalSince1970: 1_767_603_600)) == "Mon, 05 Jan 2026 09:00:00 +0000")
        let message = MailFormat.message(from: "crm@example.com", to: ["a@example.com"], subject: "Hi", body: "Hello", date: Date(timeIntervalSince1970: 0), messageID: "<1@example.com>")
        #expect(message.hasPrefix("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\nFrom: crm@example.com\r\nTo: a@example.com\r\nSubject: Hi\r\nMessage-ID: <1@example.com>\r\n"))
        #expect(message.contains("Content-Type: text/plain; charset=UTF-8\r\n") && message.hasSuffix("\r\n\r\nHello\r\n"))

        for bad in ["a b@example.com", "a@example.com>\r\nRCPT TO:<x@y.z", "no-at.example.com", "a@nodot", ""] { #expect(!MailFormat.isMailbox(bad)) }
        #expect(MailFormat.isMailbox("rep.one+crm@example.co"))
    }

    @Test func repliesAndTheNegotiationFollowTheRules() throws {
        var reader = SMTPReplyReader()
        #expect(try reader.take("250-mail.example.com") == nil)
        #expect(try reader.take("250-STARTTLS") == nil)
        let reply = try #require(try reader.take("250 AUTH PLAIN LOGIN"))
        #expect(reply.code == 250 && reply.extensions["STARTTLS"] == [] && reply.extensions["AUTH"] == ["PLAIN", "LOGIN"])
        #expect(throws: SMTPReplyReader.Malformed.self) { try reader.take("hello") }
        var mixed = SMTPReplyReader()
        _ = try mixed.take("250-one")
        #expect(throws: SMTPReplyReader.Malformed.self) { try mixed.take("354 two") }

        typealias N = SMTPNegotiation
        let tls: [String: [String]] = ["STARTTLS": [], "AUTH": ["LOGIN", "PLAIN"]]
        #expect(try N.next(security: .starttls, extensions: tls, tlsActive: false, hasCredentials: true, authenticated: false, loopback: false) == .startTLS)
        #expect(throws: N.Refusal.startTLSNotOffered) {
            try N.next(security: .starttls, extensions: ["AUTH": ["PLAIN"]], tlsActive: false, hasCredentials: false, authenticated: false, loopback: true)
        }
        #expect(try N.next(security: .starttls, extensions: tls, tlsActive: true, hasCredentials: true, authenticated: false, loopback: false) == .authenticate(.plain))
        #expect(try N.next(security: .tls, extensions: ["AUTH": ["LOGIN"]], tlsActive: true, hasCredentials: true, authenticated: false, loopback: false) == .authenticate(.login))
        #expect(try N.next(security: .tls, extensions: ["AUTH": ["LOGIN"]], tlsActive: true, hasCredentials: true, authenticated: true, loopback: false) == .send)
        #expect(throws: N.Refusal.passwordInTheClear) {
            try N.next(security: .none, extensions: tls, tlsActive: false, hasCredentials: true, authenticated: false, loopback: false)
        }
        #expect(throws: N.Refusal.authenticationNotOffered) {
            try N.next(security: .tls, extensions: ["AUTH": ["CRAM-MD5"]], tlsActive: true, hasCredentials: true, authenticated: false, loopback: false)
        }
        #expect(try N.next(security: .none, extensions: [:], tlsActive: false, hasCredentials: false, authenticated: false, loopback: false) == .send)
        #expect(N.plainResponse(username: "u", password: "p") == Data([0, 0x75, 0, 0x70]).base64EncodedString())
        #expect(N.isLoopback("127.0.0.1") && N.isLoopback("localhost") && !N.isLoopback("smtp.example.com"))
        // The configuration's text never shows the password.
        let config = Self.config(25, username: "crm", password: Self.password)
        #expect(!String(describing: config).contains(Self.password) && !"\(config)".contains(Self.password))
    }

    @Test func theClientTalksToARealServer() async throws {
        let server = LocalSMTPServer(credentials: ("crm", Self.password), mechanisms: "LOGIN PLAIN", offerStartTLS: true)
        try await LocalSMTPServer.with(server) { port in
            let body = "Hello,\n.a line that starts with a dot\n..and two\n.\nend"
            try await SMTPMailer(Self.config(port, username: "crm", password: Self.password))
                .send(EmailMessage(to: ["rep@example.com"], subject: "线索已分配给您", body: body, date: Date(timeIntervalSince1970: 1_767_603_600)))
            var messages = await server.messages
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(message.from == "crm@example.com" && message.recipients == ["rep@example.com"])
            #expect(Self.decodeWords(message.header("Subject") ?? "") == "线索已分配给您")
            #expect(message.header("Date") == "Mon, 05 Jan 2026 09:00:00 +0000" && message.header("Message-ID")?.hasSuffix("@example.com>") == true)
            #expect(message.header("Content-Transfer-Encoding") == "quoted-printable")
            #expect(Self.decodeQP(message.body).trimmingCharacters(in: .newlines) == body.replacingOccurrences(of: "\n", with: "\r\n"))
            let transcript = await server.transcript
            #expect(transcript.contains("..a line that starts with a dot") && transcript.contains("...and two") && transcript.contains(".."))
            #expect(transcript.first == "EHLO example.com" && transcript.contains("AUTH PLAIN " + SMTPNegotiation.plainResponse(username: "crm", password: Self.password)))
            #expect(!transcript.contains("STARTTLS"))  // offered, not asked for: tls none
            #expect(transcript.last == "QUIT")

            // AUTH LOGIN when PLAIN is not offered.
            let login = LocalSMTPServer(credentials: ("crm", Self.password), mechanisms: "LOGIN")
            try await LocalSMTPServer.with(login) { port in
                try await SMTPMailer(Self.config(port, username: "crm", password: Self.password))
                    .send(EmailMessage(to: ["a@example.com", "b@example.com"], subject: "Hi", body: "x", date: Date()))
                #expect(await login.messages.first?.recipients == ["a@example.com", "b@example.com"])
                #expect(await login.transcript.contains("AUTH LOGIN"))
            }

            // Each refusal is a clear error with its stage and code; the password never shows.
            func failure(_ config: SMTPConfiguration, to: String = "rep@example.com") async -> SMTPError? {
                do {
                    try await SMTPMailer(config).send(EmailMessage(to: [to], subject: "s", body: "b", date: Date()))
                    return nil
                } catch {
                    #expect(!String(describing: error).contains(Self.password))
                    return error as? SMTPError
                }
            }
            let wrong = await failure(Self.config(port, username: "crm", password: "wrong-" + Self.password))
            #expect(wrong == SMTPError(.auth, replyCode: 535) && wrong?.isPermanent == true && wrong?.code == "smtp_535")
            #expect(wrong?.description.contains("AUTH") == true)
            await server.fail("RCPT", with: [550])
            let refused = await failure(Self.config(port, username: "crm", password: Self.password))
            #expect(refused == SMTPError(.rcptTo, replyCode: 550) && refused?.isPermanent == true)
            await server.fail("MESSAGE", with: [451])
            let busy = await failure(Self.config(port, username: "crm", password: Self.password))
            #expect(busy == SMTPError(.message, replyCode: 451) && busy?.isPermanent == false)
            #expect(await failure(Self.config(port, security: .starttls))?.replyCode == 454)  // offered, then refused (no TLS here)
            #expect(await failure(Self.config(port), to: "bad address@example.com") == SMTPError(.mailFrom, reason: "bad_address"))
            messages = await server.messages
            #expect(messages.count == 1)
        }
        // STARTTLS asked for and not offered: nothing is sent in the clear.
        let plain = LocalSMTPServer()
        try await LocalSMTPServer.with(plain) { port in
            await #expect(throws: SMTPError(.starttls, reason: "starttls_not_offered")) {
                try await SMTPMailer(Self.config(port, security: .starttls)).send(EmailMessage(to: ["a@example.com"], subject: "s", body: "b", date: Date()))
            }
            #expect(await !plain.transcript.contains { $0.hasPrefix("MAIL") })
        }
        // A server that never answers: the deadline ends the conversation.
        let silent = LocalSMTPServer(silent: true)
        try await LocalSMTPServer.with(silent) { port in
            await #expect(throws: SMTPError(.greeting, reason: "timeout")) {
                try await SMTPMailer(Self.config(port, timeout: 1)).send(EmailMessage(to: ["a@example.com"], subject: "s", body: "b", date: Date()))
            }
        }
        // Nobody listening.
        await #expect(throws: SMTPError(.connect, reason: "connection_failed")) {
            try await SMTPMailer(Self.config(1)).send(EmailMessage(to: ["a@example.com"], subject: "s", body: "b", date: Date()))
        }
    }

    @Test func startTLSAndImplicitTLSEncryptBeforeTheLogin() async throws {
        let caFile = try LocalSMTPServer.writeCertificate()
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        @Sendable func config(_ port: Int, _ security: SMTPSecurity, ca: String?) -> SMTPConfiguration {
            SMTPConfiguration(host: "127.0.0.1", port: port, security: security, username: "crm", password: Self.password, from: "crm@example.com",
                              timeout: 10, caFile: ca)
        }
        let starttls = LocalSMTPServer(credentials: ("crm", Self.password), tls: .starttls)
        try await LocalSMTPServer.with(starttls) { port in
            try await SMTPMailer(config(port, .starttls, ca: caFile)).send(EmailMessage(to: ["a@example.com"], subject: "Über", body: "b", date: Date()))
            #expect(await starttls.encrypted == [true])
            let transcript = await starttls.transcript
            // EHLO, STARTTLS, then EHLO again over TLS before AUTH.
            let verbs: [String] = transcript.prefix(4).map { line in String(line.split(separator: " ").first ?? "") }
            #expect(verbs == ["EHLO", "STARTTLS", "EHLO", "AUTH"])
            // A certificate the client does not trust: nothing more is said, the password least of all.
            await #expect(throws: SMTPError(.starttls, reason: "tls_failed")) {
                try await SMTPMailer(config(port, .starttls, ca: nil)).send(EmailMessage(to: ["a@example.com"], subject: "s", body: "b", date: Date()))
            }
            #expect(await starttls.transcript.filter { $0.hasPrefix("AUTH") }.count == 1)
        }
        let implicit = LocalSMTPServer(credentials: ("crm", Self.password), tls: .implicit)
        try await LocalSMTPServer.with(implicit) { port in
            try await SMTPMailer(config(port, .tls, ca: caFile)).send(EmailMessage(to: ["a@example.com"], subject: "s", body: "b", date: Date()))
            #expect(await implicit.encrypted == [true])
            #expect(await implicit.transcript.first?.hasPrefix("EHLO") == true)
            // Plain text to a TLS port gets no greeting: the deadline ends it.
            await #expect(throws: SMTPError.self) {
                try await SMTPMailer(SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, from: "crm@example.com", timeout: 1))
                    .send(EmailMessage(to: ["a@example.com"], subject: "s", body: "b", date: Date()))
            }
        }
    }

    static func settings(_ port: Int) -> RapportSettings {
        var settings = RapportSettings()
        settings.mailer = SMTPMailer(config(port, username: "crm", password: password))
        settings.noticeEmails = NoticeEmails(publicURL: "https://crm.example.com")
        return settings
    }

    static func notify(_ harness: TestHarness, _ user: RecordID, _ kind: String, name: String = "Li Lei") async throws {
        let notices = harness.rapport.notifications
        try await harness.rapport.transaction { sql in
            try await notices.send([notices.make(user, kind, details: ["name": name], about: (.lead, "led_1"))], in: sql)
        }
    }

    @Test(arguments: TestBackend.available)
    func noticesAreEmailedInTheUsersLanguageAndRetried(_ backend: TestBackend) async throws {
        let server = LocalSMTPServer(credentials: ("crm", Self.password))
        try await LocalSMTPServer.with(server) { port in
            try await TestHarness.with(backend, settings: Self.settings(port)) { harness in
                let rep = try await harness.signedIn(.rep)
                let notices = harness.rapport.notifications
                _ = try await harness.rapport.users.updateOwnSettings(.init(locale: "zh-Hans"), by: rep.caller)
                _ = try await notices.setPreferences(NotificationPreferences(email: .immediate, groups: [.assignments: [.email]]), by: rep.caller)
                try await Self.notify(harness, rep.user.id, "lead.assigned", name: "王芳")
                try await Self.notify(harness, rep.user.id, "quote.approved")  // a group not chosen for email: no email
                #expect(try await harness.rapport.jobs.runDue(worker: "test").succeeded == 1)
                let messages = await server.messages
                #expect(messages.count == 1 && messages.first?.recipients == [rep.user.email])
                let message = try #require(messages.first)
                let words = Localization.locale("zh-Hans").text("notice_kind_lead_assigned")
                #expect(Self.decodeWords(message.header("Subject") ?? "") == "[Rapport] " + words)
                let text = String(decoding: Data(base64Encoded: message.body.replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
                #expect(text.contains("王芳") && text.contains("https://crm.example.com/leads/led_1") && text.contains("https://crm.example.com/notifications"))
                let log = try await harness.rapport.database.read { sql in
                    try await NotificationDeliveryStore(sql).deliveries(to: NoticeChannel.email.rawValue, page: PageRequest()).items
                }
                #expect(log.count == 1 && log[0].status == .succeeded && log[0].attempts == 1 && log[0].deliveredAt != nil)

                // A temporary refusal is logged and retried after the back-off.
                await server.fail("MESSAGE", with: [451])
                try await Self.notify(harness, rep.user.id, "customer.assigned")
                var run = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(run.retrying == 1)
                var latest = try await harness.rapport.database.read { sql in
                    try await NotificationDeliveryStore(sql).deliveries(to: NoticeChannel.email.rawValue, page: PageRequest()).items.first
                }
                #expect(latest?.status == .pending && latest?.lastError == "smtp_451" && latest?.attempts == 1)
                harness.clock.advance(by: JobBackoff.base)
                run = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(run.succeeded == 1)
                #expect(await server.messages.count == 2)

                // A permanent refusal fails the delivery at once.
                await server.fail("RCPT", with: [550])
                try await Self.notify(harness, rep.user.id, "handover.received")
                run = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(run.claimed == 1 && run.succeeded == 0 && run.retrying == 0)
                latest = try await harness.rapport.database.read { sql in
                    try await NotificationDeliveryStore(sql).deliveries(to: NoticeChannel.email.rawValue, page: PageRequest()).items.first
                }
                #expect(latest?.status == .failed && latest?.lastError == "smtp_550")
                // The job's error never holds the password.
                let jobs = try await harness.rapport.jobs.list(status: nil, kind: NotificationUseCases.emailKind, page: PageRequest(), by: harness.system).items
                #expect(jobs.count == 3 && jobs.allSatisfy { !($0.lastError ?? "").contains(Self.password) })

                // Administrators read the email log; nobody else.
                let admin = try await harness.signedIn(.admin)
                let emailLog = try await harness.rapport.webhooks.emailDeliveries(page: PageRequest(), by: admin.caller).items
                #expect(emailLog.map(\.status) == [.failed, .succeeded, .succeeded] && harness.rapport.webhooks.sendsEmail)
                await #expect(throws: RapportError.self) { try await harness.rapport.webhooks.emailDeliveries(page: PageRequest(), by: rep.caller) }
                try await harness.http { client in
                    let page = try await client.page("/admin/email-deliveries", session: admin.secret)
                    #expect(page.status == .ok && page.text.contains("smtp_550") && page.text.contains("Delivered") && page.text.contains("configured SMTP server"))
                    #expect(try await client.page("/admin/email-deliveries", session: rep.secret).status == .forbidden)
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theDigestGoesOncePerUserAndDay(_ backend: TestBackend) async throws {
        let server = LocalSMTPServer(credentials: ("crm", Self.password))
        try await LocalSMTPServer.with(server) { port in
            try await TestHarness.with(backend, settings: Self.settings(port)) { harness in
                // 2026-01-05 17:00 in Shanghai (the business time zone).
                let rep = try await harness.signedIn(.rep)
                let other = try await harness.signedIn(.rep)
                let immediate = try await harness.signedIn(.rep)
                let notices = harness.rapport.notifications
                _ = try await notices.setPreferences(NotificationPreferences(email: .dailyDigest, groups: [.assignments: [.email], .approvals: []]), by: rep.caller)
                _ = try await notices.setPreferences(NotificationPreferences(email: .immediate, groups: [.approvals: [.email]]), by: immediate.caller)
                try await Self.notify(harness, rep.user.id, "lead.assigned", name: "Han Meimei")
                try await Self.notify(harness, rep.user.id, "customer.assigned", name: "Acme")
                try await Self.notify(harness, rep.user.id, "quote.approved")  // not wanted by email
                try await Self.notify(harness, rep.user.id, "lead.assigned", name: "Read already")
                let unread = try await notices.list(unreadOnly: true, page: PageRequest(), by: rep.caller).items
                _ = try await notices.markRead([try #require(unread.first { $0.details["name"] == "Read already" }).id.rawValue], by: rep.caller)
                try await Self.notify(harness, other.user.id, "order.approved")  // the default: approvals by email in the digest

                // The digest job is due at 07:00 in Shanghai the next morning (23:00 UTC).
                try await harness.rapport.jobs.scheduleHousekeeping()
                let queued = try await harness.rapport.jobs.list(status: "queued", kind: NotificationUseCases.digestKind, page: PageRequest(), by: harness.system).items
                #expect(queued.count == 1 && queued.first?.dueAt == Date(timeIntervalSince1970: 1_767_654_000))
                #expect(try await notices.sendDigests() == 0)  // today's digests cover yesterday: nothing yet

                harness.clock.set(Date(timeIntervalSince1970: 1_767_654_000))
                let run = try await harness.rapport.jobs.runDue(worker: "test")
                #expect(run.succeeded >= 1)
                let messages = await server.messages
                #expect(messages.count == 2)
                let mine = try #require(messages.first { $0.recipients == [rep.user.email] })
                let text = Self.decodeQP(mine.body)
                #expect(text.contains("Han Meimei") && text.contains("Acme") && !text.contains("Read already") && !text.contains("/quotes/"))
                #expect(mine.header("Subject") == "[Rapport] 2 unread notices of 2026-01-05")
                #expect(messages.contains { $0.recipients == [other.user.email] })
                #expect(!messages.contains { $0.recipients == [immediate.user.email] })

                // Again the same day (a retry, another instance): nobody gets a second one.
                #expect(try await notices.sendDigests() == 0)
                harness.clock.advance(by: 3_600)
                #expect(try await notices.sendDigests() == 0)
                #expect(await server.messages.count == 2)

                // The next day covers only that day's notices; a failed send is retried later.
                try await Self.notify(harness, rep.user.id, "lead.assigned", name: "Next day")
                harness.clock.advance(by: 86_400)
                await server.fail("MESSAGE", with: [451])
                await #expect(throws: (any Error).self) { try await notices.sendDigests() }
                #expect(try await notices.sendDigests() == 1)
                let last = try #require(await server.messages.last)
                #expect(Self.decodeQP(last.body).contains("Next day") && !Self.decodeQP(last.body).contains("Acme"))
                #expect(try await notices.sendDigests() == 0)
                #expect(try await harness.count("notification_digests") == 3)
            }
        }
    }
}
