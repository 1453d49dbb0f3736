"""Products, price books, sales policies and the pricing quote end to end on the real server,
every response checked against the OpenAPI document. SKUs and keys are unique per run; the test
archives every other active policy first (the fuzzer and earlier sessions leave some), so the
quote's explanation is exactly this test's policies."""

from __future__ import annotations

from datetime import timedelta

from contract import Api, field_codes, problem, restore_standard_roles
from test_assignment import rfc3339
from test_customers import V1, new_person, unique
from test_jobs import server_now


def test_catalog_price_books_policies_and_quotes(api: Api) -> None:
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("catalog"), "name": "Catalog desk"}, expect=201).json()
    rep = new_person(api, "rep", team, "Pia Pricing")
    manager = new_person(api, "manager", team, "Max Catalog")
    tag = unique("sku").upper()
    course, book, trial = f"{tag}-COURSE", f"{tag}-BOOK", f"{tag}-TRIAL"

    # Products: create, read by id and SKU, list with filters and pages, change with If-Match, archive.
    created = api.post(f"{V1}/products", json={"sku": course, "name": "48 lessons", "category": tag, "unit": "lesson",
                                               "prices": [{"currency": "CNY", "amount_minor": 100000}, {"currency": "USD", "amount_minor": 15000}]}, expect=201)
    product = created.json()
    assert created.headers["Location"] == f"{V1}/products/{product['id']}" and created.headers["ETag"] == '"1"'
    assert product["prices"] == [{"amount_minor": 100000, "currency": "CNY"}, {"amount_minor": 15000, "currency": "USD"}]
    api.post(f"{V1}/products", json={"sku": book, "name": "Workbook", "category": tag, "prices": [{"currency": "CNY", "amount_minor": 5000}]}, expect=201)
    extra = api.post(f"{V1}/products", json={"sku": trial, "name": "Trial class", "prices": [{"currency": "CNY", "amount_minor": 19900}]}, expect=201).json()
    assert rep.api.get(f"{V1}/products/{course}", expect=200).json()["id"] == product["id"]
    listed = rep.api.get(f"{V1}/products", params={"category": tag, "limit": 1}, expect=200).json()
    assert [item["sku"] for item in listed["data"]] == [course] and listed["next_cursor"]
    rest = rep.api.get(f"{V1}/products", params={"category": tag, "limit": 1, "cursor": listed["next_cursor"]}, expect=200).json()
    assert [item["sku"] for item in rest["data"]] == [book] and rest["next_cursor"] is None
    assert [item["sku"] for item in api.get(f"{V1}/products", params={"q": tag.lower(), "active": "true"}, expect=200).json()["data"]] == [course, book, trial]
    problem(api.get(f"{V1}/products", params={"active": "maybe"}), 422, "validation_failed")

    bad = problem(api.post(f"{V1}/products", json={"sku": "no spaces", "name": "x", "prices": [{"currency": "cny", "amount_minor": -1}]}), 422, "validation_failed")
    assert field_codes(bad) == {"sku": "invalid", "prices[0].currency": "invalid", "prices[0].amount_minor": "out_of_range"}
    problem(api.post(f"{V1}/products", json={"sku": course, "name": "Again"}), 409, "conflict")
    problem(rep.api.post(f"{V1}/products", json={"sku": unique("X"), "name": "Mine"}), 403, "forbidden")
    problem(api.patch(f"{V1}/products/{product['id']}", json={"name": "No version"}), 428, "precondition_required")
    problem(api.patch(f"{V1}/products/{product['id']}", json={"name": "Stale"}, headers={"If-Match": '"7"'}), 412, "precondition_failed")
    renamed = api.patch(f"{V1}/products/{product['id']}", json={"name": "48 lessons (2026)"}, headers={"If-Match": '"1"'}, expect=200).json()
    assert renamed["version"] == 2 and renamed["prices"] == product["prices"]
    api.delete(f"{V1}/products/{extra['id']}", expect=204)
    assert api.get(f"{V1}/products/{extra['id']}", expect=200).json()["active"] is False
    problem(rep.api.delete(f"{V1}/products/{course}"), 403, "forbidden")
    problem(api.get(f"{V1}/products/{unique('NOPE')}"), 404, "not_found")
    api.patch(f"{V1}/products/{extra['id']}", json={"active": True, "version": 2}, expect=200)

    # Price books: the partners' book has the course cheaper.
    key = unique("partners")
    problem(api.post(f"{V1}/price-books", json={"key": key, "name": "Bad", "currency": "CNY", "prices": [{"sku": unique("GHOST"), "amount_minor": 1}]}), 422, "validation_failed")
    pricebook = api.post(f"{V1}/price-books", json={"key": key, "name": "Partners", "currency": "CNY", "prices": [{"sku": course, "amount_minor": 80000}]}, expect=201).json()
    assert pricebook["prices"] == [{"product_id": product["id"], "sku": course, "amount_minor": 80000}]
    assert rep.api.get(f"{V1}/price-books/{key}", expect=200).json()["id"] == pricebook["id"]
    assert pricebook["id"] in [item["id"] for item in rep.api.get(f"{V1}/price-books", params={"q": key}, expect=200).json()["data"]]
    now = server_now(api)
    window = api.patch(f"{V1}/price-books/{pricebook['id']}", json={"valid_from": rfc3339(now - timedelta(days=1)), "valid_until": rfc3339(now + timedelta(days=30)),
                                                                     "version": 1}, expect=200).json()
    assert window["version"] == 2 and window["valid_until"] is not None
    bad_window = problem(api.patch(f"{V1}/price-books/{key}", json={"valid_until": rfc3339(now - timedelta(days=2)), "version": 2}), 422, "validation_failed")
    assert field_codes(bad_window) == {"valid_until": "invalid"}

    # Sales policies: other active ones are archived first, so the explanation is exactly ours.
    for policy in api.get(f"{V1}/sales-policies", params={"active": "true", "limit": 500}, expect=200).json()["data"]:
        api.delete(f"{V1}/sales-policies/{policy['id']}", expect=204)
    bad_policy = problem(api.post(f"{V1}/sales-policies", json={"name": "Too much", "effect": {"kind": "percent_off", "basis_points": 10001}}), 422, "validation_failed")
    assert field_codes(bad_policy) == {"effect.basis_points": "out_of_range"}
    problem(api.post(f"{V1}/sales-policies", json={"name": "No currency", "effect": {"kind": "amount_off", "amount_minor": 100}}), 422, "validation_failed")
    vip_tag = unique("vip")
    vip = api.post(f"{V1}/sales-policies", json={"name": "VIP 10%", "effect": {"kind": "percent_off", "basis_points": 1000},
                                                 "eligibility": {"tags_any": [vip_tag]}}, expect=201).json()
    assert vip["eligibility"] == {"tags_any": [vip_tag], "customers": "any", "channels": [], "minimum_subtotal_minor": None}
    offer = api.post(f"{V1}/sales-policies", json={
        "name": "9.9 trial", "effect": {"kind": "fixed_unit_price", "sku": trial, "price_minor": 990, "max_quantity": 1}, "currency": "CNY",
        "eligibility": {"customers": "new", "channels": ["wechat"]}, "priority": 5, "valid_until": rfc3339(now + timedelta(days=7))}, expect=201).json()
    assert offer["effect"] == {"kind": "fixed_unit_price", "sku": trial, "price_minor": 990, "max_quantity": 1}
    bundle = api.post(f"{V1}/sales-policies", json={"name": "Course + book", "effect": {"kind": "bundle", "items": [{"sku": course, "quantity": 1}, {"sku": book, "quantity": 1}],
                                                                                      "price_minor": 100000}, "currency": "CNY", "stacking": "exclusive"}, expect=201).json()
    assert rep.api.get(f"{V1}/sales-policies/{bundle['id']}", expect=200).json()["stacking"] == "exclusive"
    changed = api.patch(f"{V1}/sales-policies/{bundle['id']}", json={"priority": 3}, headers={"If-Match": '"1"'}, expect=200).json()
    assert changed["priority"] == 3 and changed["version"] == 2
    gone = api.post(f"{V1}/sales-policies", json={"name": "Half off", "effect": {"kind": "percent_off", "basis_points": 5000}}, expect=201).json()
    api.delete(f"{V1}/sales-policies/{gone['id']}", expect=204)
    active = [item["id"] for item in rep.api.get(f"{V1}/sales-policies", params={"active": "true"}, expect=200).json()["data"]]
    assert set(active) == {vip["id"], offer["id"], bundle["id"]}

    # Quotes.
    customer = rep.api.post(f"{V1}/customers", json={"name": unique("Quote Customer"), "tags": [vip_tag]}, expect=201).json()["customer"]
    lines = [{"sku": course, "quantity": 1}, {"sku": book, "quantity": 2}, {"sku": trial, "quantity": 1}]
    quote = rep.api.post(f"{V1}/pricing/quote", json={"currency": "CNY", "channel": "wechat", "lines": lines}, expect=200).json()
    assert [line["price_source"] for line in quote["lines"]] == ["list", "list", "list"]
    assert quote["subtotal"] == {"amount_minor": 100000 + 10000 + 19900, "currency": "CNY"}
    # The trial price (18,910 off) stacked beats the bundle alone (5,000 off).
    assert [item["policy_id"] for item in quote["applied"]] == [offer["id"]] and quote["discount"]["amount_minor"] == 18910
    assert {item["policy_id"]: item["reason"] for item in quote["skipped"]} == {vip["id"]: "tag_not_held", bundle["id"]: "better_offer_applied"}
    assert quote["total"]["amount_minor"] == quote["subtotal"]["amount_minor"] - 18910 and quote["is_new_customer"] is True

    booked = rep.api.post(f"{V1}/pricing/quote", json={"currency": "CNY", "customer_id": customer["id"], "is_new_customer": False, "price_book": key,
                                                       "rounding": "half_even", "at": rfc3339(now), "lines": lines[:2]}, expect=200).json()
    assert [line["price_source"] for line in booked["lines"]] == ["price_book", "list"] and booked["lines"][0]["unit_price"]["amount_minor"] == 80000
    assert booked["customer_tags"] == [vip_tag] and booked["price_book"] == key and booked["rounding"] == "half_even"
    # The VIP 10 % (9,000 off 90,000) beats the bundle (course 80,000 + book 5,000 for 100,000: no saving).
    assert [item["policy_id"] for item in booked["applied"]] == [vip["id"]] and booked["discount"]["amount_minor"] == 9000

    refused = problem(rep.api.post(f"{V1}/pricing/quote", json={"currency": "USD", "lines": lines[:2]}), 422, "validation_failed")
    assert field_codes(refused) == {"lines[1].sku": "no_price"}
    problem(rep.api.post(f"{V1}/pricing/quote", json={"currency": "USD", "price_book": key, "lines": lines[:1]}), 422, "validation_failed")
    problem(rep.api.post(f"{V1}/pricing/quote", json={"currency": "CNY", "lines": []}), 422, "validation_failed")
    problem(rep.api.post(f"{V1}/pricing/quote", json={"currency": "CNY", "lines": [{"sku": course}]}), 422, "validation_failed")

    # A manager may configure once an administrator gives managers a scope on pricing.
    problem(manager.api.post(f"{V1}/products", json={"sku": unique("MGR"), "name": "Manager's"}), 403, "forbidden")
    api.patch(f"{V1}/roles/manager", json={"scopes": {"pricing": "all"}}, expect=200)
    try:
        manager.api.post(f"{V1}/products", json={"sku": unique("MGR"), "name": "Manager's"}, expect=201)
    finally:
        restore_standard_roles(api)

    api.delete(f"{V1}/price-books/{key}", expect=204)
    problem(rep.api.post(f"{V1}/pricing/quote", json={"currency": "CNY", "price_book": key, "lines": lines[:1]}), 422, "validation_failed")
    for policy in (vip, offer, bundle):
        api.delete(f"{V1}/sales-policies/{policy['id']}", expect=204)
    audit = api.get(f"{V1}/audit", params={"object_id": product["id"]}, expect=200).json()["data"]
    assert sorted(entry["action"] for entry in audit) == ["product.created", "product.updated"]
