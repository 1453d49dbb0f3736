/// Deals records out to recipients in turn: the i-th record (in the order given) goes to
/// recipient `i mod n`, so shares differ by at most one and the first recipients get the extra.
/// Pure, so a preview and the handover itself deal exactly alike.
public enum RoundRobin {
    /// The recipient of each record, in the records' order (empty when there are no recipients).
    public static func deal<Record>(_ records: [Record], to recipients: [RecordID]) -> [(record: Record, to: RecordID)] {
        guard !recipients.isEmpty else { return [] }
        return records.enumerated().map { index, record in (record, recipients[index % recipients.count]) }
    }

    /// How many of `count` records each of `recipients` receives, in order.
    public static func shares(_ count: Int, among recipients: Int) -> [Int] {
        guard recipients > 0 else { return [] }
        return (0..<recipients).map { index in count / recipients + (index < count % recipients ? 1 : 0) }
    }
}
