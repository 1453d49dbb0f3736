import Foundation
@testable import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Importing an existing pipeline (team members, products, accounts, opportunities): matching
/// rules, the Maven CRM sample end to end with its traps reported, re-imports that create nothing,
/// and bad rows rejected with their lines.
@Suite struct PipelineImportTests {
    static let dataset = LeadImportTests.root.appendingPathComponent("../shared/datasets/crm_sales_opportunities").standardizedFileURL

    static func file(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: dataset.appendingPathComponent(name).path) else {
            throw RapportError(.notFound, "dataset not found at \(dataset.path): the tests expect shared/ beside the repository clone")
        }
        return [UInt8](data)
    }

    /// A shipped mapping of examples/maven-crm.
    struct MappingFile: Decodable {
        var object: String
        var columns: [ImportColumn]
        var currency: String?
        var pipeline: String?
        var value_maps: [String: [String: String]]?
    }

    static func mapping(_ name: String) throws -> MappingFile {
        try JSONDecoder().decode(MappingFile.self, from: Data(contentsOf: LeadImportTests.root.appendingPathComponent("examples/maven-crm/\(name)")))
    }

    /// Starts and runs one import of a shipped file with its shipped mapping.
    static func load(_ harness: TestHarness, _ file: String, _ mappingName: String, by caller: Caller, allowRepeat: Bool = false,
                     emailDomain: String? = "maven.invalid") async throws -> ImportStore.Record {
        let mapping = try Self.mapping(mappingName)
        let options = ImportStore.Options(currency: mapping.currency, pipeline: mapping.pipeline, valueMaps: mapping.value_maps, emailDomain: emailDomain)
        let started = try await harness.rapport.imports.start(
            .init(object: mapping.object, fileName: file, bytes: try Self.file(file), columns: mapping.columns, options: options, allowRepeat: allowRepeat), by: caller)
        return try #require(try await harness.rapport.imports.run(started.id, worker: "test", batchSize: ImportUseCases.bulkBatchSize))
    }

    static func number(_ harness: TestHarness, _ query: String) async throws -> Int64 {
        try await harness.rapport.database.read { sql in
            try await sql.raw(SQLQueryString(query)).first()?.decode(column: "n", as: Int64?.self) ?? 0
        }
    }

    static func warning(_ record: ImportStore.Record, _ code: String) -> ImportWarning? { record.warnings.first { $0.code == code } }

    @Test func namesMatchIgnoringCaseSpacesAndPunctuationAndTyposAreNear() throws {
        #expect(ImportMatchKey.normalised("GTXPro") == ImportMatchKey.normalised("GTX Pro") && ImportMatchKey.normalised("Gekko & Co") == "gekkoco")
        #expect(ImportMatchKey.closest("technolgy", among: ["retail", "technology", "telecommunications"]) == "technology")
        #expect(ImportMatchKey.closest("medical", among: ["retail", "technology"]) == nil && ImportMatchKey.closest("abc", among: ["abd"]) == nil)
        #expect(PipelineRowReader.minorUnits("1,054.5") == 105_450 && PipelineRowReader.minorUnits("0") == 0 && PipelineRowReader.minorUnits("1e3") == nil)
        #expect(PipelineRowReader.minorUnits("0.005") == 1 && PipelineRowReader.minorUnits("12.3x") == nil)
        #expect(PipelineRowReader.scaled("1100.04", byPowerOfTen: 6) == "1100040000")
        #expect(PipelineRowReader.date("2017-03-01")?.at == Date(timeIntervalSince1970: 1_488_326_400) && PipelineRowReader.date("2017-02-30") == nil)
        #expect(PipelineRowReader.slug("Mei-Mei Johns", separator: ".") == "mei.mei.johns" && ProductImportBatch.sku(from: "GTX Plus Pro") == "GTX-PLUS-PRO")
        #expect(PipelineImportKind.opportunities.suggest(headers: ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
                                                                   "close_date", "close_value"]).map(\.field)
                == ["external_id", "owner", "product", "account", "stage", "created_at", "closed_at", "amount"])
        #expect(PipelineImportKind.accounts.suggest(headers: ["account", "sector", "subsidiary_of"], customFieldKeys: []).map(\.field) == ["name", "ignore", "parent"])
        var merged = [ImportWarning(code: "a", subject: "x", message: "m", count: 2, firstLine: 9)]
        ImportWarning.merge([ImportWarning(code: "a", subject: "x", message: "m", firstLine: 3), ImportWarning(code: "a", subject: "y", message: "m", firstLine: 4)], into: &merged)
        #expect(merged.map(\.count) == [3, 1] && merged[0].firstLine == 3)
    }

    @Test(arguments: TestBackend.available)
    func theMavenSampleImportsWithItsTrapsReportedAndAgainCreatesNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let adopted = try await harness.rapport.dictionary.adoptTemplate("b2b", by: admin.caller)
            #expect(adopted[.customer] == true && adopted[.opportunity] == true)

            let teams = try await Self.load(harness, "sales_teams.csv", "sales-teams-mapping.json", by: admin.caller)
            #expect(teams.status == .completed && teams.counters.created == 35 && teams.counters.errors == 0)
            #expect(Self.warning(teams, "managers_created")?.count == 6 && Self.warning(teams, "sign_in_disabled")?.count == 41)
            let products = try await Self.load(harness, "products.csv", "products-mapping.json", by: admin.caller)
            #expect(products.status == .completed && products.counters.created == 7 && products.counters.errors == 0)
            let accounts = try await Self.load(harness, "accounts.csv", "accounts-mapping.json", by: admin.caller)
            #expect(accounts.status == .completed && accounts.counters.created == 85 && accounts.counters.errors == 0)
            let typo = try #require(Self.warning(accounts, "option_corrected"))
            #expect(typo.subject == "technolgy → technology" && typo.count == 12 && typo.firstLine == 2)
            #expect(Self.warning(accounts, "unknown_option") == nil && Self.warning(accounts, "unknown_parent") == nil)
            let deals = try await Self.load(harness, "sales_pipeline.csv", "sales-pipeline-mapping.json", by: admin.caller)
            #expect(deals.status == .completed && deals.counters.created == 8_800 && deals.counters.errors == 0)
            let fuzzy = try #require(Self.warning(deals, "fuzzy_match"))
            #expect(fuzzy.subject == "GTXPro → GTX Pro" && fuzzy.count == 1_480)
            #expect(Self.warning(deals, "no_account")?.count == 1_425 && Self.warning(deals, "loss_reason_missing")?.count == 2_473)
            #expect(Self.warning(deals, "no_created_date")?.count == 500)
            #expect(deals.warnings.filter { $0.code == "amount_from_list_price" }.map(\.count).reduce(0, +) == 2_089 + 2_473)

            // The people and teams: 35 reps and 6 managers who cannot sign in yet; regions over managers' teams.
            #expect(try await Self.number(harness, "SELECT count(*) AS n FROM users WHERE role = 'rep' AND password_hash IS NULL AND email LIKE '%@maven.invalid'") == 35)
            #expect(try await Self.number(harness, "SELECT count(*) AS n FROM users WHERE role = 'manager' AND password_hash IS NULL") == 6)
            #expect(try await Self.number(harness, "SELECT count(*) AS n FROM teams WHERE parent_id IS NULL") == 3)
            #expect(try await Self.number(harness, "SELECT count(*) AS n FROM teams WHERE parent_id IS NOT NULL") == 6)
            let moses = try await harness.rapport.users.find(email: "moses.frase@maven.invalid", by: admin.caller)
            let central = try #require(try await harness.rapport.database.read { sql in try await TeamStore(sql).find(key: "t-central-dustin-brinkmann") })
            #expect(moses.teamID == central.id)
            // Products, accounts with their sector, revenue and parent.
            let gtxPro = try #require(try await harness.rapport.database.read { sql in try await ProductStore(sql).find(sku: "GTX-PRO") })
            #expect(gtxPro.name == "GTX Pro" && gtxPro.category == "GTX" && gtxPro.listPrices == ["USD": 482_100])
            #expect(try await Self.number(harness, "SELECT count(*) AS n FROM customers WHERE kind = 'organisation'") == 85)
            let named = try await harness.rapport.database.read { sql in try await AccountImportBatch.accounts(named: ["Bluth Company", "Acme Corporation"], sql) }
            let bluth = try #require(try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(named["bluth company"]!) })
            let acme = try #require(try await harness.rapport.database.read { sql in try await CustomerStore(sql).find(named["acme corporation"]!) })
            #expect(bluth.kind == .organisation && bluth.externalRef == "Bluth Company" && acme.name == "Acme Corporation")
            #expect(bluth.customFields["industry"] == .string("technology") && bluth.customFields["parent_account"] == .string(acme.id.rawValue))
            #expect(bluth.customFields["annual_revenue"] == .object(["amount_minor": .integer(124_232_000_000), "currency": .string("USD")]))
            #expect(bluth.customFields["founded_year"] == .integer(1993) && bluth.customFields["employees"] == .integer(3027))

            // The pipeline: won, lost and open as in the file; revenue; historic dates and history.
            let figures: [String: String] = [
                "won": "SELECT count(*) AS n FROM opportunities WHERE status_category = 'won'",
                "lost": "SELECT count(*) AS n FROM opportunities WHERE status_category = 'lost'",
                "engaging": "SELECT count(*) AS n FROM opportunities WHERE stage = 'engaging'",
                "prospecting": "SELECT count(*) AS n FROM opportunities WHERE stage = 'prospecting'",
                "revenue": "SELECT CAST(sum(amount_minor) AS BIGINT) AS n FROM opportunities WHERE status_category = 'won'",
                "no_customer": "SELECT count(*) AS n FROM opportunities WHERE customer_id IS NULL",
                "history": "SELECT count(*) AS n FROM stage_history WHERE object = 'opportunity'",
                "gtx_pro": "SELECT count(*) AS n FROM opportunity_lines WHERE sku = 'GTX-PRO'",
            ]
            var counted: [String: Int64] = [:]
            for (name, query) in figures { counted[name] = try await Self.number(harness, query) }
            #expect(counted == ["won": 4_238, "lost": 2_473, "engaging": 1_589, "prospecting": 500, "revenue": 1_000_553_400, "no_customer": 1_425,
                                "history": 2 * (4_238 + 2_473) + 2_089, "gtx_pro": 1_480 + 0])
            let listed = try await harness.rapport.opportunities.list(.init(status: "won"), page: PageRequest(limit: 1), by: admin.caller)
            #expect(listed.items.count == 1)
            let first = try #require(try await harness.rapport.database.read { sql in
                try await OpportunityStore(sql).ids(externalRefs: ["1C1I7A6R"])["1C1I7A6R"]
            })
            let deal = try await harness.rapport.opportunities.get(first.rawValue, by: admin.caller).opportunity
            let day = { (text: String) in PipelineRowReader.date(text)!.at }
            #expect(deal.stage == "won" && deal.createdAt == day("2016-10-20") && deal.closedAt == day("2017-03-01") && deal.stageEnteredAt == day("2017-03-01"))
            #expect(deal.amount == Money(105_400, "USD") && deal.lines == [OpportunityLine(sku: "GTX-PLUS-BASIC", quantity: 1, unitPrice: Money(105_400, "USD"))])
            #expect(deal.ownerID == moses.id && deal.teamID == central.id && deal.customerID != nil && deal.externalRef == "1C1I7A6R")
            let history = try await harness.rapport.opportunities.history(first.rawValue, by: admin.caller)
            #expect(history.map(\.to) == ["prospecting", "won"] && history.map(\.at) == [day("2016-10-20"), day("2017-03-01")])

            // Everything again: matched, nothing created, nothing changed.
            let again = [
                try await Self.load(harness, "sales_teams.csv", "sales-teams-mapping.json", by: admin.caller, allowRepeat: true),
                try await Self.load(harness, "products.csv", "products-mapping.json", by: admin.caller, allowRepeat: true),
                try await Self.load(harness, "accounts.csv", "accounts-mapping.json", by: admin.caller, allowRepeat: true),
                try await Self.load(harness, "sales_pipeline.csv", "sales-pipeline-mapping.json", by: admin.caller, allowRepeat: true),
            ]
            #expect(again.map(\.counters.created) == [0, 0, 0, 0] && again.map(\.counters.merged) == [35, 7, 85, 8_800] && again.map(\.counters.errors) == [0, 0, 0, 0])
            let opportunityCount = try await harness.count("opportunities"), productCount = try await harness.count("products")
            #expect(opportunityCount == 8_800 && productCount == 7)
            let customerCount = try await Self.number(harness, "SELECT count(*) AS n FROM customers")
            let userCount = try await Self.number(harness, "SELECT count(*) AS n FROM users")
            let historyCount = try await Self.number(harness, figures["history"]!)
            #expect(customerCount == 85 && userCount == 42 && historyCount == counted["history"])
        }
    }

    @Test(arguments: TestBackend.available)
    func badRowsAreRejectedByLineAndADryRunWritesNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            _ = try await harness.rapport.dictionary.adoptTemplate("b2b", by: admin.caller)
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team, email: "ray@example.com")
            _ = try await harness.rapport.products.create(.init(sku: "GTX-PRO", name: "GTX Pro", prices: [.init(currency: "USD", amountMinor: 482_100)]), by: admin.caller)
            let account = try await harness.rapport.customers.create(CustomerInput(kind: "organisation", name: "Acme Corporation"), by: admin.caller).0
            let csv = """
                id,agent,product,account,stage,engaged,closed,value
                A1,ray@example.com,gtx-pro,Acme Corporation,Won,2017-01-02,2017-02-03,"4,500"
                A2,Nobody Here,GTX Pro,,Engaging,2017-01-02,,
                A3,ray@example.com,GTX Ultra,,Engaging,2017-01-02,,
                A4,ray@example.com,GTX Pro,,Negotiating,2017-01-02,,
                A5,ray@example.com,GTX Pro,,Lost,2017-01-02,2017-01-20,0
                A6,ray@example.com,GTX Pro,Initech,Engaging,2017-01-02,,
                A1,ray@example.com,GTX Pro,,Prospecting,,,
                A7,ray@example.com,GTX Pro,,Won,2017-03-02,2017-02-03,10
                A8,ray@example.com,GTX Pro,,prospecting,,,
                """
            let columns: [ImportColumn] = [
                .init(header: "id", field: "external_id"), .init(header: "agent", field: "owner"), .init(header: "product", field: "product"),
                .init(header: "account", field: "account"), .init(header: "stage", field: "stage"), .init(header: "engaged", field: "created_at"),
                .init(header: "closed", field: "closed_at"), .init(header: "value", field: "amount"),
            ]
            // A value map to a stage the pipeline lacks, and a missing required column, are refused up front.
            let badMap = try await #require(throws: RapportError.self) {
                try await harness.rapport.imports.start(.init(object: "opportunities", fileName: "d.csv", bytes: Array(csv.utf8), columns: columns,
                                                              options: .init(valueMaps: ["stage": ["Won": "closed_won"]])), by: admin.caller)
            }
            #expect(badMap.fieldErrors.map(\.field) == ["value_maps.stage"])
            let noOwner = try await #require(throws: RapportError.self) {
                try await harness.rapport.imports.start(.init(object: "opportunities", fileName: "d.csv", bytes: Array(csv.utf8), columns: Array(columns.dropFirst(2))),
                                                        by: admin.caller)
            }
            #expect(Set(noOwner.fieldErrors.map(\.message)) == ["One column must map to external_id.", "One column must map to owner."])
            // Reps do not import the catalog or the team.
            let forbidden = try await #require(throws: RapportError.self) {
                try await harness.rapport.imports.start(.init(object: "products", fileName: "p.csv", bytes: Array("product\nX\n".utf8)), by: rep.caller)
            }
            #expect(forbidden.code == .forbidden)

            let options = ImportStore.Options(dryRun: true, currency: "usd")
            let dry = try await harness.rapport.imports.start(.init(object: "opportunities", fileName: "d.csv", bytes: Array(csv.utf8), columns: columns,
                                                                    options: options), by: admin.caller)
            let checked = try #require(try await harness.rapport.imports.run(dry.id, worker: "test"))
            #expect(checked.status == .validated && checked.counters.created == 3 && checked.counters.errors == 6)
            #expect(try await harness.count("opportunities") == 0)
            let errors = try await harness.rapport.imports.errors(dry.id.rawValue, page: PageRequest(), by: admin.caller).items
            #expect(Dictionary(errors.map { ($0.line, "\($0.field):\($0.code)") }, uniquingKeysWith: { "\($0),\($1)" }) == [
                3: "agent:invalid", 4: "product:invalid", 5: "stage:invalid", 7: "account:invalid", 8: "id:duplicate", 9: "closed:invalid",
            ])
            let committed = try await harness.rapport.imports.commit(dry.id.rawValue, by: admin.caller)
            let done = try #require(try await harness.rapport.imports.run(committed.id, worker: "test"))
            #expect(done.status == .completed && done.counters.created == 3 && done.counters.errors == 6)
            #expect(Self.warning(done, "fuzzy_match")?.subject == "gtx-pro → GTX Pro" && Self.warning(done, "no_account")?.count == 2)
            let won = try #require(try await harness.rapport.opportunities.list(.init(status: "won"), page: PageRequest(), by: admin.caller).items.first)
            #expect(won.opportunity.customerID == account.id && won.opportunity.amount == Money(450_000, "USD") && won.opportunity.ownerID == rep.user.id)
            #expect(won.opportunity.teamID == team.id)
            let lost = try #require(try await harness.rapport.opportunities.list(.init(status: "lost"), page: PageRequest(), by: admin.caller).items.first)
            #expect(lost.opportunity.lossReason == "other" && lost.opportunity.amount == Money(482_100, "USD") && lost.opportunity.customerID == nil)
        }
    }
}
