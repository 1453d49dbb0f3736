"""Handovers (离职交接) end to end on the real server, every response checked against the OpenAPI
document: preview (with and without a plan), the refusals, the handover itself (the user frozen,
their token refused at once, records moved with their stages), an idempotent replay, and the
report's list, detail and item pages."""

from __future__ import annotations

import secrets

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, cn_mobile, new_person, unique
from test_opportunities import cny, ensure_opportunity_dictionary


def collect_items(api: Api, handover_id: str, kind: str) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        query = f"?kind={kind}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"{V1}/handovers/{handover_id}/items{query}", expect=200).json()
        items += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_handover_preview_refusals_run_and_report(api: Api) -> None:
    restore_standard_roles(api)
    ensure_opportunity_dictionary(api)
    root = api.post(f"{V1}/teams", json={"key": unique("hand"), "name": "Handover desk"}, expect=201).json()
    child = api.post(f"{V1}/teams", json={"key": unique("hand-sub"), "name": "Handover sub", "parent_id": root["id"]}, expect=201).json()
    other_team = api.post(f"{V1}/teams", json={"key": unique("hand-other"), "name": "Elsewhere"}, expect=201).json()
    manager = new_person(api, "manager", root, "Hana Manager")
    outside_manager = new_person(api, "manager", other_team, "Omar Outside")
    leaver = new_person(api, "rep", child, "Lea Leaving")
    first = new_person(api, "rep", child, "Fay First")
    second = new_person(api, "rep", root, "Sam Second")
    pool = api.post(f"{V1}/pools", json={"key": unique("hand-pool"), "name": "Handover pool", "object": "lead", "member_teams": [root["key"]]},
                    expect=201).json()

    leads = [leaver.api.post(f"{V1}/leads", json={"name": f"Lead {index}", "phone": cn_mobile(), "pool_id": pool["id"]}, expect=201).json()["lead"]
             for index in range(5)]
    moved = leaver.api.post(f"{V1}/leads/{leads[0]['id']}/status", json={"status": "contacting"}, expect=200).json()
    customers = [leaver.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Handed"),
                                                          "contacts": [{"kind": "phone", "value": cn_mobile()}]}, expect=201).json()["customer"]
                 for _ in range(3)]
    deals = [leaver.api.post(f"{V1}/opportunities", json={"name": unique(f"Deal {index}"), "customer_id": customers[0]["id"], "amount": cny(10_000)},
                             expect=201).json() for index in range(3)]
    leaver.api.post(f"{V1}/opportunities/{deals[2]['id']}/stage", json={"stage": "lost", "loss_reason": "price"}, expect=200)

    # Preview: counts and the newest records, contacts masked; with a plan, each recipient's share.
    preview = manager.api.post(f"{V1}/handovers/preview", json={"user_id": leaver.id}, expect=200).json()
    assert preview["user"]["id"] == leaver.id and preview["warnings"] == []
    assert preview["leads"]["count"] == 5 and preview["leads"]["open"] == 5 and preview["leads"]["plan"] is None
    assert all("*" in record["phone"] for record in preview["leads"]["records"])
    assert preview["customers"]["count"] == 3 and preview["customers"]["open"] is None
    assert preview["opportunities"]["count"] == 2 and preview["opportunities"]["skipped"] == 1  # the lost one stays
    planned = manager.api.post(f"{V1}/handovers/preview", json={"user_id": leaver.id, "plan": {
        "leads": {"to": "users", "user_ids": [first.id, second.id]}, "customers": {"to": "team", "team_id": child["key"]}}}, expect=200).json()
    assert [share["count"] for share in planned["leads"]["plan"]["recipients"]] == [3, 2]
    assert planned["customers"]["plan"]["team_id"] == child["id"]
    assert [share["user_id"] for share in planned["customers"]["plan"]["recipients"]] == [first.id]

    # Refusals, each changing nothing.
    problem(first.api.post(f"{V1}/handovers/preview", json={"user_id": leaver.id}), 403, "forbidden")
    problem(outside_manager.api.post(f"{V1}/handovers", json={"user_id": leaver.id, "reason": "Left"}), 404, "not_found")
    problem(manager.api.post(f"{V1}/handovers", json={"user_id": "usr_" + "0" * 26, "reason": "Left"}), 404, "not_found")
    assert field_codes(problem(manager.api.post(f"{V1}/handovers", json={"user_id": manager.id, "reason": "Left"}), 422, "validation_failed")) == {
        "user_id": "self"}
    assert field_codes(problem(manager.api.post(f"{V1}/handovers", json={"user_id": leaver.id, "reason": "Left",
                                                                         "customers": {"to": "pool", "pool_id": pool["id"]}}),
                               422, "validation_failed")) == {"customers.pool_id": "wrong_pool"}
    assert field_codes(problem(manager.api.post(f"{V1}/handovers", json={"user_id": leaver.id, "reason": "Left",
                                                                         "opportunities": {"to": "pool", "pool_id": pool["id"]}}),
                               422, "validation_failed")) == {"opportunities.to": "invalid"}
    bad = problem(manager.api.post(f"{V1}/handovers", json={"user_id": leaver.id, "reason": "Left", "leads": {"to": "users", "user_ids": []},
                                                            "customers": {"to": "team", "team_id": other_team["id"]}}), 422, "validation_failed")
    assert field_codes(bad) == {"leads.user_ids": "required", "customers.team_id": "invalid"}
    assert field_codes(problem(manager.api.post(f"{V1}/handovers", json={"user_id": leaver.id, "reason": "Left", "leads": {"to": "moon"}}),
                               422, "validation_failed")) == {"leads.to": "invalid"}
    assert leaver.api.get(f"{V1}/me", expect=200).json()["user"]["status"] == "active"
    assert api.get(f"{V1}/handovers?user_id={leaver.id}", expect=200).json()["data"] == []

    # The handover: leads round-robin to two users, customers to the sub-team; replayed by its key.
    key = "handover-" + secrets.token_hex(8)
    payload = {"user_id": leaver.id, "reason": "Left the company", "leads": {"to": "users", "user_ids": [first.id, second.id]},
               "customers": {"to": "team", "team_id": child["id"]}, "opportunities": {"to": "users", "user_ids": [second.id]}}
    created = manager.api.post(f"{V1}/handovers", json=payload, headers={"Idempotency-Key": key}, expect=201)
    handover = created.json()
    assert created.headers["Location"] == f"/api/v1/handovers/{handover['id']}"
    replay = manager.api.post(f"{V1}/handovers", json=payload, headers={"Idempotency-Key": key}, expect=201)
    assert replay.json() == handover and replay.headers.get("Idempotent-Replayed") == "true"
    assert handover["user_id"] == leaver.id and handover["by_user_id"] == manager.id and handover["reason"] == "Left the company"
    summary = handover["summary"]
    assert summary["revoked_credentials"] >= 1
    assert summary["kinds"]["leads"]["moved"] == 5 and [s["count"] for s in summary["kinds"]["leads"]["recipients"]] == [3, 2]
    assert summary["kinds"]["customers"] == {"to": "team", "team_id": child["id"], "pool_id": None, "moved": 3, "kept": 0, "skipped": 0,
                                             "recipients": [{"user_id": first.id, "count": 3}]}
    assert summary["kinds"]["opportunities"] == {"to": "users", "team_id": None, "pool_id": None, "moved": 2, "kept": 0, "skipped": 1,
                                                 "recipients": [{"user_id": second.id, "count": 2}]}

    # Frozen: the old token is refused at once; the user is disabled.
    problem(leaver.api.get(f"{V1}/me"), 401, "unauthorized")
    assert api.get(f"{V1}/users/{leaver.id}", expect=200).json()["status"] == "disabled"

    # Records moved, stages kept, the previous owner and the handover in the owner log.
    owners = [api.get(f"{V1}/leads/{lead['id']}", expect=200).json() for lead in sorted(leads, key=lambda lead: lead["id"])]
    assert [lead["owner_id"] for lead in owners] == [first.id, second.id, first.id, second.id, first.id]
    assert all(lead["previous_owner_id"] == leaver.id for lead in owners)
    assert api.get(f"{V1}/leads/{moved['id']}", expect=200).json()["status"] == "contacting"
    log = api.get(f"{V1}/leads/{leads[0]['id']}/assignments", expect=200).json()["data"]
    assert log[-1]["kind"] == "handover" and log[-1]["from_user_id"] == leaver.id and log[-1]["reason"] == "Left the company"
    for customer in customers:
        now = api.get(f"{V1}/customers/{customer['id']}", expect=200).json()
        assert now["owner_id"] == first.id and now["stage"] == customer["stage"]
    owners = {deal["id"]: api.get(f"{V1}/opportunities/{deal['id']}", expect=200).json() for deal in deals}
    assert [owners[deal["id"]]["owner_id"] for deal in deals] == [second.id, second.id, leaver.id]
    assert owners[deals[0]["id"]]["team_id"] == root["id"] and owners[deals[0]["id"]]["stage"] == deals[0]["stage"]

    # The report: listed for the manager (not for a manager elsewhere), the detail, items paged per kind.
    listed = manager.api.get(f"{V1}/handovers", expect=200).json()["data"]
    assert handover["id"] in [entry["id"] for entry in listed]
    assert outside_manager.api.get(f"{V1}/handovers", expect=200).json()["data"] == []
    problem(outside_manager.api.get(f"{V1}/handovers/{handover['id']}"), 404, "not_found")
    problem(first.api.get(f"{V1}/handovers"), 403, "forbidden")
    assert manager.api.get(f"{V1}/handovers/{handover['id']}", expect=200).json() == handover
    lead_items = collect_items(manager.api, handover["id"], "lead")
    assert sorted(item["object_id"] for item in lead_items) == sorted(lead["id"] for lead in leads)
    assert all(item["from_user_id"] == leaver.id and item["pool_id"] is None for item in lead_items)
    assert len(collect_items(manager.api, handover["id"], "customer")) == 3
    assert sorted(item["object_id"] for item in collect_items(manager.api, handover["id"], "opportunity")) == sorted(deal["id"] for deal in deals[:2])
    problem(manager.api.get(f"{V1}/handovers/{handover['id']}/items?kind=order"), 422, "validation_failed")
    problem(manager.api.get(f"{V1}/handovers/hnd_{'0' * 26}"), 404, "not_found")
    notices = first.api.get(f"{V1}/notifications", expect=200).json()["data"]
    assert any(notice["kind"] == "handover.received" and notice["details"]["customers"] == "3" for notice in notices)


