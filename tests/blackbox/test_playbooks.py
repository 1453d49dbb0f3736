"""Playbooks end to end on the real server, every response checked against the OpenAPI document:
a manager defines and revises a playbook (bad definitions named field by field, reps refused), a
tag added to a customer starts a run whose steps are the rep's tasks with the script rendered,
completing a task marks its step on time, compliance per rep and outcomes per version, stopping
a run cancels its open tasks, and a withdrawn playbook starts nothing."""

from __future__ import annotations

import secrets

from contract import Api, field_codes, problem
from test_customers import V1, new_person, unique


def test_a_playbook_runs_as_tasks_and_reports_compliance(api: Api) -> None:
    team = api.post(f"{V1}/teams", json={"key": unique("sop"), "name": "SOP desk"}, expect=201).json()
    manager = new_person(api, "manager", team, "Mia Manager")
    rep = new_person(api, "rep", team, "Ray Rep")
    key = "vip_" + secrets.token_hex(4)
    tag = "vip-" + secrets.token_hex(4)
    definition = {
        "key": key, "name": "VIP 关怀",
        "trigger": {"type": "tag_added", "object": "customer", "tag": tag},
        "steps": [
            {"title": "致电", "channel": "call", "offset": {"within_minutes": 60}, "script": "{{customer.name}} 您好，我是 {{rep.name}}"},
            {"title": "发送资料", "channel": "wechat", "offset": {"day": 1, "at": "10:00"}},
        ],
    }

    # Refusals change nothing: a rep may not write; every problem is named.
    problem(rep.api.post(f"{V1}/playbooks", json=definition), 403, "forbidden")
    bad = problem(manager.api.post(f"{V1}/playbooks", json={**definition, "trigger": {"type": "moon_phase"},
                                                           "steps": [{"title": "x", "offset": {"day": 1, "at": "25:00"}},
                                                                     {"title": "y", "offset": {"day": 1}, "script": "{{lead.name}}"}]}),
                  422, "validation_failed")
    assert field_codes(bad) == {"trigger.type": "invalid", "steps[0].offset.at": "invalid"}
    unknown = problem(manager.api.post(f"{V1}/playbooks", json={**definition, "steps": [{"title": "y", "offset": {"day": 1}, "script": "{{lead.name}}"}]}),
                      422, "validation_failed")
    assert field_codes(unknown) == {"steps[0].script": "unknown_variable"}
    assert all(p["key"] != key for p in rep.api.get(f"{V1}/playbooks", expect=200).json()["data"])

    first = manager.api.post(f"{V1}/playbooks", json=definition, expect=201)
    assert first.headers["Location"] == f"/api/v1/playbooks/{key}" and first.json()["version"] == 1
    second = manager.api.post(f"{V1}/playbooks", json={**definition, "name": "VIP 关怀 v2"}, expect=201).json()
    assert second["version"] == 2 and second["active"] and "customer.name" in second["variables"]
    assert second["steps"][1]["offset"] == {"day": 1, "at": "10:00"} and second["trigger"]["tag"] == tag
    assert [v["version"] for v in rep.api.get(f"{V1}/playbooks/{key}", expect=200).json()["data"]] == [2, 1]
    problem(rep.api.get(f"{V1}/playbooks/no_such_playbook"), 404, "not_found")

    # Tagging the rep's customer starts a run: its steps are the rep's tasks, the script rendered.
    customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("韩梅梅")}, expect=201).json()["customer"]
    rep.api.patch(f"{V1}/customers/{customer['id']}", headers={"If-Match": '"1"'}, json={"tags": [tag]}, expect=200)
    runs = rep.api.get(f"{V1}/playbook-runs", params={"record_id": customer["id"]}, expect=200).json()["data"]
    assert len(runs) == 1 and runs[0]["version"] == 2 and runs[0]["status"] == "running"
    assert [s["title"] for s in runs[0]["steps"]] == ["致电", "发送资料"] and all(s["assignee_id"] == rep.id for s in runs[0]["steps"])
    tasks = rep.api.get(f"{V1}/tasks", params={"linked_id": customer["id"]}, expect=200).json()["data"]
    tasks.sort(key=lambda t: t["playbook_step"])
    assert [t["source"] for t in tasks] == ["playbook", "playbook"] and tasks[0]["playbook_run_id"] == runs[0]["id"]
    assert tasks[0]["notes"] == f"{customer['name']} 您好，我是 Ray Rep" and tasks[0]["type"] == "call"
    problem(rep.api.get(f"{V1}/playbook-runs"), 422, "validation_failed")
    problem(new_person(api, "rep", None, "Otto Outside").api.get(f"{V1}/playbook-runs", params={"record_id": customer["id"]}), 404, "not_found")

    # The call is made at once: on time. Compliance per rep (the manager sees the team) and per version.
    rep.api.post(f"{V1}/tasks/{tasks[0]['id']}/complete", json={"outcome": "reached"}, expect=200)
    compliance = manager.api.get(f"{V1}/playbooks/{key}/compliance", expect=200).json()
    mine = next(r for r in compliance["reps"] if r["user_id"] == rep.id)
    assert mine["on_time"] == 1 and mine["upcoming"] == 1 and mine["on_time_rate"] == 1.0
    assert [(v["version"], v["started"], v["running"]) for v in compliance["versions"]] == [(2, 1, 1)]
    # Over a period: runs started later than this one count nothing; an unreadable date is named.
    later = manager.api.get(f"{V1}/playbooks/{key}/compliance", params={"from": "2099-01-01"}, expect=200).json()
    assert later["reps"] == [] and later["versions"] == []
    assert field_codes(problem(manager.api.get(f"{V1}/playbooks/{key}/compliance", params={"from": "soon"}, expect=422), 422,
                               "validation_failed")) == {"from": "invalid"}

    # Stopping the run (managers) cancels its open task; a rep may not; twice is a conflict.
    problem(rep.api.post(f"{V1}/playbook-runs/{runs[0]['id']}/stop"), 403, "forbidden")
    stopped = manager.api.post(f"{V1}/playbook-runs/{runs[0]['id']}/stop", expect=200).json()
    assert stopped["status"] == "cancelled" and [s["status"] for s in stopped["steps"]] == ["done", "cancelled"]
    assert rep.api.get(f"{V1}/tasks/{tasks[1]['id']}", expect=200).json()["status"] == "cancelled"
    problem(manager.api.post(f"{V1}/playbook-runs/{runs[0]['id']}/stop"), 409, "conflict")

    # Withdrawn: no new run starts on another tagged customer.
    manager.api.delete(f"{V1}/playbooks/{key}", expect=204)
    other = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("李雷"), "tags": [tag]}, expect=201).json()["customer"]
    assert rep.api.get(f"{V1}/playbook-runs", params={"record_id": other["id"]}, expect=200).json()["data"] == []
    assert next(p for p in rep.api.get(f"{V1}/playbooks", expect=200).json()["data"] if p["key"] == key)["active"] is False


