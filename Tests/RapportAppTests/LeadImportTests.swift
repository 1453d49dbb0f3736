import Foundation
@testable import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import SQLKit
import Testing

/// Lead imports: the row mapper, dedup as the API does, and the X Education file end to end.
@Suite struct LeadImportTests {
    /// The repository's root (Tests/RapportAppTests/<file> is two folders down).
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Leads.csv` beside the clone (`../shared/datasets/…`); a missing file fails the test.
    static func leadsCSV() throws -> [UInt8] {
        let url = root.appendingPathComponent("../shared/datasets/lead_scoring_x_education/Leads.csv").standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw RapportError(.notFound, "dataset not found at \(url.path): the tests expect shared/ beside the repository clone")
        }
        return [UInt8](data)
    }

    /// The shipped mapping, `examples/x-education/leads-mapping.json`.
    struct MappingFile: Decodable {
        var columns: [ImportColumn]
        var name_template: String
        var empty_values: [String]
    }

    static func shippedMapping() throws -> MappingFile {
        let data = try Data(contentsOf: root.appendingPathComponent("examples/x-education/leads-mapping.json"))
        return try JSONDecoder().decode(MappingFile.self, from: data)
    }

    static func leadDictionary() -> ObjectDictionary { BusinessDictionary.education[.lead]! }

    @Test func theMapperEmptiesSelectNamesByTemplateAndTurnsSourcesIntoChannels() throws {
        let header = ["Prospect ID", "Lead Number", "Lead Source", "Converted", "City", "Country", "Score", "Status"]
        let columns: [ImportColumn] = [
            .init(header: "Prospect ID", field: "external_id"), .init(header: "Lead Source", field: "source"), .init(header: "Converted", field: "converted"),
            .init(header: "City", field: "region"), .init(header: "Country", field: "region"), .init(header: "Score", field: "score"),
            .init(header: "Status", field: "status"),
        ]
        let mapper = try LeadRowMapper(columns: columns, header: header, dictionary: Self.leadDictionary(), users: [:],
                                       options: .init(nameTemplate: "Lead {Lead Number}", emptyValues: ["Select"]))
        let row = mapper.row(["p-1", "660737", "Olark Chat", "1", "Select", "India", "12.6", "联系中"])
        #expect(row.input.name == "Lead 660737" && row.input.externalID == .some("p-1") && row.converted)
        #expect(row.input.source == .some("olark_chat") && row.sourceLabel == "Olark Chat")
        #expect(row.input.region == .some("India") && row.input.score == .some(13) && row.input.status == "contacting" && row.errors.isEmpty)
        let both = mapper.row(["p-2", "1", "google", "0", "Mumbai", "India", "", "select"])
        #expect(both.input.region == .some("Mumbai, India") && both.input.source == .some("google") && !both.converted && both.input.status == nil)
        let bad = mapper.row(["p-3", "", "--", "maybe", "", "", "many", "closed"])
        #expect(Set(bad.errors.map(\.field)) == ["Lead Source", "Converted", "Score", "Status"] && bad.input.name == nil)
        // Without the empty value, "Select" is a value like any other.
        let plain = try LeadRowMapper(columns: columns, header: header, dictionary: Self.leadDictionary(), users: [:], options: .init(nameTemplate: "Lead {Lead Number}"))
        #expect(plain.row(["p-1", "1", "Google", "0", "Select", "", "", ""]).input.region == .some("Select"))
        // A template naming a column the file lacks is refused.
        #expect(throws: RapportError.self) {
            try LeadRowMapper(columns: columns, header: header, dictionary: Self.leadDictionary(), users: [:], options: .init(nameTemplate: "Lead {Number}"))
        }
        #expect(LeadSource.channelKey("Direct Traffic") == "direct_traffic" && LeadSource.channelKey("welearnblog_Home") == "welearnblog_home")
        #expect(LeadSource.channelKey("Pay per Click Ads") == "pay_per_click_ads" && LeadSource.channelKey(" - ") == nil)
        // The guessed mapping knows the file's headers.
        #expect(LeadImportFields.suggest(headers: ["Prospect ID", "Lead Source", "Lead Origin", "Country", "City", "Tags"]).map(\.field)
                == ["external_id", "source", "campaign", "region", "region", "ignore"])
    }

    static func pool(_ harness: TestHarness, key: String = "default") async throws -> Pool {
        try await harness.rapport.pools.create(.init(key: key, name: key, object: "lead"), by: harness.system)
    }

    static func start(_ harness: TestHarness, _ caller: Caller, _ text: String, columns: [ImportColumn]? = nil,
                      options: ImportStore.Options = .init(), allowRepeat: Bool = false) async throws -> ImportStore.Record {
        try await harness.rapport.imports.start(.init(object: "leads", fileName: "leads.csv", bytes: Array(text.utf8), columns: columns, options: options,
                                                      allowRepeat: allowRepeat), by: caller)
    }

    @Test(arguments: TestBackend.available)
    func leadsAreDeduplicatedAsTheAPIDoesAndOwnedOrPooledAsAsked(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let pool = try await Self.pool(harness)
            let other = try await Self.pool(harness, key: "events")
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep)
            _ = try await harness.rapport.leads.create(LeadInput(name: "Known lead", phone: .some("13800138000")), by: rep.caller)
            _ = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Known customer", contacts: [.init(kind: "email", value: "c@example.com")]),
                                                           by: rep.caller)
            let file = """
                Name,Mobile,Email,Source,Owner,Status,Invalid
                A,138 0013 8000,,Web Form,,,
                B,,c@example.com,web form,,,
                C,13900139000,,WEB_FORM,\(rep.user.email),contacting,
                D,13900139000,,ads,,,
                E,,,ads,,,
                F,13700137000,,ads,,invalid,
                G,13600136000,,ads,nobody@example.com,,

                """
            let columns: [ImportColumn] = [.init(header: "Name", field: "name"), .init(header: "Mobile", field: "phone"), .init(header: "Email", field: "email"),
                                           .init(header: "Source", field: "source"), .init(header: "Owner", field: "owner"), .init(header: "Status", field: "status")]
            // Block: every match is a row error; the dry run writes nothing and notes the ignored column.
            let blocked = try await Self.start(harness, admin.caller, file, columns: columns, options: .init(dryRun: true, policy: .block, pool: "events"))
            let checked = try #require(try await harness.rapport.imports.run(blocked.id, worker: "test"))
            #expect(checked.status == .validated && checked.counters.created == 1 && checked.counters.errors == 6)
            #expect(ImportUseCases.ignoredColumns(checked) == [] && checked.columns.count == 6)
            let errors = try await harness.rapport.imports.errors(checked.id.rawValue, page: PageRequest(), by: admin.caller).items
            #expect(Set(errors.map(\.line)) == [2, 3, 5, 6, 7, 8] && errors.filter { $0.code == "duplicate" }.count == 3)
            #expect(errors.contains { $0.line == 6 && $0.field == "Mobile" && $0.code == "required" } && errors.contains { $0.line == 8 && $0.field == "Owner" })
            #expect(try await harness.count("leads") == 1)

            // Merge (the default): A folds into the known lead, D into C; B only matches a customer: created, flagged.
            let merged = try await Self.start(harness, admin.caller, file, columns: columns, options: .init(pool: other.id.rawValue))
            let done = try #require(try await harness.rapport.imports.run(merged.id, worker: "test"))
            #expect(done.status == .completed && done.counters.created == 2 && done.counters.merged == 2 && done.counters.flagged == 1 && done.counters.errors == 3)
            let leads = try await harness.rapport.leads.list(.init(), page: PageRequest(), by: admin.caller).items
            #expect(Set(leads.map(\.name)) == ["Known lead", "B", "C"])
            let c = try #require(leads.first { $0.name == "C" })
            #expect(c.ownerID == rep.user.id && c.status == "contacting" && c.source == "web_form" && c.poolID == other.id)
            let b = try #require(leads.first { $0.name == "B" })
            #expect(b.ownerID == nil && b.poolID == other.id && b.source == "web_form")
            #expect(try await harness.rapport.database.read { sql in try await LeadStore(sql).sourceLabels() } == ["web_form": "Web Form", "ads": "ads"])
            let log = try await harness.rapport.leads.assignments(c.id.rawValue, by: admin.caller)
            #expect(log.map(\.kind) == [.create] && log.first?.to == rep.user.id)

            // A rep owns what they import (as what they create), in the default pool.
            let own = try await Self.start(harness, rep.caller, "Name,Mobile\nH,13500135000\n", columns: Array(columns.prefix(2)))
            #expect(try await harness.rapport.imports.run(own.id, worker: "test")?.counters.created == 1)
            let h = try #require(try await harness.rapport.leads.list(.init(q: "H"), page: PageRequest(), by: rep.caller).items.first)
            #expect(h.ownerID == rep.user.id && h.poolID == pool.id)
        }
    }

    @Test(arguments: TestBackend.available)
    func aSavedLeadMappingKeepsItsNameTemplateAndEmptyValues(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let imports = harness.rapport.imports
            let columns: [ImportColumn] = [.init(header: "Prospect ID", field: "external_id"), .init(header: "City", field: "region")]
            // Without a name column, a lead mapping needs a template: a malformed one is refused.
            let bad = try await #require(throws: RapportError.self) {
                try await imports.saveMapping(name: "x", columns: columns, object: "leads", options: .init(nameTemplate: "Lead {"), by: admin.caller)
            }
            #expect(bad.fieldErrors.map(\.field) == ["name_template"])
            let saved = try await imports.saveMapping(name: "x-education", columns: columns, object: "leads",
                                                      options: .init(nameTemplate: "Lead {Lead Number}", emptyValues: ["Select"]), by: admin.caller)
            #expect(try await imports.mappings(object: "leads", by: admin.caller).map(\.options) == [saved.options])
            #expect(try await imports.mappings(by: admin.caller).isEmpty)
            let text = "Prospect ID,Lead Number,City\np-1,7,Select\np-2,8,Mumbai\n"
            let started = try await imports.start(.init(object: "leads", fileName: "x.csv", bytes: Array(text.utf8), mappingID: saved.id.rawValue), by: admin.caller)
            #expect(started.options.nameTemplate == "Lead {Lead Number}" && started.options.emptyValues == ["Select"])
            #expect(try await imports.run(started.id, worker: "test")?.counters.created == 2)
            let leads = try await harness.rapport.leads.list(.init(), page: PageRequest(), by: admin.caller).items
            #expect(Set(leads.map(\.name)) == ["Lead 7", "Lead 8"] && Set(leads.map(\.region)) == [nil, "Mumbai"])
        }
    }

    @Test(arguments: TestBackend.available)
    func theXEducationFileImportsEndToEndAndAgainCreatesNothing(_ backend: TestBackend) async throws {
        let bytes = try Self.leadsCSV()
        let mapping = try Self.shippedMapping()
        try await TestHarness.with(backend) { harness in
            let pool = try await Self.pool(harness)
            let admin = try await harness.signedIn(.admin)
            let options = ImportStore.Options(nameTemplate: mapping.name_template, emptyValues: mapping.empty_values)
            let request = ImportUseCases.NewImport(object: "leads", fileName: "Leads.csv", bytes: bytes, columns: mapping.columns, options: options)
            let started = try await harness.rapport.imports.start(request, by: admin.caller)
            #expect(ImportUseCases.ignoredColumns(started).contains("Tags") && ImportUseCases.ignoredColumns(started).contains("Lead Quality"))
            let done = try #require(try await harness.rapport.imports.run(started.id, worker: "test", batchSize: ImportUseCases.bulkBatchSize))
            #expect(done.status == .completed && done.counters.processed == 9_240 && done.counters.created == 9_240 && done.counters.errors == 0)

            let figures = try await harness.rapport.database.read { sql -> [String: Int64] in
                var figures: [String: Int64] = [:]
                let queries: [String: String] = [
                    "leads": "SELECT count(*) AS n FROM leads",
                    "converted": "SELECT count(*) AS n FROM leads WHERE status = 'converted' AND status_category = 'won' AND converted_customer_id IS NULL AND converted_at IS NOT NULL",
                    "pooled": "SELECT count(*) AS n FROM leads WHERE owner_id IS NULL AND pool_id = '\(pool.id.rawValue)'",
                    "google": "SELECT count(*) AS n FROM leads WHERE source = 'google'",
                    "olark_chat": "SELECT count(*) AS n FROM leads WHERE source = 'olark_chat'",
                    "direct_traffic": "SELECT count(*) AS n FROM leads WHERE source = 'direct_traffic'",
                    "no_source": "SELECT count(*) AS n FROM leads WHERE source IS NULL",
                    "select": "SELECT count(*) AS n FROM leads WHERE region LIKE '%Select%' OR campaign = 'Select'",
                    "mumbai": "SELECT count(*) AS n FROM leads WHERE region = 'Mumbai, India'",
                    "named": "SELECT count(*) AS n FROM leads WHERE name = 'Lead 660737' AND external_id = '7927b2df-8bba-4d29-b9a2-b6e0beafe620'",
                    "external": "SELECT count(DISTINCT external_id) AS n FROM leads",
                    "history": "SELECT count(*) AS n FROM stage_history WHERE object = 'lead' AND to_stage = 'converted'",
                    "customers": "SELECT count(*) AS n FROM customers",
                ]
                for (name, query) in queries { figures[name] = try await sql.raw(SQLQueryString(query)).first()?.decode(column: "n", as: Int64.self) }
                return figures
            }
            #expect(figures["leads"] == 9_240 && figures["converted"] == 3_561 && figures["pooled"] == 9_240 && figures["external"] == 9_240)
            #expect(figures["google"] == 2_873 && figures["olark_chat"] == 1_755 && figures["direct_traffic"] == 2_543 && figures["no_source"] == 36)
            #expect(figures["select"] == 0 && figures["named"] == 1 && figures["history"] == 3_561 && figures["customers"] == 0)
            #expect(figures["mumbai"] == 2_918)
            let labels = try await harness.rapport.database.read { sql in try await LeadStore(sql).sourceLabels() }
            #expect(labels["google"] == "Google" && labels["olark_chat"] == "Olark Chat" && labels.count == 20)

            // A historic conversion has no customer, and cannot be converted again.
            let historic = try #require(try await harness.rapport.leads.list(.init(status: "converted"), page: PageRequest(limit: 1), by: admin.caller).items.first)
            let twice = try await #require(throws: RapportError.self) { try await harness.rapport.leads.convert(historic.id.rawValue, by: admin.caller) }
            #expect(twice.code == .conflict && twice.extra["customer_id"] == nil && historic.convertedCustomerID == nil)

            // The same file again is refused; forced, every row matches its lead by external id and nothing is created.
            let again = try await #require(throws: RapportError.self) { try await harness.rapport.imports.start(request, by: admin.caller) }
            #expect(again.code == .conflict)
            var forced = request
            forced.allowRepeat = true
            let second = try await harness.rapport.imports.start(forced, by: admin.caller)
            let repeated = try #require(try await harness.rapport.imports.run(second.id, worker: "test", batchSize: ImportUseCases.bulkBatchSize))
            #expect(repeated.status == .completed && repeated.counters.created == 0 && repeated.counters.merged == 9_240 && repeated.counters.errors == 0)
            #expect(try await harness.count("leads") == 9_240)

            // The funnel by source reads the imported history.
            let funnel = try await harness.rapport.leadAnalytics.funnel(.init(from: "2026-01-01", to: "2026-01-31", groupBy: "source"), by: admin.caller)
            #expect(funnel.total.created == 9_240 && funnel.funnel.converted(funnel.total) == 3_561)
            let google = try #require(funnel.rows.first { $0.key.source == "google" })
            #expect(google.counts.created == 2_873)
        }
    }
}
