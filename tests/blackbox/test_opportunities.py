"""Opportunities and pipelines end to end on the real server, every response checked against the
OpenAPI document: pipelines from the dictionary, create, guards, won/lost/re-open in the history,
collaborators and scope, the kanban board's sums and weighted amounts, validation, and editing
pipelines through the dictionary. Keys and names are random per session."""

from __future__ import annotations

import json

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, new_person, unique


def cny(minor: int) -> dict:
    return {"amount_minor": minor, "currency": "CNY"}


def ensure_opportunity_dictionary(api: Api) -> dict:
    """The shipped education opportunity dictionary (pipelines new_sale, renewal, upsell), saved
    unless it is current: a fuzz run or an earlier session may have changed it."""
    templates = api.get(f"{V1}/dictionary-templates", expect=200).json()["data"]
    shipped = next(o for t in templates if t["name"] == "education" for o in t["objects"] if o["object"] == "opportunity")
    current = api.get(f"{V1}/dictionary/opportunity", expect=200)
    live = [{**p, "stages": [s for s in p["stages"] if not s["archived"]]} for p in current.json()["dictionary"].get("pipelines", []) if not p["archived"]]
    if live != shipped["pipelines"] or current.json()["dictionary"]["fields"] != shipped["fields"]:
        api.request("PUT", f"{V1}/dictionary/opportunity", headers={"If-Match": current.headers["ETag"]}, json={"dictionary": shipped}, expect=200)
    return shipped


