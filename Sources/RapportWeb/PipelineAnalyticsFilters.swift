import Foundation
import RapportApp
import RapportCore
import RapportStorage

/// The filters of the pipeline analytics pages, as the query string carries them (so a report can
/// be bookmarked and shared): each one as typed (blank = not given), turned into the use cases'
/// query. The use case checks them; a refusal comes back as form errors beside the same form.
struct PipelineReportFilters: Sendable {
    var pipeline: String?
    var owner: String?
    var team: String?
    var source: String?
    var currency: String?
    var from: String?
    var to: String?
    var dateField: String?
    var interval: String?
    var timeZone: String?
    var groupBy: String?
    var asOf: String?
    /// The planner's revenue target in major units as typed (`100,000`), and its currency.
    var target: String?
    var targetCurrency: String?
    /// Whether the planner's form was sent (a `target` in the query, even blank).
    var targetSent: Bool

    /// The names the query string uses, in the order links write them.
    static let names = ["pipeline", "owner", "team", "source", "currency", "from", "to", "date_field", "interval", "time_zone", "group_by",
                        "as_of", "target", "target_currency"]

    init(_ form: WebForm) {
        pipeline = form["pipeline"]
        owner = form["owner"]
        team = form["team"]
        source = form["source"]
        currency = form["currency"]
        from = form["from"]
        to = form["to"]
        dateField = form["date_field"]
        interval = form["interval"]
        timeZone = form["time_zone"]
        groupBy = form["group_by"]
        asOf = form["as_of"]
        target = form["target"]
        targetCurrency = form["target_currency"]
        targetSent = form.pairs.contains { $0.0 == "target" }
    }

    /// The value under a query-string name.
    func value(_ name: String) -> String? {
        switch name {
        case "pipeline": pipeline
        case "owner": owner
        case "team": team
        case "source": source
        case "currency": currency
        case "from": from
        case "to": to
        case "date_field": dateField
        case "interval": interval
        case "time_zone": timeZone
        case "group_by": groupBy
        case "as_of": asOf
        case "target": target
        case "target_currency": targetCurrency
        default: nil
        }
    }

    /// A link to `path` keeping the filters every page shares (pipeline, people, source, period,
    /// time zone), so switching pages keeps the report's scope.
    func link(_ path: String) -> String {
        path + managerQuery(["pipeline", "owner", "team", "source", "currency", "from", "to", "time_zone"].map { ($0, value($0)) })
    }

    /// The use cases' query, in the business time zone unless another was chosen. `target` is read
    /// in the target currency's minor units; text that is not an amount reaches the use case as
    /// not a number, so it is refused there with the rest.
    func query(businessTimeZone: TimeZone, planner: Bool = false) -> OpportunityAnalyticsUseCases.Query {
        var query = OpportunityAnalyticsUseCases.Query(
            pipeline: pipeline, owner: owner, team: team, source: source, currency: currency, from: from, to: to, dateField: dateField,
            interval: interval, timeZone: timeZone ?? businessTimeZone.identifier, groupBy: groupBy, asOf: asOf)
        if planner {
            query.currency = nil
            query.dateField = nil
            query.targetCurrency = targetCurrency ?? "CNY"
            query.targetMinor = target.map { text in
                Money.minorUnits(text, digits: Money.minorDigits(query.targetCurrency!.uppercased())).map(String.init) ?? "not-an-amount"
            }
        }
        return query
    }
}

/// The filter form of the analytics pages (a GET form: the report is its address). Which inputs
/// show depends on the page; owners and teams only for readers who may look beyond themselves.
struct AnalyticsFilterForm {
    var action: String
    var pipelines: [WebOption]
    var from: String
    var to: String
    var timeZone: String
    var source: String
    var currencies: [WebOption]
    var showCurrency: Bool
    var dateFields: [WebOption]
    var showDateField: Bool
    var mayChoosePeople: Bool
    var owners: [WebOption]
    var teams: [WebOption]
    var showGrouping: Bool
    var groupOptions: [WebOption]
    var intervals: [WebOption]
    var showAsOf: Bool
    var asOf: String
    var showTarget: Bool
    var target: String
    var targetCurrencies: [WebOption]
    /// Which inputs were refused (`aria-invalid`), and the refusals in words.
    var invalid: Invalid
    var errors: [String]
    var hasErrors: Bool

