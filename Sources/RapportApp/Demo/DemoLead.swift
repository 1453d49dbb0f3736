import Foundation
import RapportCore

/// One row of `Resources/demo-customers.csv`: a lead of the X Education data set with a
/// synthesised identity (see `scripts/make-demo-data.py` for what is taken and what is made up).
/// The rest of this file reads the row as the education company's customer: pure, no IO.
struct DemoLead: Sendable, Equatable {
    var prospectID: String
    var origin: String
    var source: String
    var doNotEmail: Bool
    var doNotCall: Bool
    var converted: Bool
    var visits: Int
    var secondsOnSite: Int
    var lastActivity: String
    var country: String
    var city: String
    var specialization: String
    var occupation: String
    var tags: String
    var firstSeenDaysAgo: Int
    var name: String
    var phone: String
    var email: String
    var wechatUnionID: String
    var learnerName: String
    var grade: String
    var parentPhone: String
    /// Prospect ids of related rows: this lead's parent, who referred it, whom it duplicates.
    var parent: String
    var referrer: String
    var duplicateOf: String

    static let columns = [
        "prospect_id", "origin", "source", "do_not_email", "do_not_call", "converted", "visits", "seconds_on_site",
        "last_activity", "country", "city", "specialization", "occupation", "tags", "first_seen_days_ago",
        "name", "phone", "email", "wechat_unionid", "learner_name", "grade", "parent_phone", "parent", "referrer", "dup_of",
    ]

    /// Reads the bundled file.
    static func loadAll() throws -> [DemoLead] {
        guard let url = Bundle.module.url(forResource: "demo-customers", withExtension: "csv"), let data = try? Data(contentsOf: url) else {
            throw RapportError(.unavailable, "The demo data file is missing from this build.")
        }
        return try parse([UInt8](data))
    }

    static func parse(_ bytes: [UInt8]) throws -> [DemoLead] {
        var reader = CSVReader()
        let records = try reader.parse(bytes, final: true).records
        guard let header = records.first?.fields, header == columns else {
            throw RapportError(.unavailable, "The demo data file has unexpected columns; run scripts/make-demo-data.py again.")
        }
        return records.dropFirst().map { record in
            var field: [String: String] = [:]
            for (index, name) in columns.enumerated() { field[name] = index < record.fields.count ? record.fields[index] : "" }
            return DemoLead(
                prospectID: field["prospect_id"]!, origin: field["origin"]!, source: field["source"]!, doNotEmail: field["do_not_email"] == "1",
                doNotCall: field["do_not_call"] == "1", converted: field["converted"] == "1", visits: Int(field["visits"]!) ?? 0,
                secondsOnSite: Int(field["seconds_on_site"]!) ?? 0, lastActivity: field["last_activity"]!, country: field["country"]!,
                city: field["city"]!, specialization: field["specialization"]!, occupation: field["occupation"]!, tags: field["tags"]!,
                firstSeenDaysAgo: Int(field["first_seen_days_ago"]!) ?? 30, name: field["name"]!, phone: field["phone"]!,
                email: field["email"]!, wechatUnionID: field["wechat_unionid"]!, learnerName: field["learner_name"]!,
                grade: field["grade"]!, parentPhone: field["parent_phone"]!, parent: field["parent"]!, referrer: field["referrer"]!,
                duplicateOf: field["dup_of"]!)
        }
    }

    // MARK: Reading the lead as a customer

    /// A stable number from the Prospect ID and a salt (FNV-1a): the demo's only source of variety.
    func hash(_ salt: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (prospectID + "|" + salt).utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        return value
    }

    func pick<T>(_ items: [T], _ salt: String) -> T { items[Int(hash(salt) % UInt64(items.count))] }

    /// Sales notes (the `Tags` column) that say the lead is gone.
    static let lostTags: Set<String> = [
        "Already a student", "Not doing further education", "invalid number", "wrong number given", "number not provided",
        "Lost to EINS", "Lost to Others", "Diploma holder (Not Eligible)", "University not recognized", "Recognition issue (DEC approval)",
    ]
    /// Notes of a conversation under way (or being attempted).
    static let engagedTags: Set<String> = [
        "Will revert after reading the email", "Ringing", "Busy", "switched off", "opp hangup", "in touch with EINS", "Lateral student",
    ]
    /// Notes of real interest: these leads were offered a trial class.
    static let trialTags: Set<String> = [
        "Interested in other courses", "Interested  in full time MBA", "Still Thinking", "Shall take in the next coming month",
        "Interested in Next batch", "In confusion whether part time or DLP", "Want to take admission but has financial problems",
    ]
    /// Last activities after which a lead went quiet.
    static let quietActivities: Set<String> = ["Unsubscribed", "Email Marked Spam", "Email Bounced", "Unreachable"]

