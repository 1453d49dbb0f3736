import ArgumentParser
import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// `rapport import customers FILE.csv`, `rapport import resume ID`, `rapport import status ID`.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import customers from CSV (with dedup, a dry run, per-line errors and progress).",
        subcommands: [Customers.self, Leads.self, TeamMembers.self, Products.self, Accounts.self, Opportunities.self, Resume.self, Status.self])

    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "customers", abstract: "Import customers from a CSV file (UTF-8, a header row).",
            discussion: """
            Columns are mapped by their headers (name, phone, email, company, owner, 姓名, 手机, 邮箱, …); use --map to \
            map others ("Mobile No=phone", "Grade=custom_fields.grade", "Notes=ignore") or --mapping to reuse a saved \
            mapping. Rows matching an existing customer (phone, email, unionid or external_ref) are merged into it by \
            default. Bad rows are reported by line number and skipped (--all-or-nothing imports nothing if any row is \
            bad). An interrupted import continues with `rapport import resume ID`.
            """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(name: .customLong("map"), help: "A column mapping \"Header=field\"; repeatable.") var maps: [String] = []
        @Option(help: "A saved mapping's name or id.") var mapping: String?
        @Option(name: .customLong("save-mapping"), help: "Save the mapping used under this name.") var saveMapping: String?
        @Flag(name: .customLong("dry-run"), help: "Check every row and report; write nothing.") var dryRun = false
        @Flag(name: .customLong("all-or-nothing"), help: "Import nothing when any row is bad.") var allOrNothing = false
        @Option(help: "merge (default), flag or block: what a row matching an existing customer does.") var policy: String = "merge"
        @Option(help: "Owner (email) of rows without an owner column.") var owner: String?
        @Option(name: .customLong("as"), help: "Act as this user (email): their scope, ownership rules and audit trail.") var actAs: String?
        @Option(help: "Field delimiter: , (default), ; or tab.") var delimiter: String = ","
        @Flag(name: .customLong("allow-repeat"), help: "Import a file that was already imported completely.") var allowRepeat = false
        @Option(help: "Write the per-line error report (CSV) to this file.") var errors: String?

        func validate() throws {
            guard DedupPolicy(rawValue: policy) != nil else { throw ValidationError("--policy must be merge, flag or block") }
            for map in maps where !map.contains("=") { throw ValidationError("--map takes \"Header=field\", e.g. \"Mobile=phone\"") }
        }

        func run() async throws {
            let bytes = try Self.read(file)
            let columns: [ImportColumn]? = maps.isEmpty ? nil : try Self.columns(maps, bytes: bytes, delimiter: delimiter)
            let options = ImportStore.Options(dryRun: dryRun, allOrNothing: allOrNothing, policy: DedupPolicy(rawValue: policy)!, delimiter: delimiter)
            let run = Run(object: ImportUseCases.customers, file: file, bytes: bytes, columns: columns, options: options, actAs: actAs, owner: owner,
                          mapping: mapping, saveMapping: saveMapping, allowRepeat: allowRepeat, errors: errors)
            try await run.execute(database)
        }

        static func read(_ file: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("error: cannot read \(file)")
                throw ExitCode(2)
            }
            return [UInt8](data)
        }
    }

    /// One import from the command line, for any object: start, run with a progress meter, report.
    struct Run: Sendable {
        var object: String
        var file: String
        var bytes: [UInt8]
        var columns: [ImportColumn]?
        var options: ImportStore.Options
        var actAs: String?
        var owner: String?
        var mapping: String?
        var saveMapping: String?
        var allowRepeat: Bool
        var errors: String?

        func execute(_ database: DatabaseOptions) async throws {
            let name = URL(fileURLWithPath: file).lastPathComponent
            let estimate = max(1, bytes.reduce(into: 0) { count, byte in if byte == 10 { count += 1 } } - 1)
            let (object, bytes, columns, options) = (self.object, self.bytes, self.columns, self.options)
            let (actAs, owner, mapping, saveMapping, allowRepeat, errors) = (self.actAs, self.owner, self.mapping, self.saveMapping, self.allowRepeat, self.errors)
            let record = try await withRapport(database) { rapport in
                var caller = Caller.system("cli")
                if let actAs { caller = try await rapport.imports.caller(actingAs: actAs) }
                var options = options
                if let owner { options.defaultOwner = try await rapport.users.find(email: owner, by: caller).id.rawValue }
                var mappingID: String?
                if let mapping {
                    let saved = try await rapport.imports.mappings(object: object, by: caller)
                    mappingID = saved.first { $0.name == mapping || $0.id.rawValue == mapping }?.id.rawValue
                    guard mappingID != nil else { throw RapportError.validation([FieldError(field: "--mapping", code: "not_found", message: "No saved mapping \(mapping).")]) }
                }
                if object == ImportUseCases.customers, caller.principal == nil && options.defaultOwner == nil && !(columns ?? []).contains(where: { $0.field == "owner" }) {
                    printError("note: no --owner and no owner column: imported customers will have no owner (a pool).")
                }
                let started = try await rapport.imports.start(
                    .init(object: object, fileName: name, bytes: bytes, columns: columns, mappingID: mappingID, options: options, allowRepeat: allowRepeat), by: caller)
                if let saveMapping {
                    _ = try await rapport.imports.saveMapping(name: saveMapping, columns: started.columns, object: object,
                                                              options: ImportUseCases.mappingOptions(started.options), by: caller)
                }
                printError("import \(started.id) started (\(bytes.count) bytes)")
                let meter = ProgressMeter(unit: "rows")
                let finished = try await rapport.imports.run(started.id, worker: "cli-\(ProcessInfo.processInfo.processIdentifier)", batchSize: ImportUseCases.bulkBatchSize) { meter.show($0, total: estimate) }
                meter.finish()
                guard let finished else { throw RapportError(.conflict, "Another worker took the import.") }
                if let errors {
                    let report = try await rapport.imports.errorReport(finished.id.rawValue, by: caller)
                    try Data(report.utf8).write(to: URL(fileURLWithPath: errors), options: .atomic)
                }
                if finished.counters.errors > 0 {
                    let first = try await rapport.imports.errors(finished.id.rawValue, page: PageRequest(limit: 20), by: caller).items
                    for error in first { printError("line \(error.line): \(error.field.isEmpty ? "" : error.field + ": ")\(error.message)") }
                }
                return finished
            }
            Customers.summary(record)
            if record.status == .failed { throw ExitCode(1) }
        }
    }

    struct Leads: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "leads", abstract: "Import leads from a CSV file (UTF-8, a header row).",
            discussion: """
            Columns are mapped by their headers (name, phone, email, lead source, country, city, prospect id, …); use --map \
            ("Lead Origin=campaign") or a mapping file (--mapping-file: {"columns": [...], "name_template": …, "empty_values": […]}). \
            Leads are deduplicated as the API does (phone, email, unionid, external id; against leads and customers) and \
            merged by default. Leads without an owner wait in --pool (default: the "default" lead pool); --owner gives \
            them all to one user. --start-playbooks starts the "lead assigned" playbooks for open leads given to a rep \
            (off by default: loading history gives nobody a task). An interrupted import continues with `rapport import resume ID`.
            """)
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(name: .customLong("map"), help: "A column mapping \"Header=field\"; repeatable.") var maps: [String] = []
        @Option(name: .customLong("mapping-file"), help: "A mapping file (JSON: columns, name_template, empty_values).") var mappingFile: String?
        @Option(help: "A saved mapping's name or id.") var mapping: String?
        @Option(name: .customLong("save-mapping"), help: "Save the mapping used under this name.") var saveMapping: String?
        @Option(name: .customLong("name-template"), help: "The name of rows without one, e.g. \"Lead {Lead Number}\".") var nameTemplate: String?
        @Option(name: .customLong("empty-value"), help: "A cell value that means not filled in (e.g. Select); repeatable.") var emptyValues: [String] = []
        @Flag(name: .customLong("dry-run"), help: "Check every row and report; write nothing.") var dryRun = false
        @Flag(name: .customLong("all-or-nothing"), help: "Import nothing when any row is bad.") var allOrNothing = false
        @Option(help: "merge (default), flag or block: what a row matching an existing lead or customer does.") var policy: String = "merge"
        @Option(help: "The lead pool (key or id) the leads belong to; default: default.") var pool: String?
        @Option(help: "Owner (email) of rows without an owner column; default: none (they wait in the pool).") var owner: String?
        @Option(name: .customLong("as"), help: "Act as this user (email): their scope, ownership rules and audit trail.") var actAs: String?
        @Option(help: "Field delimiter: , (default), ; or tab.") var delimiter: String = ","
        @Flag(name: .customLong("allow-repeat"), help: "Import a file that was already imported completely.") var allowRepeat = false
        @Flag(name: .customLong("start-playbooks"), help: "Open leads given to a rep start the \"lead assigned\" playbooks.") var startPlaybooks = false
        @Option(help: "Write the per-line error report (CSV) to this file.") var errors: String?

        /// A mapping file: what `examples/x-education/leads-mapping.json` holds.
        struct MappingFile: Decodable {
            var columns: [ImportColumn]?
            var nameTemplate: String?
            var emptyValues: [String]?
            var pool: String?
            var policy: String?

            enum CodingKeys: String, CodingKey {
                case columns, pool, policy
                case nameTemplate = "name_template", emptyValues = "empty_values"
            }
        }

        func validate() throws {
            guard DedupPolicy(rawValue: policy) != nil else { throw ValidationError("--policy must be merge, flag or block") }
            for map in maps where !map.contains("=") { throw ValidationError("--map takes \"Header=field\", e.g. \"Lead Origin=campaign\"") }
        }

        func run() async throws {
            let bytes = try Customers.read(file)
            var given = MappingFile()
            if let mappingFile {
                do { given = try JSONDecoder().decode(MappingFile.self, from: Data(try Customers.read(mappingFile))) } catch let error as ExitCode { throw error } catch {
                    printError("error: \(mappingFile) is not a mapping file: \(error)")
                    throw ExitCode(2)
                }
            }
            var columns = given.columns
            if !maps.isEmpty {
                let explicit = try Customers.columns(maps, bytes: bytes, delimiter: delimiter, object: ImportUseCases.leads)
                if let listed = columns {
                    let named = Set(maps.map { String($0.split(separator: "=", maxSplits: 1)[0]).trimmingWhitespace() })
                    columns = listed.filter { !named.contains($0.header) } + explicit.filter { named.contains($0.header) }
                } else {
                    columns = explicit
                }
            }
            var options = ImportStore.Options(dryRun: dryRun, allOrNothing: allOrNothing, policy: DedupPolicy(rawValue: policy)!, delimiter: delimiter,
                                              pool: pool ?? given.pool, nameTemplate: nameTemplate ?? given.nameTemplate,
                                              emptyValues: emptyValues.isEmpty ? given.emptyValues : emptyValues, startPlaybooks: startPlaybooks ? true : nil)
            if let policy = given.policy, self.policy == "merge", let parsed = DedupPolicy(rawValue: policy) { options.policy = parsed }
            let run = Run(object: ImportUseCases.leads, file: self.file, bytes: bytes, columns: columns, options: options, actAs: actAs, owner: owner,
                          mapping: mapping, saveMapping: saveMapping, allowRepeat: allowRepeat, errors: errors)
            try await run.execute(database)
        }
    }
}

