import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// What people may change about themselves: their name and language, and their password given the
/// current one (the session in use stays, every other credential ends); nothing else.
@Suite struct OwnSettingsTests {
    static func code(_ error: any Error) -> ErrorCode? { (error as? RapportError)?.code }

    @Test(arguments: TestBackend.available)
    func peopleChangeTheirNameAndLanguageButNothingElse(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team, level: "junior")
            let users = harness.rapport.users
            let chinese = try await users.updateOwnSettings(.init(name: "李雷", locale: .some("zh-Hans")), by: rep.caller)
            #expect(chinese.name == "李雷" && chinese.locale == "zh-Hans" && chinese.role == .rep && chinese.repLevel?.rawValue == "junior")
            let browser = try await users.updateOwnSettings(.init(locale: .some(nil)), by: rep.caller)
            #expect(browser.locale == nil && browser.name == "李雷" && browser.teamID == team.id)
            await #expect { try await users.updateOwnSettings(.init(locale: .some("fr")), by: rep.caller) } throws: { Self.code($0) == .validationFailed }
            await #expect { try await users.updateOwnSettings(.init(name: "  "), by: rep.caller) } throws: { Self.code($0) == .validationFailed }
            await #expect { try await users.updateOwnSettings(.init(name: "x"), by: harness.system) } throws: { Self.code($0) == .unauthorized }
            let audit = try await harness.rapport.audit.list(.init(action: "user.updated", objectID: rep.user.id.rawValue), page: .init(), by: harness.system).items
            #expect(audit.count == 2 && audit.allSatisfy { $0.actorID == rep.user.id })
        }
    }

    @Test(arguments: TestBackend.available)
    func aPasswordChangeNeedsTheCurrentOneAndKeepsOnlyThisSession(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, email: "rep@example.com")
            let users = harness.rapport.users
            let auth = harness.rapport.auth
            let other = try await auth.signIn(email: "rep@example.com", password: TestHarness.password, address: nil)
            let newPassword = "a-new-long-password"

            // Wrong current password, or a short new one: refused, nothing changes.
            await #expect { try await users.changeOwnPassword(current: "not-it-at-all", new: newPassword, by: rep.caller) } throws: { error in
                (error as? RapportError)?.fieldErrors.map(\.code) == ["incorrect"]
            }
            await #expect { try await users.changeOwnPassword(current: TestHarness.password, new: "short", by: rep.caller) } throws: { Self.code($0) == .validationFailed }
            _ = try await auth.authenticate(secret: other.secret, address: nil)
            #expect(try await harness.rapport.audit.list(.init(action: "user.password_change_failed"), page: .init(), by: harness.system).items.count == 1)

            try await users.changeOwnPassword(current: TestHarness.password, new: newPassword, by: rep.caller)
            // This session goes on; the other one and the old password are over.
            #expect(try await auth.authenticate(secret: rep.secret, address: nil).userID == rep.user.id)
            await #expect { try await auth.authenticate(secret: other.secret, address: nil) } throws: { Self.code($0) == .unauthorized }
            await #expect { try await auth.signIn(email: "rep@example.com", password: TestHarness.password, address: nil) } throws: { Self.code($0) == .unauthorized }
            _ = try await auth.signIn(email: "rep@example.com", password: newPassword, address: nil)
            let changed = try await harness.rapport.audit.list(.init(action: "user.password_changed"), page: .init(), by: harness.system).items
            #expect(changed.count == 1 && changed[0].details["revoked_credentials"] == "1")
        }
    }

    @Test(arguments: TestBackend.available)
    func guessingTheCurrentPasswordLocksTheAccount(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, email: "rep@example.com")
            for _ in 0..<5 {
                await #expect { try await harness.rapport.users.changeOwnPassword(current: "wrong-guess-x", new: "another-password", by: rep.caller) } throws: {
                    Self.code($0) == .validationFailed
                }
            }
            // Locked now, even with the right password, here and at sign-in.
            await #expect { try await harness.rapport.users.changeOwnPassword(current: TestHarness.password, new: "another-password", by: rep.caller) } throws: {
                Self.code($0) == .rateLimited
            }
            await #expect { try await harness.rapport.auth.signIn(email: "rep@example.com", password: TestHarness.password, address: nil) } throws: {
                Self.code($0) == .rateLimited
            }
        }
    }
}
