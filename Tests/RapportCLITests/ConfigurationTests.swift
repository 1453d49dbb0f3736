import Foundation
import Logging
import RapportApp
import RapportCore
import RapportServer
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsServeOnLoopbackWithSQLiteInTheWorkingDirectory() async throws {
        let configuration = try await ServerConfiguration.load(flags: [:], environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.sqlitePath == "./rapport-data/rapport.sqlite")
        #expect(!configuration.usesPostgres)
        #expect(configuration.bcryptCost == 12)
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-config-\(UUID()).json")
        try Data(#"{"port": 9000, "host": "0.0.0.0", "log_level": "debug", "data_dir": "/var/lib/rapport"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try await ServerConfiguration.load(
            flags: ["port": "9100", "config": file.path],
            environment: ["RAPPORT_PORT": "9050", "RAPPORT_HOST": "10.0.0.1"])
        #expect(configuration.port == 9100)
        #expect(configuration.host == "10.0.0.1")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.dataDirectory == "/var/lib/rapport")
    }

    @Test(arguments: [
        (["port": "http"], "port"), (["port": "70000"], "port"), (["log_level": "loud"], "log_level"),
        (["log_format": "xml"], "log_format"), (["database_url": "mysql://x"], "database_url"),
        (["test_clock": "maybe"], "test_clock"), (["config": "/nonexistent/rapport.json"], "config"),
    ])
    func aBadValueStopsTheStartNamingTheKey(_ flags: [String: String], _ key: String) async throws {
        await #expect { try await ServerConfiguration.load(flags: flags, environment: [:]) } throws: { error in
            guard let invalid = error as? ServerConfiguration.Invalid else { return false }
            return invalid.key == key && invalid.description.contains("RAPPORT_\(key.uppercased())")
        }
    }

    @Test func badEnvironmentValuesAreNamedToo() async throws {
        await #expect { try await ServerConfiguration.load(flags: [:], environment: ["RAPPORT_BCRYPT_COST": "99"]) } throws: { error in
            (error as? ServerConfiguration.Invalid)?.key == "bcrypt_cost"
        }
    }

    @Test func theTestClockIsRefusedOnPostgresUnlessAllowed() async throws {
        let url = "postgres://rapport:secret-password@db.internal/rapport"
        await #expect { try await ServerConfiguration.load(flags: ["database_url": url, "test_clock": "true"], environment: [:]) } throws: { error in
            guard let invalid = error as? ServerConfiguration.Invalid else { return false }
            return invalid.key == "test_clock" && !invalid.description.contains("secret-password")
        }
        let allowed = try await ServerConfiguration.load(flags: ["database_url": url, "test_clock": "true", "allow_test_clock_on_postgres": "true"], environment: [:])
        #expect(allowed.testClock && allowed.usesPostgres)
    }

    @Test func aBadDatabaseURLNeverEchoesThePassword() async throws {
        await #expect { try await ServerConfiguration.load(flags: ["database_url": "mysql://user:hunter2@host/db"], environment: [:]) } throws: { error in
            !String(describing: error).contains("hunter2")
        }
    }

    @Test func smtpIsReadFromTheEnvironmentOrAFileAndItsPasswordNeverShows() async throws {
        #expect(try await ServerConfiguration.load(flags: [:], environment: [:]).smtp == nil)
        let password = "pw-\(UUID().uuidString)"
        let configuration = try await ServerConfiguration.load(flags: [:], environment: [
            "RAPPORT_SMTP_HOST": "smtp.example.com", "RAPPORT_SMTP_FROM": "crm@example.com", "RAPPORT_SMTP_USERNAME": "crm",
            "RAPPORT_SMTP_PASSWORD": password, "RAPPORT_PUBLIC_URL": "https://crm.example.com",
        ])
        let smtp = try #require(configuration.smtp)
        #expect(smtp.host == "smtp.example.com" && smtp.port == 587 && smtp.security == .starttls && smtp.password == password && smtp.timeout == 30)
        #expect(configuration.publicURL == "https://crm.example.com")
        #expect(!"\(configuration)".contains(password) && !String(reflecting: smtp).contains(password))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(dumped.contains("smtp.example.com") && !dumped.contains(password))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-smtp-\(UUID())")
        try Data((password + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try await ServerConfiguration.load(flags: [:], environment: [
            "RAPPORT_SMTP_HOST": "127.0.0.1", "RAPPORT_SMTP_TLS": "tls", "RAPPORT_SMTP_FROM": "crm@example.com", "RAPPORT_SMTP_USERNAME": "crm",
            "RAPPORT_SMTP_PASSWORD_FILE": file.path,
        ])
        #expect(fromFile.smtp?.password == password && fromFile.smtp?.port == 465 && fromFile.smtp?.security == .tls)

        for (environment, key) in [
            (["RAPPORT_SMTP_HOST": "smtp.example.com"], "smtp_from"),
            (["RAPPORT_SMTP_HOST": "smtp.example.com", "RAPPORT_SMTP_FROM": "crm@example.com", "RAPPORT_SMTP_TLS": "ssl"], "smtp_tls"),
            (["RAPPORT_SMTP_HOST": "smtp.example.com", "RAPPORT_SMTP_FROM": "crm@example.com", "RAPPORT_SMTP_USERNAME": "crm"], "smtp_password"),
            (["RAPPORT_SMTP_HOST": "smtp.example.com", "RAPPORT_SMTP_FROM": "crm@example.com", "RAPPORT_SMTP_PASSWORD": password], "smtp_username"),
            (["RAPPORT_SMTP_HOST": "smtp.example.com", "RAPPORT_SMTP_FROM": "crm@example.com", "RAPPORT_SMTP_USERNAME": "crm",
              "RAPPORT_SMTP_PASSWORD_FILE": "/nonexistent/pw"], "smtp_password_file"),
            (["RAPPORT_PUBLIC_URL": "ftp://x"], "public_url"),
        ] {
            await #expect { try await ServerConfiguration.load(flags: [:], environment: environment) } throws: { error in
                guard let invalid = error as? ServerConfiguration.Invalid else { return false }
                return invalid.key == key && !invalid.description.contains(password)
            }
        }
    }
}
