/// What happens when a new or changed customer matches an existing one on a normalised phone,
/// email or WeChat unionid.
public enum DedupPolicy: String, Sendable, Codable, CaseIterable {
    /// Refuse with `duplicate` (409), naming the match when the caller may see it.
    case block
    /// Fold the incoming data into the existing customer.
    case merge
    /// Accept it; the pair shows in the duplicates report.
    case flag
}

/// The dedup policy per entry channel, with the defaults: block for the API and the web UI,
/// merge for imports, flag for everything else.
public struct DedupSettings: Sendable, Equatable, Codable {
    public var bySource: [String: DedupPolicy]

    public init(bySource: [String: DedupPolicy]) { self.bySource = bySource }

    enum CodingKeys: String, CodingKey {
        case bySource = "by_source"
    }

    public static let standard = DedupSettings(bySource: ["api": .block, "web": .block, "cli": .block, "import": .merge])

    public func policy(for source: String) -> DedupPolicy { bySource[source] ?? .flag }
}

/// A value that matched another customer: a normalised contact value or an external reference.
public struct DuplicateMatch: Sendable, Equatable {
    public var customerID: RecordID
    /// `phone`, `email`, `wechat_unionid` or `external_ref`.
    public var key: String
    public var value: String

    public init(customerID: RecordID, key: String, value: String) {
        self.customerID = customerID
        self.key = key
        self.value = value
    }
}
