import Foundation
import RapportCore

/// The timeline of one demo customer, from the lead's data: the capture (origin, source, visits,
/// time on the site), its last activity, chats in proportion to its website visits, and the
/// touches its stage implies (calls, WeChat, the trial class, enrolment, a progress report a
/// month later, renewal months later, thanks after a referral arrived, the loss).
///
/// Dated from the lead's first day forward, never in the future, and spaced so that the
/// contact-frequency cap (3 outbound touches in 7 days) is never exceeded: outbound touches are
/// at least 3 days apart. Do-not-contact customers get no outbound touches; customers who opted
/// out of email get no outbound email.
struct DemoTimeline {
    /// Who logs an activity.
    enum Actor: Sendable {
        /// The system: the lead capture.
        case system
        /// The course advisor who owns the customer.
        case owner
        /// Student services, who take renewed customers over after the sale.
        case service
    }

    struct Planned {
        var activity: ActivityUseCases.NewActivity
        var actor: Actor
    }

    let lead: DemoLead
    let stage: String
    let centre: String
    /// For a promoter: how many days ago the first referral it brought arrived.
    var referralDaysAgo: Int?
    let now: Date

    private struct Step {
        var type: String
        var direction: String
        var subject: String
        var body: String?
        var outcome: String?
        var duration: Int?
        var place: String?
        /// Days after the previous step (default 1–4).
        var gap: ClosedRange<Int> = 1...4
        /// At most this many days ago (not before an event it answers).
        var latest: Int?
        var actor = Actor.owner
    }

    /// The activities to log on the customer `customerID`.
    func activities(of customerID: RecordID) -> [Planned] {
        let capture = ActivityUseCases.NewActivity(
            customerID: customerID.rawValue, type: "note", subject: "新线索 New lead: \(lead.source.isEmpty ? lead.origin : lead.source)",
            body: "Lead Origin: \(lead.origin). Lead Source: \(lead.source.isEmpty ? "—" : lead.source). "
                + "Website: \(lead.visits == 1 ? "1 visit" : "\(lead.visits) visits"), \(lead.secondsOnSite / 60) min."
                + (lead.city.isEmpty ? "" : " City: \(lead.city).") + " Prospect ID \(lead.prospectID).",
            occurredAt: at(Double(firstDay), "capture"))
        return [Planned(activity: capture, actor: .system)] + scheduled.map { step, date in
            Planned(activity: ActivityUseCases.NewActivity(
                customerID: customerID.rawValue, type: step.type, direction: step.direction, subject: step.subject, body: step.body,
                occurredAt: date, durationSeconds: step.duration, outcome: step.outcome, place: step.place), actor: step.actor)
        }
    }

    /// The day of the trial class: on the timeline when it happened, a few days ahead when booked.
    var trialClassDay: Date {
        if let (_, date) = scheduled.first(where: { $0.0.subject == Self.trialClass }) { return date }
        let ahead = stage == "trial_booked" ? 1 + Int(lead.hash("trial-day") % 7) : -1
        return now.addingTimeInterval(Double(ahead) * 86_400)
    }

    static let trialClass = "试听课 Trial class"

    private var firstDay: Int { max(lead.firstSeenDaysAgo, 1) }

    /// A time `daysAgo` days before today, in China's office hours (09:00–19:59 is 01:00–11:59 UTC).
    private func at(_ daysAgo: Double, _ salt: String) -> Date {
        let day: TimeInterval = 86_400
        let dayStart = now.addingTimeInterval(-now.timeIntervalSince1970.truncatingRemainder(dividingBy: day))
        return dayStart.addingTimeInterval(-daysAgo * day + 3_600 + Double(lead.hash(salt) % 39_600))
    }

