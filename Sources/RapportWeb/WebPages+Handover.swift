import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

extension WebPages {
    /// The handover wizard (离职交接): choose the departing person, choose where each kind of their
    /// records goes (people round-robin, a team, a pool), preview what would move, confirm; then
    /// the report with every record moved. Preview and run are the handover use cases', so scope
    /// (a manager: their team subtree) and every check are theirs.
    func addHandover(to router: Router<APIRequestContext>) {
        page(router, "manage/handover") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let q = query["q"].map { String($0.prefix(200)) }
            let people = try await rapport.users.list(.init(query: q), page: PageRequest(limit: 100), by: web.caller)
            let recent = try await rapport.handovers.list(page: PageRequest(limit: 10), by: web.caller)
            let book = try await NameBook.load(rapport, by: web.caller)
            return web.page("handover_start", title: web.text("handover_title"),
                            HandoverStartBody(web: web, q: q ?? "", people: people.items, recent: recent.items, book: book))
        }
        page(router, "manage/handover/targets") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let preview = try await rapport.handovers.preview(query["user"] ?? "", by: web.caller)
            let choices = try await handoverChoices(web, departing: preview.user)
            return web.page("handover_targets", title: web.text("handover_title"),
                            HandoverTargetsBody(web: web, preview: preview, choices: choices, form: query))
        }
        page(router, "manage/handover/preview") { request, context, web in
            try Self.requireManager(web)
            let query = Self.query(request)
            let plan = Self.handoverPlan(query)
            let preview = try await rapport.handovers.preview(query["user"] ?? "", plan: plan, by: web.caller)
            let pools = try await rapport.pools.list(includeArchived: true, by: web.caller)
            let book = try await NameBook.load(rapport, by: web.caller)
            return web.page("handover_preview", title: web.text("handover_title"),
                            HandoverPreviewBody(web: web, preview: preview, plan: plan, form: query, book: book, pools: pools))
        }
        action(router, "manage/handover") { request, context, web, form in
            try Self.requireManager(web)
            let handover = try await rapport.handovers.handOver(.init(user: form["user"] ?? "", reason: form["reason"], targets: Self.handoverPlan(form)),
                                                                by: web.caller)
            return web.redirect("/manage/handovers/" + Self.segment(handover.id.rawValue), notice: "handover_done")
        }
        page(router, "manage/handovers/:id") { request, context, web in
            try Self.requireManager(web)
            let id = try context.parameters.require("id")
            let query = Self.query(request)
            let handover = try await rapport.handovers.get(id, by: web.caller)
            let items = try await rapport.handovers.items(id, page: try PageRequest.parse(limit: nil, cursor: query["cursor"]), by: web.caller)
            let pools = try await rapport.pools.list(includeArchived: true, by: web.caller)
            let book = try await NameBook.load(rapport, by: web.caller)
            return web.page("handover_report", title: web.text("handover_report"),
                            HandoverReportBody(web: web, handover: handover, items: items, book: book, pools: pools))
        }
    }

    /// Each kind's target as the wizard's fields name it: `<kind>_to` (`none`, `users`, `team`,
    /// `pool`) with `<kind>_users` (repeated), `<kind>_team` or `<kind>_pool`. `none` (or nothing)
    /// leaves the kind with the departing person.
    static func handoverPlan(_ form: WebForm) -> [HandoverKind: HandoverUseCases.TargetInput] {
        var plan: [HandoverKind: HandoverUseCases.TargetInput] = [:]
        for kind in HandoverKind.allCases {
            let name = kind.rawValue
            guard let to = form["\(name)_to"], to != "none" else { continue }
            plan[kind] = .init(to: to, userIDs: to == "users" ? form.all("\(name)_users") : nil, team: to == "team" ? form["\(name)_team"] : nil,
                               pool: to == "pool" ? form["\(name)_pool"] : nil)
        }
        return plan
    }

    /// What a kind may go to: the active people in scope (not the departing one), the teams in
    /// scope, and the active pools of each kind.
    func handoverChoices(_ web: WebContext, departing: User) async throws -> HandoverChoices {
        let people = try await rapport.users.list(.init(status: .active), page: PageRequest(limit: PageRequest.maximumLimit), by: web.caller)
        let book = try await NameBook.load(rapport, by: web.caller)
        return HandoverChoices(people: people.items.filter { $0.id != departing.id }.map { ($0.id.rawValue, $0.name) },
                               teams: book.teams.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { ($0.key, $0.value) },
                               leadPools: try await rapport.pools.list(object: .lead, by: web.caller).map { ($0.key, $0.name) },
                               customerPools: try await rapport.pools.list(object: .customer, by: web.caller).map { ($0.key, $0.name) })
    }
}

/// The targets the wizard offers, as (value, label) pairs.
struct HandoverChoices: Sendable {
    var people: [(String, String)]
    var teams: [(String, String)]
    var leadPools: [(String, String)]
    var customerPools: [(String, String)]
}
