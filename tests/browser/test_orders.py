"""The order, receivable and entitlement pages in a real browser: an administrator sets up a product
that grants lessons; a rep creates an order from the customer's page and submits it; the manager
approves it; the rep sets a three-instalment plan, records a payment, consumes some lessons, refunds
revoking the unconsumed ones and reads the totals; the collections list; and the pages at a
phone's width in Chinese, without sideways scrolling."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def _page_width_fits(tab: Browser) -> bool:
    return tab.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def _accept_confirmations(tab: Browser) -> None:
    """Answers the page's data-confirm questions with yes (as a person clicking OK would)."""
    tab.driver.execute_script("window.confirm = function () { return true; };")


def test_an_order_from_draft_to_refund(browser, admin: Admin) -> None:
    tag = secrets.token_hex(3).upper()
    sku = f"MATH-{tag}"
    admin.call("POST", "/products", json={"sku": sku, "name": f"Maths 48 {tag}", "unit": "package",
                                          "prices": [{"currency": "CNY", "amount_minor": 240_000}],
                                          "grant": {"unit": "lesson", "quantity": 48, "validity_months": 12}})
    team = admin.team()
    rep = admin.user("rep", team=team)
    manager = admin.user("manager", team=team)
    customer = admin.call("POST", "/customers", json={"kind": "person", "name": f"Zhou {tag}", "owner_id": rep.id}).json()["customer"]

    # The rep: a new order from the customer's page, then submitted for approval.
    tab: Browser = browser("en")
    tab.sign_in(rep)
    tab.go(f"/customers/{customer['id']}")
    tab.click(f"a[href='/orders/new?customer={customer['id']}']")
    assert f"Zhou {tag}" in tab.text
    tab.submit("#new-order", {"title": f"Maths year {tag}", "lines": f"{sku} 1"})
    assert "Order created." in tab.text and tab.path.startswith("/orders/ord_"), tab.path
    order_path = tab.path.split("?")[0]
    assert "Draft" in tab.find("h1").text and "¥2,400.00" in tab.text
    tab.submit("#act-submit")
    assert "Submitted for approval." in tab.text and "Pending approval" in tab.find("h1").text
    assert not tab.all("#act-approve"), "the owner is not offered the approval"

    # The manager approves: the order is signed and effective, its lessons granted.
    boss: Browser = browser("en")
    boss.sign_in(manager)
    boss.go("/orders")
    boss.click(f"a[href='{order_path}']")
    boss.submit("#act-approve")
    assert "Approved" in boss.text and "Effective" in boss.find("h1").text
    assert "48 lessons" in boss.find("section[aria-labelledby=order-entitlements]").text

    # The rep: a plan of three instalments, then a payment.
    tab.go(order_path)
    tab.submit("#plan-even", {"count": "3", "interval_months": "1"})
    assert "Payment plan saved." in tab.text
    assert len(tab.all("table.installments tbody tr")) == 3
    assert "¥800.00" in tab.find("table.installments").text
    tab.submit("#record-payment", {"amount": "800.00", "method": "wechat_pay", "reference": f"WX-{tag}"})
    assert "Payment recorded." in tab.text
    assert "Paid" in tab.find("table.installments tbody tr:first-child").text
    body = admin.call("GET", f"/orders/{order_path.rsplit('/', 1)[1]}/receivables").json()
    assert body["collected_minor"] == 80_000, body

    # Some lessons consumed on the entitlement's page.
    tab.click("section[aria-labelledby=order-entitlements] a[href^='/entitlements/ent_']")
    entitlement_path = tab.path
    tab.submit("#consume", {"quantity": "3", "note": "Lesson 1–3"})
    assert "Consumed." in tab.text and "45 lessons" in tab.find("p.balance").text
    assert "Lesson 1–3" in tab.find("section[aria-labelledby=ent-history]").text

    # A refund revoking the unconsumed lessons: their value (2,400 × 45 ÷ 48 = 2,250) first cancels the 1,600 still
    # owed, and the other 650 is refunded; the totals tell it.
    tab.go(order_path)
    _accept_confirmations(tab)
    tab.submit("#refund", {"revoke_unconsumed": "1", "reason": "Moving to another city"})
    assert "Refund recorded." in tab.text, tab.text[:800]
    refunds = tab.find("table.refunds").text
    assert "Moving to another city" in refunds and "¥650.00" in refunds
    cancelled = tab.find("table.cancellations").text
    assert "¥1,600.00" in cancelled and f"{sku}: 45 lessons" in cancelled
    totals = {t.find_element("css selector", "dt").text: t.find_element("css selector", "dd").text for t in tab.all("dl.books-totals .total")}
    assert totals["Received"] == "¥800.00" and totals["Refunded"] == "¥650.00" and totals["Collected"] == "¥150.00", totals
    assert totals["Outstanding"] == "¥0.00", totals
    assert "Revoked" in tab.find("section[aria-labelledby=order-entitlements]").text
    tab.go(entitlement_path)
    assert "Revoked" in tab.find("h1").text and "0 lessons" in tab.find("p.balance").text

    # Invoices: one issued.
    tab.go(order_path)
    tab.submit("#issue-invoice", {"number": f"INV-{tag}", "amount": "150.00"})
    assert "Invoice issued." in tab.text and f"INV-{tag}" in tab.find("ul.invoices").text

    # The collections list, and the manager's overdue link.
    tab.go("/receivables?status=all")
    assert f"Maths year {tag}" in tab.text
    boss.go("/manage")
    assert boss.find("a[href='/receivables?status=overdue']").text.startswith("Overdue payments")

    # A phone, in Chinese: the pages fit the width.
    phone: Browser = browser("zh-CN", width=390, height=844)
    phone.sign_in(rep)
    for path in ["/orders", order_path, "/receivables?status=all", "/entitlements", entitlement_path, f"/customers/{customer['id']}"]:
        phone.go(path)
        assert _page_width_fits(phone), f"{path} scrolls sideways on a phone"
    phone.go(order_path)
    assert "回款" in phone.text and "分期" in phone.text and "退款" in phone.text and "发票" in phone.text
    phone.go("/orders")
    assert "订单" in phone.find("h1").text and f"Maths year {tag}" in phone.text
