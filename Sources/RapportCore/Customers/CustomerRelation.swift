/// A typed relation between two customers, stored once and navigable both ways.
public struct CustomerRelation: Sendable, Equatable, Codable {
    /// The stored direction: `from` is the parent of / spouse of / employee of / subsidiary of /
    /// referred by `to`.
    public enum RelationType: String, Sendable, Codable, CaseIterable {
        case parentOf = "parent_of"
        case spouseOf = "spouse_of"
        case employeeOf = "employee_of"
        case subsidiaryOf = "subsidiary_of"
        case referredBy = "referred_by"

        /// How the relation reads from the other end.
        public var inverseName: String {
            switch self {
            case .parentOf: "child_of"
            case .spouseOf: "spouse_of"
            case .employeeOf: "employer_of"
            case .subsidiaryOf: "parent_company_of"
            case .referredBy: "referred"
            }
        }

        /// Parses a relation name as seen from the customer it is asked on: either a stored type,
        /// or an inverse name, which is stored the other way round (`swapped` true).
        public static func parse(_ name: String) -> (type: RelationType, swapped: Bool)? {
            if let type = RelationType(rawValue: name) { return (type, false) }
            if let type = allCases.first(where: { $0.inverseName == name }) { return (type, true) }
            return nil
        }

        /// Every name a client may use.
        public static var allNames: [String] {
            var names = allCases.map(\.rawValue)
            for type in allCases where !names.contains(type.inverseName) { names.append(type.inverseName) }
            return names
        }
    }

    public var id: RecordID
    public var fromID: RecordID
    public var toID: RecordID
    public var type: RelationType
    public var note: String?
    public var createdAt: Date

    public init(id: RecordID, fromID: RecordID, toID: RecordID, type: RelationType, note: String? = nil, createdAt: Date) {
        self.id = id
        self.fromID = fromID
        self.toID = toID
        self.type = type
        self.note = note
        self.createdAt = createdAt
    }

    /// The relation's name as seen from `customer` (its stored name from `from`, the inverse from `to`).
    public func name(seenFrom customer: RecordID) -> String {
        customer == fromID ? type.rawValue : type.inverseName
    }

    /// The customer at the other end, seen from `customer`.
    public func other(than customer: RecordID) -> RecordID { customer == fromID ? toID : fromID }
}

import Foundation
