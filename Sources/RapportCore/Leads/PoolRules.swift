import Foundation

/// The rules of one pool: how much a rep may hold and claim, how long an owner is protected, how
/// long an ex-owner waits before claiming the same record again, and when records are reclaimed.
public struct PoolRules: Sendable, Equatable, Codable {
    /// Open records of this pool a rep may hold at once (保有量), by rep level.
    public var holdingLimit: LevelLimits
    /// Claims from this pool per rep per day, by rep level.
    public var claimsPerDay: LevelLimits
    /// For customer pools: won customers do not count towards the holding limit.
    public var excludeWon: Bool
    /// Days after a claim or an assignment during which the record is not reclaimed.
    public var protectionDays: Int
    /// Days after a record left a rep (released, reclaimed) before that rep may claim it again.
    public var cooldownDays: Int
    /// The time zone whose midnight starts a new day of claims (an IANA name).
    public var timeZone: String
    public var reclaim: ReclaimRules

    public init(holdingLimit: LevelLimits = LevelLimits(200), claimsPerDay: LevelLimits = LevelLimits(50), excludeWon: Bool = true,
                protectionDays: Int = 3, cooldownDays: Int = 7, timeZone: String = "Asia/Shanghai", reclaim: ReclaimRules = ReclaimRules()) {
        self.holdingLimit = holdingLimit
        self.claimsPerDay = claimsPerDay
        self.excludeWon = excludeWon
        self.protectionDays = protectionDays
        self.cooldownDays = cooldownDays
        self.timeZone = timeZone
        self.reclaim = reclaim
    }

    enum CodingKeys: String, CodingKey {
        case holdingLimit = "holding_limit", claimsPerDay = "claims_per_day", excludeWon = "exclude_won"
        case protectionDays = "protection_days", cooldownDays = "cooldown_days", timeZone = "time_zone", reclaim
    }

    public init(from decoder: any Decoder) throws {
        let defaults = PoolRules()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        holdingLimit = try container.decodeIfPresent(LevelLimits.self, forKey: .holdingLimit) ?? defaults.holdingLimit
        claimsPerDay = try container.decodeIfPresent(LevelLimits.self, forKey: .claimsPerDay) ?? defaults.claimsPerDay
        excludeWon = try container.decodeIfPresent(Bool.self, forKey: .excludeWon) ?? defaults.excludeWon
        protectionDays = try container.decodeIfPresent(Int.self, forKey: .protectionDays) ?? defaults.protectionDays
        cooldownDays = try container.decodeIfPresent(Int.self, forKey: .cooldownDays) ?? defaults.cooldownDays
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? defaults.timeZone
        reclaim = try container.decodeIfPresent(ReclaimRules.self, forKey: .reclaim) ?? defaults.reclaim
    }

    /// Every problem with the rules, as field errors (`rules.holding_limit.default`, …).
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        func limits(_ limits: LevelLimits, _ name: String) {
            if let value = limits.standard, !(0...1_000_000).contains(value) {
                errors.append(FieldError(field: "rules.\(name).default", code: "out_of_range", message: "\(name) must be between 0 and 1000000, or null for no limit."))
            }
            for (level, value) in limits.byLevel.sorted(by: { $0.key < $1.key }) where !(0...1_000_000).contains(value) || level.isEmpty || level.count > 32 {
                errors.append(FieldError(field: "rules.\(name).by_level.\(level)", code: "out_of_range", message: "Each level's \(name) must be between 0 and 1000000."))
            }
        }
        limits(holdingLimit, "holding_limit")
        limits(claimsPerDay, "claims_per_day")
        func days(_ value: Int?, _ field: String) {
            if let value, !(0...3_650).contains(value) {
                errors.append(FieldError(field: "rules.\(field)", code: "out_of_range", message: "\(field) must be between 0 and 3650 days."))
            }
        }
        days(protectionDays, "protection_days")
        days(cooldownDays, "cooldown_days")
        days(reclaim.noFollowUpDays, "reclaim.no_follow_up_days")
        days(reclaim.noProgressDays, "reclaim.no_progress_days")
        days(reclaim.notConvertedDays, "reclaim.not_converted_days")
        days(reclaim.warningDays, "reclaim.warning_days")
        if TimeZone(identifier: timeZone) == nil {
            errors.append(FieldError(field: "rules.time_zone", code: "invalid", message: "time_zone must be an IANA time zone such as Asia/Shanghai."))
        }
        return errors
    }

    /// The start of the claims day containing `now`, in the pool's time zone.
    public func dayStart(containing now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        return calendar.startOfDay(for: now)
    }

    /// Why a rep may not claim a record now, or nil when they may: the holding limit, the daily
    /// claim cap and the ex-owner cooldown, checked in that order.
    public func refusal(holding: Int, claimedToday: Int, claiming: Int = 1, level: String?, rep: RecordID,
                        previousOwner: RecordID?, releasedAt: Date?, now: Date) -> ClaimRefusal? {
        if let limit = holdingLimit.limit(for: level), holding + claiming > limit { return .holdingLimit(limit: limit, holding: holding) }
        if let cap = claimsPerDay.limit(for: level), claimedToday + claiming > cap { return .claimCap(cap: cap, claimed: claimedToday) }
        if previousOwner == rep, let releasedAt {
            let until = releasedAt.addingTimeInterval(Double(cooldownDays) * 86_400)
            if now < until { return .cooldown(until: until) }
        }
        return nil
    }
}

/// Why a claim is refused.
public enum ClaimRefusal: Sendable, Equatable {
    /// The rep already holds `holding` open records of the pool; the limit is `limit`.
    case holdingLimit(limit: Int, holding: Int)
    /// The rep claimed `claimed` records today; the cap is `cap`.
    case claimCap(cap: Int, claimed: Int)
    /// The rep let this record go recently; they may claim it again from `until`.
    case cooldown(until: Date)
}

extension ClaimRefusal {
    /// The error a refused claim gives: a stable code and the figures that explain it.
    public var rapportError: RapportError {
        switch self {
        case .holdingLimit(let limit, let holding):
            RapportError(.holdingLimitReached, "You already hold \(holding) open records of this pool; the limit is \(limit).",
                         extra: ["limit": String(limit), "holding": String(holding)])
        case .claimCap(let cap, let claimed):
            RapportError(.claimLimitReached, "You have claimed \(claimed) records from this pool today; the daily limit is \(cap).",
                         extra: ["limit": String(cap), "claimed_today": String(claimed)])
        case .cooldown(let until):
            RapportError(.cooldownActive, "You let this record go recently; you may claim it again after the cooldown.",
                         extra: ["available_at": String(Int64(until.timeIntervalSince1970))])
        }
    }
}
