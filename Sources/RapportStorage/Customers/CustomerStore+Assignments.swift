import Foundation
import RapportCore
import SQLKit

extension CustomerStore {
    /// Appends entries to the customers' owner-change log.
    public func log(_ entries: [CustomerAssignment]) async throws {
        try await AssignmentLog<CustomerAssignment>(sql: sql, table: "customer_assignments", recordColumn: "customer_id").append(entries)
    }

    /// Who owned a customer, when and why, oldest first.
    public func assignments(of customer: RecordID) async throws -> [CustomerAssignment] {
        try await AssignmentLog<CustomerAssignment>(sql: sql, table: "customer_assignments", recordColumn: "customer_id").entries(of: customer)
    }
}
