"""Entitlements end to end on the real server, every response checked against the OpenAPI
document: a product's grant, entitlements granted when an order becomes effective, idempotent
consumption (replay, reused key, over-consumption), consumptions, lists and filters, a customer's
entitlements, scope, and the renewal settings."""

from __future__ import annotations

from contract import Api, field_codes, problem
from test_customers import V1
from test_opportunities import ensure_opportunity_dictionary
from test_orders import new_order, sales_floor


def effective_order(floor: dict, api: Api) -> dict:
    order = new_order(floor["rep"].api, floor)
    floor["rep"].api.post(f"{V1}/orders/{order['id']}/submit", expect=200)
    return floor["manager"].api.post(f"{V1}/orders/{order['id']}/approve", expect=200).json()


def test_grant_consume_and_list(api: Api) -> None:
    floor = sales_floor(api)
    rep, manager, outsider = floor["rep"], floor["manager"], floor["outsider"]
    product = api.get(f"{V1}/products/{floor['product']['id']}", expect=200).json()
    assert product["grant"] == {"unit": "lesson", "quantity": 48, "validity_days": None, "validity_months": 12}
    bad_grant = problem(api.patch(f"{V1}/products/{product['id']}", headers={"If-Match": f'"{product["version"]}"'},
                                  json={"grant": {"unit": "Lesson!", "quantity": 0, "validity_days": 5, "validity_months": 2}}), 422, "validation_failed")
    assert set(field_codes(bad_grant)) == {"grant.unit", "grant.quantity", "grant.validity_months"}

    order = effective_order(floor, api)
    granted = rep.api.get(f"{V1}/entitlements", params={"order_id": order["id"]}, expect=200).json()["data"]
    assert len(granted) == 1
    ent = granted[0]
    eid = ent["id"]
    assert ent["granted"] == 96 and ent["balance"] == 96 and ent["status"] == "active" and ent["unit"] == "lesson"
    assert ent["order_line_id"] == order["lines"][0]["id"] and ent["customer_id"] == floor["customer"]["id"]

    first = rep.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 3, "idempotency_key": "lesson-1", "note": "Lesson 1"}, expect=201).json()
    assert first["replayed"] is False and first["entitlement"]["balance"] == 93 and first["consumption"]["quantity"] == 3
    replay = rep.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 3, "idempotency_key": "lesson-1", "note": "Lesson 1"}, expect=200).json()
    assert replay["replayed"] is True and replay["consumption"] == first["consumption"] and replay["entitlement"]["balance"] == 93
    reused = problem(rep.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 4, "idempotency_key": "lesson-1"}), 409, "consumption_key_reused")
    assert reused["consumption_id"] == first["consumption"]["id"]
    short = problem(rep.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 94, "idempotency_key": "lesson-2"}), 409, "insufficient_balance")
    assert short["balance"] == "93"
    assert field_codes(problem(rep.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 1}), 422, "validation_failed")) == {"idempotency_key": "required"}
    problem(outsider.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 1, "idempotency_key": "x"}), 404, "not_found")
    assert rep.api.get(f"{V1}/entitlements/{eid}", expect=200).json()["balance"] == 93

    manager.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 93, "idempotency_key": "rest", "occurred_at": order["signed_at"]}, expect=201)
    exhausted = rep.api.get(f"{V1}/entitlements/{eid}", expect=200).json()
    assert exhausted["status"] == "exhausted" and exhausted["balance"] == 0 and exhausted["consumed"] == 96
    problem(rep.api.post(f"{V1}/entitlements/{eid}/consume", json={"quantity": 1, "idempotency_key": "more"}), 409, "entitlement_not_active")
    consumptions = rep.api.get(f"{V1}/entitlements/{eid}/consumptions", expect=200).json()["data"]
    assert [c["quantity"] for c in consumptions] == [3, 93] and consumptions[1]["recorded_by"] == manager.id

    customer_list = rep.api.get(f"{V1}/customers/{floor['customer']['id']}/entitlements", expect=200).json()["data"]
    assert [e["id"] for e in customer_list] == [eid]
    problem(outsider.api.get(f"{V1}/customers/{floor['customer']['id']}/entitlements"), 404, "not_found")
    problem(outsider.api.get(f"{V1}/entitlements/{eid}"), 404, "not_found")
    assert outsider.api.get(f"{V1}/entitlements", expect=200).json()["data"] == []
    filtered = rep.api.get(f"{V1}/entitlements", params={"customer_id": floor["customer"]["id"], "status": "exhausted",
                                                          "expiring_before": "2999-01-01T00:00:00Z"}, expect=200).json()["data"]
    assert [e["id"] for e in filtered] == [eid]
    assert field_codes(problem(rep.api.get(f"{V1}/entitlements", params={"expiring_before": "soon"}), 422, "validation_failed")) == {"expiring_before": "invalid"}
    assert field_codes(problem(rep.api.get(f"{V1}/entitlements", params={"status": "gone"}), 422, "validation_failed")) == {"status": "invalid"}


