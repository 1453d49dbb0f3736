import Foundation
import RapportApp
import RapportCore

/// A hidden form field carried from one step of a wizard to the next.
struct HiddenField {
    var name: String
    var value: String
}

/// A radio choice of a form.
struct RadioChoice {
    var id: String
    var value: String
    var label: String
    var checked: Bool
}

/// Step 1 of the handover wizard: whose records, and the handovers done lately.
struct HandoverStartBody {
    var q: String
    var people: [Person]
    var hasPeople: Bool
    var recent: [Recent]

    struct Person {
        var id: String
        var name: String
        var detail: String
    }

    struct Recent {
        var link: String
        var text: String
        var date: String
    }

    init(web: WebContext, q: String, people: [User], recent: [Handover], book: NameBook) {
        self.q = q
        self.people = people.filter { $0.id != web.user.id }.map { user in
            let team = user.teamID.flatMap { book.teams[$0.rawValue] }
            let status = user.status == .disabled ? web.text("handover_disabled") : nil
            return Person(id: user.id.rawValue, name: user.name, detail: [user.email, team, status].compactMap { $0 }.joined(separator: " · "))
        }
        hasPeople = !self.people.isEmpty
        let formatter = web.locale.dateFormatter()
        self.recent = recent.map { handover in
            Recent(link: "/manage/handovers/" + WebPages.segment(handover.id.rawValue),
                   text: web.text("handover_of", ["name": book.users[handover.userID.rawValue] ?? handover.userID.rawValue]),
                   date: formatter.string(from: handover.at))
        }
    }
}

/// What the departing person owns, per kind, worded ("12 leads, 8 open").
func holdingsText(_ web: WebContext, _ kind: HandoverUseCases.KindPreview) -> String {
    let count = web.locale.number(kind.count)
    switch kind.kind {
    case .leads: return web.text("handover_leads_owned", ["n": count, "open": web.locale.number(kind.open ?? 0)])
    case .customers:
        return web.text("handover_customers_owned", ["n": count]) + (kind.skipped > 0 ? " · " + web.text("handover_skipped", ["n": web.locale.number(kind.skipped)]) : "")
    case .opportunities:
        return web.text("handover_opportunities_owned", ["n": count])
            + (kind.skipped > 0 ? " · " + web.text("handover_closed_kept", ["n": web.locale.number(kind.skipped)]) : "")
    case .tasks:
        return web.text("handover_tasks_owned", ["n": count])
    }
}

/// Step 2: where each kind goes.
struct HandoverTargetsBody {
    var user: String
    var userName: String
    var kinds: [KindForm]

    struct KindForm {
        var kind: String
        var legend: String
        var owned: String
        var choices: [RadioChoice]
        var people: [WebOption]
        var teams: [WebOption]
        var pools: [WebOption]
        var hasPools: Bool
    }

    init(web: WebContext, preview: HandoverUseCases.Preview, choices: HandoverChoices, form: WebForm) {
        user = preview.user.id.rawValue
        userName = preview.user.name
        kinds = preview.kinds.map { kind in
            let name = kind.kind.rawValue
            let to = form["\(name)_to"] ?? (preview.user.teamID == nil ? "users" : "team")
            let chosenPeople = Set(form.all("\(name)_users"))
            let pools = switch kind.kind {
            case .leads: choices.leadPools
            case .customers: choices.customerPools
            case .opportunities, .tasks: [(String, String)]()
            }
            return KindForm(
                kind: name, legend: web.text("handover_kind_\(name)"), owned: holdingsText(web, kind),
                choices: ["users", "team", "pool", "none"].filter { $0 != "pool" || !pools.isEmpty }.map { value in
                    RadioChoice(id: "\(name)-to-\(value)", value: value, label: web.text("handover_to_\(value)"), checked: value == to)
                },
                people: choices.people.map { WebOption(value: $0.0, label: $0.1, selected: chosenPeople.contains($0.0)) },
                teams: WebOption.list(choices.teams, chosen: form["\(name)_team"] ?? preview.user.teamID?.rawValue),
                pools: WebOption.list(pools, chosen: form["\(name)_pool"]), hasPools: !pools.isEmpty)
        }
    }
}

/// Step 3: what would move where, and the confirmation (with the reason).
struct HandoverPreviewBody {
    var user: String
    var userName: String
    var kinds: [KindPreview]
    var warnings: [String]
    var hidden: [HiddenField]
    var changeLink: String
    var confirm: String

    struct KindPreview {
        var legend: String
        var owned: String
        var target: String
        var recipients: [Share]
        var hasRecipients: Bool
        var records: [String]
        var hasRecords: Bool
    }

    struct Share {
        var name: String
        var count: String
        var open: String
    }

