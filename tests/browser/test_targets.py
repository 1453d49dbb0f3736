"""Targets in the browser: a manager fills in the month's target sheet in one form; a rep logs a
call from the workbench and sees their attainment gauge and leaderboard position there, on
/performance and on /leaderboard; the manager's team view flags the rep who has gone quiet; the
sheet in Chinese; the pages fit a phone."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def fits(tab: Browser, paths: list[str]) -> None:
    for path in paths:
        tab.go(path)
        overflow = tab.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_a_manager_sets_targets_and_a_rep_sees_their_standing(browser, admin: Admin) -> None:
    tag = secrets.token_hex(3)
    team = admin.team(f"Browser Targets {tag}")
    manager = admin.user("manager", name=f"Mia Manager {tag}", team=team)
    rep = admin.user("rep", name=f"Ann <b>Rank</b> {tag}", team=team)
    quiet = admin.user("rep", name=f"Quinn Quiet {tag}", team=team)
    admin.lead(f"Target lead {tag}", owner=rep)
    month = admin.call("GET", "/performance").json()["period"]

    # The manager fills in the sheet: two of the rep's cells and the team's calls, in one submit.
    boss: Browser = browser("en")
    boss.sign_in(manager)
    boss.nav("/performance")
    assert boss.find("h1").text == "My performance"
    boss.click("section.team-view a[href^='/performance/targets']")
    assert boss.find("h1").text == "Target sheet"
    rows = [row.find_element("css selector", "th").text for row in boss.all("table.target-sheet tbody tr")]
    assert rows[0] == team["name"] and f"Ann <b>Rank</b> {tag}" in rows and f"Quinn Quiet {tag}" in rows, rows
    boss.submit("form.target-sheet", {f"t:{rep.id}:calls": "2", f"t:{rep.id}:won_revenue": "50,000", f"t:{team['id']}:calls": "lots"})
    assert "Nothing was saved" in boss.text and "not an amount" in boss.text
    assert admin.call("GET", "/targets", params={"month": month, "team_id": team["id"]}).json()["data"] == []
    boss.submit("form.target-sheet", {f"t:{team['id']}:calls": "5"})
    assert boss.find("[role=status]").text == "Targets saved.", boss.text[:400]
    assert boss.find(f"input[name='t:{rep.id}:won_revenue']").get_attribute("value") == "50000.00"
    saved = admin.call("GET", "/targets", params={"month": month, "team_id": team["id"]}).json()["data"]
    assert sorted((t["metric"], t["amount"]) for t in saved) == [("calls", 2), ("calls", 5), ("won_revenue", 5_000_000)]

    # The rep logs a call from the workbench; the cards show half of the calls target and the rank.
    tab: Browser = browser("en")
    tab.sign_in(rep)
    tab.submit("section[aria-labelledby=waiting] form.quick")
    assert tab.path.startswith("/workbench"), tab.path
    card = tab.find("section[aria-labelledby=wb-attainment]")
    assert "Calls: 1 / 2" in card.text and "50.0%" in card.text, card.text
    assert card.find_elements("css selector", "svg.meter"), "the gauge is drawn"
    assert "No. 1 of 2" in tab.find("section[aria-labelledby=wb-rank]").text
    tab.nav("/performance")
    assert "50.0%" in tab.find("section[aria-labelledby=mine-title]").text and "Team view" not in tab.text
    tab.go("/leaderboard?metric=calls")
    first = tab.find("table.leaderboard tbody tr")
    assert f"Ann <b>Rank</b> {tag}" in first.text and "mine" in first.get_attribute("class")
    assert "My rank: 1" in tab.text

    # The manager's team view: the quiet rep is flagged (and so, this late in the month, is the rep behind pace).
    boss.go(f"/performance?period={month}")
    view = boss.find("section.team-view")
    flagged = [row.find_element("css selector", "th").text for row in view.find_elements("css selector", "tbody tr.flagged")]
    assert f"Quinn Quiet {tag}" in flagged and "Quiet 7+ days" in view.text, view.text
    assert [row.find_element("css selector", "th").text for row in view.find_elements("css selector", "tbody tr")][:len(flagged)] == flagged

    # In Chinese.
    chinese: Browser = browser("zh-CN")
    chinese.sign_in(manager)
    chinese.go("/performance/targets")
    assert chinese.find("h1").text == "目标表" and "保存目标" in chinese.text
    chinese.go("/performance")
    assert "团队预警" in chinese.text

    # On a phone the pages fit the width (the sheet scrolls inside its own frame).
    phone: Browser = browser("en", width=390, height=844)
    phone.sign_in(rep)
    fits(phone, ["/workbench", "/performance", "/leaderboard?metric=calls"])
    boss_phone: Browser = browser("zh-CN", width=390, height=844)
    boss_phone.sign_in(manager)
    fits(boss_phone, ["/performance/targets", "/performance", "/workbench"])
