import Foundation
import RapportCore
import SQLKit

extension CustomerStore {
    /// Live organisations (accounts) by external reference or exact name, regardless of scope,
    /// keyed by the lowercased reference or name asked for: the reference wins over a name, the
    /// oldest account over a newer one. What account and opportunity imports resolve names with.
    public func organisations(named names: [String]) async throws -> [String: RecordID] {
        var result: [String: RecordID] = [:]
        for chunk in Array(Set(names)).sorted().chunked(into: 400) where !chunk.isEmpty {
            let binds = SQLGroupExpression(chunk.map { SQLBind($0) })
            let rows = try await sql.select().columns("id", "name", "external_ref").from("customers")
                .where("kind", .equal, Customer.Kind.organisation.rawValue).where("merged_into", .is, SQLLiteral.null)
                .where(group: { $0.where("external_ref", .in, binds).orWhere("name", .in, binds) })
                .orderBy("id").all()
            for row in rows {
                if let ref = try row.optionalText("external_ref"), result[ref.lowercased()] == nil { result[ref.lowercased()] = try row.id("id") }
            }
            for row in rows {
                let name = try row.text("name").lowercased()
                if result[name] == nil { result[name] = try row.id("id") }
            }
        }
        return result
    }
}
