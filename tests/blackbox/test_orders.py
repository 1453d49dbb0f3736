"""Orders end to end on the real server, every response checked against the OpenAPI document:
create (lines from the catalog, overflow refused), read, list with filters, change drafts only
(If-Match), submit / approve / reject (four eyes) / cancel / terminate / complete with the stage
history, and orders from won opportunities (one per opportunity unless forced)."""

from __future__ import annotations

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, new_person, unique
from test_opportunities import cny, ensure_opportunity_dictionary


def catalog_product(api: Api, grant: dict | None = None) -> dict:
    """An active product with a list price of 1 999.00 CNY (and a grant, if given), by the admin."""
    body = {"sku": unique("MATH").upper(), "name": "数学 48 课时", "unit": "package", "prices": [cny(199_900)]}
    if grant is not None:
        body["grant"] = grant
    return api.post(f"{V1}/products", json=body, expect=201).json()


def sales_floor(api: Api) -> dict:
    """A team with a manager and a rep, an outsider rep, a customer of the rep's, and a product."""
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("orders"), "name": "Order desk"}, expect=201).json()
    floor = {
        "manager": new_person(api, "manager", team, "Mia Manager"),
        "rep": new_person(api, "rep", team, "Ray Rep"),
        "outsider": new_person(api, "rep", None, "Otto Outside"),
        "product": catalog_product(api, {"unit": "lesson", "quantity": 48, "validity_months": 12}),
    }
    floor["customer"] = floor["rep"].api.post(f"{V1}/customers", json={"kind": "person", "name": unique("Parent")}, expect=201).json()["customer"]
    return floor


def new_order(rep: Api, floor: dict, **extra) -> dict:
    body = {"title": unique("Order"), "customer_id": floor["customer"]["id"], "currency": "CNY",
            "lines": [{"sku": floor["product"]["sku"], "quantity": 2, "discount": cny(10_000)}], **extra}
    return rep.post(f"{V1}/orders", json=body, expect=201).json()