    private var scheduled: [(Step, Date)] {
        var steps: [Step] = []
        let emailAllowed = !lead.doNotEmail && !lead.email.isEmpty
        if let step = lastActivity(emailAllowed: emailAllowed) { steps.append(step) }
        let chats = min(lead.visits / 5, 2)
        for index in 0..<chats {
            steps.append(Step(type: "wechat", direction: "inbound", subject: index == 0 ? "家长微信咨询 Asked about class times" : "询问价格与优惠 Asked about prices"))
        }
        steps += stageSteps(emailAllowed: emailAllowed)
        if lead.doNotCall { steps.removeAll { $0.direction == "outbound" } }
        return schedule(steps)
    }

    private func minutes(_ salt: String, _ range: ClosedRange<Int>) -> Int {
        (range.lowerBound + Int(lead.hash(salt) % UInt64(range.count))) * 60
    }

    /// The data set's last activity, as a touch on the timeline.
    private func lastActivity(emailAllowed: Bool) -> Step? {
        let email = { (subject: String, outcome: String) -> Step? in
            emailAllowed ? Step(type: "email", direction: "outbound", subject: subject, outcome: outcome) : nil
        }
        switch lead.lastActivity {
        case "Email Opened": return email("课程介绍邮件 Course brochure", "opened")
        case "Email Link Clicked": return email("课程介绍邮件 Course brochure", "clicked")
        case "View in browser link Clicked": return email("课程介绍邮件 Course brochure", "viewed")
        case "Email Bounced": return lead.email.isEmpty ? nil : Step(type: "email", direction: "outbound", subject: "课程介绍邮件 Course brochure", outcome: "bounced")
        case "Email Marked Spam": return Step(type: "note", direction: "internal", subject: "邮件被标记为垃圾邮件 Our email was marked as spam")
        case "Unsubscribed": return Step(type: "email", direction: "inbound", subject: "退订营销邮件 Unsubscribed from marketing email", outcome: "unsubscribed")
        case "Resubscribed to emails": return Step(type: "email", direction: "inbound", subject: "重新订阅 Resubscribed", outcome: "resubscribed")
        case "Email Received": return Step(type: "email", direction: "inbound", subject: "家长来信 Parent wrote back")
        case "SMS Sent": return Step(type: "sms", direction: "outbound", subject: "试听课邀请短信 Trial class invitation", outcome: "delivered")
        case "Olark Chat Conversation": return Step(type: "wechat", direction: "inbound", subject: "在线咨询 Chat enquiry")
        case "Had a Phone Conversation":
            return Step(type: "call", direction: "outbound", subject: "电话沟通 Phone conversation", outcome: "connected", duration: minutes("talk", 5...15))
        case "Unreachable": return Step(type: "call", direction: "outbound", subject: "电话回访 Follow-up call", outcome: "no_answer", duration: 0)
        case "Approached upfront":
            return Step(type: "visit", direction: "outbound", subject: "到访沟通 Met in person", outcome: "met", duration: minutes("met", 20...45), place: centre)
        case "Visited Booth in Tradeshow":
            return Step(type: "visit", direction: "inbound", subject: "教育展展位咨询 Came to our fair booth", duration: minutes("booth", 10...20), place: "教育展 Education fair")
        case "Form Submitted on Website": return Step(type: "note", direction: "internal", subject: "提交官网表单 Submitted the website form")
        case "Page Visited on Website": return Step(type: "note", direction: "internal", subject: "浏览课程页面 Browsed the course pages")
        default: return nil
        }
    }

