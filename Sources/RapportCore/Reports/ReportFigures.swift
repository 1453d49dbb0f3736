import Foundation

/// The figures section of a work report: what the author did in the period, from the records.
///
/// - `calls`, `visits`, `other_activities`: activities the author logged as happening in the
///   period, on customers and on leads (other: WeChat, SMS, email, meetings, notes).
/// - `new_leads`: distinct leads the author received in the period (created for them, assigned,
///   claimed from a pool or handed over).
/// - `leads_converted`: leads the author owns that were converted in the period.
/// - `opportunities_won` and `won_amounts`: the author's opportunities closed as won in the period,
///   counted and summed per currency.
/// - `signed_amounts`: totals of the author's orders signed in the period (cancelled ones left out).
/// - `collections`: money received less money refunded in the period on the author's orders (回款).
/// - `tasks_done`: the author's tasks completed in the period; `tasks_overdue`: their tasks due in
///   the period that were not done by their due time (still open past it, or completed late).
public struct ReportFigures: Sendable, Equatable, Codable {
    public var calls: Int64 = 0
    public var visits: Int64 = 0
    public var otherActivities: Int64 = 0
    public var newLeads: Int64 = 0
    public var leadsConverted: Int64 = 0
    public var opportunitiesWon: Int64 = 0
    public var wonAmounts: [Amount] = []
    public var signedAmounts: [Amount] = []
    public var collections: [Amount] = []
    public var tasksDone: Int64 = 0
    public var tasksOverdue: Int64 = 0

    public init() {}

    /// An amount in minor units of a currency.
    public struct Amount: Sendable, Equatable, Codable {
        public var currency: String
        public var amountMinor: Int64

        public init(currency: String, amountMinor: Int64) {
            self.currency = currency
            self.amountMinor = amountMinor
        }

        enum CodingKeys: String, CodingKey {
            case currency
            case amountMinor = "amount_minor"
        }
    }

    /// What one aggregate counts or sums.
    public enum Metric: String, Sendable, CaseIterable {
        case calls, visits
        case otherActivities = "other_activities"
        case newLeads = "new_leads"
        case leadsConverted = "leads_converted"
        case opportunitiesWon = "opportunities_won"
        case wonAmount = "won_amount"
        case signedAmount = "signed_amount"
        case collections
        case tasksDone = "tasks_done"
        case tasksOverdue = "tasks_overdue"

        /// Money metrics are summed per currency.
        public var isMoney: Bool { self == .wonAmount || self == .signedAmount || self == .collections }

        /// The report metric of a performance metric (the same definition, one rep, one period);
        /// nil for one a report does not show.
        public init?(_ metric: TargetMetric) {
            switch metric {
            case .wonRevenue: self = .wonAmount
            case .signedRevenue: self = .signedAmount
            case .collections: self = .collections
            case .calls: self = .calls
            case .visits: self = .visits
            case .newCustomers: return nil
            }
        }
    }

    /// One aggregate as the store grouped it in SQL.
    public struct Entry: Sendable, Equatable {
        public var metric: Metric
        /// The currency of a money metric (nil for counts).
        public var currency: String?
        public var value: Int64

        public init(_ metric: Metric, currency: String? = nil, value: Int64) {
            self.metric = metric
            self.currency = currency
            self.value = value
        }
    }

    /// Adds the aggregates up: counts by metric; amounts by metric and currency, in currency
    /// order, leaving out currencies that sum to zero. A money entry without a currency is ignored.
    public static func fold(_ entries: [Entry]) -> ReportFigures {
        var figures = ReportFigures()
        var money: [Metric: [String: Int64]] = [:]
        for entry in entries {
            if entry.metric.isMoney {
                guard let currency = entry.currency, !currency.isEmpty else { continue }
                money[entry.metric, default: [:]][currency, default: 0] &+= entry.value
                continue
            }
            switch entry.metric {
            case .calls: figures.calls &+= entry.value
            case .visits: figures.visits &+= entry.value
            case .otherActivities: figures.otherActivities &+= entry.value
            case .newLeads: figures.newLeads &+= entry.value
            case .leadsConverted: figures.leadsConverted &+= entry.value
            case .opportunitiesWon: figures.opportunitiesWon &+= entry.value
            case .tasksDone: figures.tasksDone &+= entry.value
            case .tasksOverdue: figures.tasksOverdue &+= entry.value
            case .wonAmount, .signedAmount, .collections: break
            }
        }
        func amounts(_ metric: Metric) -> [Amount] {
            (money[metric] ?? [:]).filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { Amount(currency: $0.key, amountMinor: $0.value) }
        }
        figures.wonAmounts = amounts(.wonAmount)
        figures.signedAmounts = amounts(.signedAmount)
        figures.collections = amounts(.collections)
        return figures
    }

    enum CodingKeys: String, CodingKey {
        case calls, visits, collections
        case otherActivities = "other_activities"
        case newLeads = "new_leads"
        case leadsConverted = "leads_converted"
        case opportunitiesWon = "opportunities_won"
        case wonAmounts = "won_amounts"
        case signedAmounts = "signed_amounts"
        case tasksDone = "tasks_done"
        case tasksOverdue = "tasks_overdue"
    }
}
