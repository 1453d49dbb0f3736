import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Customer imports: mapping, dedup, per-line errors, all-or-nothing, dry runs, resuming.
@Suite struct ImportTests {
    struct Crash: Error {}

    static let file = """
        姓名,手机,邮箱,公司,标签,Grade,External ID
        张三,138 0013 8000,zhang@example.com,Acme,vip;math,primary_3,E1
        李四,+852 5123 4567,li@example.com,,,,E2
        Bad Phone,12,bad,,,,E3
        "Quote, Inc",13900139000,"q@example.com",Quote Co,,,E4
        张三 again,13800138000,,,new,,E5
        No Contact,,,,,,E6
        Bad Grade,13700137000,,,,grade_99,E7

        """

    static func start(_ harness: TestHarness, _ caller: Caller, _ text: String = file, options: ImportStore.Options = .init(),
                      columns: [ImportColumn]? = nil, allowRepeat: Bool = false) async throws -> ImportStore.Record {
        try await harness.rapport.imports.start(
            .init(fileName: "customers.csv", bytes: Array(text.utf8), columns: columns ?? mapping, options: options, allowRepeat: allowRepeat), by: caller)
    }

    static let mapping: [ImportColumn] = [
        .init(header: "姓名", field: "name"), .init(header: "手机", field: "phone"), .init(header: "邮箱", field: "email"),
        .init(header: "公司", field: "company"), .init(header: "标签", field: "tags"), .init(header: "Grade", field: "custom_fields.grade"),
        .init(header: "External ID", field: "external_ref"),
    ]

    @Test(arguments: TestBackend.available)
    func goodRowsImportBadRowsAreReportedByLineAndRepeatsCreateNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let started = try await Self.start(harness, rep.caller)
            #expect(started.status == .pending)
            let done = try #require(try await harness.rapport.imports.run(started.id, worker: "test"))
            #expect(done.status == .completed)
            #expect(done.counters.processed == 7 && done.counters.created == 4 && done.counters.merged == 1 && done.counters.errors == 2)
            let errors = try await harness.rapport.imports.errors(done.id.rawValue, page: PageRequest(), by: rep.caller).items
            #expect(Set(errors.map { "\($0.line):\($0.field):\($0.code)" }) == ["4:手机:too_short", "4:邮箱:invalid", "8:Grade:invalid"])
            let report = try await harness.rapport.imports.errorReport(done.id.rawValue, by: rep.caller)
            #expect(report.hasPrefix("line,column,code,message\r\n4,手机,too_short,"))
            let listed = try await harness.rapport.customers.list(.init(), page: PageRequest(), by: rep.caller).items
            #expect(Set(listed.map(\.name)) == ["张三", "李四", "Quote, Inc", "No Contact"])
            let zhang = try #require(listed.first { $0.name == "张三" })
            #expect(zhang.tags == ["math", "new", "vip"] && zhang.ownerID == rep.user.id && zhang.customFields["grade"] == .string("primary_3"))
            #expect(try await harness.count("stage_history") == 4)