    /// One flag per input (stored, as templates see stored properties only).
    struct Invalid {
        var pipeline = false, owner = false, team = false, source = false, currency = false, from = false, to = false, dateField = false
        var timeZone = false, groupBy = false, interval = false, asOf = false, target = false, targetCurrency = false
    }

    /// Which page the form is on: what it shows besides the shared filters.
    enum Kind { case pipeline, forecast, planner }

    /// Currencies offered in the selects (the chosen one is added when it is another).
    static let currencyCodes = ["CNY", "USD", "EUR", "GBP", "HKD", "JPY"]

    /// The form for `kind`, filled with `filters`; `people` are the owners and teams the reader may
    /// choose (empty for a rep); `refusal` the use case's, if it refused the filters.
    init(web: WebContext, kind: Kind, filters: PipelineReportFilters, pipelines: [PipelineDefinition], people: (owners: [(String, String)], teams: [(String, String)]),
         businessTimeZone: TimeZone, refusal: RapportError?) {
        action = ["/analytics/pipeline", "/analytics/forecast", "/analytics/planner"][kind == .pipeline ? 0 : kind == .forecast ? 1 : 2]
        let code = web.locale.code
        self.pipelines = WebOption.list(pipelines.filter { !$0.archived || $0.key == filters.pipeline }.map { ($0.key, $0.label.text(for: code)) },
                                        chosen: filters.pipeline)
        from = filters.from ?? ""
        to = filters.to ?? ""
        timeZone = filters.timeZone ?? businessTimeZone.identifier
        source = filters.source ?? ""
        func currencyOptions(_ chosen: String?, any: Bool) -> [WebOption] {
            let chosen = chosen?.uppercased()
            var codes = Self.currencyCodes
            if let chosen, !codes.contains(chosen) { codes.append(chosen) }
            return (any ? [WebOption(value: "", label: web.text("an_any_currency"), selected: chosen == nil)] : [])
                + WebOption.list(codes.map { ($0, $0) }, chosen: chosen ?? (any ? nil : "CNY"))
        }
        currencies = currencyOptions(filters.currency, any: true)
        showCurrency = kind != .planner
        dateFields = WebOption.list([("created", web.text("an_date_created")), ("closed", web.text("an_date_closed"))], chosen: filters.dateField ?? "created")
        showDateField = kind == .pipeline
        mayChoosePeople = !people.owners.isEmpty || !people.teams.isEmpty
        owners = [WebOption(value: "", label: web.text("opp_any_owner"), selected: filters.owner == nil)] + WebOption.list(people.owners, chosen: filters.owner)
        teams = [WebOption(value: "", label: web.text("manage_all_teams"), selected: filters.team == nil)] + WebOption.list(people.teams, chosen: filters.team)
        showGrouping = kind == .pipeline
        groupOptions = WebOption.list(["none", "owner", "team", "source"].map { ($0, web.text("an_group_\($0)")) }, chosen: filters.groupBy ?? "none")
        intervals = WebOption.list(["none", "month", "week", "day"].map { ($0, web.text("an_interval_\($0)")) }, chosen: filters.interval ?? "none")
        showAsOf = kind == .forecast
        asOf = filters.asOf ?? ""
        showTarget = kind == .planner
        target = filters.target ?? ""
        targetCurrencies = currencyOptions(filters.targetCurrency, any: false)
        var invalid = Invalid()
        var errors: [String] = []
        if let refusal {
            for field in refusal.fieldErrors {
                switch field.field {
                case "pipeline": invalid.pipeline = true
                case "owner_id": invalid.owner = true
                case "team_id": invalid.team = true
                case "source": invalid.source = true
                case "currency": invalid.currency = true
                case "from": invalid.from = true
                case "to": invalid.to = true
                case "date_field": invalid.dateField = true
                case "time_zone": invalid.timeZone = true
                case "group_by": invalid.groupBy = true
                case "interval": invalid.interval = true
                case "as_of": invalid.asOf = true
                case "target_minor": invalid.target = true
                case "target_currency": invalid.targetCurrency = true
                default: break
                }
                errors.append(LeadFormRefusal.words(field, label: web.text(Self.labelKey(field.field)), locale: web.locale))
            }
            if errors.isEmpty { errors.append(web.text("error_\(refusal.code.rawValue)")) }
        }
        self.invalid = invalid
        self.errors = errors
        hasErrors = !errors.isEmpty
    }