    init(web: WebContext, preview: HandoverUseCases.Preview, plan: [HandoverKind: HandoverUseCases.TargetInput], form: WebForm, book: NameBook, pools: [Pool]) {
        let locale = web.locale
        user = preview.user.id.rawValue
        userName = preview.user.name
        let poolNames = Dictionary(uniqueKeysWithValues: pools.map { ($0.id, $0.name) })
        kinds = preview.kinds.map { kind in
            let target: String
            switch kind.plan?.target {
            case .users?: target = web.text("handover_to_users")
            case .team(let team)?: target = web.text("handover_to_team_named", ["team": book.teams[team.rawValue] ?? team.rawValue])
            case .pool(let pool)?: target = web.text("handover_to_pool_named", ["pool": poolNames[pool] ?? pool.rawValue])
            case nil: target = web.text("handover_kept")
            }
            let shares = (kind.plan?.recipients ?? []).map { Share(name: $0.name, count: locale.number($0.count), open: locale.number($0.open)) }
            return KindPreview(legend: web.text("handover_kind_\(kind.kind.rawValue)"), owned: holdingsText(web, kind), target: target,
                               recipients: shares, hasRecipients: !shares.isEmpty, records: kind.records.prefix(10).map { "\($0.name) · \($0.stage)" },
                               hasRecords: !kind.records.isEmpty)
        }
        warnings = preview.warnings.map { warning in
            web.text("handover_warning", ["name": book.users[warning.userID.rawValue] ?? warning.userID.rawValue, "holding": locale.number(warning.holding),
                                          "incoming": locale.number(warning.incoming), "limit": locale.number(warning.limit)])
        }
        var fields = [HiddenField(name: "user", value: user)]
        for kind in HandoverKind.allCases {
            let name = kind.rawValue
            guard let target = plan[kind], let to = target.to else { fields.append(HiddenField(name: "\(name)_to", value: "none")); continue }
            fields.append(HiddenField(name: "\(name)_to", value: to))
            fields += (target.userIDs ?? []).map { HiddenField(name: "\(name)_users", value: $0) }
            if let team = target.team { fields.append(HiddenField(name: "\(name)_team", value: team)) }
            if let pool = target.pool { fields.append(HiddenField(name: "\(name)_pool", value: pool)) }
        }
        hidden = fields
        changeLink = "/manage/handover/targets" + managerQuery(fields.map { ($0.name, $0.value) })
        confirm = web.text("handover_confirm_question", ["name": preview.user.name])
    }
}

/// A finished handover: what moved where, and a page of the records moved.
struct HandoverReportBody {
    var userName: String
    var byName: String
    var reason: String
    var at: String
    var revoked: String
    var kinds: [KindOutcome]
    var items: [Item]
    var hasItems: Bool
    var nextPage: String?

    struct KindOutcome {
        var legend: String
        var target: String
        var numbers: String
        var recipients: [Share]
        var hasRecipients: Bool
    }

    struct Share {
        var name: String
        var count: String
    }

    struct Item {
        var kind: String
        var id: String
        var link: String
        var to: String
    }

    init(web: WebContext, handover: Handover, items: Page<HandoverItem>, book: NameBook, pools: [Pool]) {
        let locale = web.locale
        func person(_ id: RecordID?) -> String { id.map { book.users[$0.rawValue] ?? $0.rawValue } ?? "–" }
        let poolNames = Dictionary(uniqueKeysWithValues: pools.map { ($0.id, $0.name) })
        userName = person(handover.userID)
        byName = person(handover.byUserID)
        reason = handover.reason
        at = locale.dateFormatter().string(from: handover.at)
        revoked = web.text("handover_revoked", ["n": locale.number(handover.summary.revokedCredentials)])
        kinds = HandoverKind.allCases.compactMap { kind in
            guard let outcome = handover.summary.kinds[kind.rawValue] else { return nil }
            let target: String = switch outcome.to {
            case "team": web.text("handover_to_team_named", ["team": outcome.teamID.map { book.teams[$0.rawValue] ?? $0.rawValue } ?? "–"])
            case "pool": web.text("handover_to_pool_named", ["pool": outcome.poolID.map { poolNames[$0] ?? $0.rawValue } ?? "–"])
            case "users": web.text("handover_to_users")
            default: web.text("handover_kept")
            }
            return KindOutcome(legend: web.text("handover_kind_\(kind.rawValue)"), target: target,
                               numbers: web.text("handover_numbers", ["moved": locale.number(outcome.moved), "kept": locale.number(outcome.kept),
                                                                      "skipped": locale.number(outcome.skipped)]),
                               recipients: outcome.recipients.map { Share(name: person($0.userID), count: locale.number($0.count)) },
                               hasRecipients: !outcome.recipients.isEmpty)
        }
        self.items = items.items.map { item in
            let (label, path) = switch item.objectKind {
            case .lead: ("record_lead", "/leads/")
            case .opportunity: ("record_opportunity", "/opportunities/")
            case .task: ("record_task", "/tasks")
            default: ("record_customer", "/customers/")
            }
            return Item(kind: web.text(label), id: item.objectID.rawValue, link: item.objectKind == .task ? path : path + WebPages.segment(item.objectID.rawValue),
                        to: item.to.map { person($0) } ?? item.poolID.map { web.text("handover_to_pool_named", ["pool": poolNames[$0] ?? $0.rawValue]) } ?? "–")
        }
        hasItems = !self.items.isEmpty
        nextPage = items.nextCursor.map { "/manage/handovers/" + WebPages.segment(handover.id.rawValue) + managerQuery([("cursor", $0.token)]) }
    }
}
