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
        router.get("customers") { request, context in
            guard let (caller, secret) = try await session(request, context) else { return signInFirst(request) }
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            let q = request.uri.queryParameters.get("q").map { String($0.prefix(200)) } ?? ""
            let found = try await rapport.customers.list(.init(q: q.isEmpty ? nil : q), page: PageRequest(limit: 50), by: caller)
            let page = CustomersPage(locale: locale, userName: try await userName(caller), csrf: WebSession.csrfToken(forSession: secret),
                                     q: q, customers: found.items)
            return html(WebTemplates.shared.render(page, template: "customers"), locale: locale, status: .ok)
        }
        router.get("customers/:id") { request, context in
            guard let (caller, secret) = try await session(request, context) else { return signInFirst(request) }
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            let view: CustomerUseCases.View360
            do {
                view = try await rapport.customers.view360(try context.parameters.require("id"), by: caller)
            } catch let error as RapportError where error.code == .notFound {
                return html(WebTemplates.shared.render(MessagePage(locale: locale, message: locale.text("not_found")), template: "message"),
                            locale: locale, status: .notFound)
            }
            let page = Customer360Page(locale: locale, userName: try await userName(caller), csrf: WebSession.csrfToken(forSession: secret), view: view)
            return html(WebTemplates.shared.render(page, template: "customer"), locale: locale, status: .ok)
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
struct CustomersPage {
    var lang: String
    var strings: [String: String]
    var title: String
    var signedIn = true
    var userName: String
    var csrf: String
    var q: String
    var customers: [CustomerRow]

    init(locale: Localization.Locale, userName: String, csrf: String, q: String, customers: [Customer]) {
        lang = locale.code
        strings = locale.strings
        title = locale.text("customers")
        self.userName = userName
        self.csrf = csrf
        self.q = q
        self.customers = customers.map(CustomerRow.init)
    }
}

/// One customer's 360 view, worded for the reader.
struct Customer360Page {
    struct Line {
        var title: String
        var detail: String
    }

    var lang: String
    var strings: [String: String]
    var title: String
    var signedIn = true
    var userName: String
    var csrf: String
    var customer: CustomerRow
    var stageLabel: String
    var touchesText: String
    var relations: [Line]
    var stages: [Line]
    var timeline: [Line]

    init(locale: Localization.Locale, userName: String, csrf: String, view: CustomerUseCases.View360) {
        let formatter = locale.dateFormatter()
        lang = locale.code
        strings = locale.strings
        title = view.customer.name
        self.userName = userName
        self.csrf = csrf
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

/// A page that only says something (not found, …).
struct MessagePage {
    var lang: String
    var strings: [String: String]
    var title: String
    var signedIn = false
    var message: String

    init(locale: Localization.Locale, message: String) {
        lang = locale.code
        strings = locale.strings
        title = message
        self.message = message
    }
}