def test_order_lifecycle_with_approval(api: Api) -> None:
    floor = sales_floor(api)
    rep, manager, outsider = floor["rep"], floor["manager"], floor["outsider"]

    def refused(lines: list[dict]) -> dict:
        body = {"title": "x", "customer_id": floor["customer"]["id"], "currency": "CNY", "lines": lines}
        return field_codes(problem(rep.api.post(f"{V1}/orders", json=body), 422, "validation_failed"))

    assert refused([{"sku": floor["product"]["sku"], "quantity": 1_000_000, "unit_price": cny(100_000_000_000_000)}]) == {"lines[0]": "overflow"}
    assert refused([{"sku": floor["product"]["sku"], "quantity": 1}, {"sku": "NOPE", "quantity": 1}]) == {"lines[1].sku": "invalid"}
    assert refused([]) == {"lines": "required"}

    created = rep.api.post(f"{V1}/orders", json={
        "title": "Math year", "customer_id": floor["customer"]["id"], "currency": "CNY",
        "lines": [{"sku": floor["product"]["sku"], "quantity": 2, "discount": cny(10_000)}]}, expect=201)
    order = created.json()
    oid = order["id"]
    assert created.headers["Location"] == f"/api/v1/orders/{oid}" and created.headers["ETag"] == '"1"'
    assert order["status"] == "draft" and order["owner_id"] == rep.id and order["total"] == cny(389_800)
    assert order["lines"][0]["product_name"] == "数学 48 课时" and order["lines"][0]["unit_price"] == cny(199_900)

    problem(rep.api.patch(f"{V1}/orders/{oid}", json={"title": "y"}), 428, "precondition_required")
    problem(rep.api.patch(f"{V1}/orders/{oid}", headers={"If-Match": '"9"'}, json={"title": "y"}), 412, "precondition_failed")
    assert field_codes(problem(rep.api.patch(f"{V1}/orders/{oid}", headers={"If-Match": '"1"'}, json={"currency": "USD"}), 422,
                               "validation_failed")) == {"currency": "read_only"}
    patched = rep.api.patch(f"{V1}/orders/{oid}", headers={"If-Match": '"1"'}, json={"title": "Math year (2)"}, expect=200)
    assert patched.json()["title"] == "Math year (2)" and patched.headers["ETag"] == '"2"'
    assert rep.api.get(f"{V1}/orders/{oid}", expect=200).json()["version"] == 2
    problem(outsider.api.get(f"{V1}/orders/{oid}"), 404, "not_found")

    rep.api.post(f"{V1}/orders/{oid}/submit", expect=200)
    # The team's manager is asked in the app (as for quotes); the outsider and the rep are not.
    asked = [n for n in manager.api.get(f"{V1}/notifications", expect=200).json()["data"] if n["object_id"] == oid]
    assert [(n["kind"], n["object_kind"]) for n in asked] == [("order.approval_requested", "order")]
    assert not [n for n in rep.api.get(f"{V1}/notifications", expect=200).json()["data"] if n["object_id"] == oid]
    problem(rep.api.post(f"{V1}/orders/{oid}/approve"), 403, "forbidden")
    problem(rep.api.patch(f"{V1}/orders/{oid}", headers={"If-Match": '"3"'}, json={"title": "z"}), 409, "conflict")
    assert field_codes(problem(manager.api.post(f"{V1}/orders/{oid}/reject", json={}), 422, "validation_failed")) == {"reason": "required"}
    rejected = manager.api.post(f"{V1}/orders/{oid}/reject", json={"reason": "Check the discount"}, expect=200).json()
    assert rejected["status"] == "draft" and rejected["status_reason"] == "Check the discount"
    assert [n["kind"] for n in rep.api.get(f"{V1}/notifications", expect=200).json()["data"] if n["object_id"] == oid] == ["order.rejected"]
    rep.api.post(f"{V1}/orders/{oid}/submit", json={}, expect=200)
    approved = manager.api.post(f"{V1}/orders/{oid}/approve", expect=200).json()
    # No start date: effective at once.
    assert approved["status"] == "effective" and approved["approved_by"] == manager.id and approved["signed_at"] is not None
    conflict = problem(rep.api.post(f"{V1}/orders/{oid}/cancel"), 409, "conflict")
    assert conflict["allowed_stages"] == "completed,expired,terminated"
    assert field_codes(problem(rep.api.post(f"{V1}/orders/{oid}/terminate", json={"reason": ""}), 422, "validation_failed")) == {"reason": "required"}
    terminated = manager.api.post(f"{V1}/orders/{oid}/terminate", json={"reason": "Moved away", "version": approved["version"]}, expect=200).json()
    assert terminated["status"] == "terminated"
    history = rep.api.get(f"{V1}/orders/{oid}/history", expect=200).json()["data"]
    assert [h["to"] for h in history] == ["draft", "pending_approval", "draft", "pending_approval", "signed", "effective", "terminated"]

    completed = new_order(rep.api, floor)
    rep.api.post(f"{V1}/orders/{completed['id']}/submit", expect=200)
    api.post(f"{V1}/orders/{completed['id']}/approve", expect=200)
    assert rep.api.post(f"{V1}/orders/{completed['id']}/complete", expect=200).json()["status"] == "completed"
    cancelled = new_order(rep.api, floor)
    assert rep.api.post(f"{V1}/orders/{cancelled['id']}/cancel", json={"reason": "Duplicate"}, expect=200).json()["status"] == "cancelled"

    mine = rep.api.get(f"{V1}/orders", params={"customer_id": floor["customer"]["id"]}, expect=200).json()["data"]
    assert [o["id"] for o in mine] == [cancelled["id"], completed["id"], oid]
    assert [o["id"] for o in manager.api.get(f"{V1}/orders", params={"status": "completed", "owner_id": rep.id}, expect=200).json()["data"]] == [completed["id"]]
    assert outsider.api.get(f"{V1}/orders", expect=200).json()["data"] == []
    assert field_codes(problem(rep.api.get(f"{V1}/orders", params={"status": "won"}), 422, "validation_failed")) == {"status": "invalid"}


def test_orders_from_won_opportunities(api: Api) -> None:
    ensure_opportunity_dictionary(api)
    floor = sales_floor(api)
    rep = floor["rep"]
    opp = rep.api.post(f"{V1}/opportunities", json={
        "name": unique("Deal"), "customer_id": floor["customer"]["id"], "amount": cny(399_800),
        "custom_fields": {"course_package": "lessons_48"},
        "lines": [{"sku": floor["product"]["sku"], "quantity": 2, "unit_price": cny(199_900)}]}, expect=201).json()
    problem(rep.api.post(f"{V1}/opportunities/{opp['id']}/orders"), 409, "conflict")
    for stage in ["proposal", "negotiation", "won"]:
        rep.api.post(f"{V1}/opportunities/{opp['id']}/stage", json={"stage": stage}, expect=200)
    made = rep.api.post(f"{V1}/opportunities/{opp['id']}/orders", expect=201).json()
    assert made["opportunity_id"] == opp["id"] and made["customer_id"] == floor["customer"]["id"] and made["owner_id"] == rep.id
    assert made["title"] == opp["name"] and made["total"] == cny(399_800) and [line["quantity"] for line in made["lines"]] == [2]
    again = problem(rep.api.post(f"{V1}/opportunities/{opp['id']}/orders", json={}), 409, "conflict")
    assert again["order_id"] == made["id"]
    forced = rep.api.post(f"{V1}/opportunities/{opp['id']}/orders", json={"force": True, "title": "Second term"}, expect=201).json()
    assert forced["title"] == "Second term"
    assert len(rep.api.get(f"{V1}/orders", params={"opportunity_id": opp["id"]}, expect=200).json()["data"]) == 2
    problem(floor["outsider"].api.post(f"{V1}/opportunities/{opp['id']}/orders"), 404, "not_found")
