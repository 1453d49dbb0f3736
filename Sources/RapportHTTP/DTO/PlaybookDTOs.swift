import Foundation
import RapportApp
import RapportCore

/// A playbook version as the API shows it: the definition in the shape it is sent
/// (``PlaybookWire``), and the script variables its record offers.
public struct PlaybookDTO: Encodable, Sendable {
    public var id: String
    public var key: String
    public var version: Int
    public var name: String
    public var active: Bool
    public var trigger: JSONValue
    public var steps: [JSONValue]
    public var exits: [String]
    public var variables: [String]

    init(_ playbook: Playbook) {
        id = playbook.id.rawValue
        key = playbook.key
        version = playbook.version
        name = playbook.name
        active = playbook.active
        trigger = PlaybookWire.json(playbook.trigger)
        steps = playbook.steps.map(PlaybookWire.json)
        exits = playbook.exits.map(\.rawValue)
        variables = PlaybookVariables.available(for: playbook.trigger.object).sorted()
    }
}

/// A run of a playbook on a record, with its steps.
public struct PlaybookRunDTO: Encodable, Sendable {
    public struct Step: Encodable, Sendable {
        public var index: Int
        public var title: String
        public var channel: String
        public var dueAt: Date
        public var status: String
        public var onTime: Bool
        @Nullable public var endedAt: Date?
        public var assigneeId: String

        enum CodingKeys: String, CodingKey {
            case index, title, channel, status
            case dueAt = "due_at", onTime = "on_time", endedAt = "ended_at", assigneeId = "assignee_id"
        }
    }

    public var id: String
    public var playbookId: String
    public var playbookKey: String
    public var playbookName: String
    public var version: Int
    public var object: String
    public var recordId: String
    public var status: String
    @Nullable public var exit: String?
    public var startedAt: Date
    @Nullable public var endedAt: Date?
    public var steps: [Step]

    enum CodingKeys: String, CodingKey {
        case id, version, object, status, exit, steps
        case playbookId = "playbook_id", playbookKey = "playbook_key", playbookName = "playbook_name", recordId = "record_id"
        case startedAt = "started_at", endedAt = "ended_at"
    }

    init(_ run: PlaybookRun, playbook: Playbook?) {
        id = run.id.rawValue
        playbookId = run.playbookID.rawValue
        playbookKey = run.playbookKey
        playbookName = playbook?.name ?? run.playbookKey
        version = run.version
        object = run.object.rawValue
        recordId = run.recordID.rawValue
        status = run.status.rawValue
        exit = run.exit?.rawValue
        startedAt = run.startedAt
        endedAt = run.endedAt
        steps = run.steps.map { step in
            let definition = playbook.flatMap { $0.steps.indices.contains(step.index) ? $0.steps[step.index] : nil }
            return Step(index: step.index, title: definition?.title ?? "", channel: definition?.channel ?? "", dueAt: step.dueAt,
                        status: step.status.rawValue, onTime: step.onTime, endedAt: step.endedAt, assigneeId: step.assignee.rawValue)
        }
    }
}

/// A playbook's compliance per rep and outcomes per version.
public struct PlaybookComplianceDTO: Encodable, Sendable {
    public struct Rep: Encodable, Sendable {
        public var userId: String
        public var name: String
        public var onTime: Int64
        public var late: Int64
        public var skipped: Int64
        public var overdue: Int64
        public var upcoming: Int64
        @Nullable public var onTimeRate: Double?

        enum CodingKeys: String, CodingKey {
            case name, late, skipped, overdue, upcoming
            case userId = "user_id", onTime = "on_time", onTimeRate = "on_time_rate"
        }
    }

    public struct Version: Encodable, Sendable {
        public var version: Int
        public var started: Int64
        public var converted: Int64
        public var lost: Int64
        public var running: Int64
        @Nullable public var conversionRate: Double?

        enum CodingKeys: String, CodingKey {
            case version, started, converted, lost, running
            case conversionRate = "conversion_rate"
        }
    }

    public var playbookKey: String
    public var reps: [Rep]
    public var versions: [Version]

    enum CodingKeys: String, CodingKey {
        case reps, versions
        case playbookKey = "playbook_key"
    }

    init(key: String, _ compliance: PlaybookUseCases.Compliance) {
        playbookKey = key
        reps = compliance.steps.map { entry in
            Rep(userId: entry.key.assignee.rawValue, name: entry.name, onTime: entry.counts.onTime, late: entry.counts.late,
                skipped: entry.counts.skipped, overdue: entry.counts.overdue, upcoming: entry.counts.upcoming, onTimeRate: entry.counts.onTimeRate.value)
        }
        versions = compliance.outcomes.map { entry in
            Version(version: entry.version.version, started: entry.outcomes.started, converted: entry.outcomes.converted, lost: entry.outcomes.lost,
                    running: entry.outcomes.running, conversionRate: entry.outcomes.conversion.value)
        }
    }
}
