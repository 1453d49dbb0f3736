import Foundation
import RapportApp
import RapportCore

/// The opportunities page's choices as the address carries them (`/opportunities?pipeline=renewal&view=list`):
/// read, cut to size, and turned into the use cases' queries and the page's links.
struct OpportunityFilters {
    var pipeline = ""
    /// `board` (the kanban, the default) or `list` (a table with pages).
    var view = "board"
    /// `mine` (the default) or `all`: everything in the reader's scope (a manager's team, a rep's
    /// shared opportunities too).
    var whose = "mine"
    /// Managers and administrators: one owner's (a user id).
    var owner = ""
    var stage = ""
    var status = ""
    var q = ""
    var cursor: String?

    init(query raw: String, canManage: Bool) {
        for (key, value) in SavedView.decode(raw) {
            let value = String(value.trimmingWhitespace().prefix(100))
            switch key {
            case "pipeline": pipeline = value
            case "view": view = value == "list" ? "list" : "board"
            case "whose": whose = value == "all" ? "all" : "mine"
            case "owner": owner = canManage ? value : ""
            case "stage": stage = value
            case "status": status = ["open", "won", "lost"].contains(value) ? value : ""
            case "q": q = value
            case "cursor": cursor = value.isEmpty ? nil : value
            default: break
            }
        }
    }

    /// The address of these filters with some changed (the cursor dropped).
    func link(view: String? = nil, pipeline: String? = nil, stage: String? = nil) -> String {
        let pairs = [("pipeline", pipeline ?? self.pipeline), ("view", (view ?? self.view) == "list" ? "list" : ""), ("whose", whose == "all" ? "all" : ""),
                     ("owner", owner), ("stage", stage ?? self.stage), ("status", status), ("q", q)]
        let query = pairs.filter { !$0.1.isEmpty }.map { "\($0.0)=\(SavedView.encode($0.1))" }.joined(separator: "&")
        return "/opportunities" + (query.isEmpty ? "" : "?" + query)
    }

    /// The owner to show: the chosen one, else the reader for "mine", else everyone in scope.
    func ownerID(me: RecordID) -> String? {
        if !owner.isEmpty { return owner }
        return whose == "mine" ? me.rawValue : nil
    }

    func listQuery(me: RecordID) -> OpportunityUseCases.ListQuery {
        OpportunityUseCases.ListQuery(pipeline: pipeline.isEmpty ? nil : pipeline, stage: stage.isEmpty ? nil : stage, owner: ownerID(me: me),
                                      status: status.isEmpty ? nil : status, q: q.isEmpty ? nil : q)
    }
}

/// What the opportunity pages need to word a record: the pipelines, the names of the people and
/// customers they mention, and today.
struct OpportunityWording {
    var locale: Localization.Locale
    var pipelines: [PipelineDefinition]
    var people: [RecordID: String] = [:]
    var customers: [RecordID: String] = [:]
    var now: Date

    func text(_ key: String, _ values: [String: String] = [:]) -> String { locale.text(key, values) }

    func pipeline(_ key: String) -> PipelineDefinition? { pipelines.first { $0.key == key } }

    func stageLabel(_ stage: String, in pipeline: String) -> String {
        self.pipeline(pipeline)?.stage(stage)?.label.text(for: locale.code) ?? stage
    }

    func money(_ amount: Money?) -> String { amount.map { locale.money($0.amountMinor, currency: $0.currency) } ?? "—" }

    func money(_ amounts: [Money]) -> String {
        amounts.isEmpty ? "—" : amounts.map { locale.money($0.amountMinor, currency: $0.currency) }.joined(separator: " + ")
    }

    /// The customer's name, or "—" when there is none (open deals may have no account) or the
    /// reader may not see it.
    func customer(_ id: RecordID?) -> String { id.flatMap { customers[$0] } ?? "—" }

    func person(_ id: RecordID?) -> String { id.map { people[$0] ?? text("someone") } ?? text("system") }

    func days(since date: Date) -> String {
        let days = max(0, Int(now.timeIntervalSince(date) / 86_400))
        return days == 1 ? text("opp_day_in_stage") : text("opp_days_in_stage", ["n": String(days)])
    }

    /// A calendar date (`YYYY-MM-DD`) as the reader writes dates.
    func day(_ text: String?) -> String {
        guard let text, let date = LeadFilters.day(text) else { return text ?? "—" }
        let formatter = locale.dateFormatter()
        formatter.timeStyle = .none
        return formatter.string(from: date)
    }
}

/// An opportunity as a card of the board or a row of the list.
struct OpportunityCard {
    var id: String
    var name: String
    var customer: String
    var stage: String
    var amount: String
    var weighted: String
    var close: String
    var owner: String
    var days: String
    /// The stages it may move to (the move form's select), none when closed or read-only.
    var moves: [WebOption]
    var hasMoves: Bool

    init(_ item: OpportunityUseCases.Item, wording: OpportunityWording, mayMove: Bool) {
        let opportunity = item.opportunity
        id = opportunity.id.rawValue
        name = opportunity.name
        customer = wording.customer(OpportunityPages.customerID(of: opportunity))
        stage = wording.stageLabel(opportunity.stage, in: opportunity.pipeline)
        amount = wording.money(opportunity.amount)
        weighted = wording.money(item.weightedAmount)
        close = wording.day(opportunity.expectedCloseDate)
        owner = wording.person(opportunity.ownerID)
        days = wording.days(since: opportunity.stageEnteredAt)
        let pipeline = wording.pipeline(opportunity.pipeline)
        let targets = mayMove && !opportunity.statusCategory.isClosed ? (pipeline?.stage(opportunity.stage)?.transitions ?? []) : []
        moves = targets.compactMap { key in
            guard let stage = pipeline?.stage(key), !stage.archived else { return nil }
            return WebOption(value: key, label: stage.label.text(for: wording.locale.code), selected: false)
        }
        hasMoves = !moves.isEmpty
    }
}

/// The opportunities page: pipeline picker, filters, and the board or the list.
struct OpportunitiesBody {
    struct Tab {
        var label: String
        var link: String
        var current: Bool
    }

    struct Column {
        var key: String
        var label: String
        var probability: String
        var count: String
        var amount: String
        var weighted: String
        var cards: [OpportunityCard]
        var hasCards: Bool
        /// The list of this stage, when the column shows only its first cards.
        var more: String?
    }

    var pipelines: [Tab]
    var pipeline: String
    var isBoard: Bool
    var boardLink: String
    var listLink: String
    var canManage: Bool
    var whose: [WebOption]
    var owners: [WebOption]
    var hasOwners: Bool
    var stages: [WebOption]
    var statuses: [WebOption]
    var q: String
    var columns: [Column] = []
    var openSummary: String = ""
    var rows: [OpportunityCard] = []
    var next: String?
    /// Where a card's move returns to.
    var returnTo: String
    var mayCreate: Bool
}
