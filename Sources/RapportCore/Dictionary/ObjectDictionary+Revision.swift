extension ObjectDictionary {
    /// The next version of this dictionary from an edited one.
    ///
    /// The edit wins for everything it contains. A stage, field or option that the edit removes is
    /// kept, archived, when it is in use — records and history still name it — and dropped when it is
    /// not. Kept stages follow the edited ones in display order; they keep their transitions to stages
    /// that still exist (so records in them may leave) and lose their guards (nothing enters them).
    ///
    /// - Parameters:
    ///   - stagesInUse: stage keys that records or stage history name.
    ///   - fieldsInUse: custom field keys that some record has a value for.
    ///   - optionsInUse: per field key, the option keys some value holds; nil counts every option of a
    ///     field in `fieldsInUse` as in use.
    ///   - pipelineStagesInUse: per pipeline key, the stage keys its records or their history name
    ///     (see ``revisedPipelines(to:stagesInUse:)``).
    public func revised(
        to edited: ObjectDictionary, stagesInUse: Set<String>, fieldsInUse: Set<String>,
        optionsInUse: [String: Set<String>]? = nil, pipelineStagesInUse: [String: Set<String>] = [:]
    ) -> ObjectDictionary {
        var result = edited
        result.object = object

        // Stages removed by the edit.
        let editedStageKeys = Set(edited.stages.map(\.key))
        for old in stages where !editedStageKeys.contains(old.key) && stagesInUse.contains(old.key) {
            var kept = old
            kept.archived = true
            kept.guards = []
            result.stages.append(kept)
        }
        let resultStageKeys = Set(result.stages.map(\.key))
        for index in result.stages.indices where !editedStageKeys.contains(result.stages[index].key) {
            let key = result.stages[index].key
            result.stages[index].transitions.removeAll { !resultStageKeys.contains($0) || $0 == key }
        }

        // Fields removed by the edit.
        let editedFieldKeys = Set(edited.fields.map(\.key))
        for old in fields where !editedFieldKeys.contains(old.key) && fieldsInUse.contains(old.key) {
            var kept = old
            kept.archived = true
            result.fields.append(kept)
        }

        // Options removed from fields that remain.
        for index in result.fields.indices where editedFieldKeys.contains(result.fields[index].key) {
            let edited = result.fields[index]
            guard edited.type.hasOptions, let old = field(edited.key) else { continue }
            let usedOptions = optionsInUse?[edited.key]
            let fieldUsed = fieldsInUse.contains(edited.key)
            for option in old.options where edited.option(option.key) == nil {
                let inUse = usedOptions.map { $0.contains(option.key) } ?? fieldUsed
                guard inUse else { continue }
                var kept = option
                kept.archived = true
                result.fields[index].options.append(kept)
            }
        }
        result.pipelines = revisedPipelines(to: edited.pipelines, stagesInUse: pipelineStagesInUse)
        return result
    }
}