def test_a_lead_import_starts_playbooks_only_when_asked(api: Api) -> None:
    from test_imports import upload, run  # the import helpers: multipart upload, poll until final

    team = api.post(f"{V1}/teams", json={"key": unique("imp"), "name": "Import desk"}, expect=201).json()
    rep = new_person(api, "rep", team, "Ida Importer")
    key = "import_" + secrets.token_hex(4)
    api.post(f"{V1}/playbooks", json={"key": key, "name": "新线索", "trigger": {"type": "lead_assigned"},
                                      "steps": [{"title": "首呼", "channel": "call", "offset": {"within_minutes": 120}}]}, expect=201)
    try:
        def runs_on(name: str) -> list[dict]:
            (lead,) = api.get(f"{V1}/leads", params={"q": name}, expect=200).json()["data"]
            return api.get(f"{V1}/playbook-runs", params={"record_id": lead["id"]}, expect=200).json()["data"]

        phone = lambda: "135" + str(secrets.randbelow(10**8)).zfill(8)  # noqa: E731
        old, new = unique("Old lead"), unique("New lead")
        columns = [{"header": "Name", "field": "name"}, {"header": "Mobile", "field": "phone"}, {"header": "Owner", "field": "owner"}]
        # Loading history starts nothing; the option is off unless asked.
        quiet = run(api, upload(api, f"Name,Mobile,Owner\n{old},{phone()},{rep.user['email']}\n", file_name="old.csv", object="leads", columns=columns))
        assert quiet["status"] == "completed" and quiet["start_playbooks"] is False and quiet["counters"]["created"] == 1
        assert runs_on(old) == []
        fresh = run(api, upload(api, f"Name,Mobile,Owner\n{new},{phone()},{rep.user['email']}\n", file_name="new.csv", object="leads",
                                columns=columns, start_playbooks="true"))
        assert fresh["status"] == "completed" and fresh["start_playbooks"] is True
        (started,) = runs_on(new)
        assert started["playbook_key"] == key and [s["assignee_id"] for s in started["steps"]] == [rep.id]
        # Other objects refuse it, and a bad value is named.
        assert field_codes(problem(upload(api, "Name\nX\n", object="customers", start_playbooks="true", expect=422), 422, "validation_failed")) \
            == {"start_playbooks": "invalid"}
        assert "start_playbooks" in field_codes(problem(upload(api, f"Name\n{unique('x')}\n", object="leads", start_playbooks="yes", expect=422),
                                                        422, "validation_failed"))
    finally:
        api.delete(f"{V1}/playbooks/{key}", expect=204)
