"""Work reports in the browser: a rep opens today's daily report, writes it, saves and submits
it; the manager, in Chinese, finds it, comments and marks it reviewed; the rep sees the review;
the pages fit a phone."""

from __future__ import annotations

import secrets

from selenium.webdriver.common.by import By

from conftest import Admin, Browser
from test_customers import confirm_and_shoot


def test_a_rep_writes_and_submits_a_daily_report_and_the_manager_reviews_it(browser, admin: Admin) -> None:
    team = admin.team()
    manager = admin.user("manager", team=team)
    rep = admin.user("rep", team=team)
    tag = secrets.token_hex(3)
    summary = f"Visited 3 schools {tag} <b>bold</b>"

    tab: Browser = browser("en")
    tab.sign_in(rep)
    tab.nav("/reports")
    assert tab.find("h1").text == "Reports"
    tab.click("a[href='/reports/new?kind=daily']")
    assert tab.find("h1").text == "Daily report"
    tab.submit("form[action='/reports']")
    assert tab.path.startswith("/reports/rpt_"), tab.path
    report_path = tab.path
    figures = tab.find("section[aria-labelledby=report-figures]").text
    assert "Calls" in figures and "Tasks overdue" in figures and "Live from your records" in figures
    tab.submit("form.report-form", {"summary": summary, "plan": "Call the head teacher", "problems": "Need a price list"})
    assert tab.find("[role=status]").text == "Report saved."
    assert tab.find("#report-summary").get_attribute("value") == summary, "words show as text, never as markup"

    form = tab.find("form.report-form")
    form.find_element(By.CSS_SELECTOR, "button[formaction$='/submit']").click()
    confirm_and_shoot(tab)
    assert tab.find("[role=status]").text == "Report submitted."
    assert summary in tab.find("section[aria-labelledby=report-text]").text
    assert not tab.all("form.report-form"), "a submitted report takes no more changes"

    # The manager, in Chinese, finds it, comments and marks it reviewed.
    boss: Browser = browser("zh-CN")
    boss.sign_in(manager)
    boss.go("/reports")
    assert boss.find("h1").text == "日报/月报" and "昨日未提交" in boss.text
    boss.submit("form.report-search", {"q": tag})
    assert boss.all(f"table.work-reports a[href='{report_path}']"), "the search finds the report by its words"
    boss.click(f"table.work-reports a[href='{report_path}']")
    assert "已提交" in boss.text and summary in boss.text
    boss.submit(f"form[action='{report_path}/comments']", {"body": "很好，明天带上价格表"})
    assert boss.find("[role=status]").text == "评论已添加。"
    boss.submit(f"form[action='{report_path}/review']", {"comment": "已阅"})
    assert boss.find("[role=status]").text == "报告已批阅。" and "已批阅" in boss.text

    tab.go(report_path)
    assert "Reviewed" in tab.text and "很好，明天带上价格表" in tab.find("#comments").text and "已阅" in tab.find("#comments").text

    # On a phone the pages fit the width.
    phone: Browser = browser("en", width=390, height=844)
    phone.sign_in(manager)
    for path in ("/reports", "/reports/new?kind=monthly", report_path):
        phone.go(path)
        overflow = phone.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    phone_rep: Browser = browser("zh-CN", width=390, height=844)
    phone_rep.sign_in(rep)
    phone_rep.go(report_path)
    overflow = phone_rep.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{report_path} scrolls sideways by {overflow}px"
