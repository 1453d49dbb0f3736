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

/// A rep shares their opportunity from its page with a colleague of another team, found by name
/// in the colleague directory (name and team, no contact data); the colleague then opens it. The
/// form refuses a wrong CSRF token; names are escaped; both languages render.
@Suite struct WebOpportunitySharingTests {
    static let script = "<script>alert(1)</script>"
    static let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    @Test(arguments: TestBackend.available)
    func aRepSharesWithAColleagueOfAnotherTeam(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let west = try await harness.team("west")
            let rep = try await harness.signedIn(.rep, team: east, email: "ray@example.com")
            let presales = try await harness.signedIn(.rep, team: west, email: "pres@example.com")
            let outsider = try await harness.signedIn(.rep, team: west, email: "otto@example.com")
            let manager = try await harness.signedIn(.manager, team: east, email: "mia@example.com")
            let gone = try await harness.signedIn(.rep, team: east, email: "gone@example.com")
            _ = try await harness.rapport.users.disable(gone.user.id.rawValue, by: harness.system)
            let odd = try await harness.rapport.users.create(.init(email: "odd@example.com", name: Self.script, role: "rep", team: west.id.rawValue), by: harness.system)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Parent"), by: rep.caller).0
            let deal = try await harness.rapport.opportunities.create(OpportunityInput(name: "Math year", customer: customer.id.rawValue), by: rep.caller).opportunity
            let path = "/opportunities/\(deal.id)"
            try await harness.http { client in
                // Everyone active, with their team; never the rep themselves, a disabled user or an email.
                let page = try await client.page(path, session: rep.secret)
                #expect(page.status == .ok && page.text.contains("id=\"share\"") && page.text.contains("name=\"share_q\""))
                #expect(page.text.contains("<option value=\"\(presales.user.id)\">\(presales.user.name) · West</option>"))
                #expect(page.text.contains("<option value=\"\(odd.id)\">\(Self.escaped) · West</option>") && !page.text.contains(Self.script))
                #expect(page.text.contains("value=\"\(manager.user.id)\"") && !page.text.contains("value=\"\(rep.user.id)\"") && !page.text.contains("value=\"\(gone.user.id)\""))
                #expect(!page.text.contains("pres@example.com") && !page.text.contains("otto@example.com"))

                // A search by name narrows the list; a search finding no one says so.
                let found = try await client.page("\(path)?share_q=pres", session: rep.secret)
                #expect(found.status == .ok && found.text.contains("value=\"\(presales.user.id)\"") && !found.text.contains("value=\"\(outsider.user.id)\""))
                #expect(found.text.contains("name=\"share_q\" value=\"pres\""))
                let none = try await client.page("\(path)?share_q=nobody", session: rep.secret)
                #expect(none.status == .ok && none.text.contains("No active colleague has that name.") && !none.text.contains("id=\"share\""))
                let zh = try await client.page("\(path)?share_q=pres", session: rep.secret, language: "zh-CN")
                #expect(zh.status == .ok && zh.text.contains("按姓名查找同事") && zh.text.contains(presales.user.name))

                // Sharing: a forged token changes nothing; then the colleague opens it and may edit.
                let fields = [("user_id", presales.user.id.rawValue), ("access", "edit"), ("share_q", "pres")]
                #expect(try await client.page(path, session: presales.secret).status == .notFound)
                #expect(try await client.submit("\(path)/collaborators", session: rep.secret, fields, csrf: "forged").status == .forbidden)
                #expect(try await harness.rapport.opportunities.get(deal.id.rawValue, by: rep.caller).collaborators.isEmpty)
                let shared = try await client.submit("\(path)/collaborators", session: rep.secret, fields)
                #expect(shared.status == .seeOther && shared.headers[.location] == "\(path)?notice=collaborator_added")
                let seen = try await client.page(path, session: presales.secret)
                #expect(seen.status == .ok && seen.text.contains("Math year") && seen.text.contains("id=\"edit\""), "an edit collaborator gets the forms")
                #expect(try await client.page(path, session: outsider.secret).status == .notFound, "sharing with one is not sharing with their team")
                let after = try await client.page(try #require(shared.headers[.location]), session: rep.secret)
                #expect(after.text.contains("Shared with the colleague.") && !after.text.contains("<option value=\"\(presales.user.id)\""), "no second share offered")
                #expect(after.text.contains("<li>\(presales.user.name) <span class=\"badge\">"), "the collaborator of another team is named")
                #expect(seen.text.contains(rep.user.name), "the collaborator sees the owner's name")
                // Sharing with a disabled user is refused and re-shows the page.
                let refused = try await client.submit("\(path)/collaborators", session: rep.secret, [("user_id", gone.user.id.rawValue), ("access", "read")])
                #expect(refused.status == .unprocessableContent)
            }
        }
    }

    /// A large company: the picker lists the first 50 and says a name search finds the others.
    @Test(arguments: TestBackend.available)
    func aLargeCompanyIsSearchedNotListed(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: east)
            for index in 0..<60 {
                _ = try await harness.rapport.users.create(.init(email: "p\(index)@example.com", name: "Person \(index)", role: "rep", team: east.id.rawValue),
                                                           by: harness.system)
            }
            let deal = try await harness.rapport.opportunities.create(OpportunityInput(name: "Big deal"), by: rep.caller).opportunity
            try await harness.http { client in
                let page = try await client.page("/opportunities/\(deal.id)", session: rep.secret)
                let options = page.text.components(separatedBy: "<option value=\"usr_").count - 1
                #expect(page.status == .ok && options <= 50 && options >= 49, "at most a page of people, not everyone")
                #expect(page.text.contains("More colleagues match than are listed"))
                let narrowed = try await client.page("/opportunities/\(deal.id)?share_q=person%2059", session: rep.secret)
                #expect(narrowed.text.contains(">Person 59 · East</option>") && !narrowed.text.contains("More colleagues match"))
            }
        }
    }
}
