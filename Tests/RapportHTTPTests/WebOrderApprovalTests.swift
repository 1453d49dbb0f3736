import Foundation
import HTTPTypes
import HummingbirdTesting
import RapportApp
import RapportCore
import RapportTestSupport
import RapportWeb
import Testing

/// Orders waiting for approval, for those who approve them: a link from the workbench and from the
/// quote approval inbox to the orders list filtered on `pending_approval` (managers and
/// administrators only), in both languages.
@Suite struct WebOrderApprovalTests {
    @Test(arguments: TestBackend.available)
    func managersFindOrdersAwaitingApprovalFromTheWorkbench(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let east = try await harness.team("east")
            let rep = try await harness.signedIn(.rep, team: east)
            let manager = try await harness.signedIn(.manager, team: east)
            let admin = try await harness.signedIn(.admin)
            _ = try await harness.rapport.products.create(
                ProductUseCases.Input(sku: "MATH-48", name: "数学 48 课时", unit: "package", prices: [.init(currency: "CNY", amountMinor: 199_900)]), by: admin.caller)
            let customer = try await harness.rapport.customers.create(CustomerInput(kind: "person", name: "Parent"), by: rep.caller).0
            let order = try await harness.rapport.orders.create(
                OrderInput(title: "Waiting order", customer: customer.id.rawValue, currency: "CNY", lines: [.init(sku: "MATH-48", quantity: 1)]), by: rep.caller)
            _ = try await harness.rapport.orders.act(.submit, on: order.id.rawValue, reason: nil, by: rep.caller)
            try await harness.http { client in
                let link = "href=\"/orders?status=pending_approval\""
                #expect(try await client.page("/workbench", session: manager.secret).text.contains(link))
                #expect(try await client.page("/quotes/approvals", session: manager.secret).text.contains(link))
                #expect(!(try await client.page("/workbench", session: rep.secret).text.contains(link)))
                let zh = try await client.page("/workbench", session: manager.secret, language: "zh-CN")
                #expect(zh.status == .ok && zh.text.contains("待审批订单"))
                let waiting = try await client.page("/orders?status=pending_approval", session: manager.secret)
                #expect(waiting.status == .ok && waiting.text.contains("Waiting order") && waiting.text.contains("/orders/\(order.id)"))
            }
        }
    }
}
