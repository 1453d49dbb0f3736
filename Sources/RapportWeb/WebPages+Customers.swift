import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP

extension WebPages {
    /// The customers pages: search within the caller's scope, and one customer's 360 view
    /// (profile masked, tags, relations, stage history, timeline).
    func addCustomers(to router: Router<APIRequestContext>) {
        page(router, "customers") { request, context, web in
            let q = request.uri.queryParameters.get("q").map { String($0.prefix(200)) } ?? ""
            let found = try await rapport.customers.list(.init(q: q.isEmpty ? nil : q), page: PageRequest(limit: 50), by: web.caller)
            return web.page("customers", title: web.text("customers"), CustomersBody(q: q, customers: found.items.map(CustomerRow.init)))
        }
        page(router, "customers/:id") { request, context, web in
            let view = try await rapport.customers.view360(try context.parameters.require("id"), by: web.caller)
            return web.page("customer", title: view.customer.name, Customer360Body(locale: web.locale, view: view))
        }
    }
}

/// A customer as a row of a list: masked contacts.
struct CustomerRow {
    var id: String
    var name: String
    var company: String
    var contact: String
    var stage: String
    var tags: String

    init(_ customer: Customer) {
        id = customer.id.rawValue
        name = customer.name
        company = customer.company ?? ""
        contact = customer.contacts.prefix(2).map(\.value).joined(separator: " · ")
        stage = customer.stage
        tags = customer.tags.joined(separator: ", ")
    }
}

/// Customer search.
struct CustomersBody {
    var q: String
    var customers: [CustomerRow]
}

/// One customer's 360 view, worded for the reader.
struct Customer360Body {
    struct Line {
        var title: String
        var detail: String
    }

    var customer: CustomerRow
    var stageLabel: String
    var touchesText: String
    var relations: [Line]
    var stages: [Line]
    var timeline: [Line]

    init(locale: Localization.Locale, view: CustomerUseCases.View360) {
        let formatter = locale.dateFormatter()
        customer = CustomerRow(view.customer)
        stageLabel = view.stageLabel.map { locale.code == "zh-Hans" ? $0.zhHans : $0.en } ?? view.customer.stage
        touchesText = locale.text("touches", ["n": String(view.outboundTouches), "limit": String(view.frequencyCap.limit), "days": String(view.frequencyCap.periodDays)])
        relations = view.relations.map { Line(title: $0.otherName, detail: $0.type) }
        stages = view.stageHistory.reversed().map { change in
            Line(title: [change.from, change.to].compactMap { $0 }.joined(separator: " → "), detail: formatter.string(from: change.at))
        }
        timeline = view.timeline.items.map { activity in
            Line(title: locale.text("activity_\(activity.type.rawValue)") + ([activity.subject, activity.outcome.map { locale.strings["outcome_\($0)"] ?? $0 }]
                    .compactMap { $0 }.map { " · \($0)" }.joined()),
                 detail: formatter.string(from: activity.occurredAt))
        }
    }
}
