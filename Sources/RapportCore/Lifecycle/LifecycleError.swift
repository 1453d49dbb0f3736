/// Why the lifecycle engine refused an event.
public enum LifecycleError: Error, Sendable, Equatable {
    /// No stage with this key exists in the dictionary.
    case unknownStage(String)
    /// The stage is archived and cannot be entered.
    case archivedStage(String)
    /// The record is already in this stage.
    case sameStage(String)
    /// The current stage does not allow moving to `to`; `allowed` lists the stages it does allow.
    case illegalTransition(from: String, to: String, allowed: [String])
    /// Fields that must be filled to enter `stage` are empty.
    case guardUnmet(stage: String, missing: [String])
    /// A move was applied to a record that has no stage yet.
    case notCreated
    /// A creation was applied to a record that already has a stage.
    case alreadyCreated

    /// The API's form: `validation_failed` for guards (a field error naming each missing field),
    /// `conflict` for illegal transitions (the detail and the `allowed_stages` member list the allowed
    /// targets) and for same-stage moves, `validation_failed` naming `stage` for unknown or archived stages.
    public var rapportError: RapportError { rapportError(customFields: []) }

    /// The API's form, naming missing custom fields by their request path (`custom_fields.<key>`).
    public func rapportError(in dictionary: ObjectDictionary) -> RapportError {
        rapportError(customFields: Set(dictionary.fields.map(\.key)))
    }

    private func rapportError(customFields: Set<String>) -> RapportError {
        switch self {
        case .unknownStage(let key):
            return .validation([FieldError(field: "stage", code: "invalid", message: "There is no stage \(key).")])
        case .archivedStage(let key):
            return .validation([FieldError(field: "stage", code: "archived", message: "Stage \(key) is archived and cannot be entered.")])
        case .sameStage(let key):
            return RapportError(.conflict, "The record is already in stage \(key).")
        case .illegalTransition(let from, let to, let allowed):
            let list = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
            return RapportError(
                .conflict, "Cannot move from stage \(from) to \(to). Allowed: \(list).",
                extra: ["allowed_stages": allowed.joined(separator: ",")])
        case .guardUnmet(let stage, let missing):
            let errors = missing.map { key in
                FieldError(
                    field: customFields.contains(key) ? CustomFieldValidation.path(key) : key,
                    code: "required", message: "\(key) is required to enter stage \(stage).")
            }
            return RapportError(.validationFailed, "Stage \(stage) requires fields that are empty.", fieldErrors: errors)
        case .notCreated:
            return RapportError(.conflict, "The record has no stage yet.")
        case .alreadyCreated:
            return RapportError(.conflict, "The record already has a stage.")
        }
    }
}

extension LifecycleEngine {
    /// ``apply(_:to:filled:)`` with a refusal in the API's form, in this dictionary's words.
    public func applyChecked(_ event: LifecycleEvent, to state: LifecycleState?, filled: Set<String>) throws(RapportError) -> LifecycleTransition {
        do { return try apply(event, to: state, filled: filled) } catch { throw error.rapportError(in: dictionary) }
    }
}
