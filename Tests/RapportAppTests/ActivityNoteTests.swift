import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// An activity's body is text of several lines (as a browser's text area sends it, CRLF), while
/// other control characters, and line breaks in one-line fields, are still refused.
@Suite struct ActivityNoteTests {
    @Test(arguments: TestBackend.available)
    func aNoteKeepsItsLinesAndRefusesOtherControlCharacters(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep)
            let (customer, _) = try await harness.rapport.customers.create(CustomerUseCaseTests.person("Notes", phone: "13800000071"), by: rep.caller)
            let id = customer.id.rawValue
            let logged = try await harness.rapport.activities.log(.init(customerID: id, type: "note", body: "Line 1\r\nLine 2\rLine 3\n\tindented  "), by: rep.caller)
            #expect(logged.activity.body == "Line 1\nLine 2\nLine 3\n\tindented")
            for (subject, body) in [("Two\nlines", "fine"), ("fine", "bell \u{07}")] {
                let refused = try await #require(throws: RapportError.self) {
                    try await harness.rapport.activities.log(.init(customerID: id, type: "note", subject: subject, body: body), by: rep.caller)
                }
                #expect(refused.code == .validationFailed && refused.fieldErrors.map(\.code) == ["invalid"])
            }
        }
    }
}