def test_leads_handed_back_to_a_pool(api: Api) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("hand-pool"), "name": "Pool desk"}, expect=201).json()
    leaver = new_person(api, "rep", team, "Pia Pooling")
    pool = api.post(f"{V1}/pools", json={"key": unique("returns"), "name": "Returns", "object": "lead", "member_teams": [team["key"]]},
                    expect=201).json()
    lead = leaver.api.post(f"{V1}/leads", json={"name": "Back to pool", "phone": cn_mobile(), "pool_id": pool["key"]}, expect=201).json()["lead"]
    handover = api.post(f"{V1}/handovers", json={"user_id": leaver.id, "reason": "Left", "leads": {"to": "pool", "pool_id": pool["key"]}},
                        expect=201).json()
    assert handover["summary"]["kinds"]["leads"] == {"to": "pool", "team_id": None, "pool_id": pool["id"], "moved": 1, "kept": 0, "skipped": 0,
                                                     "recipients": []}
    assert handover["summary"]["kinds"]["customers"]["to"] == "none"
    now = api.get(f"{V1}/leads/{lead['id']}", expect=200).json()
    assert now["owner_id"] is None and now["pool_id"] == pool["id"] and now["previous_owner_id"] == leaver.id and now["released_at"] is not None
    items = api.get(f"{V1}/handovers/{handover['id']}/items", expect=200).json()["data"]
    assert items == [{"object_kind": "lead", "object_id": lead["id"], "from_user_id": leaver.id, "to_user_id": None, "pool_id": pool["id"]}]
