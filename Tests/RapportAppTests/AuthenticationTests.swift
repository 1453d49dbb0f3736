import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

@Suite struct AuthenticationTests {
    static func rejected(_ error: any Error) -> Bool { (error as? RapportError)?.code == .unauthorized }

    @Test(arguments: TestBackend.available)
    func aRevokedTokenFailsOnTheVeryNextRequest(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let auth = harness.rapport.auth
            // Warm the cache: the next lookups are served without a query.
            _ = try await auth.authenticate(secret: rep.secret, address: nil)
            _ = try await auth.authenticate(secret: rep.secret, address: nil)
            let token = try await harness.rapport.tokens.list(user: nil, includeRevoked: false, page: .init(), by: rep.caller).items[0]
            _ = try await harness.rapport.tokens.revoke(token.id.rawValue, by: rep.caller)
            await #expect { try await auth.authenticate(secret: rep.secret, address: nil) } throws: { Self.rejected($0) }
        }
    }

    @Test(arguments: TestBackend.available)
    func disablingAUserEndsEveryCredentialAtOnce(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep, email: "rep@example.com")
            let second = try await harness.rapport.tokens.create(.init(name: "integration"), by: rep.caller)
            for secret in [rep.secret, second.secret] { _ = try await harness.rapport.auth.authenticate(secret: secret, address: nil) }
            _ = try await harness.rapport.users.disable(rep.user.id.rawValue, by: admin.caller)
            for secret in [rep.secret, second.secret] {
                await #expect { try await harness.rapport.auth.authenticate(secret: secret, address: nil) } throws: { Self.rejected($0) }
            }
            // A disabled user cannot sign in; re-enabled, they sign in again but old tokens stay dead.
            await #expect { try await harness.rapport.auth.signIn(email: "rep@example.com", password: TestHarness.password, address: nil) } throws: { Self.rejected($0) }
            _ = try await harness.rapport.users.enable(rep.user.id.rawValue, by: admin.caller)
            await #expect { try await harness.rapport.auth.authenticate(secret: rep.secret, address: nil) } throws: { Self.rejected($0) }
            let fresh = try await harness.rapport.auth.signIn(email: "rep@example.com", password: TestHarness.password, address: nil)
            #expect(try await harness.rapport.auth.authenticate(secret: fresh.secret, address: nil).userID == rep.user.id)
            let actions = try await harness.rapport.audit.list(.init(objectKind: "user", objectID: rep.user.id.rawValue), page: .init(), by: admin.caller).items.map(\.action)
            #expect(actions.contains("user.disabled") && actions.contains("user.enabled"))
        }
    }

    /// The command line disables a user while the server runs: two processes, one database.
    @Test(arguments: TestBackend.available)
    func aChangeMadeByAnotherProcessIsSeenByTheServer(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await TestHarness.open(database) { server in
                let admin = try await server.signedIn(.admin)
                let rep = try await server.signedIn(.rep)
                _ = try await server.rapport.auth.authenticate(secret: rep.secret, address: nil)
                try await TestHarness.open(database) { commandLine in
                    _ = try await commandLine.rapport.users.disable(rep.user.id.rawValue, by: commandLine.system)
                }
                // SQLite: the stamp file is checked on every lookup, so the next request already fails.
                // PostgreSQL: the NOTIFY arrives asynchronously on the listening connection (milliseconds).
                var rejected = false
                for _ in 0..<100 {
                    do {
                        _ = try await server.rapport.auth.authenticate(secret: rep.secret, address: nil)
                    } catch {
                        rejected = Self.rejected(error)
                        break
                    }
                    #expect(backend == .postgres, "SQLite must reject on the very next request")
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(rejected)
                #expect(try await server.rapport.auth.authenticate(secret: admin.secret, address: nil).userID == admin.user.id)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func signInIsThrottledPerAccountAndNeverSaysWhetherItExists(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            _ = try await harness.signedIn(.rep, email: "target@example.com")
            let auth = harness.rapport.auth
            await #expect { try await auth.signIn(email: "nobody@example.com", password: "whatever-password", address: "10.0.0.1") } throws: { Self.rejected($0) }
            for _ in 0..<5 {
                await #expect { try await auth.signIn(email: "target@example.com", password: "wrong-password", address: "10.0.0.2") } throws: { Self.rejected($0) }
            }
            // Locked now, even with the right password.
            await #expect { try await auth.signIn(email: "target@example.com", password: TestHarness.password, address: "10.0.0.3") } throws: { error in
                let error = error as? RapportError
                return error?.code == .rateLimited && (error?.retryAfterSeconds ?? 0) > 0
            }
            harness.clock.advance(by: 16 * 60)
            _ = try await auth.signIn(email: "target@example.com", password: TestHarness.password, address: "10.0.0.3")
            let failures = try await harness.rapport.audit.list(.init(action: "auth.login_failed"), page: .init(), by: harness.system).items
            #expect(failures.count == 6)
            #expect(failures.allSatisfy { $0.details["reason"] != nil })
        }
    }

    @Test(arguments: TestBackend.available)
    func parallelGuessesAreAllCountedAndNeverCollide(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            _ = try await harness.signedIn(.rep, email: "victim@example.com")
            let codes = try await withThrowingTaskGroup(of: ErrorCode?.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        do {
                            _ = try await harness.rapport.auth.signIn(email: "victim@example.com", password: "guess-number-\(index)", address: "10.7.7.\(index)")
                            return nil
                        } catch let error as RapportError {
                            return error.code
                        }
                    }
                }
                return try await group.reduce(into: [ErrorCode?]()) { $0.append($1) }
            }
            // Every guess is refused as a guess (never a conflict or a crash), and the account locks.
            #expect(codes.allSatisfy { $0 == .unauthorized || $0 == .rateLimited })
            await #expect { try await harness.rapport.auth.signIn(email: "victim@example.com", password: TestHarness.password, address: "10.8.8.8") } throws: { ($0 as? RapportError)?.code == .rateLimited }
        }
    }

    @Test(arguments: TestBackend.available)
    func signInIsThrottledPerAddress(_ backend: TestBackend) async throws {
        var settings = RapportSettings()
        settings.addressFailureLimit = 3
        try await TestHarness.with(backend, settings: settings) { harness in
            _ = try await harness.signedIn(.rep, email: "someone@example.com")
            for index in 0..<3 {
                await #expect { try await harness.rapport.auth.signIn(email: "guess\(index)@example.com", password: "wrong-password", address: "10.9.9.9") } throws: { Self.rejected($0) }
            }
            await #expect { try await harness.rapport.auth.signIn(email: "someone@example.com", password: TestHarness.password, address: "10.9.9.9") } throws: { ($0 as? RapportError)?.code == .rateLimited }
            _ = try await harness.rapport.auth.signIn(email: "someone@example.com", password: TestHarness.password, address: "10.1.1.1")
        }
    }

    @Test(arguments: TestBackend.available)
    func tokensExpireAndNeverGrantMoreThanTheirMaker(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let readOnly = try await harness.rapport.tokens.create(.init(name: "reporting", scopes: ["read"], expiresInDays: 1), by: admin.caller)
            let principal = try await harness.rapport.auth.authenticate(secret: readOnly.secret, address: nil)
            #expect(principal.tokenScopes == [.read])
            let caller = Caller(principal: principal, channel: "api")
            _ = try await harness.rapport.users.list(.init(), page: .init(), by: caller)
            await #expect { try await harness.rapport.teams.create(.init(key: "x", name: "X"), by: caller) } throws: { ($0 as? RapportError)?.code == .forbidden }
            await #expect { try await harness.rapport.tokens.create(.init(name: "escalate", scopes: ["write"]), by: caller) } throws: { ($0 as? RapportError)?.code == .forbidden }
            await #expect { try await harness.rapport.tokens.create(.init(name: "bad", scopes: ["admin"], expiresInDays: 999), by: admin.caller) } throws: { error in
                Set((error as? RapportError)?.fieldErrors.map(\.field) ?? []) == ["scopes[0]", "expires_in_days"]
            }
            harness.clock.advance(by: 86_400 + 1)
            await #expect { try await harness.rapport.auth.authenticate(secret: readOnly.secret, address: nil) } throws: { Self.rejected($0) }
            await #expect { try await harness.rapport.auth.authenticate(secret: "rpt_not-a-token", address: nil) } throws: { Self.rejected($0) }
        }
    }

    @Test(arguments: TestBackend.available)
    func theLastAdministratorCannotBeRemoved(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let conflict: @Sendable (any Error) -> Bool = { ($0 as? RapportError)?.code == .conflict }
            await #expect { try await harness.rapport.users.disable(admin.user.id.rawValue, by: harness.system) } throws: { conflict($0) }
            await #expect { try await harness.rapport.users.update(admin.user.id.rawValue, .init(role: "rep"), expectedVersion: admin.user.version, by: harness.system) } throws: { conflict($0) }
            await #expect { try await harness.rapport.users.delete(admin.user.id.rawValue, by: harness.system) } throws: { conflict($0) }
            await #expect { try await harness.rapport.users.disable(admin.user.id.rawValue, by: admin.caller) } throws: { conflict($0) }
            let second = try await harness.signedIn(.admin)
            _ = try await harness.rapport.users.update(admin.user.id.rawValue, .init(role: "manager"), expectedVersion: admin.user.version, by: second.caller)
            let roleChanges = try await harness.rapport.audit.list(.init(action: "user.role_changed"), page: .init(), by: second.caller).items
            #expect(roleChanges.first?.details == ["from": "admin", "to": "manager", "channel": "api"])
        }
    }

    @Test(arguments: TestBackend.available)
    func aProfileIsNeverStaleAfterASignIn(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, email: "fresh@example.com")
            let before = try await harness.rapport.users.me(rep.caller)
            harness.clock.advance(by: 3_600)
            _ = try await harness.rapport.auth.signIn(email: "fresh@example.com", password: TestHarness.password, address: nil)
            let after = try await harness.rapport.users.me(rep.caller)
            #expect(after.lastLoginAt == before.lastLoginAt.map { $0.addingTimeInterval(3_600) })
        }
    }

    @Test(arguments: TestBackend.available)
    func aNewPasswordRevokesOtherCredentials(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, email: "pw@example.com")
            let current = try await harness.rapport.users.me(rep.caller)
            _ = try await harness.rapport.users.update(rep.user.id.rawValue, .init(password: "a-brand-new-password"), expectedVersion: current.version, by: rep.caller)
            await #expect { try await harness.rapport.auth.authenticate(secret: rep.secret, address: nil) } throws: { Self.rejected($0) }
            _ = try await harness.rapport.auth.signIn(email: "pw@example.com", password: "a-brand-new-password", address: nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func peopleChangeOnlyTheirOwnHarmlessFields(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let updated = try await harness.rapport.users.update(rep.user.id.rawValue, .init(name: "Renamed", locale: .some("zh-Hans")), expectedVersion: rep.user.version, by: rep.caller)
            #expect(updated.name == "Renamed" && updated.locale == "zh-Hans" && updated.version == rep.user.version + 1)
            #expect(try await harness.rapport.users.me(rep.caller).name == "Renamed")
            await #expect { try await harness.rapport.users.update(rep.user.id.rawValue, .init(role: "admin"), expectedVersion: updated.version, by: rep.caller) } throws: { error in
                (error as? RapportError)?.fieldErrors.map(\.code) == ["read_only"]
            }
            await #expect { try await harness.rapport.users.update(rep.user.id.rawValue, .init(name: "Stale"), expectedVersion: rep.user.version, by: rep.caller) } throws: { ($0 as? RapportError)?.code == .preconditionFailed }
            #expect(try await harness.rapport.users.me(rep.caller).name == "Renamed")
        }
    }

    @Test(arguments: TestBackend.available)
    func teamsCannotMoveUnderThemselves(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let top = try await harness.team("top")
            let middle = try await harness.team("middle", parent: top)
            let bottom = try await harness.team("bottom", parent: middle)
            await #expect { try await harness.rapport.teams.update(top.id.rawValue, .init(parent: .some(bottom.id.rawValue)), expectedVersion: top.version, by: harness.system) } throws: { error in
                (error as? RapportError)?.fieldErrors.map(\.code) == ["cycle"]
            }
            _ = try await harness.rapport.teams.update(middle.id.rawValue, .init(parent: .some(nil)), expectedVersion: middle.version, by: harness.system)
            let moved = try await harness.rapport.teams.get(bottom.id.rawValue, by: harness.system)
            #expect(moved.path == "/\(middle.id)/\(bottom.id)/")
            await #expect { try await harness.rapport.teams.delete(middle.id.rawValue, by: harness.system) } throws: { ($0 as? RapportError)?.code == .conflict }
        }
    }
}
