import Foundation
import Hummingbird
import Mustache
import NIOCore
import RapportApp
import RapportCore
import RapportHTTP
import RapportStorage

/// The web UI. For now its front door: a page in Chinese or English that says what is running and
/// where the API and its document are. The workbench pages grow here.
public struct WebRoutes: Sendable {
    let rapport: Rapport

    public init(rapport: Rapport) { self.rapport = rapport }

    /// The browser pages (HTML, not part of the API document).
    public static let pageRoutes: Set<String> = WebPages.adminPageRoutes.union(WebPages.opportunityPageRoutes).union(WebPages.orderPageRoutes).union(WebPages.quotePageRoutes).union(WebPages.analyticsPageRoutes).union(WebPages.taskPageRoutes).union(WebPages.targetPageRoutes).union(WebPages.notificationPageRoutes).union(WebPages.playbookPageRoutes).union(WebPages.reportPageRoutes).union(WebPages.adminWebhookRoutes).union([
        "GET /customers",
        "GET /customers/{id}",
        "GET /customers/{id}/merge",
        "GET /favicon.ico",
        "GET /imports",
        "GET /imports/{id}",
        "GET /imports/{id}/errors.csv",
        "GET /leads",
        "GET /leads/{id}",
        "GET /login",
        "GET /manage",
        "GET /manage/funnel",
        "GET /manage/handover",
        "GET /manage/handover/preview",
        "GET /manage/handover/targets",
        "GET /manage/handovers/{id}",
        "GET /manage/revenue",
        "GET /manage/turnover",
        "GET /pools/{id}",
        "GET /quotes/{id}/print",
        "GET /static/app.css",
        "GET /static/app.js",
        "GET /workbench",
        "POST /customers/{id}/activities",
        "POST /customers/{id}/log-call",
        "POST /customers/{id}/reveal",
        "POST /imports",
        "POST /imports/{id}/mapping",
        "POST /imports/{id}/run",
        "POST /leads/views",
        "POST /leads/views/{id}/delete",
        "POST /leads/{id}/activities",
        "POST /leads/{id}/convert",
        "POST /leads/{id}/log-call",
        "POST /leads/{id}/release",
        "POST /leads/{id}/status",
        "POST /login",
        "POST /logout",
        "POST /manage/handover",
        "POST /merges",
        "POST /merges/{id}/undo",
        "POST /pools/{id}/claim",
    ])

    public func add(to router: Router<APIRequestContext>) {
        router.add(middleware: WebNotFoundMiddleware())
        WebPages(rapport: rapport).add(to: router)
        router.get("/") { request, _ in
            let locale = Localization.negotiate(request.headers[.acceptLanguage])
            let readiness = await rapport.system.readiness()
            let page = HomePage(
                lang: locale.code, strings: locale.strings, ready: readiness.isReady, engine: rapport.database.engine.rawValue)
            let html = WebTemplates.shared.render(page, template: "home")
            return Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .contentLanguage: locale.code, .vary: "Accept-Language",
                          .contentSecurityPolicy: "default-src 'none'; style-src 'self' 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}

/// The view model of the front page (typed; templates never see `[String: Any]`).
struct HomePage {
    var lang: String
    var strings: [String: String]
    var ready: Bool
    var engine: String
}

/// Loads the Mustache templates shipped as resources, once.
final class WebTemplates: Sendable {
    static let shared = WebTemplates()
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        if let directory = Bundle.module.url(forResource: "Templates", withExtension: nil),
           let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil) {
            for file in files where file.pathExtension == "mustache" {
                if let text = try? String(contentsOf: file, encoding: .utf8), let template = try? MustacheTemplate(string: text) {
                    library.register(template, named: file.deletingPathExtension().lastPathComponent)
                }
            }
        }
        self.library = library
    }

    func render(_ page: Any, template: String) -> String {
        library.render(page, withTemplate: template) ?? ""
    }
}

/// The two languages of the UI and the choice between them.
public enum Localization {
    public struct Locale: Sendable {
        public var code: String
        public var strings: [String: String]

