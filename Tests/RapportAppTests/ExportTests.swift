import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// Customer exports through their use cases, on every backend: permission, scope, masking,
/// formula escaping, the approval queue, audit, and writing a file as the command line does.
@Suite struct ExportTests {
    static let markerPhone = "13912345678"
    static let markerEmail = "marker.person@example.org"
    static let markerIDNumber = "110101199003071234"
    static let markerUnionid = "oUNIONmarker1234567890"
    static let markerParentPhone = "13787654321"

    /// Runs a download to its end and returns the CSV as text.
    static func csv(_ download: ExportUseCases.Download, bom: Bool = false) async throws -> (text: String, rows: Int) {
        var bytes: [UInt8] = []
        let rows = try await download.write(byteOrderMark: bom) { chunk in bytes.append(contentsOf: chunk) }
        return (String(decoding: bytes, as: UTF8.self), rows)
    }

    static func lines(_ text: String) -> [String] {
        text.components(separatedBy: "\r\n").dropLast().map { $0 }
    }

    static func audit(_ harness: TestHarness, _ action: String) async throws -> [AuditEntry] {
        try await harness.rapport.audit.list(.init(action: action), page: PageRequest(limit: 100), by: harness.system).items
    }

    static func threshold(_ rows: Int, _ harness: TestHarness) async throws {
        _ = try await harness.rapport.settingsUseCases.setCustomers(CustomerSettings(exportApprovalThreshold: rows), by: harness.system)
    }

