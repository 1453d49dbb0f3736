"""A quote from start to order in a real browser: a rep on a phone (390 px) creates a quote with a big
discount from an opportunity's page, sees it priced with the sales policies and that it needs approval,
submits it; the manager (in Chinese, on a desktop) approves it in the approval inbox reached from the
workbench; the rep sends it, records the customer's acceptance and creates the order. No page of the
way scrolls sideways on the phone."""

from __future__ import annotations

import secrets

from selenium.webdriver.support.select import Select

from conftest import Admin, Browser


def _fits(tab: Browser) -> bool:
    return tab.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_rep_quotes_a_big_discount_the_manager_approves_and_it_becomes_an_order(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", name="Rita Quoter", team=team)
    manager = admin.user("manager", name="Mao Manager", team=team)
    tag = secrets.token_hex(3)
    sku = f"QF{tag.upper()}-48"
    admin.call("POST", "/products", json={"sku": sku, "name": f"48 lessons {tag}", "unit": "lesson",
                                          "prices": [{"currency": "CNY", "amount_minor": 480000}]})
    admin.call("PUT", "/settings/quotes", json={"approval_threshold_bp": 1500, "default_validity_days": 30})
    customer = admin.call("POST", "/customers", json={"kind": "person", "name": f"Parent {tag}", "owner_id": rep.id}).json()["customer"]
    opp = admin.call("POST", "/opportunities", json={"name": f"Maths year {tag}", "customer_id": customer["id"], "owner_id": rep.id}).json()

    # The rep, on a phone: from the opportunity's page to a new quote with 30 % off by hand.
    phone: Browser = browser("en", width=390, height=844)
    phone.sign_in(rep)
    phone.go(f"/opportunities/{opp['id']}")
    phone.click(f"a[href='/opportunities/{opp['id']}/quotes/new']")
    assert "New quote" in phone.find("h1").text and f"Parent {tag}" in phone.text and _fits(phone)
    Select(phone.find("#new-sku-1")).select_by_value(sku)
    phone.find("#new-qty-1").clear()
    phone.find("#new-qty-1").send_keys("2")
    phone.find("#new-discount-1").send_keys("30%")
    phone.submit("#new-quote")
    assert "Quote created and priced." in phone.text, phone.text[:800]
    assert phone.path.startswith("/quotes/quo_"), phone.path
    quote_id = phone.path.split("?")[0].rsplit("/", 1)[1]
    assert "¥9,600.00" in phone.text and "is above the approval threshold of 15.0%" in phone.text
    assert "Policies applied" in phone.text and "Policies not applied" in phone.text and _fits(phone)
    phone.submit("#submit")
    assert "Quote submitted." in phone.text and "Awaiting approval" in phone.find("h1").text
    assert "Waiting for approval by: Mao Manager" in phone.text and not phone.all("#decide")
    assert _fits(phone)

    # The manager, in Chinese: the inbox from the workbench; approve there with a comment.
    desk: Browser = browser("zh-CN")
    desk.sign_in(manager)
    desk.click("main a[href='/quotes/approvals']")
    assert "报价审批" in desk.find("h1").text and f"Maths year {tag}" in desk.text
    desk.submit(f"#approval-{quote_id} form", {"comment": "同意，下不为例"})
    assert "报价已批准。" in desk.text and desk.path.startswith("/quotes/approvals")
    assert quote_id not in desk.source
    desk.go(f"/quotes/{quote_id}")
    assert "已审批" in desk.find("h1").text and "同意，下不为例" in desk.text

    # The rep sends it, records the acceptance and creates the order.
    phone.go(f"/quotes/{quote_id}")
    assert "Approved" in phone.find("h1").text and "Mao Manager" in phone.text
    phone.submit("#send")
    assert "Quote marked as sent." in phone.text and "Sent" in phone.find("h1").text
    phone.submit("#accept")
    assert "The customer's acceptance is recorded." in phone.text and "Accepted" in phone.find("h1").text
    assert _fits(phone)
    phone.submit("#order")
    assert phone.path.startswith("/orders/ord_"), phone.path
    order_id = phone.path.split("?")[0].rsplit("/", 1)[1]
    order = admin.call("GET", f"/orders/{order_id}").json()
    quote = admin.call("GET", f"/quotes/{quote_id}").json()
    assert order["quote_id"] == quote_id and order["total"] == quote["total"] and order["status"] == "draft"
    assert quote["status"] == "accepted" and quote["approved_by"] == manager.id
    phone.go(f"/quotes/{quote_id}")
    assert phone.all(f"a[href='/orders/{order_id}']") and not phone.all("#order") and _fits(phone)

    # The list: the rep's quote, accepted; on the phone too.
    phone.go("/quotes?status=accepted")
    assert f"Maths year {tag}" in phone.text and _fits(phone)
