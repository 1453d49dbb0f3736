extension ObjectDictionary {
    /// The most days a stage's SLA may name (ten years).
    public static let maxSLADays = 3650

    /// Structural validation: unique well-formed keys; the initial stage and every transition refer to
    /// existing non-archived stages (the initial stage is an open one); guards refer to custom fields or
    /// to `builtInFields`; labels are non-empty; SLA days and probabilities are in range; custom fields
    /// are well-formed (see ``FieldDefinition``).
    ///
    /// Throws `RapportError(.validationFailed)` naming each problem with a field path such as
    /// `stages[2].transitions[0]` and a code: `required`, `invalid`, `duplicate`, `unknown_stage`,
    /// `unknown_field`, `archived`, `out_of_range`, `reserved`.
    public func validate(builtInFields: Set<String>) throws(RapportError) {
        let errors = problems(builtInFields: builtInFields)
        if !errors.isEmpty {
            throw RapportError(.validationFailed, "The \(object.rawValue) dictionary is invalid.", fieldErrors: errors)
        }
    }

    /// Every structural problem, in the order of the document.
    func problems(builtInFields: Set<String>) -> [FieldError] {
        stageProblems(builtInFields: builtInFields) + fieldProblems(builtInFields: builtInFields)
            + pipelineProblems(builtInFields: builtInFields)
    }

    /// Problems of the stages and the initial stage (what a pipeline checks of its own stages too).
    func stageProblems(builtInFields: Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) {
            errors.append(FieldError(field: field, code: code, message: message))
        }

        // Stages.
        if stages.isEmpty { add("stages", "required", "At least one stage is required.") }
        var stageIndex: [String: Int] = [:]
        for (index, stage) in stages.enumerated() {
            let path = "stages[\(index)]"
            if !DictionaryKey.isValid(stage.key) {
                add("\(path).key", "invalid", "A stage key is a lowercase letter followed by up to 63 of a-z, 0-9 and _.")
            } else if stageIndex[stage.key] != nil {
                add("\(path).key", "duplicate", "Stage \(stage.key) is defined twice.")
            } else {
                stageIndex[stage.key] = index
            }
            errors += stage.label.problems(path: "\(path).label")
            if let definition = stage.definition { errors += definition.problems(path: "\(path).definition", maxLength: 2000) }
            if let days = stage.slaDays, !(1...Self.maxSLADays).contains(days) {
                add("\(path).sla_days", "out_of_range", "SLA days must be between 1 and \(Self.maxSLADays).")
            }
            if let probability = stage.probability, !(0...100).contains(probability) {
                add("\(path).probability", "out_of_range", "A probability is between 0 and 100.")
            }
        }

        for (index, stage) in stages.enumerated() {
            let path = "stages[\(index)]"
            var targets: Set<String> = []
            for (position, target) in stage.transitions.enumerated() {
                let targetPath = "\(path).transitions[\(position)]"
                if let existing = self.stage(target) {
                    if target == stage.key {
                        add(targetPath, "invalid", "A stage cannot move to itself.")
                    } else if !targets.insert(target).inserted {
                        add(targetPath, "duplicate", "Transition to \(target) is listed twice.")
                    } else if existing.archived && !stage.archived {
                        add(targetPath, "archived", "Stage \(target) is archived and cannot be entered.")
                    }
                } else {
                    add(targetPath, "unknown_stage", "No stage named \(target).")
                }
            }
            var guarded: Set<String> = []
            for (position, key) in stage.guards.enumerated() {
                let guardPath = "\(path).guards[\(position)]"
                if !guarded.insert(key).inserted {
                    add(guardPath, "duplicate", "Guard \(key) is listed twice.")
                } else if let field = field(key) {
                    if field.archived && !stage.archived {
                        add(guardPath, "archived", "Field \(key) is archived and takes no new values.")
                    }
                } else if !builtInFields.contains(key) {
                    add(guardPath, "unknown_field", "No field named \(key).")
                }
            }
        }

        // The initial stage.
        if let initial = stage(initialStage) {
            if initial.archived {
                add("initial_stage", "archived", "The initial stage \(initialStage) is archived.")
            } else if initial.category != .open {
                add("initial_stage", "invalid", "The initial stage must be an open stage.")
            }
        } else {
            add("initial_stage", "unknown_stage", "No stage named \(initialStage).")
        }

        return errors
    }

    /// Problems of the custom fields.
    func fieldProblems(builtInFields: Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) {
            errors.append(FieldError(field: field, code: code, message: message))
        }
        var seenFields: Set<String> = []
        for (index, field) in fields.enumerated() {
            let path = "fields[\(index)]"
            if DictionaryKey.isValid(field.key) {
                if !seenFields.insert(field.key).inserted {
                    add("\(path).key", "duplicate", "Field \(field.key) is defined twice.")
                } else if builtInFields.contains(field.key) {
                    add("\(path).key", "reserved", "\(field.key) is a built-in field.")
                }
            }
            errors += field.problems(path: path)
        }
        return errors
    }
}

extension LocalizedText {
    /// Problems of a label: both languages present and at most 200 characters.
    func problems(path: String, maxLength: Int = 200) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, text) in [("zh-Hans", zhHans), ("en", en)] {
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty {
                errors.append(FieldError(field: "\(path).\(name)", code: "required", message: "\(path).\(name) must not be empty."))
            } else if trimmed.count > maxLength {
                errors.append(FieldError(field: "\(path).\(name)", code: "too_long", message: "\(path).\(name) must be at most \(maxLength) characters."))
            }
        }
        return errors
    }
}
