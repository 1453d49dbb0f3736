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

/// The customers pages: the list with filters and pages, the 360 view with a counted, audited
/// reveal, logging an activity, merging duplicates side by side and undoing it — each form
/// refusing a wrong CSRF token, every name and note escaped, and nothing outside the rep's scope.
@Suite struct WebCustomersTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    static func person(_ name: String, phone: String? = nil, email: String? = nil, company: String? = nil, stage: String? = nil) -> CustomerInput {
        var contacts: [CustomerInput.Contact] = []
        if let phone { contacts.append(.init(kind: "phone", value: phone)) }
        if let email { contacts.append(.init(kind: "email", value: email)) }
        return CustomerInput(kind: "person", name: name, company: company.map { .some($0) }, stage: stage, contacts: contacts)
    }

    static func reveals(_ harness: TestHarness, _ customer: RecordID) async throws -> [AuditEntry] {
        try await harness.rapport.audit.list(.init(action: "customer.revealed", objectID: customer.rawValue), page: PageRequest(), by: harness.system).items
    }

    @Test(arguments: TestBackend.available)
    func revealCountsAgainstTheQuotaIsAuditedAndStaysInScope(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let admin = try await harness.signedIn(.admin)
            var settings = try await harness.rapport.settingsUseCases.customers(by: admin.caller)
            settings.reveal.rules[.rep] = RevealPolicy.Rule(reach: .own, hourlyQuota: 2)
            _ = try await harness.rapport.settingsUseCases.setCustomers(settings, by: admin.caller)
            let rep = try await harness.signedIn(.rep, team: east)
            let stranger = try await harness.signedIn(.rep, team: west)
            let (mine, _) = try await harness.rapport.customers.create(Self.person(Self.script, phone: "13800000001", company: Self.script), by: rep.caller)
            let (theirs, _) = try await harness.rapport.customers.create(Self.person("West Customer", phone: "13900000002"), by: stranger.caller)
            let path = "/customers/\(mine.id)"
            try await harness.http { client in
                let page = try await client.page(path, session: rep.secret)
                #expect(page.status == .ok && page.text.contains(Self.escaped) && !page.text.contains(Self.script))
                #expect(page.text.contains("+86 138****0001") && !page.text.contains("+8613800000001"))
                #expect(page.text.contains("2 of 2 reveals left this hour") && page.text.contains("action=\"\(path)/reveal\""))
                #expect(page.body.readableBytes < 100_000)

                // A wrong token reveals nothing and uses nothing.
                let forged = try await client.submit("\(path)/reveal", session: rep.secret, [], csrf: "forged")
                #expect(forged.status == .forbidden && !forged.text.contains("+8613800000001"))
                #expect(try await Self.reveals(harness, mine.id).isEmpty)

                // A reveal: the full number on the page it returns (never in an address), the quota
                // counted, the audit log written by the use case.
                let revealed = try await client.submit("\(path)/reveal", session: rep.secret, [])
                #expect(revealed.status == .ok && revealed.headers[.location] == nil)
                #expect(revealed.text.contains("+8613800000001") && revealed.text.contains("1 of 2 reveals left this hour"))
                #expect(revealed.text.contains(Self.escaped) && !revealed.text.contains(Self.script))
                let audited = try await Self.reveals(harness, mine.id)
                #expect(audited.count == 1 && audited[0].actorID == rep.user.id)
                let again = try await client.page(path, session: rep.secret)
                #expect(!again.text.contains("+8613800000001") && again.text.contains("1 of 2 reveals left this hour"))

                // The last one, then a refusal in the reader's words (and nothing shown or audited).
                #expect(try await client.submit("\(path)/reveal", session: rep.secret, []).status == .ok)
                let refused = try await client.submit("\(path)/reveal", session: rep.secret, [])
                #expect(refused.status == .tooManyRequests && refused.text.contains("You have used all 2 reveals for this hour"))
                #expect(!refused.text.contains("+8613800000001") && refused.text.contains("0 of 2 reveals left this hour"))
                #expect(try await Self.reveals(harness, mine.id).count == 2)
                let chinese = try await client.submit("\(path)/reveal", session: rep.secret, [], language: "zh-CN")
                #expect(chinese.status == .tooManyRequests && chinese.text.contains("本小时的 2 次查看已用完"))

                // Another team's customer: absent from the list, 404 by address, in every page.
                let list = try await client.page("/customers", session: rep.secret)
                #expect(list.status == .ok && list.text.contains(Self.escaped) && !list.text.contains(Self.script) && !list.text.contains("West Customer"))
                for uri in ["/customers/\(theirs.id)", "/customers/\(theirs.id)/merge", "\(path)/merge?with=\(theirs.id)"] {
                    let hidden = try await client.page(uri, session: rep.secret)
                    #expect(hidden.status == .notFound && !hidden.text.contains("West Customer"), "\(uri)")
                }
                let theirsRevealed = try await client.submit("/customers/\(theirs.id)/reveal", session: rep.secret, [])
                #expect(theirsRevealed.status == .notFound && !theirsRevealed.text.contains("+8613900000002"))
                let zh = try await client.page(path, session: rep.secret, language: "zh-CN")
                #expect(zh.status == .ok && zh.text.contains("联系方式") && zh.text.contains("记录跟进"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func logAnActivityFromThe360PageWithinTheCap(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let admin = try await harness.signedIn(.admin)
            let rep = try await harness.signedIn(.rep, team: team)
            let (customer, _) = try await harness.rapport.customers.create(Self.person("Zhao Liu", phone: "13800000011"), by: rep.caller)
            let path = "/customers/\(customer.id)"
            let timeline: @Sendable () async throws -> [Activity] = {
                try await harness.rapport.activities.timeline(customer.id.rawValue, page: PageRequest(), by: rep.caller).items
            }
            try await harness.http { client in
                let forged = try await client.submit("\(path)/activities", session: rep.secret, [("type", "note"), ("body", "x")], csrf: "forged")
                #expect(forged.status == .forbidden)
                #expect(try await timeline().isEmpty)

                let logged = try await client.submit("\(path)/activities", session: rep.secret, [
                    ("type", "note"), ("direction", ""), ("outcome", ""), ("subject", Self.script), ("body", "Prefers evenings\n" + Self.script), ("occurred_at", ""),
                ])
                #expect(logged.status == .seeOther && logged.headers[.location] == "\(path)?notice=activity_logged", "\(logged.text)")
                let page = try await client.page(try #require(logged.headers[.location]), session: rep.secret)
                #expect(page.text.contains("Activity logged.") && page.text.contains("Prefers evenings"))
                #expect(page.text.contains(Self.escaped) && !page.text.contains(Self.script))
                let call = try await client.submit("\(path)/activities", session: rep.secret, [
                    ("type", "call"), ("outcome", "connected"), ("subject", "Trial class"), ("occurred_at", "2026-01-05T16:30"),
                ])
                #expect(call.status == .seeOther)
                let items = try await timeline()
                #expect(items.map(\.type) == [.note, .call] && items[1].outcome == "connected" && items[1].direction == .outbound)
                #expect(items[1].occurredAt == TestHarness.start.addingTimeInterval(-30 * 60), "a local time is China's, listed by when it happened")
                #expect(items[0].body == "Prefers evenings\n" + Self.script)

                // Refusals keep what was typed and say why.
                let bad = try await client.submit("\(path)/activities", session: rep.secret, [("type", "call"), ("subject", "Kept"), ("occurred_at", "soon")])
                #expect(bad.status == .unprocessableContent && bad.text.contains("When is not valid.") && bad.text.contains("value=\"Kept\""))
                var settings = try await harness.rapport.settingsUseCases.customers(by: admin.caller)
                settings.frequencyCap = ContactFrequencyCap(limit: 1, periodDays: 7, mode: .block)
                _ = try await harness.rapport.settingsUseCases.setCustomers(settings, by: admin.caller)
                let capped = try await client.submit("\(path)/activities", session: rep.secret, [("type", "sms"), ("body", "One more")])
                #expect(capped.status == .tooManyRequests && capped.text.contains("contacted as often as allowed (1 outbound touches in 7 days)"))
                #expect(capped.text.contains(">One more</textarea>"))
                let cappedZh = try await client.submit("\(path)/activities", session: rep.secret, [("type", "sms")], language: "zh-CN")
                #expect(cappedZh.status == .tooManyRequests && cappedZh.text.contains("外呼跟进已达上限"))
                #expect(try await timeline().count == 2)
                let inbound = try await client.submit("\(path)/activities", session: rep.secret, [("type", "call"), ("direction", "inbound")])
                #expect(inbound.status == .seeOther)
                #expect(try await timeline().count == 3)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func mergeDuplicatesSideBySideThenUndo(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let other = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: team)
            let stranger = try await harness.signedIn(.rep, team: other)
            let customers = harness.rapport.customers
            let (survivor, _) = try await customers.create(Self.person("Wang Wu", phone: "13800000021", company: "Old Co"), by: rep.caller)
            let (duplicate, _) = try await customers.create(Self.person(Self.script, phone: "13800000021", company: "New Co"), policy: .flag, by: rep.caller)
            let (unrelated, _) = try await customers.create(Self.person("Unrelated", phone: "13800000029"), by: rep.caller)
            // Another team's customer with the same number is never offered.
            _ = try await customers.create(Self.person("West Twin", phone: "13800000021"), policy: .flag, by: stranger.caller)
            _ = try await harness.rapport.opportunities.create(OpportunityInput(name: "Deal", customer: duplicate.id.rawValue), by: rep.caller)
            let moves = "Moving with it — opportunities: 1 · orders: 0 · entitlements: 0"
            let path = "/customers/\(survivor.id)"
            try await harness.http { client in
                let page = try await client.page(path, session: rep.secret)
                #expect(page.text.contains("\(path)/merge?with=\(duplicate.id)") && page.text.contains(Self.escaped))
                #expect(!page.text.contains("with=\(unrelated.id)") && !page.text.contains("West Twin"))
                let candidates = try await client.page("\(path)/merge", session: rep.secret)
                #expect(candidates.status == .ok && candidates.text.contains("with=\(duplicate.id)") && !candidates.text.contains("West Twin"))

                let side = try await client.page("\(path)/merge?with=\(duplicate.id)", session: rep.secret)
                #expect(side.status == .ok && side.text.contains(Self.escaped) && !side.text.contains(Self.script))
                #expect(side.text.contains("name=\"choice.name\" value=\"merged\"") && side.text.contains("name=\"choice.company\" value=\"merged\""))
                #expect(side.text.contains("Old Co") && side.text.contains("New Co") && !side.text.contains("have the same values"))
                #expect(side.text.contains(moves))
                let swapped = try await client.page("/customers/\(duplicate.id)/merge?with=\(survivor.id)", session: rep.secret)
                #expect(swapped.status == .ok && !swapped.text.contains("Moving with it"), "the survivor has nothing to move")
                let zh = try await client.page("\(path)/merge?with=\(duplicate.id)", session: rep.secret, language: "zh-CN")
                #expect(zh.status == .ok && zh.text.contains("合并重复客户") && zh.text.contains("商机 1 个"))

                let fields = [("survivor_id", survivor.id.rawValue), ("merged_id", duplicate.id.rawValue), ("choice.name", "survivor"), ("choice.company", "merged")]
                #expect(try await client.submit("/merges", session: rep.secret, fields, csrf: "forged").status == .forbidden)
                #expect(try await customers.get(duplicate.id.rawValue, by: rep.caller).name == Self.script, "nothing merged")
                let bogus = try await client.submit("/merges", session: rep.secret, fields + [("choice.title", "both")])
                #expect(bogus.status == .unprocessableContent && bogus.text.contains("choices.title is not valid."))
                let merged = try await client.submit("/merges", session: rep.secret, fields)
                #expect(merged.status == .seeOther && merged.headers[.location] == "\(path)?notice=merged")
                let after = try await customers.get(survivor.id.rawValue, by: rep.caller)
                #expect(after.name == "Wang Wu" && after.company == "New Co")
                #expect(try await client.page("/customers/\(duplicate.id)", session: rep.secret).status == .notFound)

                let record = try #require(try await harness.rapport.merges.recent(into: survivor.id.rawValue, by: rep.caller).first)
                let shown = try await client.page(try #require(merged.headers[.location]), session: rep.secret)
                #expect(shown.text.contains("Merged.") && shown.text.contains("action=\"/merges/\(record.id)/undo\"") && shown.text.contains(Self.escaped))
                #expect(shown.text.contains(moves))
                #expect(try await client.submit("/merges/\(record.id)/undo", session: rep.secret, [], csrf: "forged").status == .forbidden)
                #expect(try await client.submit("/merges/\(record.id)/undo", session: stranger.secret, []).status == .notFound)
                let undone = try await client.submit("/merges/\(record.id)/undo", session: rep.secret, [])
                #expect(undone.status == .seeOther && undone.headers[.location] == "\(path)?notice=merge_undone")
                #expect(try await customers.get(survivor.id.rawValue, by: rep.caller).company == "Old Co")
                let restored = try await customers.get(duplicate.id.rawValue, by: rep.caller)
                #expect(restored.name == Self.script && restored.company == "New Co")
                let twice = try await client.submit("/merges/\(record.id)/undo", session: rep.secret, [])
                #expect(twice.status == .conflict && twice.text.contains("can no longer be undone"))
                let final = try await client.page(path, session: rep.secret)
                #expect(!final.text.contains("action=\"/merges/\(record.id)/undo\"") && final.text.contains("undone"))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theListFiltersByStageAndOwnerAndPages(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let team = try await harness.team("east")
            let manager = try await harness.signedIn(.manager, team: team)
            let rep = try await harness.signedIn(.rep, team: team)
            let customers = harness.rapport.customers
            _ = try await customers.create(Self.person("Engaged One", stage: "engaged"), by: rep.caller)
            _ = try await customers.create(Self.person("Manager's Own"), by: manager.caller)
            for index in 0..<50 { _ = try await customers.create(Self.person(String(format: "Bulk %02d", index)), by: rep.caller) }
            try await harness.http { client in
                let staged = try await client.page("/customers?stage=engaged", session: manager.secret)
                #expect(staged.status == .ok && staged.text.contains("Engaged One") && !staged.text.contains("Bulk 01"))
                #expect(staged.text.contains("<option value=\"engaged\" selected>Engaged</option>"))
                let mine = try await client.page("/customers?owner=mine", session: manager.secret)
                #expect(mine.text.contains("Manager&#39;s Own") || mine.text.contains("Manager's Own"))
                #expect(!mine.text.contains("Engaged One"))
                let teams = try await client.page("/customers?owner=team&q=Engaged+One", session: manager.secret)
                #expect(teams.text.contains("Engaged One") && !teams.text.contains("Bulk 01"))

                let first = try await client.page("/customers", session: manager.secret)
                let next = try #require(first.text.range(of: "href=\"(/customers\\?cursor=[^\"]+)\" rel=\"next\"", options: .regularExpression))
                let link = String(first.text[next]).dropFirst(6).prefix { $0 != "\"" }.replacingOccurrences(of: "&amp;", with: "&")
                let second = try await client.page(link, session: manager.secret)
                #expect(second.status == .ok && second.text.contains("First page") && !second.text.contains("rel=\"next\""))
                let names = { (text: String) in Set(text.matches(of: /Bulk \d\d|Engaged One|Manager(&#39;|')s Own/).map { String($0.output.0) }) }
                #expect(names(first.text).count == 50 && names(second.text).count == 2 && names(first.text).isDisjoint(with: names(second.text)))
                let broken = try await client.page("/customers?cursor=nonsense", session: manager.secret)
                #expect(broken.status == .unprocessableContent)
            }
        }
    }
}