extension ImportCommand.Customers {
        static func summary(_ record: ImportStore.Record) {
            let counters = record.counters
            print("\(record.id) \(record.status.rawValue): \(counters.processed) rows, \(counters.created) created, \(counters.merged) merged, "
                  + "\(counters.flagged) flagged, \(counters.errors) with errors, \(record.warnings.count) warnings")
            for warning in record.warnings {
                print("warning \(warning.code)\(warning.subject.isEmpty ? "" : " [\(warning.subject)]"): \(warning.message) (\(warning.count) rows, first line \(warning.firstLine))")
            }
            if let failure = record.failure { printError("error: \(failure)") }
        }

        /// `--map` options resolved against the file's header: unmapped headers are guessed.
        static func columns(_ maps: [String], bytes: [UInt8], delimiter: String, object: String = ImportUseCases.customers) throws -> [ImportColumn] {
            var reader = CSVReader(delimiter: delimiter == "tab" || delimiter == "\t" ? 9 : UInt8(ascii: delimiter == ";" ? ";" : ","))
            let prefix = Array(bytes.prefix(256 << 10))
            guard let header = try? reader.parse(prefix, final: prefix.count == bytes.count).records.first?.fields.map({ $0.trimmingWhitespace() }) else {
                printError("error: the file has no header row")
                throw ExitCode(2)
            }
            var explicit: [String: String] = [:]
            for map in maps {
                let parts = map.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                guard header.contains(parts[0]) else {
                    printError("error: --map \(map): the file has no column \"\(parts[0])\" (it has: \(header.joined(separator: ", ")))")
                    throw ExitCode(2)
                }
                explicit[parts[0]] = parts[1]
            }
            let unmapped = header.filter { explicit[$0] == nil }
            let guessed = PipelineImportKind(rawValue: object)?.suggest(headers: unmapped)
                ?? (object == ImportUseCases.leads ? LeadImportFields.suggest(headers: unmapped) : CustomerImportFields.suggest(headers: unmapped))
            return header.map { name in ImportColumn(header: name, field: explicit[name] ?? guessed.first { $0.header == name }?.field ?? ImportColumn.ignore) }
        }
}

