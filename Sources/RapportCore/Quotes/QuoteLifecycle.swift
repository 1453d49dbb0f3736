import Foundation

/// What can happen to a quote.
public enum QuoteAction: String, Sendable, CaseIterable {
    /// The owner asks for the quote to be approved (straight to approved within the threshold).
    case submit
    /// A manager approves the discount.
    case approve
    /// A manager rejects the discount: the quote goes back to draft with the reason.
    case reject
    /// A change to a quote that was waiting for or had its approval: it goes back to draft.
    case revise
    /// The quote is given to the customer.
    case send
    /// The customer accepts or declines it.
    case accept
    case decline
    /// The validity date passed before the customer answered.
    case expire
}

/// The quote's state machine: which action leads where, and what may be done in each status.
/// Pure, like the lifecycle engine; the application records every change in the stage history
/// (object `quote`) and the audit log.
public enum QuoteLifecycle {
    /// The status `action` leads to from `status`, or nil when it may not happen there. A submit
    /// leads to pending approval when `needsApproval`, else straight to approved.
    public static func target(of action: QuoteAction, from status: QuoteStatus, needsApproval: Bool = false) -> QuoteStatus? {
        switch (action, status) {
        case (.submit, .draft): needsApproval ? .pendingApproval : .approved
        case (.approve, .pendingApproval): .approved
        case (.reject, .pendingApproval): .draft
        case (.revise, .pendingApproval), (.revise, .approved): .draft
        case (.send, .approved): .sent
        case (.accept, .sent): .accepted
        case (.decline, .sent): .declined
        case (.expire, .sent): .expired
        default: nil
        }
    }

    /// The actions possible in `status`, in the order of ``QuoteAction``.
    public static func actions(from status: QuoteStatus) -> [QuoteAction] {
        QuoteAction.allCases.filter { target(of: $0, from: status) != nil }
    }

    /// Whether the quote's lines, prices and terms may still change (until it is sent). A change to
    /// a quote pending or having its approval sends it back to draft.
    public static func isRevisable(_ status: QuoteStatus) -> Bool {
        status == .draft || target(of: .revise, from: status) != nil
    }

    /// The stage-history entry of a change.
    public static func change(from: QuoteStatus?, to: QuoteStatus, at: Date, by: RecordID?, reason: String?) -> StageChange {
        StageChange(from: from?.rawValue, to: to.rawValue, at: at, by: by, reason: reason)
    }

    /// The calendar day (UTC) of an instant, `YYYY-MM-DD`.
    public static func day(of instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The day `days` after `day` (`YYYY-MM-DD`, UTC); nil for a day that is not one.
    public static func day(_ day: String, plus days: Int) -> String? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let end = calendar.date(byAdding: .day, value: days, to: start) else { return nil }
        return Self.day(of: end)
    }

    /// Whether a quote valid until `validUntil` has lapsed on `today` (both `YYYY-MM-DD`): the
    /// offer holds through its last day.
    public static func hasLapsed(validUntil: String, today: String) -> Bool { validUntil < today }
}
