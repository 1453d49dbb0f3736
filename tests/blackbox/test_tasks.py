"""Tasks end to end on the real server, every response checked against the OpenAPI document:
create/read/change/complete/cancel/reopen with ETags and If-Match, scope by assignee, a linked
record the creator must see, filters and pages, the settings, reminders and overdue escalation
through the server's own job runner with the test clock, and the iCalendar feed parsed back with
the `icalendar` package."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import requests

from contract import Api, field_codes, problem
from test_customers import V1, new_person, unique
from test_jobs import eventually, server_now


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def floor(api: Api) -> dict:
    team = api.post(f"{V1}/teams", json={"key": unique("tasks"), "name": "Task desk"}, expect=201).json()
    people = {
        "manager": new_person(api, "manager", team, "Tia Manager"),
        "rep": new_person(api, "rep", team, "Tom Rep"),
        "outsider": new_person(api, "rep", None, "Ola Outside"),
    }
    people["customer"] = people["rep"].api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Wang, Fang")}, expect=201).json()["customer"]
    return people


def kinds(person, kind: str) -> list[dict]:
    return [n for n in person.api.get(f"{V1}/notifications", params={"limit": 500}, expect=200).json()["data"] if n["kind"] == kind]


def test_task_lifecycle_scope_and_filters(api: Api) -> None:
    people = floor(api)
    rep, manager, outsider, customer = people["rep"], people["manager"], people["outsider"], people["customer"]
    now = server_now(api)
    due = iso(now + timedelta(days=2))
    created = rep.api.post(f"{V1}/tasks", json={"title": "Call about the trial", "type": "call", "due_at": due, "priority": "high",
                                                "linked_kind": "customer", "linked_id": customer["id"], "notes": "<b>bring</b> the price list"},
                           expect=201)
    task = created.json()
    tid = task["id"]
    assert created.headers["Location"] == f"/api/v1/tasks/{tid}" and created.headers["ETag"] == '"1"'
    assert task["assignee_id"] == rep.id and task["status"] == "open" and task["linked_name"] == customer["name"] and not task["overdue"]
    default = api.get(f"{V1}/settings/tasks", expect=200).json()["reminder_minutes"]  # 30 unless a fuzz run changed it
    assert task["reminder_minutes"] == default and task["source"] == "manual" and task["playbook_run_id"] is None

    # Refusals change nothing.
    assert field_codes(problem(rep.api.post(f"{V1}/tasks", json={"title": "x", "due_at": "soon", "type": "fax"}), 422, "validation_failed")) == {
        "due_at": "invalid", "type": "invalid"}
    assert field_codes(problem(outsider.api.post(f"{V1}/tasks", json={"title": "x", "due_at": due, "linked_kind": "customer",
                                                                      "linked_id": customer["id"]}), 422, "validation_failed")) == {"linked_id": "invalid"}
    assert field_codes(problem(rep.api.post(f"{V1}/tasks", json={"title": "x", "due_at": due, "assignee_id": manager.id}), 422,
                               "validation_failed")) == {"assignee_id": "invalid"}
    problem(outsider.api.get(f"{V1}/tasks/{tid}"), 404, "not_found")
    assert outsider.api.get(f"{V1}/tasks", expect=200).json()["data"] == []

    # Changes need If-Match; a stale one is refused.
    problem(rep.api.patch(f"{V1}/tasks/{tid}", json={"title": "New"}), 428, "precondition_required")
    changed = rep.api.patch(f"{V1}/tasks/{tid}", headers={"If-Match": '"1"'}, json={"title": "Call back", "notes": None}, expect=200)
    assert changed.headers["ETag"] == '"2"' and changed.json()["title"] == "Call back" and changed.json()["notes"] is None
    problem(rep.api.patch(f"{V1}/tasks/{tid}", headers={"If-Match": '"1"'}, json={"title": "Stale"}), 412, "precondition_failed")
    assert manager.api.get(f"{V1}/tasks/{tid}", expect=200).json()["title"] == "Call back"

    # Complete, reopen, cancel.
    done = rep.api.post(f"{V1}/tasks/{tid}/complete", json={"outcome": "reached", "outcome_note": "Will sign Friday"}, expect=200).json()
    assert done["status"] == "done" and done["outcome"] == "reached" and done["completed_at"] is not None
    problem(rep.api.post(f"{V1}/tasks/{tid}/complete"), 409, "conflict")
    assert rep.api.post(f"{V1}/tasks/{tid}/reopen", expect=200).json()["status"] == "open"
    cancelled = manager.api.post(f"{V1}/tasks/{tid}/cancel", json={"reason": "Duplicate"}, expect=200).json()
    assert cancelled["status"] == "cancelled" and cancelled["outcome_note"] == "Duplicate"

    # The manager gives a new task to the rep; filters and pages.
    for days in (3, 4, 5):
        manager.api.post(f"{V1}/tasks", json={"title": f"Visit {days}", "type": "visit", "due_at": iso(now + timedelta(days=days)),
                                               "assignee_id": rep.id}, expect=201)
    assert len(kinds(rep, "task.assigned")) == 3
    first = rep.api.get(f"{V1}/tasks", params={"status": "open", "limit": 2}, expect=200).json()
    assert [t["title"] for t in first["data"]] == ["Visit 3", "Visit 4"] and first["next_cursor"]
    rest = rep.api.get(f"{V1}/tasks", params={"status": "open", "limit": 2, "cursor": first["next_cursor"]}, expect=200).json()
    assert [t["title"] for t in rest["data"]] == ["Visit 5"] and rest["next_cursor"] is None
    about = manager.api.get(f"{V1}/tasks", params={"linked_kind": "customer", "linked_id": customer["id"]}, expect=200).json()["data"]
    assert [t["id"] for t in about] == [tid]
    window = manager.api.get(f"{V1}/tasks", params={"assignee_id": rep.id, "due_after": iso(now + timedelta(days=3, hours=12)),
                                                    "due_before": iso(now + timedelta(days=6))}, expect=200).json()["data"]
    assert [t["title"] for t in window] == ["Visit 4", "Visit 5"]
    assert rep.api.get(f"{V1}/tasks", params={"overdue": "true"}, expect=200).json()["data"] == []
    assert field_codes(problem(rep.api.get(f"{V1}/tasks", params={"overdue": "maybe", "status": "late"}), 422, "validation_failed")) == {
        "overdue": "invalid", "status": "invalid"}


def test_reminders_overdue_and_escalation_run_on_the_server(api: Api) -> None:
    people = floor(api)
    rep, manager = people["rep"], people["manager"]
    before = api.get(f"{V1}/settings/tasks", expect=200).json()
    problem(rep.api.request("PUT", f"{V1}/settings/tasks", json={"escalate_after_minutes": 5}), 403, "forbidden")
    assert field_codes(problem(api.request("PUT", f"{V1}/settings/tasks", json={"escalate_after_minutes": 0}), 422, "validation_failed")) == {
        "escalate_after_minutes": "out_of_range"}
    saved = api.request("PUT", f"{V1}/settings/tasks", json={"reminder_minutes": 20, "escalate_after_minutes": 60}, expect=200).json()
    assert saved == {"reminder_minutes": 20, "escalate_after_minutes": 60}
    try:
        now = server_now(api)
        task = rep.api.post(f"{V1}/tasks", json={"title": unique("Send contract"), "type": "email", "due_at": iso(now + timedelta(minutes=30))},
                            expect=201).json()
        assert task["reminder_minutes"] == 20
        # 11 minutes on: the reminder (due 10 minutes on) has run.
        api.post(f"{V1}/test-clock", json={"advance_seconds": 11 * 60}, expect=200)
        eventually("the reminder", lambda: [n for n in kinds(rep, "task.reminder") if n["object_id"] == task["id"]])
        # Past due (and a 5-minute overdue check later): the rep is told once.
        api.post(f"{V1}/test-clock", json={"advance_seconds": 26 * 60}, expect=200)
        eventually("the overdue alert", lambda: [n for n in kinds(rep, "task.overdue") if n["object_id"] == task["id"]])
        assert [t["id"] for t in rep.api.get(f"{V1}/tasks", params={"overdue": "true"}, expect=200).json()["data"]] == [task["id"]]
        # An hour overdue: the manager is told once.
        api.post(f"{V1}/test-clock", json={"advance_seconds": 60 * 60}, expect=200)
        escalated = eventually("the escalation", lambda: [n for n in kinds(manager, "task.escalated") if n["object_id"] == task["id"]])
        assert escalated[0]["details"]["assignee_id"] == rep.id
        api.post(f"{V1}/test-clock", json={"advance_seconds": 10 * 60}, expect=200)
        eventually("another overdue check", lambda: any(j["status"] == "succeeded" for j in api.get(
            f"{V1}/jobs", params={"kind": "tasks.overdue", "limit": 500}, expect=200).json()["data"]))
        assert len([n for n in kinds(rep, "task.overdue") if n["object_id"] == task["id"]]) == 1
        assert len([n for n in kinds(manager, "task.escalated") if n["object_id"] == task["id"]]) == 1
    finally:
        api.request("PUT", f"{V1}/settings/tasks", json=before, expect=200)


def test_the_calendar_feed_is_valid_icalendar(api: Api, server) -> None:
    people = floor(api)
    rep, customer = people["rep"], people["customer"]
    now = server_now(api)
    title = "跟进报价, 确认合同; " * 5
    task = rep.api.post(f"{V1}/tasks", json={"title": title, "type": "wechat", "due_at": iso(now + timedelta(days=1)),
                                             "linked_kind": "customer", "linked_id": customer["id"]}, expect=201).json()
    issued = rep.api.post(f"{V1}/me/calendar-token", expect=201)
    feed = issued.json()
    assert issued.headers["Cache-Control"] == "no-store" and feed["url"].endswith(feed["path"]) and feed["token"].startswith("cal_")

    response = api.get(feed["path"], token=None, expect=200)
    assert response.headers["Content-Type"].startswith("text/calendar") and "max-age" in response.headers["Cache-Control"]
    raw = response.content
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    events = [e for e in calendar.walk("VEVENT")]
    assert [str(e["UID"]) for e in events] == [f"{task['id']}@rapport"]
    event = events[0]
    assert str(event["SUMMARY"]) == task["title"] == title.strip()
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(event["URL"]).endswith(f"/customers/{customer['id']}")
    assert customer["name"] in str(event["DESCRIPTION"])

    # Another user's token is another feed; rotating and stopping end the old address.
    problem(api.get("/cal/cal_unknown.ics", token=None), 404, "not_found")
    second = rep.api.post(f"{V1}/me/calendar-token", expect=201).json()
    problem(api.get(feed["path"], token=None), 404, "not_found")
    api.get(second["path"], token=None, expect=200)
    rep.api.delete(f"{V1}/me/calendar-token", expect=204)
    problem(api.get(second["path"], token=None), 404, "not_found")
    assert requests.get(server.base_url + second["path"], timeout=10).status_code == 404