extension ImportCommand {

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Continue an interrupted import from its last committed batch.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The import id (imp_…).") var id: String

        func run() async throws {
            let record = try await withRapport(database) { [id] rapport in
                guard let importID = RecordID(parsing: id, prefix: .importRun) else { throw RapportError.notFound("import") }
                let existing = try await rapport.imports.get(id, by: .system("cli"))
                let meter = ProgressMeter(unit: "rows")
                let total = Int(existing.counters.total ?? 0)
                let finished = try await rapport.imports.run(importID, worker: "cli-\(ProcessInfo.processInfo.processIdentifier)", batchSize: ImportUseCases.bulkBatchSize) { meter.show($0, total: total) }
                meter.finish()
                guard let finished else {
                    throw RapportError(.conflict, "The import is \(existing.status.rawValue) and not resumable now (finished, or another worker is running it).")
                }
                return finished
            }
            Customers.summary(record)
            if record.status == .failed { throw ExitCode(1) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an import's status and counters.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The import id (imp_…).") var id: String

        func run() async throws {
            let record = try await withRapport(database) { [id] rapport in try await rapport.imports.get(id, by: .system("cli")) }
            Customers.summary(record)
        }
    }
}


extension ProgressMeter {
    /// An import's progress: rows processed, checking or importing.
    func show(_ record: ImportStore.Record, total: Int) {
        update(Int(record.counters.processed), of: total, phase: record.status == .validating ? "checking" : "importing")
    }
}
