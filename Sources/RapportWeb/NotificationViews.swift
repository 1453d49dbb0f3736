import Foundation
import RapportApp
import RapportCore

/// The inbox page: unread and read notices, worded for the reader, and the channel choices.
struct NotificationsBody {
    struct Row {
        var id: String
        var text: String
        /// What the notice is about, when its details name it (a lead's name, an order and instalment).
        var detail: String?
        var link: String?
        var at: String
        var unread: Bool
    }

    struct GroupChoice {
        var key: String
        var label: String
        var kinds: String
        var email: Bool
        var webhook: Bool
    }

    var unread: [Row]
    var read: [Row]
    var unreadCount: String
    var hasUnread: Bool
    var moreUnread: String?
    var moreRead: String?
    var emailOptions: [WebOption]
    var groups: [GroupChoice]
    var customized: Bool

    init(web: WebContext, unread: Page<Notice>, read: Page<Notice>, preferences: NotificationPreferences, customized: Bool) {
        let formatter = web.locale.dateFormatter()
        func row(_ notice: Notice) -> Row {
            Row(id: notice.id.rawValue, text: Self.words(notice, web.locale), detail: Self.detail(notice, web.locale), link: Self.link(notice), at: formatter.string(from: notice.createdAt),
                unread: notice.readAt == nil)
        }
        self.unread = unread.items.map(row)
        self.read = read.items.map(row)
        unreadCount = web.locale.number(web.unread)
        hasUnread = !unread.items.isEmpty
        moreUnread = unread.nextCursor.map { "/notifications?unread_cursor=" + SavedView.encode($0.token) }
        moreRead = read.nextCursor.map { "/notifications?read_cursor=" + SavedView.encode($0.token) }
        emailOptions = WebOption.list(EmailCadence.allCases.map { ($0.rawValue, web.text("notify_email_\($0.rawValue)")) }, chosen: preferences.email.rawValue)
        groups = NoticeGroup.allCases.map { group in
            let kinds = NoticeGroup.kinds.filter { $0.value == group }.keys.sorted().map { web.text(Self.key(of: $0)) }
            return GroupChoice(key: group.rawValue, label: web.text("notify_group_\(group.rawValue)"), kinds: kinds.joined(separator: web.locale.code == "zh-Hans" ? "；" : "; "),
                               email: preferences.groups[group]?.contains(.email) ?? false, webhook: preferences.groups[group]?.contains(.webhook) ?? false)
        }
        self.customized = customized
    }

    /// The string key that words a kind (`notice_kind_lead_assigned`; unknown kinds share one).
    static func key(of kind: String) -> String {
        NoticeGroup.kinds[kind] == nil ? "notice_kind_other" : "notice_kind_" + kind.replacingOccurrences(of: ".", with: "_")
    }

    /// A notice in the reader's words.
    static func words(_ notice: Notice, _ locale: Localization.Locale) -> String {
        locale.text(key(of: notice.kind), ["kind": notice.kind])
    }

    /// The record a notice names in its details, as plain text (escaped by the template).
    static func detail(_ notice: Notice, _ locale: Localization.Locale) -> String? {
        if let title = notice.details["order_title"] {
            return notice.details["installment"].map { title + " · " + locale.text("notice_installment", ["n": $0]) } ?? title
        }
        if notice.kind.hasPrefix("report."), let author = notice.details["author_name"], let period = notice.details["period"] {
            return author + " · " + period
        }
        return notice.details["name"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The page of the record a notice is about, if it has one.
    static func link(_ notice: Notice) -> String? {
        guard let kind = notice.objectKind, let id = notice.objectID else { return nil }
        let base: String? = switch kind {
        case .lead: "/leads/"
        case .customer: "/customers/"
        case .opportunity: "/opportunities/"
        case .order: "/orders/"
        case .quote: "/quotes/"
        case .entitlement: "/entitlements/"
        case .handover: "/manage/handovers/"
        case .report: "/reports/"
        default: nil
        }
        return base.map { $0 + WebPages.segment(id) }
    }
}
