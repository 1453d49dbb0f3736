"""Receivables end to end on the real server, every response checked against the OpenAPI
document: a payment plan (even split, replaced with If-Match), payments spread over instalments,
refusals that change nothing, a refund after partial consumption that revokes exactly the
unconsumed entitlement and reverses the payments, invoices, the collections list, and scope."""

from __future__ import annotations

from contract import Api, field_codes, problem
from test_customers import V1
from test_entitlements import effective_order
from test_orders import cny, sales_floor


def test_plan_payments_refund_and_invoices(api: Api) -> None:
    floor = sales_floor(api)
    rep, manager, outsider = floor["rep"], floor["manager"], floor["outsider"]
    order = effective_order(floor, api)
    oid = order["id"]
    assert order["total"] == cny(389_800)
    empty = rep.api.get(f"{V1}/orders/{oid}/receivables", expect=200).json()
    assert empty["plan_version"] is None and empty["installments"] == [] and empty["outstanding_minor"] == 0
    today = empty["today"]
    problem(outsider.api.get(f"{V1}/orders/{oid}/receivables"), 404, "not_found")

    # The plan: an even split; a wrong total or a mixed body is refused.
    assert field_codes(problem(rep.api.request("PUT", f"{V1}/orders/{oid}/payment-plan", json={"installments": [{"due_date": today, "amount_minor": 1}]}),
                               422, "validation_failed")) == {"installments": "total_mismatch"}
    assert field_codes(problem(rep.api.request("PUT", f"{V1}/orders/{oid}/payment-plan", json={"count": 0, "first_due": "2026-02-30"}), 422,
                               "validation_failed")) == {"count": "out_of_range", "first_due": "invalid"}
    planned = rep.api.request("PUT", f"{V1}/orders/{oid}/payment-plan", json={"count": 2, "first_due": today}, expect=200)
    assert planned.headers["ETag"] == '"1"'
    assert [i["amount_minor"] for i in planned.json()["installments"]] == [194_900, 194_900]
    problem(rep.api.request("PUT", f"{V1}/orders/{oid}/payment-plan", json={"count": 3, "first_due": today}), 428, "precondition_required")

    # Payments: the earliest instalments first; more than is outstanding is refused.
    paid = rep.api.post(f"{V1}/orders/{oid}/payments", json={"amount": cny(200_000), "method": "bank_transfer", "reference": "B-1"}, expect=201).json()
    books = paid["receivables"]
    assert paid["payment"]["amount"] == cny(200_000) and paid["payment"]["received_on"] == today
    assert [i["status"] for i in books["installments"]] == ["paid", "partially_paid"] and books["outstanding_minor"] == 189_800
    assert field_codes(problem(rep.api.post(f"{V1}/orders/{oid}/payments", json={"amount": cny(189_801)}), 422, "validation_failed")) == {
        "amount_minor": "exceeds_outstanding"}
    assert field_codes(problem(rep.api.post(f"{V1}/orders/{oid}/payments", json={"amount": {"amount_minor": 5, "currency": "USD"}, "method": "gold"}),
                               422, "validation_failed")) == {"method": "invalid", "amount.currency": "currency_mismatch"}
    problem(outsider.api.post(f"{V1}/orders/{oid}/payments", json={"amount": cny(1)}), 404, "not_found")

    # The plan replaced with If-Match keeps what was received.
    replaced = manager.api.request("PUT", f"{V1}/orders/{oid}/payment-plan", headers={"If-Match": '"1"'}, json={"count": 3, "first_due": today}, expect=200).json()
    assert replaced["plan_version"] == 2 and replaced["collected_minor"] == 200_000 and replaced["installments"][0]["status"] == "paid"
    problem(manager.api.request("PUT", f"{V1}/orders/{oid}/payment-plan", headers={"If-Match": '"1"'}, json={"count": 3, "first_due": today}), 412,
            "precondition_failed")

    # 16 of 96 lessons used on an order half paid, then a refund of the rest: the 80 unconsumed lessons revoked;
    # their value (389 800 × 80 ÷ 96 = 324 833.33, rounded down) first cancels the 189 800 still owed, and the
    # other 135 033 is returned from the payment.
    ent = rep.api.get(f"{V1}/entitlements", params={"order_id": oid}, expect=200).json()["data"][0]
    rep.api.post(f"{V1}/entitlements/{ent['id']}/consume", json={"quantity": 16, "idempotency_key": "used-16"}, expect=201)
    assert field_codes(problem(rep.api.post(f"{V1}/orders/{oid}/refunds", json={"reason": "Moving away", "revoke_unconsumed": True,
                                                                                "amount": cny(200_001)}),
                               422, "validation_failed")) == {"amount": "exceeds_refundable"}
    assert rep.api.get(f"{V1}/entitlements/{ent['id']}", expect=200).json()["balance"] == 80  # nothing changed
    refunded = rep.api.post(f"{V1}/orders/{oid}/refunds", json={"reason": "Moving away", "revoke_unconsumed": True}, expect=201).json()
    assert refunded["cancellation"]["amount"] == cny(189_800)
    assert refunded["cancellation"]["revoked"] == [{"entitlement_id": ent["id"], "order_line_id": order["lines"][0]["id"], "quantity": 80}]
    assert [r["amount"]["amount_minor"] for r in refunded["refunds"]] == [135_033] and refunded["refunds"][0]["revoked"] == []
    books = refunded["receivables"]
    assert books["received_minor"] - books["refunded_minor"] == books["collected_minor"] == 64_967
    assert books["cancelled_minor"] == 324_833 and books["outstanding_minor"] == 0
    revoked = rep.api.get(f"{V1}/entitlements/{ent['id']}", expect=200).json()
    assert revoked["status"] == "revoked" and revoked["consumed"] == 16 and revoked["balance"] == 0
    problem(rep.api.post(f"{V1}/orders/{oid}/refunds", json={"reason": "Again", "revoke_unconsumed": True}), 409, "conflict")
    first_payment = books["payments"][0]["id"]
    partial = rep.api.post(f"{V1}/orders/{oid}/refunds", json={"reason": "Goodwill", "payment_id": first_payment, "amount": cny(1_000),
                                                               "cancels_due": False}, expect=201).json()
    assert partial["receivables"]["outstanding_minor"] == 1_000 and partial["refunds"][0]["cancels_due"] is False

    # Invoices: unique numbers, never beyond what is owed in all; voided with a reason.
    number = f"INV-{oid[-8:]}"
    invoice = rep.api.post(f"{V1}/orders/{oid}/invoices", json={"number": number, "amount": cny(64_967), "buyer_name": "Parent", "tax_id": "91310000X"},
                           expect=201).json()
    assert invoice["status"] == "issued" and invoice["issued_on"] == today
    problem(rep.api.post(f"{V1}/orders/{oid}/invoices", json={"number": number, "amount": cny(1), "buyer_name": "Parent"}), 409, "duplicate")
    assert field_codes(problem(rep.api.post(f"{V1}/orders/{oid}/invoices", json={"number": number + "-2", "amount": cny(1), "buyer_name": "Parent"}),
                               422, "validation_failed")) == {"amount.amount_minor": "exceeds_invoiceable"}
    voided = manager.api.post(f"{V1}/invoices/{invoice['id']}/void", json={"reason": "Wrong buyer"}, expect=200).json()
    assert voided["status"] == "void" and voided["void_reason"] == "Wrong buyer"
    problem(manager.api.post(f"{V1}/invoices/{invoice['id']}/void", json={"reason": "Again"}), 409, "conflict")
    problem(outsider.api.post(f"{V1}/invoices/{invoice['id']}/void", json={"reason": "Mine"}), 404, "not_found")

    # The collections list: in scope only; the reopened part is still to collect.
    rows = manager.api.get(f"{V1}/receivables", params={"status": "all", "customer_id": floor["customer"]["id"]}, expect=200).json()["data"]
    assert [row["number"] for row in rows] == [1, 2, 3] and all(row["order_id"] == oid for row in rows)
    open_rows = rep.api.get(f"{V1}/receivables", params={"customer_id": floor["customer"]["id"]}, expect=200).json()["data"]
    assert sum(row["outstanding_minor"] for row in open_rows) == 1_000
    assert rep.api.get(f"{V1}/receivables", params={"status": "overdue", "customer_id": floor["customer"]["id"]}, expect=200).json()["data"] == []
    assert outsider.api.get(f"{V1}/receivables", params={"status": "all"}, expect=200).json()["data"] == []
    assert field_codes(problem(rep.api.get(f"{V1}/receivables", params={"status": "late", "due_before": "x"}), 422, "validation_failed")) == {
        "status": "invalid", "due_before": "invalid"}

    # What is owed again written off (减免) with no money moving; never more than is owed, never outside scope.
    assert field_codes(problem(rep.api.post(f"{V1}/orders/{oid}/cancellations", json={"reason": "Goodwill", "amount": cny(1_001)}),
                               422, "validation_failed")) == {"amount_minor": "exceeds_outstanding"}
    problem(outsider.api.post(f"{V1}/orders/{oid}/cancellations", json={"reason": "Mine", "amount": cny(1)}), 404, "not_found")
    written = rep.api.post(f"{V1}/orders/{oid}/cancellations", json={"reason": "Goodwill", "amount": cny(1_000)}, expect=201).json()
    assert written["cancellation"]["amount"] == cny(1_000) and written["receivables"]["outstanding_minor"] == 0
    assert len(written["receivables"]["cancellations"]) == 2
    # The revenue and collections report adds up to the order's books, in scope only.
    books = rep.api.get(f"{V1}/orders/{oid}/receivables", expect=200).json()
    report = manager.api.get(f"{V1}/analytics/revenue", params={"from": today, "to": today}, expect=200).json()  # the manager's team: this order
    assert report["interval"] == "month" and report["first_day"] == today == report["last_day"]
    [cny_total] = report["totals"]
    assert cny_total["currency"] == "CNY" and cny_total["booked"] == {"count": 1, "amount_minor": 389_800}
    assert cny_total["received"]["amount_minor"] == books["received_minor"] and cny_total["collected_minor"] == books["collected_minor"]
    assert cny_total["refunded"]["amount_minor"] + cny_total["cancelled"]["amount_minor"] == books["cancelled_minor"] + books["refunded_minor"] - \
        sum(r["amount"]["amount_minor"] for r in books["refunds"] if r["cancels_due"])
    assert outsider.api.get(f"{V1}/analytics/revenue", params={"from": today, "to": today}, expect=200).json()["totals"] == []
    assert field_codes(problem(rep.api.get(f"{V1}/analytics/revenue", params={"interval": "year", "time_zone": "Mars/Base"}), 422,
                               "validation_failed")) == {"interval": "invalid", "time_zone": "invalid"}
    for action in ("payment_plan.created", "payment_plan.replaced", "payment.recorded", "refund.recorded", "dues.cancelled", "invoice.issued",
                   "invoice.voided"):
        entries = api.get(f"{V1}/audit", params={"action": action, "limit": 500}, expect=200).json()["data"]
        assert any(entry["object_id"] == oid for entry in entries), action