    /// Touches the customer's stage implies, in order.
    private func stageSteps(emailAllowed: Bool) -> [Step] {
        var steps: [Step] = []
        let call = { (subject: String, outcome: String) -> Step in
            Step(type: "call", direction: "outbound", subject: subject, outcome: outcome,
                 duration: outcome == "connected" ? minutes(subject, 4...18) : 0)
        }
        let open = ["engaged", "trial_booked", "trial_attended", "enrolled", "renewed", "promoter"]
        if open.contains(stage) {
            switch lead.tags {
            case "Ringing": steps.append(call("首次电话 First call", "no_answer"))
            case "Busy": steps.append(call("首次电话 First call", "busy"))
            case "switched off": steps.append(call("首次电话 First call", "switched_off"))
            case "opp hangup": steps.append(call("首次电话 First call", "hung_up"))
            default: steps.append(call("首次需求沟通 Needs conversation", "connected"))
            }
            if lead.tags == "Will revert after reading the email", emailAllowed {
                steps.append(Step(type: "email", direction: "outbound", subject: "学习方案 Study plan", outcome: "sent"))
            }
        }
        if ["trial_booked", "trial_attended", "enrolled", "renewed", "promoter"].contains(stage) {
            steps.append(call("预约试听课 Trial class booked", "connected"))
        }
        if stage == "trial_booked" {
            steps.append(Step(type: "wechat", direction: "outbound", subject: "试听课提醒 Trial class reminder", outcome: "read"))
        }
        if ["trial_attended", "enrolled", "renewed", "promoter"].contains(stage) {
            steps.append(Step(type: "visit", direction: "inbound", subject: Self.trialClass, outcome: "attended", duration: 3_600, place: centre))
        }
        if ["enrolled", "renewed", "promoter"].contains(stage) {
            steps.append(call("学习方案与报价 Study plan and price", "connected"))
            steps.append(Step(type: "visit", direction: "inbound", subject: "签约缴费 Signed and paid",
                              body: "课包 Package: \(lead.pick(["24", "48", "96"], "package")) 课时 lessons; 预算 budget ¥\(lead.budgetYuan)",
                              outcome: "paid", duration: minutes("sign", 30...60), place: centre))
        }
        if ["enrolled", "renewed", "promoter"].contains(stage) {
            steps.append(Step(type: "wechat", direction: "outbound", subject: "课后学习反馈 Progress report", outcome: "read", gap: 25...40,
                              actor: stage == "renewed" ? .service : .owner))
        }
        if stage == "renewed" {
            var renewal = call("续费沟通 Renewal call", "connected")
            renewal.body = "已续费一学期 Renewed for another term"
            renewal.gap = 45...90
            renewal.actor = .service
            steps.append(renewal)
        }
        if stage == "promoter", let referralDaysAgo {
            steps.append(Step(type: "wechat", direction: "outbound", subject: "感谢转介绍 Thanks for the referral", outcome: "read",
                              latest: referralDaysAgo - 2))
        }
        if stage == "dormant" {
            steps.append(Step(type: "sms", direction: "outbound", subject: "唤醒短信 We miss you", outcome: "delivered"))
        }
        if stage == "lost" {
            switch lead.tags {
            case "invalid number", "wrong number given": steps.append(call("首次电话 First call", "wrong_number"))
            case "number not provided": break
            default: steps.append(call("首次电话 First call", "connected"))
            }
            steps.append(Step(type: "note", direction: "internal", subject: "流失原因 Why we lost them", body: lead.tags))
        }
        return steps
    }

    /// Dates the steps after the lead's first day (the capture): each next step its gap later
    /// (1–4 days unless it says), outbound touches at least 3 days after the previous outbound
    /// one; steps that would land in the last day are dropped.
    private func schedule(_ steps: [Step]) -> [(Step, Date)] {
        var daysAgo = Double(firstDay)
        var lastOutbound = Double.infinity
        var result: [(Step, Date)] = []
        for (index, step) in steps.enumerated() {
            var next = daysAgo - Double(step.gap.lowerBound) - Double(lead.hash("gap\(index)") % UInt64(step.gap.count))
            if step.direction == "outbound" { next = min(next, lastOutbound - 3) }
            if let latest = step.latest { next = min(next, Double(latest)) }
            guard next >= 1 else { break }
            daysAgo = next
            if step.direction == "outbound" { lastOutbound = daysAgo }
            result.append((step, at(daysAgo, "step\(index)")))
        }
        return result
    }
}