    @Test(arguments: TestBackend.available)
    func rolesWithoutTheExportPermissionAreForbiddenAndNothingIsStored(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            for role in [Role.rep, .service, .marketer, .partner, .analyst, .readOnly] {
                let user = try await harness.signedIn(role)
                let error = try await #require(throws: RapportError.self) { try await harness.rapport.exports.request(.init(), by: user.caller) }
                #expect(error.code == .forbidden, "\(role)")
                await #expect(throws: RapportError.self) { try await harness.rapport.exports.list(status: nil, page: PageRequest(), by: user.caller) }
            }
            // Users never export directly (that would skip the approval queue).
            let admin = try await harness.signedIn(.admin)
            let direct = try await #require(throws: RapportError.self) { try await harness.rapport.exports.direct(.init(), by: admin.caller) }
            #expect(direct.code == .forbidden)
            #expect(try await harness.count("exports") == 0)
            #expect(try await Self.audit(harness, "export.requested").isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func aManagerExportsOnlyTheirSubtreeAsItIsAtDownloadTime(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let root = try await harness.team("sales")
            let east = try await harness.team("east", parent: root)
            let eastOne = try await harness.team("east-1", parent: east)
            let west = try await harness.team("west", parent: root)
            let manager = try await harness.signedIn(.manager, team: east)
            let repEast = try await harness.signedIn(.rep, team: eastOne)
            let repWest = try await harness.signedIn(.rep, team: west)
            _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("East Customer", phone: "13800000001"), by: repEast.caller)
            _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("West Customer", phone: "13800000002"), by: repWest.caller)

            let export = try await harness.rapport.exports.request(.init(columns: ["name", "owner_id"]), by: manager.caller)
            #expect(export.status == .ready && export.rowCount == 1 && export.columns == ["name", "owner_id"])
            // A customer added to the subtree after the request is in the file: rows come from the scope at download time.
            _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("East Later", phone: "13800000003"), by: repEast.caller)
            let (text, rows) = try await Self.csv(try await harness.rapport.exports.download(export.id.rawValue, by: manager.caller))
            #expect(rows == 2)
            #expect(Self.lines(text) == ["name,owner_id", "East Later,\(repEast.user.id)", "East Customer,\(repEast.user.id)"])
            #expect(!text.contains("West"))

            // An administrator's export covers everyone.
            let admin = try await harness.signedIn(.admin)
            let all = try await harness.rapport.exports.request(.init(), by: admin.caller)
            #expect(all.rowCount == 3)
        }
    }

    @Test(arguments: TestBackend.available)
    func contactValuesAreMaskedAndFormulasDefused(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            var input = CustomerUseCaseTests.person("=HYPERLINK(\"http://evil.example\",\"x\")", phone: "139 1234 5678", email: Self.markerEmail)
            input.company = "Marker, \"Co\" Ltd"
            input.idNumber = Self.markerIDNumber
            input.contacts?.append(.init(kind: "wechat_unionid", value: Self.markerUnionid))
            input.contacts?.append(.init(kind: "address", value: "1 Main St"))
            input.tags = ["vip", "math"]
            input.score = -5
            input.customFields = ["parent_phone": .string(Self.markerParentPhone), "grade": .string("junior_1"), "student_name": .string("Line 1\nLine 2"), "subject_interest": .array([.string("math"), .string("english")])]
            let (customer, _) = try await harness.rapport.customers.create(input, by: manager.caller)

            let export = try await harness.rapport.exports.request(.init(), by: manager.caller)
            let columns = try await harness.rapport.exports.columns(by: manager.caller)
            #expect(export.columns == columns)
            #expect(Array(columns.prefix(20)) == [
                "id", "kind", "name", "company", "title", "owner_id", "team_id", "source", "stage", "lifecycle", "value_tier", "score",
                "do_not_contact", "phones", "emails", "wechat_unionids", "addresses", "tags", "created_at", "updated_at",
            ])
            #expect(columns.contains("custom_fields.parent_phone") && columns.contains("custom_fields.grade"))
            let (text, rows) = try await Self.csv(try await harness.rapport.exports.download(export.id.rawValue, by: manager.caller), bom: true)
            #expect(rows == 1)
            #expect(text.hasPrefix("\u{FEFF}id,kind,name,"))
            for marker in [Self.markerPhone, "+86" + Self.markerPhone, Self.markerEmail, Self.markerIDNumber, Self.markerUnionid, Self.markerParentPhone] {
                #expect(!text.lowercased().contains(marker.lowercased()), "\(marker) leaked")
            }
            // Masked exactly as the API shows them; multi-valued cells joined with "; ".
            #expect(text.contains("'+86 139****5678"))
            #expect(text.contains("m***@example.org"))
            #expect(text.contains("oUN****890"))
            let shown = try await harness.rapport.customers.get(customer.id.rawValue, by: manager.caller)
            #expect(shown.customFields["parent_phone"] == .string("+86 137****4321"))
            #expect(text.contains(",'+86 137****4321,"))  // the custom phone exactly as the API shows it (defused)
            #expect(text.contains("1 Main St"))
            #expect(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""))
            #expect(text.contains(",\"Marker, \"\"Co\"\" Ltd\",") && text.contains(",\"Line 1\nLine 2\","))
            #expect(text.contains(",-5,") && text.contains("math; vip") && text.contains("english; math"))
            #expect(text.contains("2026-01-05T09:00:00.000Z"))
            #expect(text.contains(customer.id.rawValue))
        }
    }

    @Test(arguments: TestBackend.available)
    func requestsAndDownloadsAreAuditedWithTheirRowCount(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            for index in 0..<3 {
                _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("Customer \(index)", phone: "1380000000\(index)"), by: manager.caller)
            }
            let export = try await harness.rapport.exports.request(.init(filters: .init(q: "+86 138 0000 0001")), by: manager.caller)
            #expect(export.rowCount == 1 && export.filters.q == "+86 138 0000 0001")
            let requested = try #require(try await Self.audit(harness, "export.requested").first)
            #expect(requested.actorID == manager.user.id && requested.objectID == export.id.rawValue)
            #expect(requested.details["row_count"] == "1" && requested.details["filters"] == "q" && requested.details["status"] == "ready")
            #expect(!requested.details.values.contains { $0.contains("138") })  // filter values (a phone) stay out of the log

            let download = try await harness.rapport.exports.download(export.id.rawValue, by: manager.caller)
            #expect(download.fileName == "customers-\(export.id).csv")
            #expect(try await Self.audit(harness, "export.download_started").first?.details["row_count"] == "1")
            #expect(try await Self.audit(harness, "export.downloaded").isEmpty)
            _ = try await Self.csv(download)
            let downloaded = try #require(try await Self.audit(harness, "export.downloaded").first)
            #expect(downloaded.actorID == manager.user.id && downloaded.objectID == export.id.rawValue)
            #expect(downloaded.details["row_count"] == "1" && downloaded.details["complete"] == "true" && downloaded.details["channel"] == "api")
            #expect(try await harness.rapport.exports.get(export.id.rawValue, by: manager.caller).downloadedAt == TestHarness.start)
            #expect(try await harness.rapport.audit.verify(by: harness.system).firstBreak == nil)
        }
    }

    @Test(arguments: TestBackend.available)
    func aboveTheThresholdAnExportWaitsForAnotherAdministrator(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await Self.threshold(2, harness)
            let manager = try await harness.signedIn(.manager)
            let admin = try await harness.signedIn(.admin)
            let otherAdmin = try await harness.signedIn(.admin)
            for index in 0..<3 {
                _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("C\(index)", phone: "1380000000\(index)"), by: manager.caller)
            }
            let exports = harness.rapport.exports
            let small = try await exports.request(.init(filters: .init(q: "C1")), by: manager.caller)
            #expect(small.status == .ready)
            let big = try await exports.request(.init(), by: manager.caller)
            #expect(big.status == .pendingApproval && big.rowCount == 3)
            #expect(big.expiresAt == TestHarness.start.addingTimeInterval(ExportUseCases.approvalWindow))

            var error = try await #require(throws: RapportError.self) { try await exports.download(big.id.rawValue, by: manager.caller) }
            #expect(error.code == .conflict)
            // Only administrators decide; the manager may not approve their own.
            error = try await #require(throws: RapportError.self) { try await exports.approve(big.id.rawValue, note: nil, by: manager.caller) }
            #expect(error.code == .forbidden)
            #expect(try await exports.list(status: "pending_approval", page: PageRequest(), by: admin.caller).items.map(\.id) == [big.id])
            #expect(try await exports.list(status: nil, page: PageRequest(), by: manager.caller).items.map(\.id) == [big.id, small.id])

            _ = harness.clock.advance(by: 3_600)
            let approved = try await exports.approve(big.id.rawValue, note: "  quarterly review  ", by: admin.caller)
            #expect(approved.status == .approved && approved.decidedBy == admin.user.id && approved.decisionNote == "quarterly review")
            #expect(approved.expiresAt == harness.clock.now().addingTimeInterval(ExportUseCases.downloadWindow))
            let decided = try #require(try await Self.audit(harness, "export.approved").first)
            #expect(decided.actorID == admin.user.id && decided.objectID == big.id.rawValue && decided.details["row_count"] == "3")
            error = try await #require(throws: RapportError.self) { try await exports.approve(big.id.rawValue, note: nil, by: otherAdmin.caller) }
            #expect(error.code == .conflict)
            error = try await #require(throws: RapportError.self) { try await exports.reject(big.id.rawValue, note: nil, by: otherAdmin.caller) }
            #expect(error.code == .conflict)

            // Only the requester downloads; an administrator sees it but may not.
            error = try await #require(throws: RapportError.self) { try await exports.download(big.id.rawValue, by: admin.caller) }
            #expect(error.code == .forbidden)
            let (_, rows) = try await Self.csv(try await exports.download(big.id.rawValue, by: manager.caller))
            #expect(rows == 3)

            // An administrator's own large export needs another administrator.
            let own = try await exports.request(.init(), by: admin.caller)
            #expect(own.status == .pendingApproval)
            error = try await #require(throws: RapportError.self) { try await exports.approve(own.id.rawValue, note: nil, by: admin.caller) }
            #expect(error.code == .forbidden)
            #expect(try await exports.approve(own.id.rawValue, note: nil, by: otherAdmin.caller).status == .approved)

            // 24 hours later the approved export has expired.
            _ = harness.clock.advance(by: ExportUseCases.downloadWindow)
            error = try await #require(throws: RapportError.self) { try await exports.download(big.id.rawValue, by: manager.caller) }
            #expect(error.code == .conflict && error.detail.contains("24 hours"))
            #expect(try await exports.get(big.id.rawValue, by: manager.caller).status == .expired)
            #expect(Set(try await exports.list(status: "expired", page: PageRequest(), by: manager.caller).items.map(\.id)) == [big.id, small.id])
        }
    }

    @Test(arguments: TestBackend.available)
    func aRejectedExportIsNeverDownloaded(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            try await Self.threshold(1, harness)
            let manager = try await harness.signedIn(.manager)
            let admin = try await harness.signedIn(.admin)
            for index in 0..<2 {
                _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("C\(index)", phone: "1380000000\(index)"), by: manager.caller)
            }
            let exports = harness.rapport.exports
            let big = try await exports.request(.init(), by: manager.caller)
            #expect(big.status == .pendingApproval)
            let rejected = try await exports.reject(big.id.rawValue, note: "too broad", by: admin.caller)
            #expect(rejected.status == .rejected && rejected.decisionNote == "too broad")
            #expect(try await Self.audit(harness, "export.rejected").first?.objectID == big.id.rawValue)
            var error = try await #require(throws: RapportError.self) { try await exports.download(big.id.rawValue, by: manager.caller) }
            #expect(error.code == .conflict && error.detail.contains("rejected"))
            error = try await #require(throws: RapportError.self) { try await exports.approve(big.id.rawValue, note: nil, by: admin.caller) }
            #expect(error.code == .conflict)
            #expect(try await exports.list(status: "rejected", page: PageRequest(), by: manager.caller).items.map(\.id) == [big.id])
            // A note too long is refused before anything changes.
            let another = try await exports.request(.init(), by: manager.caller)
            error = try await #require(throws: RapportError.self) {
                try await exports.reject(another.id.rawValue, note: String(repeating: "x", count: 501), by: admin.caller)
            }
            #expect(error.fieldErrors.map(\.field) == ["note"])
            #expect(try await exports.get(another.id.rawValue, by: manager.caller).status == .pendingApproval)
            // A request nobody decides on expires.
            _ = harness.clock.advance(by: ExportUseCases.approvalWindow)
            error = try await #require(throws: RapportError.self) { try await exports.approve(another.id.rawValue, note: nil, by: admin.caller) }
            #expect(error.code == .conflict && error.detail.contains("expired"))
        }
    }

    @Test(arguments: TestBackend.available)
    func anotherUsersExportIsNotFound(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let first = try await harness.signedIn(.manager)
            let second = try await harness.signedIn(.manager)
            let admin = try await harness.signedIn(.admin)
            let export = try await harness.rapport.exports.request(.init(), by: first.caller)
            var error = try await #require(throws: RapportError.self) { try await harness.rapport.exports.get(export.id.rawValue, by: second.caller) }
            #expect(error.code == .notFound)
            error = try await #require(throws: RapportError.self) { try await harness.rapport.exports.download(export.id.rawValue, by: second.caller) }
            #expect(error.code == .notFound)
            error = try await #require(throws: RapportError.self) { try await harness.rapport.exports.get("exp_nope", by: first.caller) }
            #expect(error.code == .notFound)
            #expect(try await harness.rapport.exports.list(status: nil, page: PageRequest(), by: second.caller).items.isEmpty)
            #expect(try await harness.rapport.exports.get(export.id.rawValue, by: admin.caller).id == export.id)
            #expect(try await harness.rapport.exports.list(status: nil, page: PageRequest(), by: admin.caller).items.map(\.id) == [export.id])
            let status = try await #require(throws: RapportError.self) {
                try await harness.rapport.exports.list(status: "done", page: PageRequest(), by: admin.caller)
            }
            #expect(status.fieldErrors.map(\.field) == ["status"])
        }
    }

    @Test(arguments: TestBackend.available)
    func badFiltersAndColumnsNameTheFieldAndStoreNothing(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let manager = try await harness.signedIn(.manager)
            let auditBefore = try await harness.count("audit_log")
            let request = ExportUseCases.Request(
                object: "leads", filters: .init(owner: "bob", team: "team_x", stage: "nope", kind: "robot"),
                columns: ["name", "nope", "name", "custom_fields.nope"], format: "xlsx")
            let error = try await #require(throws: RapportError.self) { try await harness.rapport.exports.request(request, by: manager.caller) }
            #expect(error.code == .validationFailed)
            #expect(Set(error.fieldErrors.map(\.field)) == [
                "object", "format", "columns[1]", "columns[2]", "columns[3]", "filters.stage", "filters.owner_id", "filters.team_id", "filters.kind",
            ])
            let empty = try await #require(throws: RapportError.self) {
                try await harness.rapport.exports.request(.init(columns: []), by: manager.caller)
            }
            #expect(empty.fieldErrors.map(\.field) == ["columns"])
            #expect(try await harness.count("exports") == 0)
            #expect(try await harness.count("audit_log") == auditBefore)
        }
    }

    @Test(arguments: TestBackend.available)
    func theCommandLineWritesTheFileAtomically(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            for index in 0..<3 {
                _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("C\(index)", phone: "1380000000\(index)"), by: rep.caller)
            }
            _ = harness.clock.set(Date(timeIntervalSince1970: 1_835_481_599.5))  // 2028-02-29T23:59:59.500Z
            _ = try await harness.rapport.customers.create(CustomerUseCaseTests.person("Leap", phone: "13800000009"), by: rep.caller)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("customers.csv").path
            try Data("old contents".utf8).write(to: URL(fileURLWithPath: path))

            // `rapport export customers --output FILE --columns name,created_at --bom` without --as: the system, every customer.
            let system = Caller.system("cli")
            let download = try await harness.rapport.exports.direct(.init(columns: ["name", "created_at"]), by: system)
            #expect(download.expectedRows == 4)
            var progress: [Int] = []
            let rows = try await download.write(toFile: path, byteOrderMark: true) { progress.append($0) }
            #expect(rows == 4 && progress == [4])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            #expect(Self.lines(String(decoding: bytes.dropFirst(3), as: UTF8.self)) == ["name,created_at", "Leap,2028-02-29T23:59:59.500Z", "C2,2026-01-05T09:00:00.000Z",
                                            "C1,2026-01-05T09:00:00.000Z", "C0,2026-01-05T09:00:00.000Z"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["customers.csv"])
            let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
            let started = try #require(try await Self.audit(harness, "export.download_started").first)
            #expect(started.actorID == nil && started.details["direct"] == "true" && started.details["channel"] == "cli" && started.details["row_count"] == "4")
            #expect(try await Self.audit(harness, "export.downloaded").first?.details["row_count"] == "4")

            // A file that cannot be created: an error naming the output, and nothing left behind.
            let missing = directory.appendingPathComponent("no-such-dir/customers.csv").path
            let failed = try await #require(throws: RapportError.self) {
                try await harness.rapport.exports.direct(.init(), by: system).write(toFile: missing)
            }
            #expect(failed.fieldErrors.map(\.field) == ["output"])
            let unfinished = try #require(try await Self.audit(harness, "export.downloaded").first)
            #expect(unfinished.details["complete"] == "false" && unfinished.details["row_count"] == "0")
            // A write that fails part way leaves the old file as it was and no temporary file.
            struct Interrupted: Error {}
            let before = try String(contentsOfFile: path, encoding: .utf8)
            await #expect(throws: Interrupted.self) {
                _ = try await harness.rapport.exports.direct(.init(), by: system).write(toFile: path) { _ in throw Interrupted() }
            }
            let interrupted = try #require(try await Self.audit(harness, "export.downloaded").first)
            #expect(interrupted.details["complete"] == "false" && interrupted.details["row_count"] == "4" && interrupted.seq > unfinished.seq)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["customers.csv"])
        }
    }
}
