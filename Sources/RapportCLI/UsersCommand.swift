import ArgumentParser
import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// `rapport users create | list | disable | enable | set-password`.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage users.",
        subcommands: [Create.self, List.self, Disable.self, Enable.self, SetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The sign-in email (stored lowercased; unique).") var email: String
        @Option(help: "The person's name as colleagues see it.") var name: String
        @Option(help: "admin, manager, rep, service, marketer, partner, analyst or read_only.")
        var role: String
        @Option(help: "The team's key (or id).")
        var team: String?
        @Option(name: .customLong("rep-level"), help: "e.g. junior, senior, expert.")
        var repLevel: String?
        @Option(help: "zh-Hans or en.")
        var locale: String?
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.")
        var passwordStdin = false

        func run() async throws {
            let password = passwordStdin ? try readSecretLine() : nil
            let input = UserUseCases.NewUser(email: email, name: name, role: role, repLevel: repLevel, team: team, locale: locale, password: password)
            let user = try await withRapport(database) { rapport in try await rapport.users.create(input, by: .system("cli")) }
            print("created \(user.id) \(user.email) (\(user.role.rawValue))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only users with this role.") var role: String?
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            var filter = UserStore.ListFilter()
            if let role {
                guard let parsed = Role(rawValue: role) else {
                    printError("error: --role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                    throw ExitCode(2)
                }
                filter.role = parsed
            }
            let users = try await withRapport(database) { [filter] rapport in
                var all: [User] = []
                var page = PageRequest(limit: PageRequest.maximumLimit)
                while true {
                    let result = try await rapport.users.list(filter, page: page, by: .system("cli"))
                    all += result.items
                    guard let next = result.nextCursor else { break }
                    page.cursor = next
                }
                return all
            }
            if json {
                for user in users {
                    let object: [String: String] = ["id": user.id.rawValue, "email": user.email, "name": user.name, "role": user.role.rawValue, "status": user.status.rawValue, "team_id": user.teamID?.rawValue ?? ""]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                }
            } else {
                print(["ID", "EMAIL", "NAME", "ROLE", "STATUS"].joined(separator: "\t"))
                for user in users { print([user.id.rawValue, user.email, user.name, user.role.rawValue, user.status.rawValue].joined(separator: "\t")) }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: their tokens and sessions stop working at once.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The user's sign-in email.") var email: String

        func run() async throws { try await UsersCommand.changeStatus(email: email, to: .disabled, database: database) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user (they sign in again).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The user's sign-in email.") var email: String

        func run() async throws { try await UsersCommand.changeStatus(email: email, to: .active, database: database) }
    }

    /// Disables or enables the user with `email`, through the same use cases as the API.
    static func changeStatus(email: String, to status: User.Status, database: DatabaseOptions) async throws {
        let user = try await withRapport(database) { rapport in
            let user = try await rapport.users.find(email: email, by: .system("cli"))
            return status == .disabled
                ? try await rapport.users.disable(user.id.rawValue, by: .system("cli"))
                : try await rapport.users.enable(user.id.rawValue, by: .system("cli"))
        }
        print("\(status == .disabled ? "disabled" : "enabled") \(user.id) \(user.email)")
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-password", abstract: "Set a user's password (read from standard input); their other credentials are revoked.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The user's sign-in email.") var email: String

        func run() async throws {
            let password = try readSecretLine()
            let email = self.email
            let user = try await withRapport(database) { rapport in
                let user = try await rapport.users.find(email: email, by: .system("cli"))
                return try await rapport.users.update(user.id.rawValue, .init(password: password), expectedVersion: user.version, by: .system("cli"))
            }
            print("password set for \(user.id) \(user.email)")
        }
    }
}

/// `rapport teams create | list`.
struct TeamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "teams", abstract: "Manage the team tree.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a team.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "A short unique key: lowercase letters, digits, - and _ (e.g. sales-east).") var key: String
        @Option(help: "The team's name as people see it.") var name: String
        @Option(help: "The parent team's key (or id); none for a top-level team.") var parent: String?

        func run() async throws {
            let input = TeamUseCases.NewTeam(key: key, name: name, parent: parent)
            let team = try await withRapport(database) { rapport in try await rapport.teams.create(input, by: .system("cli")) }
            print("created \(team.id) \(team.key)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List teams.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let teams = try await withRapport(database) { rapport in
                try await rapport.teams.list(parent: nil, page: PageRequest(limit: PageRequest.maximumLimit), by: .system("cli")).items
            }
            print(["ID", "KEY", "NAME", "PARENT"].joined(separator: "\t"))
            for team in teams { print([team.id.rawValue, team.key, team.name, team.parentID?.rawValue ?? "-"].joined(separator: "\t")) }
        }
    }
}

/// `rapport audit verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the hash chain; name the first broken entry (exit 1 if broken).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let result = try await withRapport(database) { rapport in try await rapport.audit.verify(by: .system("cli")) }
            if let broken = result.firstBreak {
                print("audit log BROKEN: \(broken.description) (\(result.checked) entries intact before it)")
                throw ExitCode(1)
            }
            print("audit log intact: \(result.checked) entries checked")
        }
    }
}
