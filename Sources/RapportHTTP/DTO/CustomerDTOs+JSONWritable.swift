import Foundation
import RapportCore

// The hot responses write their own JSON (keys in sorted order); `JSONWritableTests` checks
// every one against `JSONCoding.encoder` byte for byte.

extension ContactDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("id"); out.string(id)
            out.field("kind"); out.string(kind)
            out.field("label"); out.string(label)
            out.field("masked"); out.bool(masked)
            out.field("primary"); out.bool(primary)
            out.field("value"); out.string(value)
        }
    }
}

extension ConsentDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("channel"); out.string(channel)
            out.field("purpose"); out.string(purpose)
            out.field("recorded_at"); out.date(recordedAt)
            out.field("source"); out.string(source)
            out.field("status"); out.string(status)
        }
    }
}

extension CustomerDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("company"); out.string(company)
            out.field("consents"); out.array(consents)
            out.field("contacts"); out.array(contacts)
            out.field("created_at"); out.date(createdAt)
            out.field("custom_fields"); out.dictionary(customFields) { out, value in value.write(to: &out) }
            out.field("do_not_contact"); out.bool(doNotContact)
            out.field("do_not_contact_reason"); out.string(doNotContactReason)
            out.field("external_ref"); out.string(externalRef)
            out.field("id"); out.string(id)
            out.field("id_number"); out.string(idNumber)
            out.field("kind"); out.string(kind)
            out.field("lifecycle"); out.string(lifecycle)
            out.field("name"); out.string(name)
            out.field("owner_id"); out.string(ownerId)
            out.field("score"); out.int(score)
            out.field("source"); out.string(source)
            out.field("stage"); out.string(stage)
            out.field("stage_entered_at"); out.date(stageEnteredAt)
            out.field("tags"); out.array(tags)
            out.field("team_id"); out.string(teamId)
            out.field("title"); out.string(title)
            out.field("updated_at"); out.date(updatedAt)
            out.field("value_tier"); out.string(valueTier)
            out.field("version"); out.int(version)
        }
    }
}

extension ListResponse: JSONWritable where Item: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("data"); out.array(data)
            out.field("next_cursor"); out.string(nextCursor)
        }
    }
}

extension RelationDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("created_at"); out.date(createdAt)
            out.field("customer_id"); out.string(customerId)
            out.field("customer_kind"); out.string(customerKind)
            out.field("customer_name"); out.string(customerName)
            out.field("id"); out.string(id)
            out.field("note"); out.string(note)
            out.field("type"); out.string(type)
        }
    }
}

extension StageChangeDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("at"); out.date(at)
            out.field("by"); out.string(by)
            out.field("from"); out.string(from)
            out.field("reason"); out.string(reason)
            out.field("to"); out.string(to)
        }
    }
}

extension ActivityDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("actor_id"); out.string(actorId)
            out.field("body"); out.string(body)
            out.field("cap_warning"); out.bool(capWarning)
            out.field("created_at"); out.date(createdAt)
            out.field("customer_id"); out.string(customerId)
            out.field("direction"); out.string(direction)
            out.field("duration_seconds"); out.int(durationSeconds)
            out.field("id"); out.string(id)
            out.field("occurred_at"); out.date(occurredAt)
            out.field("outcome"); out.string(outcome)
            out.field("place"); out.string(place)
            out.field("related_id"); out.string(relatedId)
            out.field("related_kind"); out.string(relatedKind)
            out.field("subject"); out.string(subject)
            out.field("type"); out.string(type)
        }
    }
}

extension FrequencyDTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("exceeded"); out.bool(exceeded)
            out.field("limit"); out.int(limit)
            out.field("mode"); out.string(mode)
            out.field("outbound_touches"); out.int(outboundTouches)
            out.field("period_days"); out.int(periodDays)
        }
    }
}

extension LocalizedText: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("en"); out.string(en)
            out.field("zh-Hans"); out.string(zhHans)
        }
    }
}

extension Customer360DTO: JSONWritable {
    public func write(to out: inout JSONOutput) {
        out.object { out in
            out.field("customer"); customer.write(to: &out)
            out.field("deals"); out.array(deals)
            out.field("frequency"); frequency.write(to: &out)
            out.field("open_tasks"); out.array(openTasks)
            out.field("relations"); out.array(relations)
            out.field("stage_history"); out.array(stageHistory)
            out.field("stage_label"); out.value(stageLabel)
            out.field("tags"); out.array(tags)
            out.field("time_in_stage_seconds"); out.dictionary(timeInStageSeconds) { out, seconds in out.int(seconds) }
            out.field("timeline"); timeline.write(to: &out)
        }
    }
}
