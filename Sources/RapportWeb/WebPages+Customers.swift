import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The customers pages: search and filter within the caller's scope, one customer's 360 view
    /// (profile masked, a reveal counted against the quota, logging an activity, duplicates and
    /// recent merges), and merging (``addCustomerMerges(to:)``).
    func addCustomers(to router: Router<APIRequestContext>) {
        page(router, "customers") { request, context, web in
            let query = WebForm(pairs: FormBody.pairs(request.uri.query ?? ""))
            let q = query["q"].map { String($0.prefix(200)) }
            let stage = query["stage"].map { String($0.prefix(64)) }
            let owner = query["owner"].flatMap { ["mine", "team"].contains($0) ? $0 : nil }
            let principal = web.caller.principal!
            var filter = CustomerUseCases.ListQuery(stage: stage, q: q)
            if owner == "mine" { filter.owner = principal.userID.rawValue }
            if owner == "team" { filter.team = principal.teamID?.rawValue }
            let page = try PageRequest.parse(limit: nil, cursor: query["cursor"])
            let found = try await rapport.customers.list(filter, page: page, by: web.caller)
            let stages = try await rapport.dictionary.get("customer", by: web.caller).dictionary.stages
            return web.page("customers", title: web.text("customers"),
                            CustomersBody(web: web, found: found, stages: stages, q: q, stage: stage, owner: owner, hasTeam: principal.teamID != nil,
                                          first: page.cursor == nil))
        }
        page(router, "customers/:id") { _, context, web in
            try await customer360(web, try context.parameters.require("id"))
        }
        action(router, "customers/:id/reveal") { _, context, web, _ in
            let id: String = try context.parameters.require("id")
            do {
                let revealed = try await rapport.customers.reveal(id, by: web.caller)
                return try await customer360(web, id, revealed: revealed)
            } catch let error as RapportError where error.code == .rateLimited || error.code == .forbidden {
                let quota = try await rapport.customers.revealQuota(by: web.caller)
                let message = error.code == .rateLimited
                    ? web.text("reveal_quota_used", ["quota": quota.quota.map(String.init) ?? "", "time": Self.timeOfDay(quota.resetsAt, web.locale)])
                    : web.text("reveal_forbidden")
                return try await customer360(web, id, revealError: message, status: Problem.status(of: error.code))
            }
        }
        action(router, "customers/:id/activities") { _, context, web, form in
            let id: String = try context.parameters.require("id")
            let entered = CustomerActivityEntry(form)
            do {
                let input = try entered.input(customer: id)
                _ = try await rapport.activities.log(input, by: web.caller)
            } catch let error as RapportError where [.validationFailed, .rateLimited, .conflict].contains(error.code) {
                return try await customer360(web, id, activity: entered, activityError: error, status: Problem.status(of: error.code))
            }
            return web.redirect("/customers/" + Self.segment(id), notice: "activity_logged")
        }
        addCustomerMerges(to: router)
    }

    /// The 360 page of customer `id`: with the full contacts right after a reveal, or a refusal;
    /// with the activity form as entered and why it was refused.
    func customer360(_ web: WebContext, _ id: String, revealed: CustomerUseCases.Revealed? = nil, revealError: String? = nil,
                     activity: CustomerActivityEntry = CustomerActivityEntry(), activityError: RapportError? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let view = try await rapport.customers.view360(id, by: web.caller)
        let quota = try await rapport.customers.revealQuota(by: web.caller)
        let duplicates = try await rapport.merges.duplicates(of: id, by: web.caller)
        let merges = try await rapport.merges.recent(into: id, limit: 5, by: web.caller)
        var body = Customer360Body(web: web, view: view, quota: quota, revealed: revealed)
        body.revealError = revealError
        body.activity = CustomerActivityForm(web: web, entry: activity, error: activityError, cap: view.frequencyCap)
        body.duplicates = duplicates.map(CustomerRow.init)
        body.merges = merges.map { CustomerMergeLine(web: web, record: $0) }
        body.commerce = try await customerCommerce(web, view.customer.id)
        body.tasks = try await taskPanel(web, kind: .customer, id: view.customer.id, returnTo: "/customers/" + Self.segment(view.customer.id.rawValue))
        return web.page("customer", title: view.customer.name, body, status: status)
    }

    /// A time of day for the reader (the reveal quota's reset).
    static func timeOfDay(_ date: Date, _ locale: Localization.Locale) -> String {
        let formatter = locale.dateFormatter()
        formatter.dateStyle = .none
        return formatter.string(from: date)
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

/// Customer search with filters (stage, mine or my team's) and a link to the next page.
struct CustomersBody {
    var q: String
    var customers: [CustomerRow]
    var stages: [WebOption]
    var owners: [WebOption]
    var nextPage: String?
    var firstPage: String?

    init(web: WebContext, found: Page<Customer>, stages: [StageDefinition], q: String?, stage: String?, owner: String?, hasTeam: Bool, first: Bool) {
        let labels = Dictionary(stages.map { ($0.key, web.locale.code == "zh-Hans" ? $0.label.zhHans : $0.label.en) }, uniquingKeysWith: { a, _ in a })
        self.q = q ?? ""
        customers = found.items.map { customer in
            var row = CustomerRow(customer)
            row.stage = labels[customer.stage] ?? customer.stage
            return row
        }
        self.stages = [WebOption(value: "", label: web.text("any_stage"), selected: stage == nil)]
            + WebOption.list(stages.filter { !$0.archived }.map { ($0.key, labels[$0.key] ?? $0.key) }, chosen: stage)
        owners = WebOption.list([("", web.text("owner_anyone")), ("mine", web.text("owner_mine"))] + (hasTeam ? [("team", web.text("owner_team"))] : []),
                                chosen: owner ?? "")
        var query: [(String, String)] = []
        if let q { query.append(("q", q)) }
        if let stage { query.append(("stage", stage)) }
        if let owner { query.append(("owner", owner)) }
        nextPage = found.nextCursor.map { WebPages.queryPath("/customers", query + [("cursor", $0.token)]) }
        firstPage = first ? nil : WebPages.queryPath("/customers", query)
    }
}

extension WebPages {
    /// A path with a query string, each value form-encoded.
    static func queryPath(_ path: String, _ query: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        let text = query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return text.isEmpty ? path : path + "?" + text
    }
}

/// One line of a 360 section: a title, a detail and an optional longer text (a note).
struct CustomerLine {
    var title: String
    var detail: String
    var text: String? = nil
}

/// A merge into this customer, with its undo when it still can be.
struct CustomerMergeLine {
    var id: String
    var title: String
    var detail: String
    var undoable: Bool

    init(web: WebContext, record: MergeStore.Record) {
        let formatter = web.locale.dateFormatter()
        id = record.id.rawValue
        title = web.text("merged_from", ["name": record.snapshot.mergedBefore.name])
        var moved: [CustomerLinkedRecord: Int] = [:]
        for kind in CustomerLinkedRecord.allCases { moved[kind] = record.snapshot.moved(kind).count }
        detail = ([formatter.string(from: record.mergedAt)] + [WebPages.mergeMoves(moved, web: web)].compactMap { $0 }
                  + [record.undoneAt.map { web.text("undone_at", ["date": formatter.string(from: $0)]) }].compactMap { $0 }).joined(separator: " · ")
        undoable = record.undoneAt == nil
    }
}

/// One customer's 360 view, worded for the reader.
struct Customer360Body {
    var customer: CustomerRow
    /// Company and tags, when there are any.
    var subtitle: String?
    var stageLabel: String
    var touchesText: String
    var contacts: [CustomerLine]
    var revealed: Bool
    var canReveal: Bool
    var quotaText: String
    var revealError: String?
    var activity: CustomerActivityForm?
    var relations: [CustomerLine]
    var stages: [CustomerLine]
    var timeline: [CustomerLine]
    var duplicates: [CustomerRow] = []
    var merges: [CustomerMergeLine] = []
    /// Their orders and entitlements, for readers who may see them.
    var commerce: CustomerCommerce?
    /// The customer's tasks and a new-task form.
    var tasks: TaskPanel?

    init(web: WebContext, view: CustomerUseCases.View360, quota: (quota: Int?, used: Int64, resetsAt: Date), revealed: CustomerUseCases.Revealed?) {
        let locale = web.locale
        let formatter = locale.dateFormatter()
        customer = CustomerRow(view.customer)
        let about = [customer.company, customer.tags].filter { !$0.isEmpty }.joined(separator: " · ")
        subtitle = about.isEmpty ? nil : about
        stageLabel = view.stageLabel.map { locale.code == "zh-Hans" ? $0.zhHans : $0.en } ?? view.customer.stage
        touchesText = locale.text("touches", ["n": String(view.outboundTouches), "limit": String(view.frequencyCap.limit), "days": String(view.frequencyCap.periodDays)])
        let shown = revealed?.contacts ?? view.customer.contacts
        contacts = shown.map { CustomerLine(title: locale.text("contact_\($0.kind.rawValue)"), detail: $0.value, text: $0.label) }
        if let number = revealed.map({ $0.idNumber }) ?? view.customer.idNumber {
            contacts.append(CustomerLine(title: locale.text("id_number"), detail: number))
        }
        self.revealed = revealed != nil
        let sensitive = view.customer.contacts.contains { $0.kind.isSensitive } || view.customer.idNumber != nil
        let limit = revealed.map { $0.quota } ?? quota.quota
        let used = revealed?.used ?? quota.used
        canReveal = revealed == nil && sensitive && view.customer.ownerID != nil && limit != 0
        quotaText = limit.map { locale.text("reveals_left", ["n": String(max(0, Int64($0) - used)), "quota": String($0)]) } ?? locale.text("reveals_unlimited")
        relations = view.relations.map { CustomerLine(title: $0.otherName, detail: locale.strings["relation_\($0.type)"] ?? $0.type, text: $0.note) }
        stages = view.stageHistory.reversed().map { change in
            CustomerLine(title: [change.from, change.to].compactMap { $0 }.joined(separator: " → "), detail: formatter.string(from: change.at))
        }
        timeline = view.timeline.items.map { activity in
            let direction = activity.direction == .internal ? nil : locale.strings["direction_\(activity.direction.rawValue)"]
            return CustomerLine(title: locale.text("activity_\(activity.type.rawValue)") + ([activity.subject, activity.outcome.map { locale.strings["outcome_\($0)"] ?? $0 }]
                            .compactMap { $0 }.map { " · \($0)" }.joined()),
                        detail: [formatter.string(from: activity.occurredAt), direction].compactMap { $0 }.joined(separator: " · "), text: activity.body)
        }
    }
}
