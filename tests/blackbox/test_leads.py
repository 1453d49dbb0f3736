"""Leads, pools, claims and web forms end to end on the real server, every response checked against
the OpenAPI document, on whichever engine the session runs. Keys, numbers and names are random per
session, so sessions sharing a PostgreSQL database never collide."""

from __future__ import annotations

import secrets
import threading

import requests

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, cn_mobile, masked_cn, new_person, unique


def form_post(api: Api, path: str, data: dict[str, str], expect: int) -> requests.Response:
    return api.request("POST", path, token=None, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}, expect=expect)


def test_leads_pools_claims_and_forms(api: Api) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("leads"), "name": "Lead desk"}, expect=201).json()
    first = new_person(api, "rep", team, "Lena Lead")
    second = new_person(api, "rep", team, "Leo Lead")
    outsider = new_person(api, "rep", None, "Olga Outside")
    pool = api.post(f"{V1}/pools", json={
        "key": unique("pool"), "name": "Web leads", "object": "lead", "member_teams": [team["key"]],
        "rules": {"holding_limit": {"default": 2}, "claims_per_day": {"default": 10}, "cooldown_days": 7, "time_zone": "Asia/Shanghai"},
    }, expect=201).json()
    assert pool["rules"]["holding_limit"] == {"default": 2, "by_level": {}} and pool["rules"]["protection_days"] == 3
    bad = problem(api.post(f"{V1}/pools", json={"key": unique("pool"), "name": "X", "object": "lead", "rules": {"time_zone": "Mars/Base"}}), 422, "validation_failed")
    assert field_codes(bad) == {"rules.time_zone": "invalid"}
    nul = problem(api.post(f"{V1}/pools", json={"key": unique("pool"), "name": "X", "object": "lead", "member_teams": ["a\u0000b"]}), 422, "validation_failed")
    assert field_codes(nul) == {"member_teams[0]": "invalid"}

    form = api.post(f"{V1}/lead-forms", json={"name": "Trial class", "pool_id": pool["key"], "campaign": "spring"}, expect=201).json()
    numbers = [cn_mobile() for _ in range(3)]
    for index, number in enumerate(numbers):
        answer = form_post(api, form["post_path"], {"name": f"Parent {index}", "phone": number, "utm_source": "baidu", "consent": "on"}, 202)
        assert answer.json() == {"status": "received"}
    # Known again, a bot, and junk: the same answers for the first two, nothing stored by them.
    form_post(api, form["post_path"], {"name": "Parent 0", "phone": numbers[0]}, 202)
    form_post(api, form["post_path"], {"name": "Bot", "phone": cn_mobile(), "website": "http://spam.example"}, 202)
    problem(form_post(api, form["post_path"], {"name": "Nobody"}, 422), 422, "validation_failed")

    waiting = first.api.get(f"{V1}/pools/{pool['id']}/leads", expect=200).json()["data"]
    assert sorted(lead["phone"] for lead in waiting) == sorted(masked_cn(n) for n in numbers)
    assert all(lead["owner_id"] is None and lead["source"] == "web_form" and lead["campaign"] == "spring" for lead in waiting)
    problem(outsider.api.get(f"{V1}/pools/{pool['id']}/leads"), 403, "forbidden")
    assert first.api.get(f"{V1}/pools/{pool['key']}/standing", expect=200).json() == {
        "holding": 0, "holding_limit": 2, "claimed_today": 0, "claims_per_day": 10, "claims_left_today": 10}

    # Two reps claim one lead at the same moment: exactly one wins.
    target = waiting[0]["id"]
    answers: list[requests.Response] = []
    barrier = threading.Barrier(2)

    def claim(person) -> None:
        barrier.wait()
        answers.append(person.api.post(f"{V1}/pools/{pool['id']}/claim", json={"lead_ids": [target]}))

    threads = [threading.Thread(target=claim, args=(person,)) for person in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert problem(loser, 409, "already_claimed")["lead_id"] == target
    winner = first if next(a for a in answers if a.status_code == 200).json()["data"][0]["owner_id"] == first.id else second
    other = second if winner is first else first

    # The holding limit (2): claiming the two others at once is refused whole.
    rest = [lead["id"] for lead in waiting[1:]]
    refused = problem(winner.api.post(f"{V1}/pools/{pool['id']}/claim", json={"lead_ids": rest}), 409, "holding_limit_reached")
    assert refused["limit"] == "2" and refused["holding"] == "1"
    claimed = winner.api.post(f"{V1}/pools/{pool['id']}/claim", json={"lead_ids": rest[:1]}, expect=200).json()["data"]
    assert claimed[0]["owner_id"] == winner.id and claimed[0]["protected_until"] is not None

    # Release with a reason; the cooldown keeps the winner from claiming it back, the other may.
    problem(winner.api.post(f"{V1}/leads/{target}/release", json={}), 422, "validation_failed")
    released = winner.api.post(f"{V1}/leads/{target}/release", json={"reason": "Wrong number"}, expect=200).json()
    assert released["owner_id"] is None and released["previous_owner_id"] == winner.id
    problem(winner.api.post(f"{V1}/pools/{pool['id']}/claim", json={"lead_ids": [target]}), 409, "cooldown_active")
    other.api.post(f"{V1}/pools/{pool['id']}/claim", json={"lead_ids": [target]}, expect=200)
    log = api.get(f"{V1}/leads/{target}/assignments", expect=200).json()["data"]
    assert [entry["kind"] for entry in log] == ["claim", "release", "claim"] and log[1]["reason"] == "Wrong number"

    # Status through the engine; a duplicate lead by the API is refused, naming the lead when visible.
    lead = other.api.post(f"{V1}/leads/{target}/status", json={"status": "contacting"}, expect=200).json()
    assert lead["status"] == "contacting"
    number = [n for n in numbers if masked_cn(n) == lead["phone"]][0]
    duplicate = problem(other.api.post(f"{V1}/leads", json={"name": "Again", "phone": number}), 409, "duplicate")
    assert duplicate["duplicate_of"] == target
    mine = other.api.post(f"{V1}/leads", json={"name": unique("Walk-in"), "email": f"{secrets.token_hex(5)}@example.com"}, expect=201).json()
    assert mine["outcome"] == "created" and mine["lead"]["owner_id"] == other.id
    assert api.get(f"{V1}/leads", params={"pool_id": pool["id"], "limit": 50}, expect=200).json()["data"]

    # Reading and changing a lead; its status history.
    fetched = other.api.get(f"{V1}/leads/{target}", expect=200)
    changed = other.api.patch(f"{V1}/leads/{target}", headers={"If-Match": fetched.headers["ETag"]},
                              json={"interest": "Grade 3 maths", "region": "Hangzhou"}, expect=200).json()
    assert changed["interest"] == "Grade 3 maths" and changed["version"] == fetched.json()["version"] + 1
    problem(other.api.patch(f"{V1}/leads/{target}", json={"status": "qualified", "version": changed["version"]}), 422, "validation_failed")
    history = other.api.get(f"{V1}/leads/{target}/status-history", expect=200).json()["data"]
    assert [change["to"] for change in history] == ["new", "contacting"]

    # Pools: list, read, change; a manager assigns from the pool within the assignee's limit.
    assert pool["id"] in [item["id"] for item in api.get(f"{V1}/pools", params={"object": "lead"}, expect=200).json()["data"]]
    current = api.get(f"{V1}/pools/{pool['key']}", expect=200)
    api.patch(f"{V1}/pools/{pool['id']}", headers={"If-Match": current.headers["ETag"]},
              json={"rules": {"holding_limit": {"default": 5}, "claims_per_day": {"default": 10}}}, expect=200)
    manager = new_person(api, "manager", team, "Mia Manager")
    fresh = cn_mobile()
    form_post(api, form["post_path"], {"name": "Fair visitor", "phone": fresh}, 202)
    waiting = manager.api.get(f"{V1}/pools/{pool['id']}/leads", params={"q": fresh}, expect=200).json()["data"]
    assert len(waiting) == 1
    assigned = manager.api.post(f"{V1}/pools/{pool['id']}/assign", json={"lead_ids": [waiting[0]["id"]], "user_id": other.id, "reason": "Fair"},
                                expect=200).json()["data"]
    assert assigned[0]["owner_id"] == other.id

    # Conversion: qualified (the education dictionary asks for grade and subjects) → a customer.
    lead_id = assigned[0]["id"]
    other.api.post(f"{V1}/leads/{lead_id}/status", json={"status": "contacting"}, expect=200)
    version = other.api.get(f"{V1}/leads/{lead_id}", expect=200).json()["version"]
    other.api.patch(f"{V1}/leads/{lead_id}", json={"version": version, "custom_fields": {"grade": "adult", "subject_interest": ["math"]}}, expect=200)
    other.api.post(f"{V1}/leads/{lead_id}/status", json={"status": "qualified"}, expect=200)
    converted = other.api.post(f"{V1}/leads/{lead_id}/convert", expect=200).json()
    assert converted["outcome"] == "created" and converted["lead"]["status"] == "converted"
    assert converted["lead"]["converted_customer_id"] == converted["customer"]["id"] and converted["customer"]["owner_id"] == other.id
    problem(other.api.post(f"{V1}/leads/{lead_id}/convert"), 409, "conflict")

    # Forms: listed with where to post; a deactivated form takes nothing.
    forms = api.get(f"{V1}/lead-forms", expect=200).json()["data"]
    assert any(item["id"] == form["id"] and item["post_path"] == f"/f/{form['id']}" for item in forms)
    api.patch(f"{V1}/lead-forms/{form['id']}", json={"active": False, "version": form["version"]}, expect=200)
    problem(form_post(api, form["post_path"], {"name": "Late", "phone": cn_mobile()}, 404), 404, "not_found")

    # Reclaim: tonight's preview and an on-demand run agree (nothing is due in a fresh pool).
    preview = manager.api.get(f"{V1}/pools/{pool['id']}/reclaim-preview", expect=200).json()
    run = manager.api.post(f"{V1}/pools/{pool['id']}/reclaim", expect=200).json()
    assert preview["reclaimed"] == [] and run["reclaimed"] == [] and run["pool_id"] == pool["id"]
    problem(other.api.post(f"{V1}/pools/{pool['id']}/reclaim"), 403, "forbidden")

    # The assignee was told, in the inbox.
    inbox = other.api.get(f"{V1}/notifications", params={"unread": "true"}, expect=200).json()["data"]
    assert any(item["kind"] == "lead.assigned" and item["object_id"] == lead_id for item in inbox)
    assert other.api.get(f"{V1}/notifications/unread-count", expect=200).json()["unread"] >= 1
    marked = other.api.post(f"{V1}/notifications/read", json={"ids": [inbox[0]["id"]]}, expect=200).json()
    assert marked == {"marked": 1}


def test_follow_ups_on_a_lead(api: Api) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("follow"), "name": "Follow-up desk"}, expect=201).json()
    rep = new_person(api, "rep", team, "Fiona Follow")
    stranger = new_person(api, "rep", None, "Sam Stranger")
    lead = rep.api.post(f"{V1}/leads", json={"name": "Parent Fu", "phone": cn_mobile(), "source": "web_form"}, expect=201).json()["lead"]
    assert lead["last_follow_up_at"] is None
    bad = problem(rep.api.post(f"{V1}/leads/{lead['id']}/activities", json={"type": "fax", "duration_seconds": -5}), 422, "validation_failed")
    assert set(field_codes(bad)) == {"type", "duration_seconds"}
    problem(stranger.api.post(f"{V1}/leads/{lead['id']}/activities", json={"type": "call"}), 404, "not_found")
    call = rep.api.post(f"{V1}/leads/{lead['id']}/activities", json={"type": "call", "duration_seconds": 95, "outcome": "connected",
                                                                     "body": "<script>alert(1)</script> wants a trial"}, expect=201).json()
    assert call["direction"] == "outbound" and call["actor_id"] == rep.id and call["body"].startswith("<script>")
    rep.api.post(f"{V1}/leads/{lead['id']}/activities", json={"type": "note", "body": "Prefers evenings"}, expect=201)
    listed = rep.api.get(f"{V1}/leads/{lead['id']}/activities", params={"limit": 1}, expect=200).json()
    assert len(listed["data"]) == 1 and listed["next_cursor"]
    rest = rep.api.get(f"{V1}/leads/{lead['id']}/activities", params={"cursor": listed["next_cursor"]}, expect=200).json()
    assert {item["type"] for item in listed["data"] + rest["data"]} == {"call", "note"}
    problem(stranger.api.get(f"{V1}/leads/{lead['id']}/activities"), 404, "not_found")
    assert rep.api.get(f"{V1}/leads/{lead['id']}", expect=200).json()["last_follow_up_at"] == call["occurred_at"]
