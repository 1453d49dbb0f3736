import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import RapportWeb
import Testing

/// The imports pages: upload (kept as a staged import), column mapping, the dry run's counts and
/// first errors, the real run's progress, and the error report — each form refusing a wrong CSRF
/// token, every name and cell escaped, and nobody else's import reachable.
@Suite struct WebImportsTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    static let boundary = "web-imports-test-boundary"

    static let file = """
        Name,Phone,Email,\(script)
        \(script),+8613800000031,a@example.com,5
        Good Two,+8613800000032,,7
        Bad Row,12,,\(script)

        """

    /// A multipart upload as a browser sends the form.
    static func upload(_ client: any TestClientProtocol, session: String, csrf: String? = nil, object: String = "customers", fileName: String = "list.csv",
                       text: String = file, language: String = "en") async throws -> TestResponse {
        var body = ""
        for (name, value) in [("_csrf", csrf ?? WebSession.csrfToken(forSession: session)), ("object", object), ("delimiter", ",")] {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n\(text)\r\n--\(boundary)--\r\n"
        return try await client.send(.post, "/imports", json: body, headers: ["Cookie": "\(WebSession.cookie)=\(session)", "Accept-Language": language],
                                     contentType: "multipart/form-data; boundary=\(boundary)")
    }

    @Test(arguments: TestBackend.available)
    func uploadMapDryRunRunAndDownloadTheErrors(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: team)
            let stranger = try await harness.signedIn(.rep, team: team)
            let imports = harness.rapport.imports
            try await harness.http { client in
                let start = try await client.page("/imports", session: rep.secret)
                #expect(start.status == .ok && start.text.contains("enctype=\"multipart/form-data\"") && start.text.contains("name=\"_csrf\""))

                // A wrong token keeps nothing.
                let forged = try await Self.upload(client, session: rep.secret, csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(try await harness.count("imports") == 0)

                let uploaded = try await Self.upload(client, session: rep.secret, fileName: Self.script + ".csv")
                #expect(uploaded.status == .seeOther)
                let path = try #require(uploaded.headers[.location])
                let id = String(path.dropFirst("/imports/".count))
                #expect(try await imports.get(id, by: rep.caller).status == .staged)

                // The mapping: guessed, the file's first rows shown escaped.
                let mapping = try await client.page(path, session: rep.secret)
                #expect(mapping.status == .ok && mapping.text.contains("<select id=\"field-0\" name=\"field_0\">"))
                #expect(mapping.text.contains("<option value=\"name\" selected>") && mapping.text.contains("<option value=\"phone\" selected>"))
                #expect(mapping.text.contains(Self.escaped) && !mapping.text.contains(Self.script))
                #expect(try await client.page(path, session: stranger.secret).status == .notFound)

                let columns = [("field_0", "name"), ("field_1", "phone"), ("field_2", "email"), ("field_3", "score"), ("save_mapping", "Trade show")]
                #expect(try await client.submit("\(path)/mapping", session: rep.secret, columns, csrf: "forged").status == .forbidden)
                let nameless = try await client.submit("\(path)/mapping", session: rep.secret, [("field_0", "ignore"), ("field_1", "phone")])
                #expect(nameless.status == .unprocessableContent && nameless.text.contains("Choose the column that holds the name."))
                #expect(nameless.text.contains("<option value=\"ignore\" selected>"), "the choice is kept")
                #expect(try await imports.get(id, by: rep.caller).status == .staged)
                let mapped = try await client.submit("\(path)/mapping", session: rep.secret, columns)
                #expect(mapped.status == .seeOther && mapped.headers[.location] == path)
                #expect(try await imports.mappings(by: rep.caller).map(\.name) == ["Trade show"])
                let checking = try await client.page(path, session: rep.secret)
                #expect(checking.text.contains("data-refresh=\"2\"") && checking.text.contains("href=\"\(path)\""))

                // The dry run: counts and the bad row, by line and column, in the reader's words.
                _ = try await imports.runPending(worker: "test")
                let dry = try await client.page(path, session: rep.secret)
                #expect(dry.status == .ok && dry.text.contains("Would be created") && dry.text.contains("action=\"\(path)/run\""))
                #expect(dry.text.contains("Phone is too short.") && dry.text.contains("<td class=\"num\">4</td>"))
                #expect(!dry.text.contains("start_playbooks"), "only lead imports start playbooks")
                #expect(dry.text.contains(Self.escaped) && !dry.text.contains(Self.script) && !dry.text.contains("data-refresh"))
                #expect(try await harness.count("customers") == 0, "a dry run writes nothing")
                let dryZh = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(dryZh.text.contains("将新建") && dryZh.text.contains("太短"))

                // The real run, its progress, the result and the error report.
                #expect(try await client.submit("\(path)/run", session: rep.secret, [], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("\(path)/run", session: stranger.secret, []).status == .notFound)
                let run = try await client.submit("\(path)/run", session: rep.secret, [])
                #expect(run.status == .seeOther && run.headers[.location] == path)
                let progress = try await client.page(path, session: rep.secret)
                #expect(progress.text.contains("data-refresh=\"2\"") && progress.text.contains("Waiting to start"))
                _ = try await imports.runPending(worker: "test")
                let done = try await client.page(path, session: rep.secret)
                #expect(done.text.contains("Done") && done.text.contains("Created") && done.text.contains("href=\"\(path)/errors.csv\""))
                #expect(try await harness.count("customers") == 2)
                let report = try await client.page("\(path)/errors.csv", session: rep.secret)
                #expect(report.status == .ok && report.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(report.headers[HTTPField.Name("Content-Disposition")!]?.hasPrefix("attachment;") == true)
                #expect(report.text.hasPrefix("line,column,code,message\r\n") && report.text.contains("4,Phone,too_short,"))
                #expect(try await client.page("\(path)/errors.csv", session: stranger.secret).status == .notFound)

                // The list: the caller's imports only, names escaped.
                let list = try await client.page("/imports", session: rep.secret)
                #expect(list.text.contains(Self.escaped + ".csv") && !list.text.contains(Self.script) && list.text.contains("href=\"\(path)\""))
                let theirs = try await client.page("/imports", session: stranger.secret, language: "zh-CN")
                #expect(theirs.status == .ok && theirs.text.contains("最近的导入") && !theirs.text.contains(path))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aSavedMappingAndALeadImportAndBadFiles(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let saved = try await harness.rapport.imports.saveMapping(
                name: "Fair", columns: [.init(header: "Name", field: "ignore"), .init(header: "Phone", field: "phone"), .init(header: "Email", field: "name")],
                by: rep.caller)
            try await harness.http { client in
                let uploaded = try await Self.upload(client, session: rep.secret)
                let path = try #require(uploaded.headers[.location])
                let applied = try await client.page("\(path)?mapping=\(saved.id)", session: rep.secret)
                #expect(applied.status == .ok && applied.text.contains("<option value=\"\(saved.id)\" selected>Fair</option>"))
                let email = try #require(applied.text.range(of: "name=\"field_2\">"))
                #expect(applied.text[email.upperBound...].prefix(400).contains("<option value=\"name\" selected>"))

                let leads = try await Self.upload(client, session: rep.secret, object: "leads", text: "Lead Number,Mobile\n7,+8613800000041\n")
                let leadPage = try await client.page(try #require(leads.headers[.location]), session: rep.secret)
                #expect(leadPage.status == .ok && leadPage.text.contains("name=\"name_template\""))
                // A lead import's run step offers to start the playbooks; the choice reaches the import.
                let leadPath = try #require(leads.headers[.location])
                let leadMapped = try await client.submit("\(leadPath)/mapping", session: rep.secret,
                                                         [("field_0", "ignore"), ("field_1", "phone"), ("name_template", "Lead {Lead Number}")])
                #expect(leadMapped.status == .seeOther)
                _ = try await harness.rapport.imports.runPending(worker: "test")
                let leadDry = try await client.page(leadPath, session: rep.secret)
                #expect(leadDry.text.contains("name=\"start_playbooks\""))
                #expect(try await client.submit("\(leadPath)/run", session: rep.secret, [("start_playbooks", "true")]).status == .seeOther)
                let leadID = String(leadPath.split(separator: "/").last!)
                #expect(try await harness.rapport.imports.get(leadID, by: rep.caller).options.startPlaybooks == true)

                let empty = try await Self.upload(client, session: rep.secret, text: "")
                #expect(empty.status == .unprocessableContent)
                let notMultipart = try await client.submit("/imports", session: rep.secret, [("object", "customers")])
                #expect(notMultipart.status == .unsupportedMediaType)
            }
        }
    }
}
