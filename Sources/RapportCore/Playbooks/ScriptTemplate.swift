import Foundation

/// A step's script (话术) with variables — `{{customer.name}}`, `{{lead.source}}`, `{{rep.name}}` —
/// rendered for the rep who runs it. Parsed once: text and variables; a variable the playbook's
/// record cannot give is reported when the playbook is saved, not discovered by a rep.
public struct ScriptTemplate: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case variable(String)
    }

    public let parts: [Part]

    /// Parses `source`. `{{ name }}` (spaces allowed) is a variable of ASCII letters, digits, `_` and
    /// dots; an unclosed `{{` or an empty name is kept as text.
    public init(_ source: String) {
        var parts: [Part] = []
        var text = ""
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            text += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                text += rest[open.lowerBound...]
                rest = ""
                break
            }
            let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) {
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(.variable(name))
            } else {
                text += rest[open.lowerBound..<close.upperBound]
            }
            rest = after[close.upperBound...]
        }
        text += rest
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// The variables it uses, in order of first use.
    public var variables: [String] {
        var seen: Set<String> = []
        return parts.compactMap { part in
            guard case .variable(let name) = part, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// The script with each variable replaced by its value; a variable without a value renders as
    /// `fallback` (empty by default), so a rep never reads `{{…}}`.
    public func render(_ values: [String: String], fallback: String = "") -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .variable(let name): values[name] ?? fallback
            }
        }.joined()
    }
}
