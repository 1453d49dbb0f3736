"""The pipeline analytics pages in a real browser: opportunities seeded through the API (created,
moved along the stages, won and lost), then the report, the forecast and the planner as the team's
manager in English, and as the rep in Chinese on a phone — the funnel chart and the tables show the
team's counts and nothing of another team's, the planner's form computes the reverse funnel and
names the rate it lacks."""

from __future__ import annotations

import datetime
import secrets

from conftest import Admin, Browser


def _fits(tab: Browser) -> bool:
    return tab.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def _deal(admin: Admin, owner, name: str, minor: int, source: str, close: str | None = None) -> str:
    customer = admin.call("POST", "/customers", json={"kind": "person", "name": f"Buyer {name}", "owner_id": owner.id}).json()["customer"]
    body = {"name": name, "customer_id": customer["id"], "owner_id": owner.id, "amount": {"amount_minor": minor, "currency": "CNY"},
            "source": source, "custom_fields": {"course_package": "lessons_48"}}
    if close:
        body["expected_close_date"] = close
    return admin.call("POST", "/opportunities", json=body).json()["id"]


def _move(admin: Admin, deal: str, *stages: str) -> None:
    for stage in stages:
        body = {"stage": stage, **({"loss_reason": "price"} if stage == "lost" else {})}
        admin.call("POST", f"/opportunities/{deal}/stage", json=body)


def _card(tab: Browser, label: str) -> str:
    """The value of the summary card called `label`."""
    for card in tab.all(".an-card"):
        if card.find_element("css selector", "h3").text.strip() == label:
            return card.find_element("css selector", ".an-value").text.strip()
    raise AssertionError(f"no card {label!r} in {[c.text for c in tab.all('.an-card')]}")


def _rows(tab: Browser, table: str) -> dict[str, list[str]]:
    """A table's body rows: the row header's text → the cells' texts."""
    rows = {}
    for row in tab.all(f"{table} tbody tr"):
        heads = row.find_elements("css selector", "th")
        if heads:
            rows[heads[0].text.strip()] = [cell.text.strip() for cell in row.find_elements("css selector", "td")]
    return rows


