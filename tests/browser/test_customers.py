"""A customer's 360 page in the browser: reveal a phone (the quota before and after, the audit entry
read back through the API), log an activity, merge two duplicates choosing a field from the right
side and undo it, and the pages on a phone-sized screen."""

from __future__ import annotations

import re
import secrets

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Admin, Browser, cn_mobile


def masked(e164: str) -> str:
    national = e164[3:]
    return f"+86 {national[:3]}****{national[7:]}"


def customer(admin: Admin, name: str, owner, phone: str | None = None, **fields) -> dict:
    body = {"kind": "person", "name": name, "owner_id": owner.id, **fields}
    if phone:
        body["contacts"] = [{"kind": "phone", "value": phone}]
    return admin.call("POST", "/customers", json=body).json()["customer"]


def quota_left(tab: Browser) -> tuple[int, int]:
    found = re.search(r"(\d+) of (\d+) reveals left this hour", tab.find("#reveal-quota").text)
    assert found, tab.find("#reveal-quota").text
    return int(found.group(1)), int(found.group(2))


def confirm_and_shoot(tab: Browser) -> None:
    """Accepts the page's "are you sure?" dialog (data-confirm) and photographs where it leads."""
    WebDriverWait(tab.driver, 10).until(lambda driver: driver.switch_to.alert).accept()
    WebDriverWait(tab.driver, 10).until(lambda driver: driver.execute_script("return document.readyState") == "complete")
    tab.shot()


def test_reveal_a_phone_shows_the_quota_and_is_audited(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    phone = "+86" + cn_mobile()
    record = customer(admin, f"Reveal {secrets.token_hex(3)}", rep, phone)
    tab = browser("en")
    tab.sign_in(rep)
    tab.go(f"/customers/{record['id']}")
    assert masked(phone) in tab.text and phone not in tab.text
    before, quota = quota_left(tab)
    tab.click(f"form[action='/customers/{record['id']}/reveal'] button[type=submit]")
    assert phone in tab.find(".contacts").text, "the full number is on the page the reveal returns"
    assert "recorded in the audit log" in tab.text
    after, _ = quota_left(tab)
    assert after == before - 1 and quota == 30
    assert phone[1:] not in tab.driver.current_url
    entries = admin.call("GET", "/audit", params={"action": "customer.revealed", "object_id": record["id"]}).json()["data"]
    assert [entry["actor_id"] for entry in entries] == [rep.id]
    tab.go(f"/customers/{record['id']}")
    assert phone not in tab.text and quota_left(tab) == (after, quota), "masked again; the quota as it was left"


def test_log_an_activity_on_the_timeline(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    record = customer(admin, f"Activity {secrets.token_hex(3)}", rep, "+86" + cn_mobile())
    subject = f"Trial class {secrets.token_hex(3)}"
    tab = browser("zh-CN")
    tab.sign_in(rep)
    tab.go(f"/customers/{record['id']}")
    tab.submit(f"form[action='/customers/{record['id']}/activities']",
               {"type": "call", "outcome": "connected", "subject": subject, "body": "想了解周末班"})
    assert tab.path == f"/customers/{record['id']}?notice=activity_logged"
    assert "跟进已记录" in tab.find("[role=status]").text
    assert subject in tab.find("#timeline").find_element(By.XPATH, "..").text
    assert "想了解周末班" in tab.text
    activities = admin.call("GET", "/activities", params={"customer_id": record["id"]}).json()["data"]
    assert [(a["type"], a["outcome"], a["subject"]) for a in activities] == [("call", "connected", subject)]


def test_merge_two_duplicates_choosing_the_right_side_then_undo(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    phone = "+86" + cn_mobile()
    tag = secrets.token_hex(3)
    settings = admin.call("GET", "/settings/customers").json()
    (member,) = settings["dedup"].keys()
    try:
        admin.call("PUT", "/settings/customers", json={"settings": dict(settings, dedup={member: dict(settings["dedup"][member], api="flag")})})
        left = customer(admin, f"Left {tag}", rep, phone, company="Left Co")
        right = customer(admin, f"Right {tag}", rep, phone, company="Right Co")
    finally:
        admin.call("PUT", "/settings/customers", json={"settings": settings})
    tab = browser("en")
    tab.sign_in(rep)
    tab.go(f"/customers/{left['id']}")
    tab.click(f"a[href='/customers/{left['id']}/merge?with={right['id']}']")
    assert f"Left {tag}" in tab.text and f"Right {tag}" in tab.text
    form = tab.find("form[action='/merges']")
    form.find_element(By.CSS_SELECTOR, "input[name='choice.company'][value='merged']").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    confirm_and_shoot(tab)
    assert tab.path == f"/customers/{left['id']}?notice=merged", tab.path
    assert "Merged." in tab.text and f"Merged in: Right {tag}" in tab.text
    survivor = admin.call("GET", f"/customers/{left['id']}").json()
    assert survivor["name"] == f"Left {tag}" and survivor["company"] == "Right Co"
    admin.call("GET", f"/customers/{right['id']}", expect=404)

    tab.find("form[action^='/merges/'] button[type=submit]").click()
    confirm_and_shoot(tab)
    assert tab.path == f"/customers/{left['id']}?notice=merge_undone", tab.path
    assert "both customers are back" in tab.text
    assert admin.call("GET", f"/customers/{left['id']}").json()["company"] == "Left Co"
    assert admin.call("GET", f"/customers/{right['id']}").json()["company"] == "Right Co"


def test_customer_pages_fit_a_phone(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    record = customer(admin, f"Phone view {secrets.token_hex(3)}", rep, "+86" + cn_mobile(), company="A company with a long name Ltd")
    other = customer(admin, f"Another long customer name {secrets.token_hex(3)}", rep, "+86" + cn_mobile(), company="Another company with a long name Ltd")
    tab = browser("zh-CN", width=390, height=844)
    tab.sign_in(rep)
    for path in (f"/customers/{record['id']}", f"/customers/{record['id']}/merge", f"/customers/{record['id']}/merge?with={other['id']}",
                 "/customers?owner=mine"):
        tab.go(path)
        width = tab.driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"{path} scrolls sideways on a phone ({width}px)"
