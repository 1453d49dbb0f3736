"""Orders from accepted quotes end to end on the real server, every response checked against the
OpenAPI document: refused (409) before the quote is accepted, then a draft order with the quote's
customer, owner, currency and lines at the quote's final prices (the totals match, line by line),
the quote recorded on the order; a second order refused unless forced; scope; a quote whose
opportunity has no customer refused (422); the order's history and audit entry."""

from __future__ import annotations

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, new_person, unique


def accepted_quote(rep, manager, opportunity_id: str, sku: str) -> dict:
    """A quote of the opportunity (2 × the product, 5 % by hand), submitted (approved by the
    manager should other tests' policies push it over the threshold), sent and accepted."""
    quote = rep.api.post(f"{V1}/opportunities/{opportunity_id}/quotes", json={
        "name": unique("Offer"), "currency": "CNY", "lines": [{"sku": sku, "quantity": 2, "discount": {"basis_points": 500}}]}, expect=201).json()
    submitted = rep.api.post(f"{V1}/quotes/{quote['id']}/submit", expect=200).json()
    if submitted["status"] == "pending_approval":
        manager.api.post(f"{V1}/quotes/{quote['id']}/approve", json={"comment": "ok"}, expect=200)
    rep.api.post(f"{V1}/quotes/{quote['id']}/send", expect=200)
    return rep.api.post(f"{V1}/quotes/{quote['id']}/accept", expect=200).json()


def test_an_accepted_quote_becomes_a_draft_order(api: Api) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("quote-orders"), "name": "Quote orders"}, expect=201).json()
    rep = new_person(api, "rep", team, "Quincy Order")
    manager = new_person(api, "manager", team, "Mona Order")
    outsider = new_person(api, "rep", None, "Oscar Outside")
    sku = unique("QORD").upper()
    api.post(f"{V1}/products", json={"sku": sku, "name": "Course 24", "unit": "lesson", "prices": [{"currency": "CNY", "amount_minor": 120_000}]},
             expect=201)
    customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Parent")}, expect=201).json()["customer"]
    opp = rep.api.post(f"{V1}/opportunities", json={"name": unique("Course year"), "customer_id": customer["id"]}, expect=201).json()

    # A draft quote is not ordered: 409 naming its status, and no order.
    draft = rep.api.post(f"{V1}/opportunities/{opp['id']}/quotes", json={"currency": "CNY", "lines": [{"sku": sku, "quantity": 1}]}, expect=201).json()
    early = problem(rep.api.post(f"{V1}/quotes/{draft['id']}/orders"), 409, "conflict")
    assert early["reason"] == "quote_status" and early["quote_status"] == "draft"
    assert rep.api.get(f"{V1}/orders", params={"opportunity_id": opp["id"]}, expect=200).json()["data"] == []

    quote = accepted_quote(rep, manager, opp["id"], sku)
    problem(outsider.api.post(f"{V1}/quotes/{quote['id']}/orders"), 404, "not_found")
    assert field_codes(problem(rep.api.post(f"{V1}/quotes/{quote['id']}/orders", json={"title": " "}), 422, "validation_failed")) == {"title": "required"}
    assert field_codes(problem(rep.api.post(f"{V1}/quotes/{quote['id']}/orders", json={"currency": "USD"}), 422, "validation_failed")) == {
        "currency": "unknown_field"}

    created = rep.api.post(f"{V1}/quotes/{quote['id']}/orders", json={}, expect=201)
    order = created.json()
    assert created.headers["Location"] == f"{V1}/orders/{order['id']}"
    assert order["quote_id"] == quote["id"] and order["opportunity_id"] == opp["id"] and order["customer_id"] == customer["id"]
    assert order["owner_id"] == rep.id and order["currency"] == "CNY" and order["status"] == "draft" and order["title"] == quote["name"]
    assert order["total"] == quote["total"]
    assert [line["total"] for line in order["lines"]] == [line["total"] for line in quote["lines"]]
    assert order["lines"][0]["unit_price"] == {"amount_minor": 120_000, "currency": "CNY"} and order["lines"][0]["quantity"] == 2
    history = rep.api.get(f"{V1}/orders/{order['id']}/history", expect=200).json()["data"]
    assert [change["to"] for change in history] == ["draft"]
    audit = api.get(f"{V1}/audit", params={"object_id": order["id"], "limit": 10}, expect=200).json()["data"]
    assert [entry["action"] for entry in audit] == ["order.created"] and audit[0]["details"]["quote_id"] == quote["id"]

    # Once only, unless forced.
    twice = problem(rep.api.post(f"{V1}/quotes/{quote['id']}/orders"), 409, "conflict")
    assert twice["reason"] == "quote_ordered" and twice["order_id"] == order["id"]
    forced = rep.api.post(f"{V1}/quotes/{quote['id']}/orders", json={"force": True, "title": "Copy"}, expect=201).json()
    assert forced["id"] != order["id"] and forced["title"] == "Copy" and forced["total"] == quote["total"]
    listed = rep.api.get(f"{V1}/orders", params={"opportunity_id": opp["id"]}, expect=200).json()["data"]
    assert {item["id"] for item in listed} == {order["id"], forced["id"]}

    # A deal without an account yet: its accepted quote cannot be ordered until it has one.
    bare = rep.api.post(f"{V1}/opportunities", json={"name": unique("No account")}, expect=201).json()
    lonely = accepted_quote(rep, manager, bare["id"], sku)
    assert lonely["customer_id"] is None
    assert field_codes(problem(rep.api.post(f"{V1}/quotes/{lonely['id']}/orders"), 422, "validation_failed")) == {"customer_id": "required"}
    assert rep.api.get(f"{V1}/orders", params={"opportunity_id": bare["id"]}, expect=200).json()["data"] == []
