import Foundation
import RapportApp
import RapportCore

/// The lead list's filters as the address carries them (`/leads?status=new&quiet_days=3`): read,
/// checked, and turned into the use case's query. The same keys a saved view keeps.
struct LeadFilters {
    /// `mine` (the default) or `team` (managers and administrators: everyone in their scope).
    var scope = "mine"
    var q = ""
    var status = ""
    var source = ""
    /// Calendar dates (`YYYY-MM-DD`) in the readers' time zone, both ends included.
    var createdFrom = ""
    var createdTo = ""
    var quietDays = ""
    /// Filter key → what is wrong with it, in the reader's words.
    var errors: [String: String] = [:]

    /// The filters of a url-encoded query (unknown keys ignored, values trimmed and cut).
    init(query raw: String, canManage: Bool, locale: Localization.Locale) {
        for (key, value) in SavedView.decode(SavedView.normalise(raw, for: .lead)) {
            switch key {
            case "scope": scope = canManage && value == "team" ? "team" : "mine"
            case "q": q = value
            case "status": status = value
            case "source": source = value
            case "created_from": createdFrom = value
            case "created_to": createdTo = value
            case "quiet_days": quietDays = value
            default: break
            }
        }
        for (key, value) in [("created_from", createdFrom), ("created_to", createdTo)] where !value.isEmpty && Self.day(value) == nil {
            errors[key] = locale.text("filter_error_date")
        }
        if !quietDays.isEmpty, Int(quietDays).map({ (1...3650).contains($0) }) != true {
            errors["quiet_days"] = locale.text("filter_error_days")
        }
    }

    /// The filters as a normalised query string (what a saved view stores and links carry).
    var query: String {
        let pairs = [("scope", scope == "team" ? "team" : ""), ("q", q), ("status", status), ("source", source),
                     ("created_from", createdFrom), ("created_to", createdTo), ("quiet_days", quietDays)]
        return SavedView.normalise(pairs.map { "\($0.0)=\(SavedView.encode($0.1))" }.joined(separator: "&"), for: .lead)
    }

    /// Whether any filter beyond "mine or team" is set.
    var isFiltered: Bool { ![q, status, source, createdFrom, createdTo, quietDays].allSatisfy(\.isEmpty) }

    /// The use case's query for `me` (valid filters only).
    func listQuery(me: RecordID) -> LeadUseCases.ListQuery {
        LeadUseCases.ListQuery(owner: scope == "team" ? nil : me.rawValue, status: status.isEmpty ? nil : status,
                               source: source.isEmpty ? nil : source, q: q.isEmpty ? nil : q, createdFrom: Self.day(createdFrom),
                               createdBefore: Self.day(createdTo).map { $0.addingTimeInterval(86_400) }, quietDays: Int(quietDays))
    }

    /// The start of a calendar day (`YYYY-MM-DD`) in the readers' time zone (China's).
    static func day(_ text: String) -> Date? {
        guard CustomFieldValidation.isCalendarDate(text) else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}

/// A lead as a row of a list: masked contacts, the status in the reader's words.
struct LeadRow {
    var id: String
    var name: String
    var contact: String
    var source: String
    var status: String
    var lastTouch: String
    var created: String
    var owner: String
}

extension LeadRow {
    init(_ lead: Lead, labels: StageLabels, formatter: DateFormatter, never: String, owner: String = "") {
        id = lead.id.rawValue
        name = lead.name
        contact = [lead.phone, lead.email].compactMap { $0 }.joined(separator: " · ")
        source = lead.source ?? ""
        status = labels[lead.status]
        lastTouch = lead.lastFollowUpAt.map(formatter.string(from:)) ?? never
        created = formatter.string(from: lead.createdAt)
        self.owner = owner
    }
}

/// Stage labels of a dictionary in the reader's language (the key when the dictionary has none).
struct StageLabels {
    let labels: [String: String]

    init(_ dictionary: ObjectDictionary, locale: Localization.Locale) {
        labels = Dictionary(dictionary.stages.map { ($0.key, $0.label.text(for: locale.code)) }, uniquingKeysWith: { first, _ in first })
    }

    subscript(_ key: String) -> String { labels[key] ?? key }
}

/// The leads list: filters, saved views, the rows and the next page.
struct LeadsBody {
    struct Tab {
        var id: String
        var name: String
        var link: String
        var current: Bool
    }

    struct PoolLink {
        var key: String
        var name: String
    }

    var heading: String
    var canManage: Bool
    var team: Bool
    var q: String
    var source: String
    var createdFrom: String
    var createdTo: String
    var quietDays: String
    var statuses: [WebOption]
    var errors: [String: String]
    var hasErrors: Bool
    var views: [Tab]
    var allCurrent: Bool
    var teamCurrent: Bool
    var query: String
    var saveName: String
    var saveError: String?
    var leads: [LeadRow]
    var next: String?
    var pools: [PoolLink]
}

/// A pool's waiting leads with claim buttons, and where the rep stands.
struct PoolBody {
    var key: String
    var waiting: [LeadRow]
    var standingText: String
    var claimsText: String

    init(locale: Localization.Locale, pool: Pool, waiting: [Lead], standing: PoolUseCases.Standing, labels: StageLabels) {
        key = pool.key
        let formatter = locale.dateFormatter()
        self.waiting = waiting.map { LeadRow($0, labels: labels, formatter: formatter, never: locale.text("never")) }
        standingText = locale.text("holding_of", ["n": String(standing.holding), "limit": standing.holdingLimit.map(String.init) ?? "∞"])
        claimsText = locale.text("claims_left", ["n": standing.claimsLeftToday.map(String.init) ?? "∞"])
    }
}
