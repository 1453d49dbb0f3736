/// Text in both languages the product speaks. JSON: `{"zh-Hans": "…", "en": "…"}`.
public struct LocalizedText: Sendable, Codable, Equatable, Hashable {
    /// Simplified Chinese.
    public var zhHans: String
    /// English.
    public var en: String

    public init(zhHans: String, en: String) {
        self.zhHans = zhHans
        self.en = en
    }

    /// The text for a locale identifier: Chinese for any `zh…` locale, English otherwise.
    public func text(for locale: String) -> String {
        locale.lowercased().hasPrefix("zh") ? zhHans : en
    }

    enum CodingKeys: String, CodingKey {
        case zhHans = "zh-Hans"
        case en
    }
}

extension LocalizedText {
    /// Shorthand for the default dictionaries: Chinese first, then English.
    init(_ zhHans: String, _ en: String) {
        self.init(zhHans: zhHans, en: en)
    }
}

extension FieldOption {
    /// Shorthand for the default dictionaries.
    init(_ key: String, _ zhHans: String, _ en: String) {
        self.init(key: key, label: LocalizedText(zhHans: zhHans, en: en))
    }
}