def test_a_manager_and_a_rep_read_the_pipeline_forecast_and_plan(browser, admin: Admin) -> None:
    tag = secrets.token_hex(3)
    team = admin.team(f"Analytics {tag}")
    manager = admin.user("manager", name=f"Manager {tag}", team=team)
    rep = admin.user("rep", name=f"Rep <b>{tag}</b>", team=team)
    outsider = admin.user("rep", name=f"Outsider {tag}", team=admin.team())
    close = (datetime.date.today() + datetime.timedelta(days=45)).isoformat()

    # The rep: A won (¥10,000), B lost (¥5,000), C in proposal (¥20,000), D new (¥3,000, closing in 45 days).
    a = _deal(admin, rep, f"A {tag}", 1_000_000, "referral")
    b = _deal(admin, rep, f"B {tag}", 500_000, "ads")
    c = _deal(admin, rep, f"C {tag}", 2_000_000, "referral")
    _deal(admin, rep, f"D {tag}", 300_000, "直播渠道", close=close)
    _move(admin, a, "proposal", "negotiation", "won")
    _move(admin, b, "lost")
    _move(admin, c, "proposal")
    # Another team's secret deal, won.
    secret = _deal(admin, outsider, f"SECRET {tag}", 99_000_000, f"secret-source-{tag}")
    _move(admin, secret, "proposal", "negotiation", "won")
    # Six leads of the rep: 4 opportunities from 6 leads.
    for index in range(6):
        admin.lead(f"Lead {tag} {index}", owner=rep)

    # The manager, in English: the team's numbers.
    tab: Browser = browser("en")
    tab.sign_in(manager)
    tab.go("/opportunities")
    tab.click("a[href='/analytics/pipeline?pipeline=new_sale']")
    assert tab.find("h1").text == "Pipeline analytics"
    assert _card(tab, "Open") == "2" and _card(tab, "Won") == "1" and _card(tab, "Lost") == "1"
    assert _card(tab, "Win rate") == "50.0%" and _card(tab, "Won revenue") == "¥10,000.00"
    assert _card(tab, "Weighted pipeline") == "¥8,300.00"  # C × 40 % + D × 10 %
    funnel = tab.find("svg[aria-labelledby^='pipeline-funnel']")
    assert "Stage funnel" in funnel.find_element("css selector", "title").get_attribute("textContent")
    stages = _rows(tab, "#an-stage-table")
    assert stages["Needs analysis Open"][:2] == ["1", "4"], stages  # in stage now, ever reached
    assert stages["Proposal Open"][:3] == ["1", "2", "50.0%"], stages
    assert stages["Won Won"][:2] == ["1", "1"] and stages["Lost Lost"][:2] == ["1", "1"], stages
    assert f"SECRET {tag}" not in tab.source and f"secret-source-{tag}" not in tab.source and "990,000" not in tab.text

    # Grouped by owner and by source: the rep's name (with markup) is text.
    tab.submit("#an-filters", {"group_by": "owner"})
    owners = _rows(tab, "#an-group-table")
    assert owners[f"Rep <b>{tag}</b>"][0] == "4", owners
    assert f"Outsider {tag}" not in tab.text
    assert tab.find("svg[aria-labelledby^='pipeline-groups']")
    tab.submit("#an-filters", {"group_by": "source"})
    sources = _rows(tab, "#an-group-table")
    assert sources["referral"][0] == "2" and sources["直播渠道"][0] == "1" and f"secret-source-{tag}" not in sources, sources
    assert "group_by=source" in tab.path, "the report is its address"

    # The forecast: the open pipeline by expected close month, and a back-test as of yesterday.
    tab.click("nav.manage-tabs a[href^='/analytics/forecast']")
    months = tab.find("#an-month-table").text
    assert "No close date" in months and "¥20,000.00" in months and "¥8,000.00" in months and "¥300.00" in months, months
    assert "¥1,500.00" in months, "D's ¥3,000 at the needs-analysis stage's historical rate: 1 won of 2 closed"
    assert tab.find("svg[aria-labelledby^='forecast-months']") and tab.find("svg[aria-labelledby^='forecast-stages']")
    totals = _rows(tab, "#an-totals-table")
    assert totals["CNY"][:2] == ["¥23,000.00", "¥8,300.00"], totals
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    tab.driver.execute_script("document.getElementById('an-as-of').value = arguments[0]", yesterday)
    tab.find("#an-filters button[type=submit]").click()
    tab.shot()
    assert "Back-test:" in tab.text and "as_of=" in tab.path
    assert "No open opportunity with an amount on that date." in tab.text, "everything was created today"
    assert f"SECRET {tag}" not in tab.source

    # The rep, in Chinese on a phone: the same numbers (their own), no sideways scrolling.
    phone: Browser = browser("zh-CN", width=390, height=844)
    phone.sign_in(rep)
    phone.go("/workbench")
    phone.nav("/analytics/pipeline")
    assert phone.find("h1").text == "销售漏斗分析" and "销售漏斗" in phone.text
    assert _card(phone, "赢单率") == "50.0%" and _card(phone, "赢单") == "1" and _card(phone, "进行中") == "2"
    assert _card(phone, "加权预测") == "¥8,300.00"
    assert phone.find("svg[aria-labelledby^='pipeline-funnel']").is_displayed()
    assert _fits(phone), "the report scrolls sideways on a phone"
    assert f"SECRET {tag}" not in phone.source and "name=\"owner\"" not in phone.source

    phone.click("nav.manage-tabs a[href^='/analytics/forecast']")
    assert "加权预测" in phone.text and _fits(phone)

    # The planner: ¥100,000 at the rep's rates → 10 deals (¥10,000 each), 20 opportunities (won 1 of 2),
    # 30 leads (4 opportunities from 6 leads); no visits logged, so the visits are unknown and said so.
    phone.click("nav.manage-tabs a[href^='/analytics/planner']")
    assert phone.find("h1").text == "目标倒推"
    phone.submit("#an-filters", {"target": "100,000", "target_currency": "CNY"})
    assert "要达成 ¥100,000.00" in phone.text
    figures = {key: phone.find(f".an-need-{key} .an-value").text for key in ("won_deals", "opportunities", "leads", "visits")}
    assert figures == {"won_deals": "10", "opportunities": "20", "leads": "30", "visits": "未知"}, figures
    assert "拜访" in phone.find(".an-missing-rates").text
    assert phone.find("svg[aria-labelledby^='planner-funnel']").is_displayed()
    assert _fits(phone), "the planner scrolls sideways on a phone"

    # A bad target is a form error, not a failure.
    phone.submit("#an-filters", {"target": "-5"})
    assert phone.find("#an-errors").text and phone.find("#an-target").get_attribute("aria-invalid") == "true"
    assert "收入目标" in phone.find("#an-errors").text
