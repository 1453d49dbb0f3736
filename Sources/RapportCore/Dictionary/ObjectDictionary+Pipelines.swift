extension ObjectDictionary {
    /// The pipeline with `key`, archived or not.
    public func pipeline(_ key: String) -> PipelineDefinition? { pipelines.first { $0.key == key } }

    /// The pipelines records run on: the defined ones, or — for a dictionary saved before pipelines
    /// existed — one pipeline `new_sale` made of the object's own stages.
    public var pipelinesOrDefault: [PipelineDefinition] {
        if !pipelines.isEmpty { return pipelines }
        return [PipelineDefinition(key: "new_sale", label: LocalizedText("新签", "New sale"), initialStage: initialStage, stages: stages)]
    }

    /// This edited version with its own `stages` and `initial_stage` made those of its first pipeline.
    ///
    /// For an object with pipelines the two are one: a version that changes the object's stages but
    /// leaves the first pipeline as `current` had it (a form that edits the object's stages) changes
    /// the first pipeline; otherwise the first pipeline wins.
    public func aligned(after current: ObjectDictionary?) -> ObjectDictionary {
        guard var first = pipelines.first else { return self }
        var result = self
        if let current, let before = current.pipelines.first, before == first,
           stages != current.stages || initialStage != current.initialStage {
            first.stages = stages
            first.initialStage = initialStage
            result.pipelines[0] = first
        }
        result.stages = first.stages
        result.initialStage = first.initialStage
        return result
    }

    /// The pipelines of the next version from edited ones (see ``revised(to:stagesInUse:fieldsInUse:optionsInUse:)``
    /// for the rules): an edited pipeline keeps, archived, the stages that records or history of that
    /// pipeline still name; a removed pipeline that records still use is kept, archived.
    ///
    /// - Parameter stagesInUse: per pipeline key, the stage keys its records or their history name.
    func revisedPipelines(to edited: [PipelineDefinition], stagesInUse: [String: Set<String>]) -> [PipelineDefinition] {
        var result: [PipelineDefinition] = edited.map { pipeline in
            guard let old = self.pipeline(pipeline.key) else { return pipeline }
            let revised = old.stageMachine(of: object, fields: []).revised(
                to: pipeline.stageMachine(of: object, fields: []), stagesInUse: stagesInUse[pipeline.key] ?? [], fieldsInUse: [])
            var kept = pipeline
            kept.stages = revised.stages
            return kept
        }
        let editedKeys = Set(edited.map(\.key))
        for old in pipelines where !editedKeys.contains(old.key) && !(stagesInUse[old.key] ?? []).isEmpty {
            var kept = old
            kept.archived = true
            result.append(kept)
        }
        return result
    }

    /// Problems of the pipelines: only opportunities have them; at least one is active; keys are
    /// unique and well formed; each pipeline's stages are checked as an object's are (paths such as
    /// `pipelines[1].stages[2].transitions[0]`), and every active stage has a probability.
    func pipelineProblems(builtInFields: Set<String>) -> [FieldError] {
        guard !pipelines.isEmpty else { return [] }
        var errors: [FieldError] = []
        func add(_ field: String, _ code: String, _ message: String) {
            errors.append(FieldError(field: field, code: code, message: message))
        }
        if object != .opportunity { add("pipelines", "invalid", "Only opportunities have pipelines.") }
        if pipelines.allSatisfy(\.archived) { add("pipelines", "required", "At least one pipeline must be active.") }
        var seen: Set<String> = []
        for (index, pipeline) in pipelines.enumerated() {
            let path = "pipelines[\(index)]"
            if !DictionaryKey.isValid(pipeline.key) {
                add("\(path).key", "invalid", "A pipeline key is a lowercase letter followed by up to 63 of a-z, 0-9 and _.")
            } else if !seen.insert(pipeline.key).inserted {
                add("\(path).key", "duplicate", "Pipeline \(pipeline.key) is defined twice.")
            }
            errors += pipeline.label.problems(path: "\(path).label")
            if let definition = pipeline.definition { errors += definition.problems(path: "\(path).definition", maxLength: 2000) }
            let machine = pipeline.stageMachine(of: object, fields: fields)
            errors += machine.stageProblems(builtInFields: builtInFields).map {
                FieldError(field: "\(path).\($0.field)", code: $0.code, message: $0.message)
            }
            for (position, stage) in pipeline.stages.enumerated() where !stage.archived && stage.probability == nil {
                add("\(path).stages[\(position)].probability", "required", "Every stage of a pipeline has a probability (0–100).")
            }
        }
        return errors
    }
}
