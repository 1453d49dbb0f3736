"""Assignment rules and reps' leave end to end on the real server, every response checked against
the OpenAPI document. Each rule matches only this test's own source, so other tests' leads are
never routed by it; the rules are deleted at the end."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, cn_mobile, new_person, unique
from test_jobs import server_now


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_rules_route_incoming_leads_and_leave_is_honoured(api: Api) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("route"), "name": "Routing desk"}, expect=201).json()
    reps = [new_person(api, "rep", team, f"Rota {index}") for index in range(3)]
    manager = new_person(api, "manager", team, "Mia Router")
    pool = api.post(f"{V1}/pools", json={"key": unique("route-pool"), "name": "Incoming", "object": "lead", "member_teams": [team["key"]],
                                         "rules": {"holding_limit": {"default": 3}}}, expect=201).json()
    overflow = api.post(f"{V1}/pools", json={"key": unique("overflow"), "name": "Overflow", "object": "lead"}, expect=201).json()
    source = unique("src")
    hot_source = unique("hot")
    created: list[str] = []
    try:
        bad = problem(api.post(f"{V1}/assignment-rules", json={
            "name": "", "conditions": [{"field": "score", "op": "gte", "value": "high"}],
            "target": {"kind": "team", "team_id": team["id"], "strategy": "weighted", "weights": {"senior": 500}}}), 422, "validation_failed")
        assert field_codes(bad) == {"name": "required", "conditions[0].value": "invalid", "target.weights.senior": "out_of_range"}
        problem(api.post(f"{V1}/assignment-rules", json={"name": "x", "conditions": [{"field": "nope", "op": "eq", "value": 1}],
                                                         "target": {"kind": "pool", "pool_id": pool["id"]}}), 422, "validation_failed")
        problem(reps[0].api.post(f"{V1}/assignment-rules", json={"name": "Mine", "target": {"kind": "user", "user_id": reps[0].id}}), 403, "forbidden")

        hot = api.post(f"{V1}/assignment-rules", json={
            "name": "Hot to Rota 0", "position": 1,
            "conditions": [{"field": "source", "op": "eq", "value": hot_source.upper()}, {"field": "score", "op": "gte", "value": 80}],
            "target": {"kind": "user", "user_id": reps[0].id}}, expect=201).json()
        created.append(hot["id"])
        turn = api.post(f"{V1}/assignment-rules", json={
            "name": "Team in turn", "position": 2, "conditions": [{"field": "source", "op": "in", "value": [source, hot_source]}],
            "target": {"kind": "team", "team_id": team["id"], "strategy": "round_robin"}}, expect=201).json()
        created.append(turn["id"])
        spill = api.post(f"{V1}/assignment-rules", json={
            "name": "Spill", "position": 3, "conditions": [{"field": "source", "op": "in", "value": [source, hot_source]}],
            "target": {"kind": "pool", "pool_id": overflow["id"]}}, expect=201).json()
        created.append(spill["id"])
        assert turn["target"] == {"kind": "team", "team_id": team["id"], "strategy": "round_robin", "weights": {}}
        assert api.get(f"{V1}/assignment-rules/{turn['id']}", expect=200).json()["name"] == "Team in turn"
        listed = [rule["id"] for rule in manager.api.get(f"{V1}/assignment-rules", expect=200).json()["data"]]
        assert listed.index(hot["id"]) < listed.index(turn["id"]) < listed.index(spill["id"])

        # The dry run names the assignee and changes nothing.
        probe = manager.api.post(f"{V1}/assignment-rules/test", json={"source": hot_source, "score": 95, "pool_id": pool["id"]}, expect=200).json()
        assert probe["placement"] == "user" and probe["user_id"] == reps[0].id and probe["rule"]["id"] == hot["id"]
        none = manager.api.post(f"{V1}/assignment-rules/test", json={"source": unique("nobody"), "pool_id": pool["id"]}, expect=200).json()
        assert none == {"placement": "none", "user_id": None, "team_id": None, "pool_id": None, "rule": None}

        # Rota 1 is on leave: the team's leads go to 0 and 2 in turn.
        now = server_now(api)  # the server's (test) clock, which other tests move
        leave = reps[1].api.post(f"{V1}/users/{reps[1].id}/leaves", json={
            "starts_at": rfc3339(now - timedelta(hours=1)), "ends_at": rfc3339(now + timedelta(days=3)), "note": "Wedding"}, expect=201).json()
        assert manager.api.get(f"{V1}/users/{reps[1].id}/leaves", expect=200).json()["data"][0]["id"] == leave["id"]
        problem(api.post(f"{V1}/users/{reps[1].id}/leaves", json={"starts_at": rfc3339(now), "ends_at": rfc3339(now - timedelta(days=1))}), 422, "validation_failed")
        problem(reps[0].api.post(f"{V1}/users/{reps[1].id}/leaves", json={"starts_at": rfc3339(now), "ends_at": rfc3339(now + timedelta(days=1))}), 403, "forbidden")

        owners = []
        for index in range(4):
            lead = manager.api.post(f"{V1}/leads", json={"name": f"Incoming {index}", "phone": cn_mobile(), "source": source,
                                                          "pool_id": pool["id"], "owner_id": None}, expect=201).json()["lead"]
            owners.append(lead["owner_id"])
        assert sorted(owners) == sorted([reps[0].id, reps[2].id] * 2)
        log = api.get(f"{V1}/leads/{lead['id']}/assignments", expect=200).json()["data"]
        assert log[0]["kind"] == "assign" and log[0]["rule_id"] == turn["id"]
        notes = reps[2].api.get(f"{V1}/notifications", expect=200).json()["data"]
        assert any(note["kind"] == "lead.assigned" and note["details"]["rule_id"] == turn["id"] for note in notes)

        # A hot lead goes to Rota 0 (holding 2 of 3), the next hot one too (3 of 3), then the team rule, then the spill pool.
        hot_owners = []
        for index in range(3):
            lead = manager.api.post(f"{V1}/leads", json={"name": f"Hot {index}", "phone": cn_mobile(), "source": hot_source, "score": 90,
                                                          "pool_id": pool["id"], "owner_id": None}, expect=201).json()["lead"]
            hot_owners.append((lead["owner_id"], lead["pool_id"]))
        assert hot_owners[0] == (reps[0].id, pool["id"]) and hot_owners[1][0] == reps[2].id and hot_owners[2] == (None, overflow["id"])

        # Leads waiting since before the rules: applying them routes each once.
        api.delete(f"{V1}/users/{reps[1].id}/leaves/{leave['id']}", expect=204)
        problem(api.delete(f"{V1}/users/{reps[1].id}/leaves/{leave['id']}"), 404, "not_found")
        applied = manager.api.post(f"{V1}/pools/{pool['id']}/apply-rules", json={"limit": 100}, expect=200).json()
        assert applied["assigned"] + applied["moved"] <= applied["examined"]
        problem(reps[0].api.post(f"{V1}/pools/{pool['id']}/apply-rules", json={}), 403, "forbidden")
        problem(manager.api.post(f"{V1}/pools/{pool['id']}/apply-rules", json={"limit": 0}), 422, "validation_failed")

        renamed = api.patch(f"{V1}/assignment-rules/{spill['id']}", json={"active": False, "version": spill["version"]}, expect=200).json()
        assert renamed["active"] is False and renamed["version"] == spill["version"] + 1
        problem(api.patch(f"{V1}/assignment-rules/{spill['id']}", json={"active": True, "version": 1}), 412, "precondition_failed")
    finally:
        for rule in created:
            api.delete(f"{V1}/assignment-rules/{rule}", expect=204)
    problem(api.get(f"{V1}/assignment-rules/{created[0]}"), 404, "not_found")
