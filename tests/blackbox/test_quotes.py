"""Quotes end to end on the real server, every response checked against the OpenAPI document:
a quote priced from the catalog with a sales policy and manual discounts (a snapshot), revised
with If-Match, the approval threshold as a setting, submission above it to the owner's manager
(never the owner, never another team's manager), rejection back to draft with the reason,
approval, sending, acceptance and declining, the history, scope, refusals with stable codes, and
expiry by the daily job on the test clock. SKUs and keys are unique per run; other active
policies are archived first so the explanation is exactly this test's."""

from __future__ import annotations

from datetime import timedelta

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, new_person, unique
from test_jobs import eventually, insert_job, new_job_id, parse_time, server_now


def cny(minor: int) -> dict:
    return {"amount_minor": minor, "currency": "CNY"}


def test_quotes_pricing_approval_and_lifecycle(api: Api, server) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("quotes"), "name": "Quote desk"}, expect=201).json()
    other_team = api.post(f"{V1}/teams", json={"key": unique("quotes-west"), "name": "Quote desk west"}, expect=201).json()
    rep = new_person(api, "rep", team, "Quinn Quote")
    colleague = new_person(api, "rep", team, "Cole Colleague")
    manager = new_person(api, "manager", team, "Mara Manager")
    outsider_manager = new_person(api, "manager", other_team, "Wes West")

    tag = unique("q").upper()
    course, book = f"{tag}-COURSE", f"{tag}-BOOK"
    api.post(f"{V1}/products", json={"sku": course, "name": "Course <b>48</b>", "unit": "lesson", "prices": [{"currency": "CNY", "amount_minor": 10000}]}, expect=201)
    api.post(f"{V1}/products", json={"sku": book, "name": "Workbook", "prices": [{"currency": "CNY", "amount_minor": 999}]}, expect=201)
    for policy in api.get(f"{V1}/sales-policies", params={"active": "true", "limit": 500}, expect=200).json()["data"]:
        api.delete(f"{V1}/sales-policies/{policy['id']}", expect=204)
    spring = api.post(f"{V1}/sales-policies", json={"name": "Spring 10%", "effect": {"kind": "percent_off", "basis_points": 1000}, "skus": [course, book]},
                      expect=201).json()

    # The threshold is an administrator's setting.
    assert rep.api.get(f"{V1}/settings/quotes", expect=200).json()["approval_threshold_bp"] >= 0
    problem(rep.api.request("PUT", f"{V1}/settings/quotes", json={"approval_threshold_bp": 100}), 403, "forbidden")
    assert field_codes(problem(api.request("PUT", f"{V1}/settings/quotes", json={"approval_threshold_bp": 10001}), 422, "validation_failed")) == {
        "approval_threshold_bp": "out_of_range"}
    settings = api.request("PUT", f"{V1}/settings/quotes", json={"approval_threshold_bp": 1500, "default_validity_days": 30}, expect=200).json()
    assert settings == {"approval_threshold_bp": 1500, "default_validity_days": 30}

    customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Parent")}, expect=201).json()["customer"]
    opp = rep.api.post(f"{V1}/opportunities", json={"name": unique("Math year"), "customer_id": customer["id"]}, expect=201).json()
    today = server_now(api).date()
    valid = (today + timedelta(days=20)).isoformat()

    # Bad input names each field and stores nothing.
    bad = problem(rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={
        "currency": "CNY", "valid_until": (today - timedelta(days=1)).isoformat(),
        "lines": [{"sku": course, "quantity": 0}, {"sku": book, "quantity": 1, "discount": {"basis_points": 10001}}]}), 422, "validation_failed")
    assert field_codes(bad) == {"valid_until": "out_of_range", "lines[0].quantity": "out_of_range", "lines[1].discount.basis_points": "out_of_range"}
    both = problem(rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={
        "currency": "CNY", "lines": [{"sku": course, "quantity": 1, "discount": {"basis_points": 1, "amount_minor": 1}}]}), 422, "validation_failed")
    assert field_codes(both) == {"lines[0].discount.basis_points": "invalid"}
    assert field_codes(problem(rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={"currency": "CNY", "lines": [{"sku": f"{tag}-GHOST", "quantity": 1}]}),
                               422, "validation_failed")) == {"lines[0].sku": "not_found"}
    problem(colleague.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={"currency": "CNY", "lines": [{"sku": course, "quantity": 1}]}), 404, "not_found")
    assert rep.api.get(f"{V1}/quotes", params={"opportunity_id": opp["id"]}, expect=200).json()["data"] == []

    # Priced once: A 3 × 100.00 − 10 % − 5 % by hand; B 9.99 − 10 % (half up) − 0.99.
    created = rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={
        "name": "Year offer", "currency": "CNY", "valid_until": valid, "notes": "Pay within 7 days.",
        "lines": [{"sku": course, "quantity": 3, "discount": {"basis_points": 500}}, {"sku": book, "quantity": 1, "discount": {"amount_minor": 99}}]}, expect=201)
    quote = created.json()
    qid = quote["id"]
    assert created.headers["Location"] == f"{V1}/quotes/{qid}" and created.headers["ETag"] == '"1"'
    assert quote["status"] == "draft" and quote["owner_id"] == rep.id and quote["customer_id"] == customer["id"] and quote["actions"] == ["submit"]
    assert [line["total"] for line in quote["lines"]] == [cny(25650), cny(800)]
    assert quote["subtotal"] == cny(30999) and quote["policy_discount"] == cny(3100) and quote["manual_discount"] == cny(1449)
    assert quote["total"] == cny(26450) and quote["discount_bp"] == 1467 and quote["rounding"] == "half_up"
    assert quote["applied"] == [{"policy_id": spring["id"], "name": "Spring 10%", "discount": cny(3100)}] and quote["skipped"] == []

    # Revised with If-Match: 20 % by hand on the course is above the 15 % threshold.
    problem(rep.api.patch(f"{V1}/quotes/{qid}", json={"name": "x"}), 428, "precondition_required")
    problem(rep.api.patch(f"{V1}/quotes/{qid}", headers={"If-Match": '"9"'}, json={"name": "x"}), 412, "precondition_failed")
    revised = rep.api.patch(f"{V1}/quotes/{qid}", headers={"If-Match": created.headers["ETag"]},
                            json={"lines": [{"sku": course, "quantity": 2, "discount": {"basis_points": 1200}}]}, expect=200)
    assert revised.headers["ETag"] == '"2"' and revised.json()["discount_bp"] == 2080 and revised.json()["total"] == cny(15840)

    # Wrong state: 409 with a stable reason, nothing changed.
    for person, action in ((manager, "approve"), (rep, "send"), (rep, "accept"), (rep, "decline")):
        body = problem(person.api.post(f"{V1}/quotes/{qid}/{action}"), 409, "conflict")
        assert body["reason"] == "quote_status" and body["quote_status"] == "draft"
    assert rep.api.get(f"{V1}/quotes/{qid}", expect=200).json()["version"] == 2

    # Submitted: an approval request to the team's manager, who is told in the app.
    pending = rep.api.post(f"{V1}/quotes/{qid}/submit", json={"version": 2}, expect=200).json()
    assert pending["status"] == "pending_approval" and pending["approvals"][0]["approver_ids"] == [manager.id]
    assert pending["approvals"][0]["discount_bp"] == 2080 and pending["approvals"][0]["threshold_bp"] == 1500
    inbox = manager.api.get(f"{V1}/notifications", expect=200).json()["data"]
    assert any(notice["kind"] == "quote.approval_requested" and notice["object_id"] == qid for notice in inbox)
    assert problem(rep.api.post(f"{V1}/quotes/{qid}/approve"), 403, "forbidden")["reason"] == "own_quote"
    problem(outsider_manager.api.post(f"{V1}/quotes/{qid}/approve"), 404, "not_found")
    assert field_codes(problem(manager.api.post(f"{V1}/quotes/{qid}/reject", json={}), 422, "validation_failed")) == {"comment": "required"}
    rejected = manager.api.post(f"{V1}/quotes/{qid}/reject", json={"comment": "12 % at most"}, expect=200).json()
    assert rejected["status"] == "draft" and rejected["approvals"][0]["decision"] == "rejected" and rejected["approvals"][0]["comment"] == "12 % at most"

    rep.api.patch(f"{V1}/quotes/{qid}", headers={"If-Match": f'"{rejected["version"]}"'}, json={"lines": [{"sku": course, "quantity": 2, "discount": {"basis_points": 700}}]},
                  expect=200)
    again = rep.api.post(f"{V1}/quotes/{qid}/submit", expect=200).json()
    assert again["status"] == "pending_approval"  # 10 % + 7 % of the rest = 16.3 %
    approved = manager.api.post(f"{V1}/quotes/{qid}/approve", json={"comment": "Fine"}, expect=200).json()
    assert approved["status"] == "approved" and approved["approved_by"] == manager.id and approved["actions"] == ["revise", "send"]
    sent = rep.api.post(f"{V1}/quotes/{qid}/send", expect=200).json()
    assert sent["status"] == "sent" and sent["sent_at"] is not None
    problem(rep.api.patch(f"{V1}/quotes/{qid}", headers={"If-Match": f'"{sent["version"]}"'}, json={"name": "late"}), 409, "conflict")

    # Later catalog changes do not change a sent quote.
    api.delete(f"{V1}/sales-policies/{spring['id']}", expect=204)
    assert rep.api.get(f"{V1}/quotes/{qid}", expect=200).json()["lines"] == sent["lines"]
    accepted = rep.api.post(f"{V1}/quotes/{qid}/accept", expect=200).json()
    assert accepted["status"] == "accepted" and accepted["accepted_at"] is not None and accepted["actions"] == []
    history = rep.api.get(f"{V1}/quotes/{qid}/history", expect=200).json()["data"]
    assert [change["to"] for change in history] == ["draft", "pending_approval", "draft", "pending_approval", "approved", "sent", "accepted"]
    assert history[2]["by"] == manager.id and history[2]["reason"] == "12 % at most"
    audit = api.get(f"{V1}/audit", params={"object_id": qid, "limit": 50}, expect=200).json()["data"]
    assert {entry["action"] for entry in audit} >= {"quote.created", "quote.updated", "quote.submitted", "quote.rejected", "quote.approved", "quote.sent", "quote.accepted"}

    # A second quote of the same opportunity: declined by the customer; no second acceptance.
    second = rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={"currency": "CNY", "lines": [{"sku": book, "quantity": 1}]}, expect=201).json()
    rep.api.post(f"{V1}/quotes/{second['id']}/submit", expect=200)
    rep.api.post(f"{V1}/quotes/{second['id']}/send", expect=200)
    assert problem(rep.api.post(f"{V1}/quotes/{second['id']}/accept"), 409, "conflict")["reason"] == "opportunity_has_accepted_quote"
    declined = rep.api.post(f"{V1}/quotes/{second['id']}/decline", json={"reason": "Budget"}, expect=200).json()
    assert declined["status"] == "declined" and declined["decline_reason"] == "Budget"

    # Lists: scope and filters.
    mine = rep.api.get(f"{V1}/quotes", params={"opportunity_id": opp["id"]}, expect=200).json()["data"]
    assert [item["id"] for item in mine] == [second["id"], qid]
    assert [item["id"] for item in manager.api.get(f"{V1}/quotes", params={"status": "accepted", "owner_id": rep.id}, expect=200).json()["data"]] == [qid]
    assert colleague.api.get(f"{V1}/quotes", params={"opportunity_id": opp["id"]}, expect=200).json()["data"] == []
    problem(colleague.api.get(f"{V1}/quotes/{qid}"), 404, "not_found")
    paged = rep.api.get(f"{V1}/quotes", params={"opportunity_id": opp["id"], "limit": 1}, expect=200).json()
    assert len(paged["data"]) == 1 and paged["next_cursor"]
    assert field_codes(problem(rep.api.get(f"{V1}/quotes", params={"status": "won"}), 422, "validation_failed")) == {"status": "invalid"}


