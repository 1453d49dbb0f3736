/// What reaching a stage means: still in progress, a success, a failure, or gone quiet.
public enum StageCategory: String, Sendable, Codable, CaseIterable {
    /// In progress.
    case open
    /// Closed with success (a converted lead, a won deal, a paying customer).
    case won
    /// Closed without success (an invalid lead, a lost deal, a churned customer).
    case lost
    /// Inactive but not closed: neither progressing nor given up.
    case dormant

    /// Whether the stage closes the record: `won` or `lost`.
    public var isClosed: Bool { self == .won || self == .lost }
}