def test_renewal_settings(api: Api) -> None:
    floor = sales_floor(api)
    standard = {"renewal_days_before_expiry": 30, "renewal_balance_percent": 20, "renewal_pipeline": "renewal"}
    api.request("PUT", f"{V1}/settings/entitlements", json=standard, expect=200)
    assert floor["rep"].api.get(f"{V1}/settings/entitlements", expect=200).json() == standard
    problem(floor["manager"].api.request("PUT", f"{V1}/settings/entitlements", json=standard), 403, "forbidden")
    bad = problem(api.request("PUT", f"{V1}/settings/entitlements", json={**standard, "renewal_balance_percent": 101}), 422, "validation_failed")
    assert field_codes(bad) == {"renewal_balance_percent": "out_of_range"}
    changed = api.request("PUT", f"{V1}/settings/entitlements", json={**standard, "renewal_days_before_expiry": 45}, expect=200).json()
    assert changed["renewal_days_before_expiry"] == 45
    api.request("PUT", f"{V1}/settings/entitlements", json=standard, expect=200)
    # The runner queues the daily jobs next to the built-in prune.
    kinds = {job["kind"] for job in api.get(f"{V1}/jobs", params={"limit": 500}, expect=200).json()["data"]}
    assert {"orders.daily", "entitlements.daily"} <= kinds


def test_orders_and_entitlements_follow_a_merged_customer(api: Api) -> None:
    """A customer with an effective order (48 lessons × 2) merged into another: the order, its
    entitlement, its receivables and an opportunity are the survivor's, counted in the merge; the
    undo puts them back."""
    ensure_opportunity_dictionary(api)
    floor = sales_floor(api)
    rep = floor["rep"].api
    order = effective_order(floor, api)
    merged = floor["customer"]
    survivor = rep.post(f"{V1}/customers", json={"kind": "person", "name": merged["name"] + " (2)"}, expect=201).json()["customer"]
    deal = rep.post(f"{V1}/opportunities", json={"name": "Renewal", "customer_id": merged["id"]}, expect=201).json()
    rep.request("PUT", f"{V1}/orders/{order['id']}/payment-plan", json={"count": 2, "first_due": "2030-01-31"}, expect=200)
    ent = rep.get(f"{V1}/entitlements", params={"order_id": order["id"]}, expect=200).json()["data"][0]

    def listed(path: str, customer: dict) -> list[str]:
        return [r["id"] for r in rep.get(f"{V1}/{path}", params={"customer_id": customer["id"]}, expect=200).json()["data"]]

    record = rep.post(f"{V1}/merges", json={"survivor_id": survivor["id"], "merged_id": merged["id"]}, expect=201).json()
    assert record["moved"] == {"opportunities": 1, "orders": 1, "entitlements": 1}
    assert listed("orders", survivor) == [order["id"]] and listed("orders", merged) == []
    assert listed("entitlements", survivor) == [ent["id"]] and listed("entitlements", merged) == []
    assert [r["id"] for r in rep.get(f"{V1}/customers/{survivor['id']}/entitlements", expect=200).json()["data"]] == [ent["id"]]
    assert len(rep.get(f"{V1}/receivables", params={"customer_id": survivor["id"], "status": "all"}, expect=200).json()["data"]) == 2
    assert rep.get(f"{V1}/receivables", params={"customer_id": merged["id"], "status": "all"}, expect=200).json()["data"] == []
    moved = rep.get(f"{V1}/orders/{order['id']}", expect=200).json()
    assert moved["customer_id"] == survivor["id"] and moved["version"] == order["version"] + 1
    assert rep.get(f"{V1}/opportunities/{deal['id']}", expect=200).json()["customer_id"] == survivor["id"]
    used = rep.post(f"{V1}/entitlements/{ent['id']}/consume", json={"quantity": 2, "idempotency_key": "after-merge"}, expect=201).json()
    assert used["entitlement"]["customer_id"] == survivor["id"] and used["entitlement"]["balance"] == 94

    rep.post(f"{V1}/merges/{record['id']}/undo", expect=200)
    assert listed("orders", merged) == [order["id"]] and listed("orders", survivor) == []
    assert listed("entitlements", merged) == [ent["id"]] and listed("entitlements", survivor) == []
    assert rep.get(f"{V1}/opportunities/{deal['id']}", expect=200).json()["customer_id"] == merged["id"]