            // The same file again: refused as a whole.
            let again = try await #require(throws: RapportError.self) { try await Self.start(harness, rep.caller) }
            #expect(again.code == .conflict && again.extra["import_id"] == done.id.rawValue)
            // Forced, every row matches (by phone, email or external reference): nothing new.
            let forced = try await Self.start(harness, rep.caller, allowRepeat: true)
            let second = try #require(try await harness.rapport.imports.run(forced.id, worker: "test"))
            #expect(second.counters.created == 0 && second.counters.merged == 5)
            #expect(try await harness.count("customers") == 4)
        }
    }

    @Test(arguments: TestBackend.available)
    func allOrNothingAndDryRunsWriteNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            let strict = try await Self.start(harness, admin.caller, options: .init(allOrNothing: true))
            let failed = try #require(try await harness.rapport.imports.run(strict.id, worker: "test"))
            #expect(failed.status == .failed && failed.counters.errors == 2 && failed.failure?.contains("nothing was imported") == true)
            #expect(try await harness.count("customers") == 0)

            let dry = try await Self.start(harness, admin.caller, options: .init(dryRun: true))
            let validated = try #require(try await harness.rapport.imports.run(dry.id, worker: "test"))
            #expect(validated.status == .validated && validated.counters.created == 4 && validated.counters.merged == 1 && validated.counters.errors == 2)
            #expect(try await harness.count("customers") == 0)
            // Committing the dry run imports the same file for real.
            let committed = try await harness.rapport.imports.commit(dry.id.rawValue, by: admin.caller)
            #expect(committed.status == .pending)
            #expect(try await harness.rapport.imports.runPending(worker: "test") == 1)
            let done = try await harness.rapport.imports.get(dry.id.rawValue, by: admin.caller)
            #expect(done.status == .completed && done.counters.created == 4)
            #expect(try await harness.count("customers") == 4)
        }
    }

    @Test(arguments: TestBackend.available)
    func anInterruptedImportResumesWhereItStopped(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let admin = try await harness.signedIn(.admin)
            var text = "name,phone\n"
            for index in 0..<10_000 { text += "Customer \(index),138000\(String(format: "%05d", index))\n" }
            let started = try await Self.start(harness, admin.caller, text, columns: [.init(header: "name", field: "name"), .init(header: "phone", field: "phone")])
            await #expect(throws: Crash.self) {
                try await harness.rapport.imports.run(started.id, worker: "first") { record in
                    if record.counters.processed >= ImportUseCases.batchSize { throw Crash() }
                }
            }
            let stopped = try await harness.rapport.imports.get(started.id.rawValue, by: admin.caller)
            #expect(stopped.status == .running && stopped.counters.processed == Int64(ImportUseCases.batchSize))
            #expect(try await harness.count("customers") == ImportUseCases.batchSize)
            // Another worker may not take it while the first might still be alive…
            #expect(try await harness.rapport.imports.runPending(worker: "second") == 0)
            // …but once its heartbeat is stale, it resumes after the committed batch.
            harness.clock.advance(by: 300)
            #expect(try await harness.rapport.imports.runPending(worker: "second") == 1)
            let done = try await harness.rapport.imports.get(started.id.rawValue, by: admin.caller)
            #expect(done.status == .completed && done.counters.processed == 10_000 && done.counters.created == 10_000)
            #expect(try await harness.count("customers") == 10_000)
            #expect(try await harness.count("import_chunks") == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func badFilesAndMappingsAreRefusedUpFront(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let imports = harness.rapport.imports
            let cases: [(String, [ImportColumn]?, String)] = [
                ("", nil, "file"),
                ("name,phone\n\"open quote,1\n", [.init(header: "name", field: "name")], "file"),
                ("name,phone\nA,1\n", [.init(header: "phone", field: "phone")], "columns"),
                ("name,phone\nA,1\n", [.init(header: "name", field: "name"), .init(header: "phone", field: "salary")], "columns[1].field"),
                ("name,phone\nA,1\n", [.init(header: "nom", field: "name")], "columns[0].header"),
            ]
            for (text, columns, field) in cases {
                let error = try await #require(throws: RapportError.self) {
                    try await imports.start(.init(fileName: "f.csv", bytes: Array(text.utf8), columns: columns), by: rep.caller)
                }
                #expect(error.fieldErrors.map(\.field).contains(field), "\(field): \(error.fieldErrors)")
            }
            let latin1: [UInt8] = Array("name\n".utf8) + [0xE9, 0x0A]
            let encoding = try await #require(throws: RapportError.self) { try await imports.start(.init(fileName: "f.csv", bytes: latin1), by: rep.caller) }
            #expect(encoding.fieldErrors.first?.code == "invalid_encoding")
            #expect(try await harness.count("imports") == 0)
            // A guessed mapping from Chinese and English headers.
            let preview = try await imports.preview(Array("客户名称,手机号码,Email,备注\nA,13800138000,a@b.cn,x\n".utf8), by: rep.caller)
            #expect(preview.suggested.map(\.field) == ["name", "phone", "email", "ignore"] && preview.sample.count == 1)
            // Saved mappings are reused by name.
            let saved = try await imports.saveMapping(name: "crm export", columns: Self.mapping, by: rep.caller)
            let reused = try await imports.start(.init(fileName: "f.csv", bytes: Array(Self.file.utf8), mappingID: saved.id.rawValue), by: rep.caller)
            #expect(reused.columns == Self.mapping)
        }
    }
}