        /// Dates and times for this reader: the locale's medium date and short time, in China's
        /// time zone (where the users are; a per-user zone comes with user settings).
        public func dateFormatter() -> DateFormatter {
            let formatter = DateFormatter()
            formatter.locale = Foundation.Locale(identifier: code == "zh-Hans" ? "zh_Hans_CN" : "en_GB")
            formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
            formatter.dateStyle = .medium
            formatter.timeStyle = .short
            return formatter
        }

        /// A whole number with the locale's grouping (12,345).
        public func number(_ value: Int) -> String {
            value.formatted(.number.locale(Foundation.Locale(identifier: code == "zh-Hans" ? "zh_Hans_CN" : "en_GB")))
        }

        /// A ratio as a percentage with one decimal (63.2%).
        public func percent(_ ratio: Double) -> String {
            ratio.formatted(.percent.precision(.fractionLength(1)).locale(Foundation.Locale(identifier: code == "zh-Hans" ? "zh_Hans_CN" : "en_GB")))
        }

        /// An amount in minor units of `currency` (ISO 4217), formatted for the reader, computed
        /// without floating point: ¥1,234.50, US$10.00.
        public func money(_ minor: Int64, currency: String) -> String {
            let digits = Money.minorDigits(currency)
            var scale: Int64 = 1
            for _ in 0..<digits { scale *= 10 }
            let sign = minor < 0 ? "-" : ""
            let magnitude = minor.magnitude
            let whole = Int(magnitude / UInt64(scale))
            let fraction = digits == 0 ? "" : "." + String(magnitude % UInt64(scale)).leftPadded(to: digits)
            let symbol = ["CNY": "¥", "USD": code == "zh-Hans" ? "US$" : "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "JP¥"][currency.uppercased()] ?? currency.uppercased() + " "
            return sign + symbol + number(whole) + fraction
        }

        /// The string `key` with each `{name}` replaced by its value (the key itself if missing).
        public func text(_ key: String, _ values: [String: String] = [:]) -> String {
            values.reduce(strings[key] ?? key) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
    }

    static let catalogs: [String: [String: String]] = {
        var result: [String: [String: String]] = [:]
        for code in ["en", "zh-Hans"] {
            if let url = Bundle.module.url(forResource: code, withExtension: "json", subdirectory: "Locales"),
               let data = try? Data(contentsOf: url), let strings = try? JSONDecoder().decode([String: String].self, from: data) {
                result[code] = strings
            }
        }
        return result
    }()

    /// Every catalog's keys (a test checks both languages have the same).
    public static var keysByLocale: [String: Set<String>] { catalogs.mapValues { Set($0.keys) } }

    /// The locale of a user's setting (`zh…` is Chinese, anything else English).
    public static func locale(_ code: String) -> Locale {
        let chosen = code.lowercased().hasPrefix("zh") ? "zh-Hans" : "en"
        return Locale(code: chosen, strings: catalogs[chosen] ?? [:])
    }

    /// Picks zh-Hans or en from an `Accept-Language` header (English when nothing matches).
    public static func negotiate(_ header: String?) -> Locale {
        var best: (code: String, quality: Double)?
        for part in (header ?? "").split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = pieces.first else { continue }
            var quality = 1.0
            for piece in pieces.dropFirst() where piece.hasPrefix("q=") { quality = Double(piece.dropFirst(2)) ?? 0 }
            let code: String? = tag.hasPrefix("zh") ? "zh-Hans" : (tag.hasPrefix("en") ? "en" : nil)
            if let code, quality > (best?.quality ?? 0) { best = (code, quality) }
        }
        let code = best?.code ?? "en"
        return Locale(code: code, strings: catalogs[code] ?? [:])
    }
}
