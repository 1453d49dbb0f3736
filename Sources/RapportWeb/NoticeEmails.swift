import Foundation
import RapportApp
import RapportCore

/// Notice emails and daily digests worded from the same catalogue as the inbox, in the
/// recipient's language, as plain text with links when the public URL is known.
public struct NoticeEmails: NoticeEmailWriter {
    /// The address users reach the web UI at (`https://crm.example.com`), for links; nil: no links.
    public var publicURL: String?

    public init(publicURL: String?) {
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    public func email(for notice: Notice, language: String?) -> (subject: String, body: String) {
        let locale = Localization.locale(language ?? "en")
        let text = NotificationsBody.words(notice, locale)
        var lines = [text]
        if let detail = NotificationsBody.detail(notice, locale) { lines.append(detail) }
        if let link = link(notice) { lines += ["", locale.text("email_open", ["url": link])] }
        lines += footer(locale)
        return (locale.text("email_notice_subject", ["text": text]), lines.joined(separator: "\n"))
    }

    public func digest(of notices: [Notice], day: CalendarDate, language: String?) -> (subject: String, body: String) {
        let locale = Localization.locale(language ?? "en")
        let formatter = locale.dateFormatter()
        var lines = [locale.text("email_digest_intro", ["day": day.description, "n": locale.number(notices.count)]), ""]
        for notice in notices {
            var line = "- " + formatter.string(from: notice.createdAt) + " · " + NotificationsBody.words(notice, locale)
            if let detail = NotificationsBody.detail(notice, locale) { line += " · " + detail }
            lines.append(line)
            if let link = link(notice) { lines.append("  " + link) }
        }
        lines += footer(locale)
        return (locale.text("email_digest_subject", ["day": day.description, "n": locale.number(notices.count)]), lines.joined(separator: "\n"))
    }

    func link(_ notice: Notice) -> String? {
        guard let publicURL, let path = NotificationsBody.link(notice) else { return nil }
        return publicURL + path
    }

    func footer(_ locale: Localization.Locale) -> [String] {
        ["", "--", locale.text("email_footer")] + (publicURL.map { [locale.text("email_preferences", ["url": $0 + "/notifications"])] } ?? [])
    }
}
