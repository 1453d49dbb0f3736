import Configuration
import Foundation
import Logging
import RapportApp
import RapportCore
import RapportHTTP
import SystemPackage

/// Everything `rapport` reads at start, from flags, then `RAPPORT_*` environment variables, then
/// an optional JSON file (`--config` / `RAPPORT_CONFIG`), then defaults.
///
/// | key | flag | environment | default |
/// |---|---|---|---|
/// | host | `--host` | `RAPPORT_HOST` | `127.0.0.1` |
/// | port | `--port` | `RAPPORT_PORT` | `8080` |
/// | data_dir | `--data-dir` | `RAPPORT_DATA_DIR` | `./rapport-data` |
/// | database_url (secret) | `--database-url` | `RAPPORT_DATABASE_URL` | none: SQLite in data_dir |
/// | db_max_connections | | `RAPPORT_DB_MAX_CONNECTIONS` | `20` |
/// | sqlite_readers | | `RAPPORT_SQLITE_READERS` | `4` |
/// | log_level | `--log-level` | `RAPPORT_LOG_LEVEL` | `info` |
/// | log_format | `--log-format` | `RAPPORT_LOG_FORMAT` | `json` |
/// | bcrypt_cost | | `RAPPORT_BCRYPT_COST` | `12` |
/// | trusted_proxies | | `RAPPORT_TRUSTED_PROXIES` | none: comma-separated IPs/CIDRs whose `X-Forwarded-For` is believed |
/// | idle_timeout_seconds | | `RAPPORT_IDLE_TIMEOUT_SECONDS` | `60` |
/// | test_clock | `--test-clock` | `RAPPORT_TEST_CLOCK` | `false` |
/// | allow_test_clock_on_postgres | `--allow-test-clock-on-postgres` | `RAPPORT_ALLOW_TEST_CLOCK_ON_POSTGRES` | `false` |
/// | public_url | | `RAPPORT_PUBLIC_URL` | none: emails carry no links |
/// | smtp_host | | `RAPPORT_SMTP_HOST` | none: no email is sent |
/// | smtp_port | | `RAPPORT_SMTP_PORT` | `25`, `587` (starttls) or `465` (tls) |
/// | smtp_tls | | `RAPPORT_SMTP_TLS` | `starttls` (`none`, `starttls`, `tls`) |
/// | smtp_username | | `RAPPORT_SMTP_USERNAME` | none: no AUTH |
/// | smtp_password (secret) | | `RAPPORT_SMTP_PASSWORD` | none |
/// | smtp_password_file | | `RAPPORT_SMTP_PASSWORD_FILE` | none: a file holding the password |
/// | smtp_from | | `RAPPORT_SMTP_FROM` | required with smtp_host |
/// | smtp_timeout_seconds | | `RAPPORT_SMTP_TIMEOUT_SECONDS` | `30` |
/// | smtp_ca_file | | `RAPPORT_SMTP_CA_FILE` | none: the system's trust roots only |
public struct ServerConfiguration: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./rapport-data"
    public var databaseURL: String?
    public var maximumConnections = 20
    public var sqliteReaders = 4
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.json
    public var bcryptCost: UInt8 = 12
    public var testClock = false
    public var allowTestClockOnPostgres = false
    /// Load balancers whose `X-Forwarded-For` names the client.
    public var trustedProxies = TrustedProxies.none
    /// Idle connections are closed after this many seconds (slow clients cannot hold sockets forever).
    public var idleTimeoutSeconds = 60
    /// The outgoing mail server (nil: no email).
    public var smtp: SMTPConfiguration?
    /// Where users reach the web UI, for links in emails.
    public var publicURL: String?

    public enum LogFormat: String, Sendable, Equatable {
        case json
        case text
    }

    public init() {}

    /// The SQLite file used when no database URL is given.
    public var sqlitePath: String { (dataDirectory as NSString).appendingPathComponent("rapport.sqlite") }

    /// Whether the database is PostgreSQL.
    public var usesPostgres: Bool { databaseURL != nil }

    /// A configuration value that cannot be used; the start stops with this message.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var key: String
        public var message: String
        public var description: String {
            "configuration error: \(key) (flag --\(key.replacingOccurrences(of: "_", with: "-")), environment RAPPORT_\(key.uppercased())) \(message)"
        }
    }

    /// Reads the layered configuration.
    /// - Parameters:
    ///   - flags: values given on the command line, by key (only those actually given).
    ///   - environment: the process environment.
    public static func load(flags: [String: String], environment: [String: String]) async throws -> ServerConfiguration {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: flags.map { (AbsoluteConfigKey([$0.key]), ConfigValue(.string($0.value), isSecret: $0.key == "database_url" || $0.key == "smtp_password")) })),
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(["RAPPORT_DATABASE_URL", "RAPPORT_SMTP_PASSWORD"])).prefixKeys(with: "rapport"),
        ]
        if let file = flags["config"] ?? environment["RAPPORT_CONFIG"] {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw Invalid(key: "config", message: "names a file that cannot be read as a JSON object of settings: \(file)")
            }
        }
        let reader = ConfigReader(providers: providers)
        var configuration = ServerConfiguration()
        func raw(_ key: String, secret: Bool = false) -> String? {
            let configKey = ConfigKey(key)
            if let value = reader.string(forKey: configKey, isSecret: secret) { return value }
            if let value = reader.int(forKey: configKey) { return String(value) }
            if let value = reader.bool(forKey: configKey) { return String(value) }
            if let value = reader.double(forKey: configKey) { return String(value) }
            return nil
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = raw(key) else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw Invalid(key: key, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
            }
            return value
        }
        func boolean(_ key: String) throws -> Bool? {
            guard let text = raw(key) else { return nil }
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off", "": return false
            default: throw Invalid(key: key, message: "must be true or false, not \"\(text)\"")
            }
        }
        if let host = raw("host") {
            guard !host.isEmpty, host.count <= 253, !host.contains(" ") else { throw Invalid(key: "host", message: "must be a host name or IP address") }
            configuration.host = host
        }
        if let port = try integer("port", 1...65_535) { configuration.port = port }
        if let directory = raw("data_dir") {
            guard !directory.isEmpty else { throw Invalid(key: "data_dir", message: "must not be empty") }
            configuration.dataDirectory = directory
        }
        if let url = raw("database_url", secret: true), !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw Invalid(key: "database_url", message: "must be a postgres:// URL (the value is not shown: it may hold a password)")
            }
            configuration.databaseURL = url
        }
        if let value = try integer("db_max_connections", 1...500) { configuration.maximumConnections = value }
        if let value = try integer("sqlite_readers", 1...64) { configuration.sqliteReaders = value }
        if let level = raw("log_level") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw Invalid(key: "log_level", message: "must be one of trace, debug, info, notice, warning, error, critical, not \"\(level)\"")
            }
            configuration.logLevel = parsed
        }
        if let format = raw("log_format") {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else { throw Invalid(key: "log_format", message: "must be json or text, not \"\(format)\"") }
            configuration.logFormat = parsed
        }
        if let cost = try integer("bcrypt_cost", 4...16) { configuration.bcryptCost = UInt8(cost) }
        if let list = raw("trusted_proxies") {
            do {
                configuration.trustedProxies = try TrustedProxies(list.split(separator: ",").map(String.init))
            } catch let error as TrustedProxies.Invalid {
                throw Invalid(key: "trusted_proxies", message: "must be IP addresses or CIDR ranges separated by commas; \"\(error.entry)\" is neither")
            }
        }
        if let value = try integer("idle_timeout_seconds", 1...3_600) { configuration.idleTimeoutSeconds = value }
        if let value = try boolean("test_clock") { configuration.testClock = value }
        if let value = try boolean("allow_test_clock_on_postgres") { configuration.allowTestClockOnPostgres = value }
        if let url = raw("public_url"), !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                throw Invalid(key: "public_url", message: "must be an http or https URL, not \"\(url)\"")
            }
            configuration.publicURL = url
        }
        configuration.smtp = try smtp(raw: raw, integer: integer)
        if configuration.testClock, configuration.usesPostgres, !configuration.allowTestClockOnPostgres {
            throw Invalid(key: "test_clock", message: "is refused with a PostgreSQL database (a test clock there is a production risk); add --allow-test-clock-on-postgres if you mean it")
        }
        return configuration
    }

    /// The SMTP settings, when `smtp_host` is given (the password never appears in an error).
    static func smtp(raw: (String, Bool) -> String?, integer: (String, ClosedRange<Int>) throws -> Int?) throws -> SMTPConfiguration? {
        guard let host = raw("smtp_host", false), !host.isEmpty else { return nil }
        guard host.count <= 253, !host.contains(" ") else { throw Invalid(key: "smtp_host", message: "must be a host name or IP address") }
        var security = SMTPSecurity.starttls
        if let text = raw("smtp_tls", false) {
            guard let parsed = SMTPSecurity(rawValue: text.lowercased()) else { throw Invalid(key: "smtp_tls", message: "must be none, starttls or tls, not \"\(text)\"") }
            security = parsed
        }
        let port = try integer("smtp_port", 1...65_535) ?? (security == .tls ? 465 : security == .starttls ? 587 : 25)
        guard let from = raw("smtp_from", false), MailFormat.isMailbox(from) else {
            throw Invalid(key: "smtp_from", message: "must be the sender's email address (like crm@example.com) when smtp_host is set")
        }
        let username = raw("smtp_username", false).flatMap { $0.isEmpty ? nil : $0 }
        var password = raw("smtp_password", true).flatMap { $0.isEmpty ? nil : $0 }
        if let file = raw("smtp_password_file", false), !file.isEmpty {
            guard password == nil else { throw Invalid(key: "smtp_password_file", message: "and smtp_password are both set; give one") }
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw Invalid(key: "smtp_password_file", message: "names a file that cannot be read: \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        if username != nil && password == nil { throw Invalid(key: "smtp_password", message: "is needed with smtp_username (or smtp_password_file)") }
        if username == nil && password != nil { throw Invalid(key: "smtp_username", message: "is needed with a password") }
        let timeout = try integer("smtp_timeout_seconds", 1...600) ?? 30
        let caFile = raw("smtp_ca_file", false).flatMap { $0.isEmpty ? nil : $0 }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw Invalid(key: "smtp_ca_file", message: "names a file that cannot be read: \(caFile)")
        }
        return SMTPConfiguration(host: host, port: port, security: security, username: username, password: password, from: from,
                                 timeout: TimeInterval(timeout), caFile: caFile)
    }
}
