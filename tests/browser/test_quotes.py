"""The printable quote in the browser: seller, customer, lines, policies and totals in English and
Chinese, no sideways scrolling on a phone, and the print rules (no navigation on paper)."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def test_the_quote_prints_cleanly_in_both_languages(admin: Admin, browser) -> None:
    team = admin.team()
    rep = admin.user("rep", name="Rita Quote", team=team)
    sku = f"Q{secrets.token_hex(3).upper()}-COURSE"
    admin.call("POST", "/products", json={"sku": sku, "name": "48 lessons <b>maths</b>", "unit": "lesson",
                                          "prices": [{"currency": "CNY", "amount_minor": 480000}]})
    customer = admin.call("POST", "/customers", json={"kind": "person", "name": "王小明 <script>x</script>", "owner_id": rep.id}).json()["customer"]
    opp = admin.call("POST", "/opportunities", json={"name": "Maths year", "customer_id": customer["id"], "owner_id": rep.id}).json()
    quote = admin.call("POST", f"/opportunities/{opp['id']}/quotes", json={
        "name": "Maths year offer", "currency": "CNY", "notes": "Payment within 7 days of acceptance.",
        "lines": [{"sku": sku, "quantity": 2, "discount": {"basis_points": 500}}]}).json()
    admin.call("POST", f"/quotes/{quote['id']}/submit")
    admin.call("POST", f"/quotes/{quote['id']}/send")

    tab: Browser = browser("en")
    tab.sign_in(rep)
    tab.go(f"/quotes/{quote['id']}/print")
    text = tab.text
    assert "Maths year offer" in text and "王小明 <script>x</script>" in text and "48 lessons <b>maths</b>" in text
    assert "Rita Quote" in text and "Valid until" in text and "Sent" in text and quote["total"]["amount_minor"] == 912000
    assert "¥9,120.00" in text and "¥9,600.00" in text
    # On paper: no navigation, no hint; the quote itself stays.
    tab.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert tab.driver.execute_script("return getComputedStyle(document.querySelector('header.bar')).display") == "none"
    assert tab.driver.execute_script("return getComputedStyle(document.querySelector('.screen-only')).display") == "none"
    assert tab.find(".quote-lines").is_displayed()
    tab.shot()
    tab.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    phone: Browser = browser("zh-CN", width=390, height=844)
    phone.sign_in(rep)
    phone.go(f"/quotes/{quote['id']}/print")
    assert "报价单" in phone.text and "应付金额" in phone.text and "有效期至" in phone.text
    assert phone.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
