import Foundation
import RapportApp
import RapportCore
import RapportStorage
import RapportTestSupport
import Testing

/// A stage move that fills the fields its guards ask for in the same step (what the web's stage
/// forms send): a refused move changes nothing, an accepted one stores fields and stage together.
@Suite struct OpportunityFillingTests {
    @Test func moneyAsWrittenIsReadWithIntegersOnly() {
        #expect(Money.parse("1,234.5", currency: "CNY") == Money(123_450, "CNY"))
        #expect(Money.parse("9.9", currency: "CNY") == Money(990, "CNY"))
        #expect(Money.parse("¥ 99", currency: "CNY") == Money(9_900, "CNY"))
        #expect(Money.parse("1000", currency: "JPY") == Money(1_000, "JPY"))
        #expect(Money.parse("0.001", currency: "CNY") == nil && Money.parse("1.5", currency: "JPY") == nil)
        #expect(Money.parse("-1", currency: "CNY") == nil && Money.parse("abc", currency: "CNY") == nil && Money.parse("", currency: "CNY") == nil)
        #expect(Money.parse("99999999999999999999", currency: "CNY") == nil)
        #expect(Money(123_450, "CNY").plainText == "1234.50" && Money(7, "JPY").plainText == "7" && Money(5, "KWD").plainText == "0.005")
    }

    @Test(arguments: TestBackend.available)
    func aMoveFillsTheGuardFieldsInOneStep(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let rep = try await harness.signedIn(.rep, team: try await harness.team("east"))
            let opportunities = harness.rapport.opportunities
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Li Lei"), by: rep.caller).0
            let created = try await opportunities.create(OpportunityInput(name: "Maths", customer: customer.id.rawValue), by: rep.caller)
            let id = created.opportunity.id.rawValue
            let pipeline = try await opportunities.pipeline("new_sale", by: rep.caller).pipeline
            let dictionary = try await harness.rapport.dictionary.get("opportunity", by: rep.caller).dictionary

            // Nothing typed: refused at the amount; a bad amount: refused, nothing stored.
            let empty = OpportunityInput(guardsOf: "proposal", in: pipeline, dictionary: dictionary, form: [("amount", " "), ("name", "ignored")])
            #expect(empty.amount == nil && empty.name == nil)
            let unmet = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "proposal", reason: nil, filling: empty, by: rep.caller) }
            #expect(unmet.fieldErrors.map(\.field) == ["amount"])
            let typo = OpportunityInput(guardsOf: "proposal", in: pipeline, dictionary: dictionary, form: [("amount", "12,3x"), ("currency", "CNY")])
            let refused = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "proposal", reason: nil, filling: typo, by: rep.caller) }
            #expect(refused.code == .validationFailed && refused.fieldErrors.allSatisfy { $0.field.hasPrefix("amount") })
            #expect(try await opportunities.get(id, by: rep.caller).opportunity == created.opportunity)

            // Only fields: the owner cannot come along.
            var sneaky = OpportunityInput(amount: .some(Money(100, "CNY")))
            sneaky.owner = rep.user.id.rawValue
            let owner = try await #require(throws: RapportError.self) { try await opportunities.move(id, to: "proposal", reason: nil, filling: sneaky, by: rep.caller) }
            #expect(owner.fieldErrors.map(\.field) == ["stage"])

            // The amount and the stage together, in the history and the audit log.
            let filled = OpportunityInput(guardsOf: "proposal", in: pipeline, dictionary: dictionary, form: [("amount", "12,345.60"), ("currency", "CNY")])
            let moved = try await opportunities.move(id, to: "proposal", reason: "Plan sent", filling: filled, by: rep.caller)
            #expect(moved.opportunity.stage == "proposal" && moved.opportunity.amount == Money(1_234_560, "CNY") && moved.opportunity.version == 2)
            #expect(try await opportunities.history(id, by: rep.caller).map(\.to) == ["needs_analysis", "proposal"])
            let actions = try await harness.rapport.audit.list(.init(objectID: id), page: PageRequest(), by: harness.system).items.map(\.action)
            #expect(actions.contains("opportunity.updated") && actions.contains("opportunity.stage_changed"))

            // A custom field guard (negotiation asks for the course package) by its path.
            let package = try #require(dictionary.field("course_package")?.options.first?.key)
            let next = OpportunityInput(guardsOf: "negotiation", in: pipeline, dictionary: dictionary, form: [("custom_fields.course_package", package)])
            let negotiation = try await opportunities.move(id, to: "negotiation", reason: nil, filling: next, by: rep.caller)
            #expect(negotiation.opportunity.customFields["course_package"] == .string(package))
        }
    }
}
