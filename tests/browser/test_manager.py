"""The manager's pages: the source funnel (an accessible SVG chart and a table equal to the API's
numbers), lead turnover, the team's holding levels, and a handover through the wizard; in English,
in Chinese, and on a phone's width."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from conftest import Admin, Browser, Person


@dataclass
class Scene:
    tag: str
    team: dict
    manager: Person
    rep: Person
    colleague: Person
    pool: dict
    source: str
    leads: list[dict]


def _scene(admin: Admin) -> Scene:
    """A fresh team (its manager, a rep holding three leads of a new source, a colleague) and a pool."""
    tag = secrets.token_hex(3)
    team = admin.team(f"Team {tag}")
    manager = admin.user("manager", name=f"Manager {tag}", team=team)
    rep = admin.user("rep", name=f"Leaver {tag}", team=team)
    colleague = admin.user("rep", name=f"Colleague {tag}", team=team)
    pool = admin.pool(team, holding=5)
    source = f"src{tag}"
    leads = [admin.lead(f"Team lead {tag} {n}", pool=pool, owner=rep, source=source) for n in range(3)]
    admin.call("POST", f"/leads/{leads[0]['id']}/status", json={"status": "contacting"})
    return Scene(tag, team, manager, rep, colleague, pool, source, leads)


def _cells(row) -> list[str]:
    """A table row's numbers (each cell's first line: the count, not its share)."""
    return [cell.text.split("\n")[0].strip() for cell in row.find_elements(By.CSS_SELECTOR, "td")]


def test_a_manager_opens_the_funnel_page(browser, admin: Admin) -> None:
    scene = _scene(admin)
    tab: Browser = browser("en")
    tab.sign_in(scene.manager)
    tab.click("header a[href='/manage']")
    tab.click("nav.manage-tabs a[href='/manage/funnel']")
    assert tab.path == "/manage/funnel"
    chart = tab.find("svg.chart[role=img]")
    assert chart.get_attribute("aria-labelledby") == "funnel-chart-title funnel-chart-desc"
    title = tab.find("svg.chart title#funnel-chart-title").get_attribute("textContent")
    assert title == "Lead funnel: Total"
    assert tab.find("svg.chart desc#funnel-chart-desc").get_attribute("textContent").strip()
    hovers = [node.get_attribute("textContent") for node in tab.all("svg.chart rect.bar title")]
    assert "New: 3" in hovers and "Contacting: 1" in hovers, hovers

    # The table says the API's numbers for the team's source (the manager sees only the team's leads).
    report = admin.call("GET", "/analytics/lead-funnel").json()
    expected = next(row for row in report["rows"] if row["source"] == scene.source)
    rows = [row for row in tab.all("table.funnel tbody tr") if row.find_element(By.CSS_SELECTOR, "th").text == scene.source]
    assert len(rows) == 1, [row.text for row in tab.all("table.funnel tbody tr")]
    cells = _cells(rows[0])
    assert cells[0] == str(expected["created"]) == "3"
    assert cells[1:1 + len(expected["stages"])] == [str(stage["reached"]) for stage in expected["stages"]]
    assert cells[1 + len(expected["stages"])] == f"{expected['conversion_rate'] * 100:.1f}%"
    assert len(tab.all("table.funnel tbody tr")) == 1, "no other team's sources"

    # Filtered to the source: the chart is that source's funnel.
    tab.submit("form[action='/manage/funnel']", {"source": scene.source})
    assert tab.find("svg.chart title#funnel-chart-title").get_attribute("textContent") == f"Lead funnel: {scene.source}"


def test_a_manager_reads_turnover_and_holding_levels(browser, admin: Admin) -> None:
    scene = _scene(admin)
    tab = browser("en")
    tab.sign_in(scene.manager)
    tab.go("/manage/turnover")
    assert tab.find("svg.chart[role=img] title#turnover-chart-title").get_attribute("textContent") == "Lead turnover by Rep"
    report = admin.call("GET", "/analytics/lead-turnover", params={"group_by": "rep"}).json()
    expected = next(row for row in report["rows"] if row["group"] == scene.rep.id)
    rows = [row for row in tab.all("table.report tbody tr") if row.find_element(By.CSS_SELECTOR, "th").text == scene.rep.name]
    assert len(rows) == 1
    numbers = _cells(rows[0])[:5]
    assert numbers == [str(expected[key]) for key in ("leads_received", "claimed", "released", "reclaimed", "converted")]
    assert numbers[0] == "3"
    assert len(tab.all("table.report tbody tr")) == 1, "only the team's one rep with numbers"
    tab.submit("form[action='/manage/turnover']", {"group_by": "team"})
    assert [row.find_element(By.CSS_SELECTOR, "th").text for row in tab.all("table.report tbody tr")] == [scene.team["name"]]

    tab.go(f"/manage?pool={scene.pool['key']}")
    row = next(row for row in tab.all("table.holdings tbody tr") if scene.rep.name in row.text)
    assert "3 / 5" in row.text
    meter = row.find_element(By.CSS_SELECTOR, "svg.meter[role=img] title").get_attribute("textContent")
    assert meter == f"{scene.rep.name}: 3 / 5"
    names = " ".join(row.text for row in tab.all("table.holdings tbody tr"))
    assert scene.colleague.name in names and scene.manager.name in names


def test_a_manager_hands_over_a_leaver_through_the_wizard(browser, admin: Admin) -> None:
    scene = _scene(admin)
    tab = browser("en")
    tab.sign_in(scene.manager)
    tab.go("/manage/handover")
    tab.submit("form[role=search]", {"q": scene.rep.name})
    tab.find(f"input[name=user][value='{scene.rep.id}']").click()
    tab.click("form[action='/manage/handover/targets'] button[type=submit]")
    assert "3 leads, 3 open" in tab.text
    tab.shot()
    tab.find("#leads-to-users").click()
    Select(tab.find("#leads-users")).select_by_value(scene.colleague.id)
    tab.find("#customers-to-none").click()
    tab.click("form.handover-targets button[type=submit]")
    assert tab.path.startswith("/manage/handover/preview")
    share = next(row for row in tab.all("table tbody tr") if scene.colleague.name in row.text)
    assert _cells(share) == ["3", "3"]
    tab.find("#reason").send_keys("Moving to another city")
    tab.find("form.handover-confirm button[type=submit]").click()
    tab.driver.switch_to.alert.accept()  # the data-confirm question
    tab.shot()
    assert tab.path.startswith("/manage/handovers/hnd_"), tab.path
    assert "The handover is done." in tab.text and "3 moved" in tab.text
    assert all(lead["id"] in tab.text for lead in scene.leads)
    assert admin.call("GET", f"/users/{scene.rep.id}").json()["status"] == "disabled"
    moved = admin.call("GET", "/leads", params={"owner_id": scene.colleague.id}).json()["data"]
    assert sorted(lead["id"] for lead in moved) == sorted(lead["id"] for lead in scene.leads)


def test_the_team_pages_in_chinese_and_on_a_phone(browser, admin: Admin) -> None:
    scene = _scene(admin)
    tab = browser("zh-CN", width=390, height=844)
    tab.sign_in(scene.manager)
    for path, heading in (("/manage", "保有量"), ("/manage/turnover", "线索流转"), ("/manage/funnel", "来源漏斗"), ("/manage/handover", "离职交接"),
                          ("/manage/revenue", "业绩与回款")):
        tab.go(path)
        assert tab.find("h1").text == heading
        width = tab.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
    tab.go("/manage/funnel")
    assert tab.find("svg.chart title#funnel-chart-title").get_attribute("textContent") == "线索漏斗:合计"
    assert "新建" in tab.text and "转化率" in tab.text


def test_a_rep_is_refused_the_team_pages(browser, admin: Admin) -> None:
    scene = _scene(admin)
    tab = browser("en")
    tab.sign_in(scene.rep)
    assert not tab.all("header a[href='/manage']"), "a rep sees no Team link"
    tab.go("/manage/funnel")
    assert not tab.all("svg.chart")
    assert tab.find("h1").text == "You may not do that."