def test_opportunities_pipelines_board_and_collaborators(api: Api) -> None:
    restore_standard_roles(api)
    shipped = ensure_opportunity_dictionary(api)
    root = api.post(f"{V1}/teams", json={"key": unique("opps"), "name": "Deal desk"}, expect=201).json()
    team = api.post(f"{V1}/teams", json={"key": unique("opps-east"), "name": "Deal desk east", "parent_id": root["id"]}, expect=201).json()
    manager = new_person(api, "manager", team, "Mia Manager")
    rep = new_person(api, "rep", team, "Ray Rep")
    colleague = new_person(api, "rep", team, "Cora Colleague")
    outsider = new_person(api, "rep", None, "Otto Outside")

    # Pipelines come from the dictionary.
    pipelines = rep.api.get(f"{V1}/pipelines", expect=200).json()["data"]
    assert [p["key"] for p in pipelines if not p["archived"]] == ["new_sale", "renewal", "upsell"]
    new_sale = rep.api.get(f"{V1}/pipelines/new_sale", expect=200)
    assert new_sale.headers["ETag"] == f'"{new_sale.json()["dictionary_version"]}"'
    assert [s["probability"] for s in new_sale.json()["stages"] if not s["archived"]] == [10, 40, 70, 100, 0]
    problem(rep.api.get(f"{V1}/pipelines/nope"), 404, "not_found")

    customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Parent")}, expect=201).json()["customer"]
    hidden = outsider.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Hidden")}, expect=201).json()["customer"]
    bad = problem(rep.api.post(f"{V1}/opportunities", json={
        "name": "", "customer_id": hidden["id"], "amount": {"amount_minor": -5, "currency": "CNY"}, "expected_close_date": "2026-13-01",
        "probability": 101, "lines": [{"sku": "A", "quantity": 0, "unit_price": cny(10)}]}), 422, "validation_failed")
    assert field_codes(bad) == {"name": "required", "customer_id": "invalid", "amount.amount_minor": "out_of_range",
                                "expected_close_date": "invalid", "probability": "out_of_range", "lines[0].quantity": "out_of_range"}

    created = rep.api.post(f"{V1}/opportunities", json={
        "name": unique("Math year"), "customer_id": customer["id"], "expected_close_date": "2026-03-31", "competitors": ["Rival"],
        "lines": [{"sku": "MATH-48", "quantity": 2, "unit_price": cny(480_000)}]}, expect=201)
    opp = created.json()
    assert created.headers["Location"] == f"/api/v1/opportunities/{opp['id']}" and created.headers["ETag"] == '"1"'
    assert opp["pipeline"] == "new_sale" and opp["stage"] == "needs_analysis" and opp["status"] == "open" and opp["owner_id"] == rep.id
    assert opp["amount"] == cny(960_000) and opp["probability"] == 10 and opp["weighted_amount"] == cny(96_000)
    assert opp["lines"] == [{"sku": "MATH-48", "quantity": 2, "unit_price": cny(480_000), "total": cny(960_000)}]
    oid = opp["id"]

    # Guards: the amount may not be cleared in proposal; a lost stage needs a loss reason from the list.
    moved = rep.api.post(f"{V1}/opportunities/{oid}/stage", json={"stage": "proposal", "reason": "Plan sent"}, expect=200).json()
    assert moved["stage"] == "proposal" and moved["probability"] == 40 and moved["weighted_amount"] == cny(384_000)
    fetched = rep.api.get(f"{V1}/opportunities/{oid}", expect=200)
    cleared = problem(rep.api.patch(f"{V1}/opportunities/{oid}", headers={"If-Match": fetched.headers["ETag"]}, json={"amount": None}), 422, "validation_failed")
    assert field_codes(cleared) == {"amount": "required"}
    problem(rep.api.patch(f"{V1}/opportunities/{oid}", json={"name": "x"}), 428, "precondition_required")

    # An open deal may wait for its account: created without one, attached later (one the owner can see), then kept.
    loner = new_person(api, "rep", None, "Lou Loose")
    account = loner.api.post(f"{V1}/customers", json={"kind": "organisation", "name": unique("Account")}, expect=201).json()["customer"]
    loose = loner.api.post(f"{V1}/opportunities", json={"name": unique("No account yet"), "customer_id": None}, expect=201).json()
    assert loose["customer_id"] is None and loose["status"] == "open" and loose["external_ref"] is None
    problem(loner.api.patch(f"{V1}/opportunities/{loose['id']}", headers={"If-Match": '"1"'}, json={"customer_id": customer["id"]}), 422, "validation_failed")
    attached = loner.api.patch(f"{V1}/opportunities/{loose['id']}", headers={"If-Match": '"1"'}, json={"customer_id": account["id"]}, expect=200).json()
    assert attached["customer_id"] == account["id"]
    other = loner.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Other")}, expect=201).json()["customer"]
    kept = problem(loner.api.patch(f"{V1}/opportunities/{loose['id']}", headers={"If-Match": '"2"'}, json={"customer_id": other["id"]}), 422, "validation_failed")
    assert field_codes(kept) == {"customer_id": "read_only"}
    problem(rep.api.patch(f"{V1}/opportunities/{oid}", headers={"If-Match": '"99"'}, json={"name": "x"}), 412, "precondition_failed")
    assert field_codes(problem(rep.api.patch(f"{V1}/opportunities/{oid}", headers={"If-Match": fetched.headers["ETag"]}, json={"stage": "won"}),
                               422, "validation_failed")) == {"stage": "read_only"}
    patched = rep.api.patch(f"{V1}/opportunities/{oid}", headers={"If-Match": fetched.headers["ETag"]},
                            json={"probability": 55, "source": "referral", "custom_fields": {"course_package": "lessons_48"}}, expect=200).json()
    assert patched["probability"] == 55 and patched["probability_override"] == 55 and patched["weighted_amount"] == cny(528_000)
    assert field_codes(problem(rep.api.post(f"{V1}/opportunities/{oid}/stage", json={"stage": "lost"}), 422, "validation_failed")) == {"loss_reason": "required"}
    problem(rep.api.post(f"{V1}/opportunities/{oid}/stage", json={"stage": "won"}), 409, "conflict")  # proposal → won is no transition
    lost = rep.api.post(f"{V1}/opportunities/{oid}/stage", json={"stage": "lost", "reason": "Too dear", "loss_reason": "price"}, expect=200).json()
    assert lost["status"] == "lost" and lost["loss_reason"] == "price" and lost["closed_at"] is not None and lost["probability"] == 0
    problem(rep.api.post(f"{V1}/opportunities/{oid}/stage", json={"stage": "needs_analysis"}), 409, "conflict")
    reopened = rep.api.post(f"{V1}/opportunities/{oid}/reopen", json={"reason": "Parent called back"}, expect=200).json()
    assert reopened["stage"] == "needs_analysis" and reopened["closed_at"] is None and reopened["loss_reason"] is None
    problem(rep.api.post(f"{V1}/opportunities/{oid}/reopen", json={"reason": "again"}), 409, "conflict")
    for stage in ("proposal", "negotiation", "won"):
        rep.api.post(f"{V1}/opportunities/{oid}/stage", json={"stage": stage}, expect=200)
    history = rep.api.get(f"{V1}/opportunities/{oid}/history", expect=200).json()["data"]
    assert [h["to"] for h in history] == ["needs_analysis", "proposal", "lost", "needs_analysis", "proposal", "negotiation", "won"]
    assert history[2]["reason"] == "Too dear" and history[3]["reason"] == "Parent called back" and history[3]["from"] == "lost"

    # Scope: others see nothing until it is shared; read may not change it, edit may.
    problem(colleague.api.get(f"{V1}/opportunities/{oid}"), 404, "not_found")
    shared = rep.api.request("PUT", f"{V1}/opportunities/{oid}/collaborators/{colleague.id}", json={"access": "read"}, expect=200).json()
    assert shared["collaborators"][0]["user_id"] == colleague.id and shared["collaborators"][0]["access"] == "read"
    assert [o["id"] for o in colleague.api.get(f"{V1}/opportunities", expect=200).json()["data"]] == [oid]
    current = colleague.api.get(f"{V1}/opportunities/{oid}", expect=200)
    problem(colleague.api.patch(f"{V1}/opportunities/{oid}", headers={"If-Match": current.headers["ETag"]}, json={"name": "Mine"}), 404, "not_found")
    rep.api.request("PUT", f"{V1}/opportunities/{oid}/collaborators/{colleague.id}", json={"access": "edit"}, expect=200)
    colleague.api.patch(f"{V1}/opportunities/{oid}", headers={"If-Match": current.headers["ETag"]}, json={"competitors": ["Rival", "Other"]}, expect=200)
    assert field_codes(problem(rep.api.request("PUT", f"{V1}/opportunities/{oid}/collaborators/{colleague.id}", json={"access": "admin"}),
                               422, "validation_failed")) == {"access": "invalid"}
    rep.api.delete(f"{V1}/opportunities/{oid}/collaborators/{colleague.id}", expect=204)
    problem(rep.api.delete(f"{V1}/opportunities/{oid}/collaborators/{colleague.id}"), 404, "not_found")
    problem(colleague.api.get(f"{V1}/opportunities/{oid}"), 404, "not_found")
    problem(outsider.api.get(f"{V1}/opportunities/{oid}/history"), 404, "not_found")

    # The board: per stage and currency, weighted amounts rounded once per column.
    for index in range(3):
        rep.api.post(f"{V1}/opportunities", json={"name": unique(f"tiny {index}"), "customer_id": customer["id"], "stage": "proposal", "amount": cny(1)}, expect=201)
    rep.api.post(f"{V1}/opportunities", json={"name": unique("override"), "customer_id": customer["id"], "stage": "proposal", "amount": cny(1_001), "probability": 55}, expect=201)
    rep.api.post(f"{V1}/opportunities", json={"name": unique("dollars"), "customer_id": customer["id"], "stage": "proposal",
                                                "amount": {"amount_minor": 250, "currency": "USD"}}, expect=201)
    board = rep.api.get(f"{V1}/pipelines/new_sale/board?cards=2", expect=200).json()
    columns = {c["stage"]: c for c in board["columns"]}
    assert board["rounding"] == "half_up" and columns["proposal"]["count"] == 5 and len(columns["proposal"]["cards"]) == 2
    assert columns["proposal"]["amount"] == [cny(1_004), {"amount_minor": 250, "currency": "USD"}]
    assert columns["proposal"]["weighted_amount"] == [cny(552), {"amount_minor": 100, "currency": "USD"}]  # 1.2 + 550.55 → 552
    assert columns["won"]["count"] == 1 and columns["won"]["weighted_amount"] == [cny(960_000)]
    assert board["open_count"] == 5 and board["open_weighted_amount"] == columns["proposal"]["weighted_amount"]
    # The manager sees the team's board; the outsider's is empty.
    assert manager.api.get(f"{V1}/pipelines/new_sale/board?owner_id={rep.id}", expect=200).json()["open_count"] == 5
    assert outsider.api.get(f"{V1}/pipelines/new_sale/board", expect=200).json()["open_count"] == 0
    assert field_codes(problem(rep.api.get(f"{V1}/pipelines/new_sale/board?cards=0"), 422, "validation_failed")) == {"cards": "out_of_range"}

    # Lists filter by pipeline, stage, status, owner, close range and name.
    listed = manager.api.get(f"{V1}/opportunities?pipeline=new_sale&stage=proposal&owner_id={rep.id}&limit=2", expect=200).json()
    assert len(listed["data"]) == 2 and listed["next_cursor"] is not None
    more = manager.api.get(f"{V1}/opportunities?pipeline=new_sale&stage=proposal&owner_id={rep.id}&limit=2&cursor={listed['next_cursor']}", expect=200).json()
    assert len(more["data"]) == 2
    won = rep.api.get(f"{V1}/opportunities?status=won&expected_close_from=2026-03-01&expected_close_to=2026-03-31", expect=200).json()["data"]
    assert [o["id"] for o in won] == [oid]
    assert field_codes(problem(rep.api.get(f"{V1}/opportunities?status=maybe&expected_close_to=soon"), 422, "validation_failed")) == {
        "status": "invalid", "expected_close_to": "invalid"}

    # Pipelines are edited through the dictionary: a new pipeline, versioned.
    current = api.get(f"{V1}/dictionary/opportunity", expect=200)
    edited = current.json()["dictionary"]
    partner = {**shipped["pipelines"][2], "key": unique("partner").replace("-", "_"), "label": {"zh-Hans": "渠道", "en": "Partner"}}
    edited["pipelines"] = [p for p in edited["pipelines"] if not p["archived"]] + [partner]
    saved = api.request("PUT", f"{V1}/dictionary/opportunity", headers={"If-Match": current.headers["ETag"]}, json={"dictionary": edited}, expect=200).json()
    assert partner["key"] in [p["key"] for p in saved["dictionary"]["pipelines"]]
    assert rep.api.get(f"{V1}/pipelines/{partner['key']}", expect=200).json()["dictionary_version"] == saved["version"]
    in_partner = rep.api.post(f"{V1}/opportunities", json={"name": unique("via partner"), "customer_id": customer["id"], "pipeline": partner["key"]}, expect=201).json()
    assert in_partner["stage"] == partner["initial_stage"]
    ensure_opportunity_dictionary(api)