    /// The string key of the label of the input a use-case field names.
    static func labelKey(_ field: String) -> String {
        ["pipeline": "pipeline", "owner_id": "owner", "team_id": "manage_team", "source": "source", "currency": "currency", "from": "manage_from",
         "to": "manage_to", "date_field": "an_date_field", "time_zone": "an_time_zone", "group_by": "manage_group_by", "interval": "an_interval",
         "as_of": "an_as_of", "target_minor": "an_target", "target_currency": "an_target_currency"][field] ?? field
    }
}

/// An analytics page: its tabs, its filter form, and its report (nil: refused, or not asked for yet).
struct AnalyticsPageBody<Report> {
    var nav: AnalyticsNav
    var report: Report?
    var filters: AnalyticsFilterForm
}

/// The tabs of the analytics pages, each keeping the shared filters.
struct AnalyticsNav {
    var pipeline: String
    var forecast: String
    var planner: String
    var onPipeline: Bool
    var onForecast: Bool
    var onPlanner: Bool

    init(_ filters: PipelineReportFilters, on kind: AnalyticsFilterForm.Kind) {
        pipeline = filters.link("/analytics/pipeline")
        forecast = filters.link("/analytics/forecast")
        planner = filters.link("/analytics/planner")
        onPipeline = kind == .pipeline
        onForecast = kind == .forecast
        onPlanner = kind == .planner
    }
}

/// Wording the analytics views share.
struct AnalyticsWording {
    let web: WebContext
    let stages: OpportunityStages

    var locale: Localization.Locale { web.locale }

    /// A stage's name in the reader's language (its key when the pipeline no longer has it).
    func stage(_ key: String) -> String {
        stages.pipeline.stages.first { $0.key == key }?.label.text(for: locale.code) ?? key
    }

    func number(_ value: Int64) -> String { locale.number(Int(clamping: value)) }

    /// A ratio as a percentage, or a dash when undefined.
    func percent(_ ratio: AnalyticsRatio?) -> String { ratio?.value.map(locale.percent) ?? "–" }

    /// "3 of 4" beside a percentage.
    func counts(_ ratio: AnalyticsRatio) -> String { web.text("an_of", ["n": number(ratio.numerator), "d": number(ratio.denominator)]) }

    /// Microseconds as days with one decimal ("2.5 days"), or a dash.
    func days(_ micros: Int64?) -> String {
        guard let micros else { return "–" }
        return web.text("an_days", ["n": decimalText(Double(micros) / 86_400_000_000, locale)])
    }

    /// Amounts per currency, by currency code, as one line each.
    func money(_ amounts: AmountsByCurrency) -> [String] {
        amounts.keys.sorted().map { locale.money(amounts[$0]!, currency: $0) }
    }

    /// Amounts per currency on one line ("¥1.00 · $2.00"), or a dash when there are none.
    func moneyLine(_ amounts: AmountsByCurrency) -> String {
        let lines = money(amounts)
        return lines.isEmpty ? "–" : lines.joined(separator: " · ")
    }

    /// The report's period and time zone in words ("All time · Asia/Shanghai").
    func period(_ frame: OpportunityAnalyticsUseCases.Frame) -> String {
        let formatter = locale.dateFormatter()
        formatter.timeZone = frame.timeZone
        formatter.timeStyle = .none
        let filter = frame.filter
        let range: String
        switch (filter.from, filter.to) {
        case (nil, nil): range = web.text("an_all_time")
        case let (from?, nil): range = web.text("an_since", ["date": formatter.string(from: from)])
        case let (nil, to?): range = web.text("an_until", ["date": formatter.string(from: to.addingTimeInterval(-0.001))])
        case let (from?, to?): range = "\(formatter.string(from: from)) – \(formatter.string(from: to.addingTimeInterval(-0.001)))"
        }
        return "\(range) · \(frame.timeZone.identifier)"
    }

    /// Whose numbers the reader sees, by their role.
    var scope: String {
        switch web.role {
        case .rep: web.text("an_scope_own")
        case .manager: web.text("an_scope_team")
        default: web.text("an_scope_all")
        }
    }
}
