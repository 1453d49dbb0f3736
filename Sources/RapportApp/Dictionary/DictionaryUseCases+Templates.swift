import Foundation
import RapportCore
import RapportStorage

extension DictionaryUseCases {
    /// Saves a ready-made template's dictionary (`education`, `b2b`) for every object type whose
    /// dictionary was never saved (still the configured default), as an administrator would with
    /// `PUT /api/v1/dictionary/{object}`; a saved one is kept. Returns, per object type of the
    /// template, whether it was saved now.
    public func adoptTemplate(_ name: String, by caller: Caller) async throws -> [DictionaryObject: Bool] {
        guard let template = try await templates(by: caller).first(where: { $0.name == name })?.dictionary else {
            throw RapportError.validation([FieldError(field: "template", code: "invalid", message: "template is education or b2b.")])
        }
        let current = try await all(by: caller)
        var result: [DictionaryObject: Bool] = [:]
        for object in template.objects {
            guard current[object.object]?.version == 0 else {
                result[object.object] = false
                continue
            }
            do {
                _ = try await replace(object.object.rawValue, with: object, expectedVersion: 0, by: caller)
                result[object.object] = true
            } catch let error as RapportError where error.code == .preconditionFailed {
                result[object.object] = false  // saved by someone else meanwhile
            }
        }
        return result
    }
}
