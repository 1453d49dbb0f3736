/// Lead sources are channels with a stable key: labels from forms and files ("Google", "google",
/// "Olark Chat", "Press_Release") become keys (`google`, `olark_chat`, `press_release`) so that
/// spellings of one channel count as one; the label a channel first came with is kept for display.
public enum LeadSource {
    /// The channel key of a label: lowercased, every run of characters other than letters and
    /// digits one `_`, none at either end, at most 64 characters. Nil for a label without letters or digits.
    public static func channelKey(_ label: String) -> String? {
        var key = ""
        var gap = false
        for scalar in label.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if gap && !key.isEmpty { key.append("_") }
                key.unicodeScalars.append(scalar)
                gap = false
            } else {
                gap = true
            }
        }
        guard !key.isEmpty else { return nil }
        return String(key.prefix(64))
    }
}