def test_sent_quotes_expire_by_the_daily_job(api: Api, server) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("quotes-exp"), "name": "Expiry desk"}, expect=201).json()
    rep = new_person(api, "rep", team, "Eve Expiry")
    sku = unique("q").upper() + "-X"
    api.post(f"{V1}/products", json={"sku": sku, "name": "Trial", "prices": [{"currency": "CNY", "amount_minor": 990}]}, expect=201)
    customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Parent")}, expect=201).json()["customer"]
    opp = rep.api.post(f"{V1}/opportunities", json={"name": unique("Trial"), "customer_id": customer["id"]}, expect=201).json()
    today = server_now(api).date()
    quote = rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={"currency": "CNY", "valid_until": today.isoformat(), "lines": [{"sku": sku, "quantity": 1}]},
                         expect=201).json()
    rep.api.post(f"{V1}/quotes/{quote['id']}/submit", expect=200)
    rep.api.post(f"{V1}/quotes/{quote['id']}/send", expect=200)

    now = parse_time(api.post(f"{V1}/test-clock", json={"advance_seconds": 86_400}, expect=200).json()["now"])
    assert problem(rep.api.post(f"{V1}/quotes/{quote['id']}/accept"), 409, "conflict")["reason"] == "quote_lapsed"
    insert_job(server, new_job_id(), "quote.expire", {}, now)
    expired = eventually("the quote to expire", lambda: (found := rep.api.get(f"{V1}/quotes/{quote['id']}", expect=200).json())["status"] == "expired" and found)
    assert expired["expired_at"] is not None and expired["actions"] == []
    history = rep.api.get(f"{V1}/quotes/{quote['id']}/history", expect=200).json()["data"]
    assert history[-1]["from"] == "sent" and history[-1]["to"] == "expired" and history[-1]["by"] is None
    assert any(notice["kind"] == "quote.expired" for notice in rep.api.get(f"{V1}/notifications", expect=200).json()["data"])

