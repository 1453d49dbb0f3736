"""Tasks in the browser: a rep adds a task from a lead's page, finds it on /tasks and the
workbench, completes it with an outcome and re-opens it; a manager looks at the rep's tasks in
Chinese; the pages fit a phone."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def test_a_rep_plans_and_completes_a_task_and_the_manager_sees_it(browser, admin: Admin) -> None:
    team = admin.team()
    manager = admin.user("manager", team=team)
    rep = admin.user("rep", team=team)
    tag = secrets.token_hex(3)
    lead = admin.lead(f"Task lead {tag}", owner=rep)
    title = f"Call back {tag} <b>now</b>"

    tab: Browser = browser("en")
    tab.sign_in(rep)
    tab.go(f"/leads/{lead['id']}")
    tab.click("details.task-new summary")
    tab.submit("form.task-form", {"title": title, "type": "call", "priority": "high", "notes": "Bring the <i>price list</i>"})
    assert tab.path.startswith(f"/leads/{lead['id']}"), tab.path
    assert tab.find("[role=status]").text == "Task added."
    panel = tab.find("section[aria-labelledby=record-tasks]")
    assert title in panel.text and "Bring the <i>price list</i>" in panel.text, "titles and notes show as text, never as markup"

    tab.go("/tasks")
    assert tab.find("h1").text == "Tasks"
    upcoming = tab.find("section[aria-labelledby=tasks-upcoming]")
    assert title in upcoming.text and f"Task lead {tag}" in upcoming.text
    line = next(item for item in tab.all("li.task-line") if title in item.text)
    form = line.find_element("css selector", "form.task-complete")
    from selenium.webdriver.support.select import Select
    Select(form.find_element("css selector", "select")).select_by_value("reached")
    form.find_element("css selector", "input[name=outcome_note]").send_keys("Will sign on Friday")
    form.find_element("css selector", "button[type=submit]").click()
    tab.shot()
    assert tab.find("[role=status]").text == "Task done."
    assert title not in tab.text, "a done task leaves the planner"

    tab.go(f"/leads/{lead['id']}")
    panel = tab.find("section[aria-labelledby=record-tasks]")
    assert "Reached · Will sign on Friday" in panel.text
    tab.click(f"section[aria-labelledby=record-tasks] form[action$='/reopen'] button")
    assert tab.find("[role=status]").text == "Task re-opened."

    # The manager, in Chinese, picks the rep and sees the task.
    boss: Browser = browser("zh-CN")
    boss.sign_in(manager)
    boss.go("/tasks")
    assert boss.find("h1").text == "待办任务" and "今日待办" in boss.text
    boss.submit("form[action='/tasks'][method=get]", {"assignee": rep.id})
    assert title in boss.text and "即将到期" in boss.text
    boss.go("/workbench")
    assert "逾期任务" in boss.text and "今日待办" in boss.text

    # On a phone the planner fits the width.
    phone: Browser = browser("en", width=390, height=844)
    phone.sign_in(rep)
    for path in ("/tasks", "/workbench", f"/leads/{lead['id']}"):
        phone.go(path)
        overflow = phone.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