    /// The stage the lead's outcome maps to (before referrals make promoters):
    /// converted → enrolled (renewed when it has been a customer for a while);
    /// otherwise by the sales note: gone → lost, talking → engaged, interested → trial booked or
    /// attended, studying elsewhere first → dormant; without a note by the last activity: quiet
    /// → dormant, a conversation → engaged, much time on the site → trial booked, else new.
    var plannedStage: String {
        if converted {
            guard !phone.isEmpty || !parentPhone.isEmpty else { return "trial_attended" }  // enrolled needs a parent phone
            return firstSeenDaysAgo >= 150 && hash("renewed") % 3 == 0 ? "renewed" : "enrolled"
        }
        if Self.lostTags.contains(tags) { return "lost" }
        if Self.engagedTags.contains(tags) { return "engaged" }
        if Self.trialTags.contains(tags) { return hash("trial") % 2 == 0 ? "trial_booked" : "trial_attended" }
        if tags == "Graduation in progress" { return "dormant" }
        if Self.quietActivities.contains(lastActivity), firstSeenDaysAgo >= 30 { return "dormant" }
        if ["Had a Phone Conversation", "Olark Chat Conversation", "Approached upfront"].contains(lastActivity) { return "engaged" }
        if secondsOnSite >= 900 { return "trial_booked" }
        return "new"
    }

    /// The stage a customer is created in, so that one move (with its reason) reaches `stage`.
    static func creationStage(for stage: String) -> String {
        switch stage {
        case "engaged", "dormant", "lost": "new"
        case "trial_booked": "engaged"
        case "trial_attended": "trial_booked"
        case "enrolled": "trial_attended"
        case "renewed", "promoter": "enrolled"
        default: stage
        }
    }

    /// Why the customer moved into `stage` (the stage history shows it).
    func moveReason(to stage: String) -> String {
        switch stage {
        case "engaged": tags.isEmpty ? "首次沟通完成 First conversation held" : "首次沟通 First contact: \(tags)"
        case "trial_booked": "已约试听课 Trial class booked"
        case "trial_attended": "已上试听课 Trial class attended"
        case "enrolled": "缴费报名 Paid and enrolled"
        case "renewed": "续费 Renewed for another term"
        case "promoter": "推荐的新学员已报名 A referred learner enrolled"
        case "dormant": tags.isEmpty ? "长期无回应 No response (\(lastActivity.isEmpty ? "no activity" : lastActivity))" : "暂缓 On hold: \(tags)"
        case "lost": "流失 Lost: \(tags)"
        default: "演示数据 Demo data"
        }
    }

    /// The source channel key (`Direct Traffic` → `direct_traffic`), or the lead origin's.
    var sourceKey: String? {
        let text = source.isEmpty ? origin : source
        let key = String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return key.isEmpty ? nil : key
    }

    /// Tags from the data: the specialization and occupation as given, and `overseas`.
    var customerTags: [String] {
        var tags = [specialization, occupation].filter { !$0.isEmpty }
        if !country.isEmpty, !["India", "unknown"].contains(country) { tags.append("overseas") }
        return tags
    }

    /// The subjects a specialization suggests in a K-12 catalogue.
    var subjects: [String] {
        switch specialization {
        case "Finance Management", "Banking, Investment And Insurance", "Supply Chain Management", "Retail Management": ["math"]
        case "Operations Management": ["math", "physics"]
        case "Business Administration": ["english", "math"]
        case "IT Projects Management", "E-COMMERCE", "E-Business": ["programming", "math"]
        case "Human Resource Management", "Marketing Management": ["chinese"]
        case "Media and Advertising": ["art", "chinese"]
        case "Travel and Tourism", "International Business", "Hospitality Management", "Services Excellence": ["english"]
        case "Healthcare Management", "Rural and Agribusiness": ["chemistry", "physics"]
        default: []
        }
    }

    /// The budget a family mentioned (CNY), once a trial is on the table.
    var budgetYuan: Int64 { pick([3_000, 4_800, 6_800, 9_800, 12_800, 19_800], "budget") }

}