def test_colleague_directory_and_sharing_across_teams(api: Api) -> None:
    """A rep's user list holds only themselves; the colleague directory holds everyone active by
    name and team (no email, no role), so a rep can share a deal with a presales engineer of
    another team, who then opens it."""
    restore_standard_roles(api)
    ensure_opportunity_dictionary(api)
    east = api.post(f"{V1}/teams", json={"key": unique("dir-east"), "name": "Directory east"}, expect=201).json()
    west = api.post(f"{V1}/teams", json={"key": unique("dir-west"), "name": "Directory west"}, expect=201).json()
    rep = new_person(api, "rep", east, "Ray Rep")
    name = unique("Presales")
    presales = new_person(api, "rep", west, name)
    assert [u["id"] for u in rep.api.get(f"{V1}/users", params={"limit": 500}, expect=200).json()["data"]] == [rep.id]

    found = rep.api.get(f"{V1}/colleagues", params={"q": name.lower()}, expect=200).json()
    assert found == {"data": [{"id": presales.id, "name": name, "team_id": west["id"], "team_name": "Directory west"}], "next_cursor": None}
    assert presales.user["email"] not in json.dumps(rep.api.get(f"{V1}/colleagues", params={"limit": 500}, expect=200).json())
    first = rep.api.get(f"{V1}/colleagues", params={"limit": 1}, expect=200).json()
    assert len(first["data"]) == 1 and first["next_cursor"]
    after = rep.api.get(f"{V1}/colleagues", params={"limit": 1, "cursor": first["next_cursor"]}, expect=200).json()
    assert after["data"][0]["id"] > first["data"][0]["id"]
    assert field_codes(problem(rep.api.get(f"{V1}/colleagues", params={"q": "x" * 101}), 422, "validation_failed")) == {"q": "too_long"}
    problem(rep.api.get(f"{V1}/colleagues", params={"cursor": "not-a-cursor"}), 422, "validation_failed")

    deal = rep.api.post(f"{V1}/opportunities", json={"name": unique("Physics"), "customer_id": None}, expect=201).json()
    problem(presales.api.get(f"{V1}/opportunities/{deal['id']}"), 404, "not_found")
    rep.api.request("PUT", f"{V1}/opportunities/{deal['id']}/collaborators/{presales.id}", json={"access": "read"}, expect=200)
    assert presales.api.get(f"{V1}/opportunities/{deal['id']}", expect=200).json()["name"] == deal["name"]
