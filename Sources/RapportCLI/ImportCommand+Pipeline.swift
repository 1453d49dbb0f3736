import ArgumentParser
import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// `rapport import team-members|products|accounts|opportunities FILE`: loading an existing sales
/// pipeline (see examples/maven-crm), with the options every import takes and a mapping file.
struct PipelineImportOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The CSV file.") var file: String
    @Option(name: .customLong("mapping-file"), help: "A mapping file (JSON: columns, currency, pipeline, value_maps, empty_values).") var mappingFile: String?
    @Option(name: .customLong("map"), help: "A column mapping \"Header=field\"; repeatable.") var maps: [String] = []
    @Option(help: "A saved mapping's name or id.") var mapping: String?
    @Option(name: .customLong("save-mapping"), help: "Save the mapping used under this name.") var saveMapping: String?
    @Option(help: "The currency of prices and amounts without a currency column (ISO 4217, e.g. USD).") var currency: String?
    @Option(help: "Opportunities: the pipeline (key) they run on; default: the first active one.") var pipeline: String?
    @Option(name: .customLong("email-domain"), help: "Team members: the domain of placeholder emails (default imported.invalid).") var emailDomain: String?
    @Option(name: .customLong("dictionary-template"),
            help: "Use this dictionary template (education or b2b) for the object types whose dictionary was never saved, before importing.")
    var dictionaryTemplate: String?
    @Flag(name: .customLong("dry-run"), help: "Check every row and report; write nothing.") var dryRun = false
    @Flag(name: .customLong("all-or-nothing"), help: "Import nothing when any row is bad.") var allOrNothing = false
    @Option(name: .customLong("as"), help: "Act as this user (email): their scope, ownership rules and audit trail.") var actAs: String?
    @Option(help: "Field delimiter: , (default), ; or tab.") var delimiter: String = ","
    @Flag(name: .customLong("allow-repeat"), help: "Import a file that was already imported completely.") var allowRepeat = false
    @Option(help: "Write the per-line error report (CSV) to this file.") var errors: String?

    /// A mapping file: what `examples/maven-crm/*-mapping.json` hold.
    struct MappingFile: Decodable {
        var object: String?
        var columns: [ImportColumn]?
        var emptyValues: [String]?
        var currency: String?
        var pipeline: String?
        var valueMaps: [String: [String: String]]?

        enum CodingKeys: String, CodingKey {
            case object, columns, currency, pipeline
            case emptyValues = "empty_values", valueMaps = "value_maps"
        }
    }

    func run(_ kind: PipelineImportKind) async throws {
        for map in maps where !map.contains("=") { throw ValidationError("--map takes \"Header=field\", e.g. \"deal_stage=stage\"") }
        let object = kind.rawValue
        let bytes = try ImportCommand.Customers.read(file)
        var given = MappingFile()
        if let mappingFile {
            do { given = try JSONDecoder().decode(MappingFile.self, from: Data(try ImportCommand.Customers.read(mappingFile))) } catch let error as ExitCode { throw error } catch {
                printError("error: \(mappingFile) is not a mapping file: \(error)")
                throw ExitCode(2)
            }
            if let declared = given.object, declared != object {
                printError("error: \(mappingFile) is a mapping for \(declared), not \(object)")
                throw ExitCode(2)
            }
        }
        var columns = given.columns
        if !maps.isEmpty {
            let explicit = try ImportCommand.Customers.columns(maps, bytes: bytes, delimiter: delimiter, object: object)
            let named = Set(maps.map { String($0.split(separator: "=", maxSplits: 1)[0]).trimmingWhitespace() })
            let listed = columns
            columns = (listed ?? []).filter { !named.contains($0.header) } + explicit.filter { named.contains($0.header) || listed == nil }
        }
        let options = ImportStore.Options(dryRun: dryRun, allOrNothing: allOrNothing, delimiter: delimiter, emptyValues: given.emptyValues,
                                          currency: currency ?? given.currency, pipeline: pipeline ?? given.pipeline, valueMaps: given.valueMaps,
                                          emailDomain: emailDomain)
        if let template = dictionaryTemplate {
            let actAs = self.actAs
            try await withRapport(database) { rapport in
                var caller = Caller.system("cli")
                if let actAs { caller = try await rapport.imports.caller(actingAs: actAs) }
                for (object, adopted) in try await rapport.dictionary.adoptTemplate(template, by: caller).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    printError(adopted ? "dictionary \(object.rawValue): the \(template) template saved" : "dictionary \(object.rawValue): already configured, kept")
                }
            }
        }
        let run = ImportCommand.Run(object: object, file: file, bytes: bytes, columns: columns, options: options, actAs: actAs, owner: nil,
                                    mapping: mapping, saveMapping: saveMapping, allowRepeat: allowRepeat, errors: errors)
        try await run.execute(database)
    }
}

extension ImportCommand {
    struct TeamMembers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team-members", abstract: "Import sales agents with their manager and regional office (users and teams).",
            discussion: """
            Regions become teams, each manager a team under the region, agents reps and managers managers of that team. \
            People are matched by email; one without gets a placeholder address (--email-domain). New users cannot sign \
            in until an administrator sets a password for them.
            """)
        @OptionGroup var options: PipelineImportOptions
        func run() async throws { try await options.run(.teamMembers) }
    }

    struct Products: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "products", abstract: "Import catalog products (name, SKU, category, list price in --currency).")
        @OptionGroup var options: PipelineImportOptions
        func run() async throws { try await options.run(.products) }
    }

    struct Accounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accounts", abstract: "Import accounts (company customers) with their parent company and option fields checked.")
        @OptionGroup var options: PipelineImportOptions
        func run() async throws { try await options.run(.accounts) }
    }

    struct Opportunities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "opportunities", abstract: "Import opportunities with their stage and historic dates (idempotent by external id).",
            discussion: """
            Owners by name or email, products by SKU or name, accounts by name, stages through value_maps.stage of the \
            mapping file onto --pipeline's stages. Created at created_at, closed at closed_at, with a stage history to match.
            """)
        @OptionGroup var options: PipelineImportOptions
        func run() async throws { try await options.run(.opportunities) }
    }
}
