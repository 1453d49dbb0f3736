import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RapportApp
import RapportCore
import RapportTestSupport
import Testing

/// The revenue page (`/manage/revenue`): a manager sees their team's contracts and money per
/// month as a chart and a table, in both languages; another team's order stays out; a rep is
/// refused; a bad parameter is a page naming it, never a server error.
@Suite struct WebRevenueTests {
    @Test(arguments: TestBackend.available)
    func managersSeeTheirTeamsRevenueAndCollections(_ backend: TestBackend) async throws {
        try await TestHarness.with(backend) { harness in
            let world = try await WebOrdersTests.world(harness)
            let order = try await WebEntitlementsTests.effectiveOrder(harness, world)  // ¥3,998.00, the east's
            _ = try await WebOrdersTests.theirOrder(harness, world)  // ¥1,999.00, the west's
            _ = try await harness.rapport.receivables.recordPayment(order.id.rawValue, .init(amount: Money(150_000, "CNY")), by: world.rep.caller)
            let month = String(CalendarDate(harness.clock.now(), in: harness.rapport.settings.businessTimeZone).description.prefix(7))
            try await harness.http { client in
                let page = try await client.page("/manage/revenue", session: world.manager.secret)
                #expect(page.status == .ok && page.text.contains("<svg") && page.text.contains("revenue-chart-title"))
                #expect(page.text.contains(month) && page.text.contains("¥3,998.00 (1)") && page.text.contains("¥1,500.00 (1)"))
                #expect(!page.text.contains("¥1,999.00") && !page.text.contains("¥5,997.00"), "the west's order stays out")
                #expect(page.body.readableBytes < 100_000)
                let everyone = try await client.page("/manage/revenue?interval=none", session: world.admin.secret, language: "zh-CN")
                #expect(everyone.status == .ok && everyone.text.contains("业绩与回款") && everyone.text.contains("¥5,997.00 (2)"))
                let weekly = try await client.page("/manage/revenue?interval=week&currency=cny", session: world.manager.secret)
                #expect(weekly.status == .ok && weekly.text.contains("¥3,998.00 (1)"))
                let empty = try await client.page("/manage/revenue?from=2020-01-01&to=2020-12-31", session: world.manager.secret)
                #expect(empty.status == .ok && empty.text.contains("No data for this period.") && !empty.text.contains("<svg"))
                let refused = try await client.page("/manage/revenue", session: world.rep.secret)
                #expect(refused.status == .forbidden)
                let bad = try await client.page("/manage/revenue?interval=year&from=soon", session: world.manager.secret)
                #expect(bad.status == .unprocessableContent && bad.text.contains("interval"))
            }
        }
    }
}
