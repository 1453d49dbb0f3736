import Foundation
import RapportCore
import SQLKit

/// Merges of customers with the snapshot that undoes each.
public struct MergeStore: Sendable {
    let sql: any SQLDatabase

    public init(_ sql: any SQLDatabase) { self.sql = sql }

    /// Everything a merge changed, enough to put both customers back as they were.
    public struct Snapshot: Sendable, Codable, Equatable {
        public var survivorBefore: Customer
        public var mergedBefore: Customer
        /// The survivor's version right after the merge; an undo needs it unchanged since.
        public var survivorVersionAfter: Int64
        public var activityIDs: [String]
        public var stageHistoryIDs: [String]
        public var relationsMoved: [CustomerRelation]
        public var relationsRemoved: [CustomerRelation]
        public var choices: [String: CustomerMerge.Side]
        /// The merged customer's opportunities, moved to the survivor (nil in merges made before
        /// opportunities existed).
        public var opportunityIDs: [String]?
        /// The merged customer's orders, moved to the survivor (nil in merges made before orders
        /// followed a merge).
        public var orderIDs: [String]?
        /// The merged customer's entitlements, moved to the survivor (nil as `orderIDs`).
        public var entitlementIDs: [String]?

        public init(survivorBefore: Customer, mergedBefore: Customer, survivorVersionAfter: Int64, activityIDs: [String],
                    stageHistoryIDs: [String], relationsMoved: [CustomerRelation], relationsRemoved: [CustomerRelation],
                    choices: [String: CustomerMerge.Side], opportunityIDs: [String]? = nil, orderIDs: [String]? = nil,
                    entitlementIDs: [String]? = nil) {
            self.survivorBefore = survivorBefore
            self.mergedBefore = mergedBefore
            self.survivorVersionAfter = survivorVersionAfter
            self.activityIDs = activityIDs
            self.stageHistoryIDs = stageHistoryIDs
            self.relationsMoved = relationsMoved
            self.relationsRemoved = relationsRemoved
            self.choices = choices
            self.opportunityIDs = opportunityIDs
            self.orderIDs = orderIDs
            self.entitlementIDs = entitlementIDs
        }

        /// The records of `kind` the merge moved to the survivor.
        public func moved(_ kind: CustomerLinkedRecord) -> [String] {
            switch kind {
            case .opportunities: opportunityIDs ?? []
            case .orders: orderIDs ?? []
            case .entitlements: entitlementIDs ?? []
            }
        }
    }

    public struct Record: Sendable, Equatable {
        public var id: RecordID
        public var survivorID: RecordID
        public var mergedID: RecordID
        public var snapshot: Snapshot
        public var mergedBy: RecordID?
        public var mergedAt: Date
        public var undoneAt: Date?
        public var undoneBy: RecordID?

        public init(id: RecordID, survivorID: RecordID, mergedID: RecordID, snapshot: Snapshot, mergedBy: RecordID?, mergedAt: Date,
                    undoneAt: Date?, undoneBy: RecordID?) {
            self.id = id
            self.survivorID = survivorID
            self.mergedID = mergedID
            self.snapshot = snapshot
            self.mergedBy = mergedBy
            self.mergedAt = mergedAt
            self.undoneAt = undoneAt
            self.undoneBy = undoneBy
        }
    }

    public func insert(_ record: Record) async throws {
        try await sql.insert(into: "merges").columns("id", "survivor_id", "merged_id", "snapshot", "merged_by", "merged_at", "undone_at", "undone_by")
            .values(SQLBind(record.id.rawValue), SQLBind(record.survivorID.rawValue), SQLBind(record.mergedID.rawValue),
                    SQLBind(JSONText.encode(record.snapshot)), SQLBind(record.mergedBy?.rawValue), SQLBind(record.mergedAt.microsSinceEpoch),
                    SQLBind(record.undoneAt?.microsSinceEpoch), SQLBind(record.undoneBy?.rawValue))
            .run()
    }

    public func find(_ id: RecordID) async throws -> Record? {
        try await sql.select().columns("id", "survivor_id", "merged_id", "snapshot", "merged_by", "merged_at", "undone_at", "undone_by")
            .from("merges").where("id", .equal, id.rawValue).first().map(Self.decode)
    }

    /// The latest merges into `survivor` (undone ones too), newest first.
    public func list(survivor: RecordID, limit: Int) async throws -> [Record] {
        try await sql.select().columns("id", "survivor_id", "merged_id", "snapshot", "merged_by", "merged_at", "undone_at", "undone_by")
            .from("merges").where("survivor_id", .equal, survivor.rawValue).orderBy("merged_at", .descending).orderBy("id", .descending)
            .limit(limit).all().map(Self.decode)
    }

    /// Marks a merge undone, once: false when it already was.
    public func markUndone(_ id: RecordID, at now: Date, by actor: RecordID?) async throws -> Bool {
        try await sql.update("merges").set("undone_at", to: SQLBind(now.microsSinceEpoch)).set("undone_by", to: SQLBind(actor?.rawValue))
            .where("id", .equal, id.rawValue).where("undone_at", .is, SQLLiteral.null).returning("id").first() != nil
    }

    static func decode(_ row: any SQLRow) throws -> Record {
        Record(
            id: try row.id("id"), survivorID: try row.id("survivor_id"), mergedID: try row.id("merged_id"),
            snapshot: try JSONText.decode(Snapshot.self, from: try row.text("snapshot")), mergedBy: try row.optionalID("merged_by"),
            mergedAt: try row.date("merged_at"), undoneAt: try row.optionalDate("undone_at"), undoneBy: try row.optionalID("undone_by"))
    }
}
