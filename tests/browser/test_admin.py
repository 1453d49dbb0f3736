"""The admin pages in a real browser: teams, users, a pool's holding limit, an assignment rule and its
dry run, the audit log; and a rep who switches their language in their settings."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser, Person


def option_value(tab: Browser, select_css: str, label: str) -> str:
    """The value of the option of a select whose text is (or ends with) `label`."""
    for option in tab.all(f"{select_css} option"):
        if option.text.strip().endswith(label):
            return option.get_attribute("value")
    raise AssertionError(f"no option {label!r} in {select_css}")


def test_an_admin_creates_a_team_and_a_user_and_reads_the_audit_log(browser, admin: Admin, admin_person: Person) -> None:
    tag = secrets.token_hex(3)
    team_name, user_name = f"Team {tag}", f"Person {tag}"
    tab = browser("en")
    tab.sign_in(admin_person)
    tab.click("header a[href='/admin']")
    assert tab.find("h1").text == "Admin"
    tab.go("/admin/dictionary/lead")
    assert tab.find("h1").text == "Lead" and "Initial stage" in tab.text
    tab.go("/admin/roles")
    assert "Team and subteams" in tab.text
    tab.go("/admin")
    tab.click("main a[href='/admin/teams']")
    tab.submit("form[action='/admin/teams']", {"name": team_name, "key": f"t-{tag}"})
    assert "Team created." in tab.find("[role=status]").text
    assert any(field.get_attribute("value") == team_name for field in tab.all("table input[name=name]"))

    tab.go("/admin/users")
    team_id = option_value(tab, "#n-team", team_name)
    tab.submit("form[method=post][action='/admin/users']", {
        "email": f"person-{tag}@example.com", "name": user_name, "role": "rep", "team": team_id, "rep_level": "junior",
        "locale": "zh-Hans", "password": "a-long-password-" + tag,
    })
    assert "User created." in tab.find("[role=status]").text
    assert tab.find("h1").text == user_name
    user_id = tab.path.split("?")[0].rsplit("/", 1)[1]
    shown = admin.call("GET", f"/users/{user_id}").json()
    shown = shown.get("user", shown)
    assert shown["team_id"] == team_id and shown["locale"] == "zh-Hans" and shown["rep_level"] == "junior"

    tab.go(f"/admin/users?q={tag}")
    assert user_name in tab.text
    tab.go(f"/admin/audit?object_id={user_id}")
    rows = [row for row in tab.all("tbody tr") if "user.created" in row.text]
    assert len(rows) == 1 and "channel = web" in rows[0].text
    rows[0].find_element("css selector", f"a[href='/admin/users/{user_id}']").click()
    tab.shot()
    assert tab.find("h1").text == user_name


def test_an_admin_changes_a_pools_holding_limit(browser, admin: Admin, admin_person: Person) -> None:
    team = admin.team()
    pool = admin.pool(team, holding=20)
    tab = browser("zh-CN")
    tab.sign_in(admin_person)
    tab.go("/admin/pools")
    tab.click(f"a[href='/admin/pools/{pool['id']}']")
    assert tab.find("input[name=holding_default]").get_attribute("value") == "20"
    tab.submit(f"form[action='/admin/pools/{pool['id']}']", {"holding_default": "7", "holding_levels": "senior=12"})
    assert "已保存" in tab.find("[role=status]").text
    rules = admin.call("GET", f"/pools/{pool['id']}").json()
    rules = rules.get("pool", rules)["rules"]
    assert rules["holding_limit"] == {"default": 7, "by_level": {"senior": 12}}
    audit = admin.call("GET", "/audit", params={"object_id": pool["id"], "action": "pool.updated"}).json()["data"]
    assert len(audit) == 1


def test_an_admin_adds_an_assignment_rule_and_tries_it(browser, admin: Admin, admin_person: Person) -> None:
    team = admin.team()
    pool = admin.pool(team)
    tag = "fair-" + secrets.token_hex(3)
    tab = browser("en")
    tab.sign_in(admin_person)
    tab.go("/admin/assignment-rules")
    tab.submit("form[action='/admin/assignment-rules']", {
        "name": f"Fair {tag}", "cond_field_0": "source", "cond_op_0": "eq", "cond_value_0": tag, "target_pool": pool["id"],
    })
    assert "Rule created." in tab.find("[role=status]").text
    rule = next(r for r in admin.call("GET", "/assignment-rules").json()["data"] if r["name"] == f"Fair {tag}")
    try:
        assert rule["target"] == {"kind": "pool", "pool_id": pool["id"]}
        tab.submit("form[action='/admin/assignment-rules/test']", {"source": tag})
        assert tab.path.startswith("/admin/assignment-rules/test")
        outcome = tab.find("#test-result").text
        assert f"The rule “Fair {tag}” would put it into the pool {pool['name']}." in outcome
        tab.submit("form[action='/admin/assignment-rules/test']", {"source": "somewhere-else-" + tag})
        assert f"Fair {tag}" not in tab.find("#test-result").text
    finally:
        admin.call("DELETE", f"/assignment-rules/{rule['id']}", expect=(200, 204))


def test_admin_pages_fit_a_phone_and_are_forbidden_to_reps(browser, admin: Admin, admin_person: Person) -> None:
    tab = browser("en", width=390, height=844)
    tab.sign_in(admin_person)
    for path in ("/admin", "/admin/users", "/admin/teams", "/admin/roles", "/admin/dictionary/lead", "/admin/pools",
                 "/admin/assignment-rules", "/admin/audit", "/settings"):
        tab.go(path)
        width = tab.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
    rep = admin.user("rep")
    other = browser("en")
    other.sign_in(rep)
    assert not other.all("header a[href='/admin']")
    other.go("/admin/users")
    assert other.find("h1").text == "You may not do that."


def test_a_rep_switches_to_chinese_in_settings(browser, admin: Admin) -> None:
    rep = admin.user("rep")
    tab = browser("en")
    tab.sign_in(rep)
    assert tab.find("h1").text == "Workbench"
    tab.click(f"header a[href='/settings']")
    tab.submit("form[action='/settings']", {"locale": "zh-Hans"})
    assert tab.find("html").get_attribute("lang") == "zh-Hans"
    assert "设置已保存" in tab.find("[role=status]").text
    tab.go("/workbench")
    assert tab.find("h1").text == "工作台"
    tab.go("/settings")
    tab.submit("form[action='/settings']", {"locale": ""})
    tab.go("/workbench")
    assert tab.find("h1").text == "Workbench", "back to following the browser"
