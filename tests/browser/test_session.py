"""Signing in and out in each language, the workbench, claiming from the pool and logging a call."""

from __future__ import annotations

import secrets

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import Admin, Browser


def test_sign_in_in_each_language_and_sign_out(browser, admin: Admin) -> None:
    rep = admin.user("rep")
    for language, workbench, sign_out in (("en", "Workbench", "Sign out"), ("zh-CN", "工作台", "退出")):
        tab: Browser = browser(language)
        tab.go("/workbench")
        assert tab.path.startswith("/login"), "a signed-out reader is sent to the sign-in page"
        assert tab.find("html").get_attribute("lang") == ("en" if language == "en" else "zh-Hans")
        before = tab.cookie("rapport_session")
        tab.sign_in(rep)
        assert tab.find("h1").text == workbench
        after = tab.cookie("rapport_session")
        assert after and after != before
        assert sign_out in tab.text
        tab.sign_out()
        tab.go("/workbench")
        assert tab.path.startswith("/login"), "the session ended with the sign-out"


def test_wrong_password_is_refused_in_the_readers_language(browser, admin: Admin) -> None:
    rep = admin.user("rep")
    tab = browser("zh-CN")
    tab.go("/login")
    tab.submit("form[action='/login']", {"email": rep.email, "password": "not-the-password"})
    assert tab.path.startswith("/login")
    assert tab.find("[role=alert]").text  # the refusal, worded in Chinese
    assert "邮箱" in tab.text


def test_a_rep_claims_from_the_pool_and_logs_a_call(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    pool = admin.pool(team)
    tag = secrets.token_hex(3)
    names = [f"Pool lead {tag} {n}" for n in range(3)]
    for name in names:
        admin.lead(name, pool=pool)
    tab = browser("en")
    tab.sign_in(rep)
    tab.go("/leads")
    tab.click(f"a[href='/pools/{pool['key']}']")
    assert "You hold 0 of 20" in tab.text and "50 claims left today" in tab.text
    row = next(r for r in tab.all("tbody tr") if names[0] in r.text)
    row.find_element("css selector", "input[type=checkbox]").click()
    tab.click(f"form[action='/pools/{pool['key']}/claim'] button[type=submit]")
    assert tab.find("[role=status]").text, "the claim's outcome is shown"
    assert names[0] not in tab.text, "a claimed lead leaves the pool"
    tab.go("/workbench")
    waiting = next(item for item in tab.all("li") if names[0] in item.text)
    waiting.find_element("css selector", "button[type=submit]").click()
    tab.shot()
    assert tab.path.startswith("/workbench")
    assert "Call logged" in tab.text
    lead = admin.call("GET", "/leads", params={"q": names[0]}).json()["data"][0]
    activities = admin.call("GET", f"/leads/{lead['id']}/activities").json()["data"]
    assert [a["type"] for a in activities] == ["call"]


def test_a_phone_sized_screen_keeps_every_page_usable(browser, admin: Admin) -> None:
    rep = admin.user("rep")
    tab = browser("en", width=390, height=844)
    tab.sign_in(rep)
    for path in ("/workbench", "/leads", "/customers"):
        tab.go(path)
        width = tab.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"


def test_the_keyboard_reaches_everything_with_a_visible_focus(browser, admin: Admin) -> None:
    rep = admin.user("rep")
    tab = browser("en")
    tab.sign_in(rep)
    tab.go("/workbench")
    ActionChains(tab.driver).send_keys(Keys.TAB).perform()
    first = tab.driver.switch_to.active_element
    assert first.get_attribute("class") == "skip" and first.is_displayed(), "the first Tab reaches the skip link, shown"
    reached = []
    for _ in range(16):  # the header comes first: workbench, tasks, leads, customers, the menus, …
        ActionChains(tab.driver).send_keys(Keys.TAB).perform()
        active = tab.driver.switch_to.active_element
        if active.tag_name == "body":
            break  # past the last control of the page
        reached.append(active.get_attribute("href") or active.tag_name + ":" + (active.get_attribute("class") or "") + ":" + active.text[:20])
        outline = tab.driver.execute_script("const s = getComputedStyle(arguments[0]); return s.outlineStyle + ' ' + s.outlineWidth", active)
        assert not outline.startswith("none"), f"no visible focus on {reached[-1]}: {outline}"
    assert any(str(link).endswith("/customers") for link in reached), reached


def test_the_header_menus_open_one_at_a_time_and_close_on_escape_or_outside(browser, admin: Admin) -> None:
    manager = admin.user("manager", team=admin.team())
    tab = browser("zh-CN")
    tab.sign_in(manager)
    tab.go("/workbench")
    tools, results = tab.all("header nav details.menu")
    assert [menu.find_element("css selector", "summary").text for menu in (tools, results)] == ["工具", "业绩"]
    assert not tab.find("header nav a[href='/performance']").is_displayed(), "a closed menu hides its links"
    tools.find_element("css selector", "summary").click()
    assert tools.get_attribute("open") is not None and tab.find("header nav a[href='/playbooks']").is_displayed()
    tab.shot()
    results.find_element("css selector", "summary").click()
    assert results.get_attribute("open") is not None and tools.get_attribute("open") is None, "opening one closes the other"
    ActionChains(tab.driver).send_keys(Keys.ESCAPE).perform()
    assert results.get_attribute("open") is None, "Escape closes it"
    assert tab.driver.switch_to.active_element.tag_name == "summary", "and the focus goes back to its summary"
    results.find_element("css selector", "summary").click()
    tab.find("h1").click()
    assert results.get_attribute("open") is None, "a click outside closes it"
    tab.nav("/leaderboard")
    assert tab.path.startswith("/leaderboard")
