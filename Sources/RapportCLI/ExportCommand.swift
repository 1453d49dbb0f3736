import ArgumentParser
import Foundation
import RapportApp
import RapportCore
import RapportStorage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `rapport export customers | download`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export customers as CSV: masked, limited to a user's scope, audited.",
        subcommands: [Customers.self, Download.self])

    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export customers as CSV.",
            discussion: """
                With --as, acts as that user: their data scope, their export permission, and the approval threshold \
                (a larger export waits for an administrator; its id is printed and `rapport export download` fetches \
                it once approved). Without --as, the system exports every customer. Contact details are always masked; \
                every export is audited.
                """)
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Write the CSV to this file (replaced only once complete); default: standard output.") var output: String?
        @Option(name: .customLong("as"), help: ArgumentHelp("Act as the user with this sign-in email.", valueName: "email")) var actingAs: String?
        @Option(help: "Only customers owned by this user id.") var owner: String?
        @Option(help: "Only customers of this team id.") var team: String?
        @Option(help: "Only customers in this stage (a stage key of the business dictionary).") var stage: String?
        @Option(help: "Only customers from this source.") var source: String?
        @Option(help: "Only customers with this tag.") var tag: String?
        @Option(help: "person or organisation.") var kind: String?
        @Option(help: "Search text, as the customer list's q: a full phone number or email, or part of a name or company.") var q: String?
        @Option(help: "Comma-separated columns, in order (default: all; e.g. id,name,stage,phones,custom_fields.grade).") var columns: String?
        @Flag(help: "Start the file with a UTF-8 byte-order mark (for Excel).") var bom = false

        func run() async throws {
            let request = ExportUseCases.Request(
                filters: .init(owner: owner, team: team, stage: stage, source: source, tag: tag, kind: kind, q: q),
                columns: columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
            let actingAs = self.actingAs, output = self.output, bom = self.bom
            try ExportCommand.checkOutput(output)
            let outcome = try await withRapport(database) { rapport -> ExportCommand.Outcome in
                let caller = try await ExportCommand.caller(actingAs: actingAs, rapport)
                let download: ExportUseCases.Download
                do {
                    if caller.principal != nil {
                        let export = try await rapport.exports.request(request, by: caller)
                        guard export.status == .ready else { return .pending(export.id, rows: export.rowCount) }
                        download = try await rapport.exports.download(export.id.rawValue, by: caller)
                    } else {
                        download = try await rapport.exports.direct(request, by: caller)
                    }
                } catch let error as RapportError {
                    throw ExportCommand.namingOptions(error)
                }
                return .written(download.exportID, rows: try await ExportCommand.write(download, to: output, bom: bom))
            }
            ExportCommand.report(outcome, output: output, actingAs: actingAs)
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download an approved (or ready) export you requested.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The export's id (exp_…).") var id: String
        @Option(name: .customLong("as"), help: ArgumentHelp("The sign-in email of the user who requested it.", valueName: "email")) var actingAs: String
        @Option(help: "Write the CSV to this file (replaced only once complete); default: standard output.") var output: String?
        @Flag(help: "Start the file with a UTF-8 byte-order mark (for Excel).") var bom = false

        func run() async throws {
            let id = self.id, actingAs = self.actingAs, output = self.output, bom = self.bom
            try ExportCommand.checkOutput(output)
            let outcome = try await withRapport(database) { rapport -> ExportCommand.Outcome in
                let caller = try await ExportCommand.caller(actingAs: actingAs, rapport)
                let download = try await rapport.exports.download(id, by: caller)
                return .written(download.exportID, rows: try await ExportCommand.write(download, to: output, bom: bom))
            }
            ExportCommand.report(outcome, output: output, actingAs: actingAs)
        }
    }

    enum Outcome: Sendable {
        case written(RecordID, rows: Int)
        case pending(RecordID, rows: Int64)
    }

    /// The system, or the active user with `email` acting with their role, team and scope.
    static func caller(actingAs email: String?, _ rapport: Rapport) async throws -> Caller {
        let system = Caller.system("cli")
        guard let email else { return system }
        let user = try await rapport.users.find(email: email, by: system)
        guard user.status == .active else { throw RapportError(.forbidden, "\(user.email) is disabled.") }
        var path: String?
        if let team = user.teamID { path = try await rapport.teams.get(team.rawValue, by: system).path }
        return Caller(principal: Principal(userID: user.id, role: user.role, teamID: user.teamID, teamPath: path, repLevel: user.repLevel),
                      channel: "cli")
    }

    /// The options of `export customers` that stand for the request's fields.
    static let options = [
        "filters.owner_id": "--owner", "filters.team_id": "--team", "filters.stage": "--stage", "filters.source": "--source",
        "filters.tag": "--tag", "filters.kind": "--kind", "filters.q": "--q", "columns": "--columns", "output": "--output",
    ]

    /// Refuses an output file whose directory cannot be written, before anything is requested or audited.
    static func checkOutput(_ output: String?) throws {
        guard let output else { return }
        let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: directory)
        else {
            printError("error: --output: cannot write a file in \(directory)")
            throw ExitCode(2)
        }
    }

    /// `error` with its fields named as the command's options (`filters.owner_id` → `--owner`, `columns[2]` → `--columns`).
    static func namingOptions(_ error: RapportError) -> RapportError {
        var error = error
        error.fieldErrors = error.fieldErrors.map { field in
            let key = field.field.hasPrefix("columns[") ? "columns" : field.field
            guard let option = options[key] else { return field }
            return FieldError(field: option, code: field.code, message: field.message.replacingOccurrences(of: field.field, with: option))
        }
        return error
    }

    /// Writes the CSV to the file (atomically) or to standard output, showing progress on standard error.
    static func write(_ download: ExportUseCases.Download, to output: String?, bom: Bool) async throws -> Int {
        let meter = ProgressMeter(unit: "rows")
        let expected = download.expectedRows
        let progress = { (rows: Int) in meter.update(rows, of: expected, phase: "exporting") }
        defer { meter.finish() }
        if let output {
            return try await download.write(toFile: output, byteOrderMark: bom, progress: progress)
        }
        return try await download.write(byteOrderMark: bom, progress: progress) { bytes in
            try FileHandle.standardOutput.write(contentsOf: bytes)
        }
    }

    /// Says what happened: on standard output when the CSV went to a file, on standard error when it went to standard output.
    static func report(_ outcome: Outcome, output: String?, actingAs: String?) {
        let text: String
        switch outcome {
        case .written(let id, let rows):
            text = "exported \(rows) customer\(rows == 1 ? "" : "s")\(output.map { " to \($0)" } ?? "") (\(id))"
        case .pending(let id, let rows):
            text = """
                export \(id) of \(rows) customers awaits an administrator's approval; once approved: \
                rapport export download \(id) --as \(actingAs ?? "EMAIL")\(output.map { " --output \($0)" } ?? "")
                """
        }
        if output == nil { printError(text) } else { print(text) }
    }
}

