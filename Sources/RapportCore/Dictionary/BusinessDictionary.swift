/// A company's own definitions: for each object, its stages, custom fields, option lists and the
/// written definition of each term. Configurable and versioned (see ``ObjectDictionary/revised(to:stagesInUse:fieldsInUse:optionsInUse:)``).
///
/// Two defaults ship: ``education`` (大C online education) and ``b2b`` (B2B SaaS/hardware).
public struct BusinessDictionary: Sendable, Codable, Equatable {
    /// One entry per object type that the company has defined.
    public var objects: [ObjectDictionary]

    public init(objects: [ObjectDictionary]) {
        self.objects = objects
    }

    /// The definitions for `object`, if the company has any.
    public subscript(object: DictionaryObject) -> ObjectDictionary? {
        objects.first { $0.object == object }
    }

    /// Validates every object (see ``ObjectDictionary/validate(builtInFields:)``), with field paths
    /// prefixed by `objects[i].`, and refuses an object defined twice.
    public func validate(builtInFields: (DictionaryObject) -> Set<String>) throws(RapportError) {
        var errors: [FieldError] = []
        var seen: Set<DictionaryObject> = []
        for (index, entry) in objects.enumerated() {
            if !seen.insert(entry.object).inserted {
                errors.append(FieldError(field: "objects[\(index)].object", code: "duplicate", message: "\(entry.object.rawValue) is defined twice."))
            }
            errors += entry.problems(builtInFields: builtInFields(entry.object)).map {
                FieldError(field: "objects[\(index)].\($0.field)", code: $0.code, message: $0.message)
            }
        }
        if !errors.isEmpty { throw RapportError(.validationFailed, "The business dictionary is invalid.", fieldErrors: errors) }
    }
}
