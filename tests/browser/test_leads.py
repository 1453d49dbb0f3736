"""The leads pages in a real browser: filter the list, save a view and use it, open a lead, log a
call, change the status through a guard's field (refused first, then done), convert a lead and land
on the customer's page; in English and once in Chinese; and the pages fit a phone."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def _accept_confirmations(tab: Browser) -> None:
    """Answers the page's data-confirm questions with yes (as a person clicking OK would)."""
    tab.driver.execute_script("window.confirm = function () { return true; };")


def _qualified_lead(admin: Admin, name: str, owner) -> dict:
    lead = admin.lead(name, owner=owner)
    admin.call("POST", f"/leads/{lead['id']}/status", json={"status": "contacting"})
    admin.call("PATCH", f"/leads/{lead['id']}", json={"custom_fields": {"grade": "adult", "subject_interest": ["math"]}},
               headers={"If-Match": "*"})
    admin.call("POST", f"/leads/{lead['id']}/status", json={"status": "qualified"})
    return lead


def test_a_rep_filters_saves_a_view_works_a_lead_and_converts_it(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    tag = secrets.token_hex(3)
    alpha = admin.lead(f"Alpha {tag}", owner=rep)
    admin.lead(f"Beta {tag}", owner=rep)
    tab: Browser = browser("en")
    tab.sign_in(rep)

    # Filter the list, save the filters as a view, and open it again from its tab.
    tab.go("/leads")
    assert f"Alpha {tag}" in tab.text and f"Beta {tag}" in tab.text
    tab.submit("form[role=search]", {"q": f"Alpha {tag}"})
    assert f"Alpha {tag}" in tab.text and f"Beta {tag}" not in tab.text
    tab.submit("form.save-view", {"name": f"Alpha view {tag}"})
    assert "View saved." in tab.text
    assert tab.find("nav.views a[aria-current=page]").text == f"Alpha view {tag}"
    tab.go("/leads")
    assert f"Beta {tag}" in tab.text
    link = next(a for a in tab.all("nav.views a") if a.text == f"Alpha view {tag}")
    link.click()
    tab.shot()
    assert f"Alpha {tag}" in tab.text and f"Beta {tag}" not in tab.text

    # Open the lead and log a call.
    tab.click(f"a[href='/leads/{alpha['id']}']")
    assert tab.find("h1").text.startswith(f"Alpha {tag}")
    tab.submit("#follow-up", {"type": "call", "outcome": "connected", "subject": "First call", "body": "Wants a trial class\nafter school"})
    assert "Follow-up logged." in tab.text
    assert "Call · First call · Connected" in tab.text and "after school" in tab.text

    # Change the status: contacting, then qualified, whose guards ask for the grade and subjects.
    tab.submit("#move-contacting")
    assert "Status changed." in tab.text
    tab.submit("#move-qualified")
    assert tab.find("#move-qualified [role=alert]").text, "the refusal is shown on the form"
    assert "Grade is required." in tab.text and tab.find("#guard-qualified-grade").get_attribute("aria-invalid") == "true"
    tab.submit("#move-qualified", {"custom_fields.grade": "adult", "custom_fields.subject_interest": "chinese"})
    assert "Status changed." in tab.text and "Qualified" in tab.find("h1").text

    # Convert: the customer's page, with the notice.
    _accept_confirmations(tab)
    tab.click("#convert button[type=submit]")
    assert tab.path.startswith("/customers/cus_"), tab.path
    assert "Converted" in tab.text and f"Alpha {tag}" in tab.text
    lead = admin.call("GET", f"/leads/{alpha['id']}").json()
    assert lead["status"] == "converted" and tab.path.split("?")[0].endswith(lead["converted_customer_id"])


def test_in_chinese_a_guard_field_and_a_conversion(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    tag = secrets.token_hex(3)
    doubtful = admin.lead(f"王 {tag}", owner=rep)
    ready = _qualified_lead(admin, f"李 {tag}", rep)
    tab = browser("zh-CN")
    tab.sign_in(rep)
    tab.go("/leads")
    assert tab.find("h1").text == "我的线索"
    tab.submit("form[role=search]", {"status": "qualified"})
    assert f"李 {tag}" in tab.text and f"王 {tag}" not in tab.text

    # A call, then "invalid" without its reason (refused, in Chinese), then with it.
    tab.go(f"/leads/{doubtful['id']}")
    tab.submit("#follow-up", {"type": "call", "outcome": "no_answer"})
    assert "跟进已记录" in tab.text and "电话 · 无人接听" in tab.text
    tab.submit("#move-invalid")
    assert "无效原因" in tab.find("#move-invalid").text and tab.find("#move-invalid .field-error").text
    tab.submit("#move-invalid", {"custom_fields.invalid_reason": "wrong_number", "reason": "空号"})
    assert "状态已变更" in tab.text and "无效" in tab.find("h1").text and "号码错误" in tab.text

    # Convert the qualified one.
    tab.go(f"/leads/{ready['id']}")
    _accept_confirmations(tab)
    tab.click("#convert button[type=submit]")
    assert tab.path.startswith("/customers/cus_"), tab.path
    assert "转化成功" in tab.text


def test_the_leads_pages_fit_a_phone(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    lead = admin.lead(f"Phone {secrets.token_hex(3)} with a rather long name for a small screen", owner=rep)
    tab = browser("en", width=390, height=844)
    tab.sign_in(rep)
    for path in ("/leads", f"/leads/{lead['id']}"):
        tab.go(path)
        width = tab.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
    assert tab.all("#follow-up select[name=type]"), "the follow-up form is there on a phone"
    assert tab.find("h1").text.startswith("Phone")
