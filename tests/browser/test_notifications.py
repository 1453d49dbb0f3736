"""The inbox: the header's unread count on every page, notices worded in each language with a
link to their record, mark one and all read, and the channel preferences form; on a phone too."""

from __future__ import annotations

import secrets

from conftest import Admin


def test_inbox_counts_marks_read_and_saves_preferences(browser, admin: Admin) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    pool = admin.pool(team)
    tag = secrets.token_hex(3)
    leads = [admin.lead(f"Inbox lead {tag} {n}", pool=pool) for n in range(2)]
    for lead in leads:
        admin.call("POST", f"/pools/{pool['id']}/assign", json={"lead_ids": [lead["id"]], "user_id": rep.id, "reason": "Fair"})

    tab = browser("en")
    tab.sign_in(rep)
    tab.go("/workbench")
    assert tab.find(".who .unread-count").text == "2"
    tab.click("a.inbox")
    assert tab.path == "/notifications"
    assert len(tab.all("li.notice.unread")) == 2
    assert f"/leads/{leads[0]['id']}" in tab.source
    assert "A lead was assigned to you" in tab.text

    tab.submit("li.notice.unread form")
    assert "Marked read." in tab.text and len(tab.all("li.notice.unread")) == 1
    assert tab.find(".who .unread-count").text == "1"
    tab.submit("form.actions[action='/notifications/read']")
    assert not tab.all("li.notice.unread") and not tab.all(".who .unread-count")

    tab.submit("form[action='/notifications/preferences']", {"email": "immediate"})
    assert tab.find("#n-email option[selected]").get_attribute("value") == "immediate"

    phone = browser("zh-CN", width=390)
    phone.sign_in(rep)
    phone.go("/notifications")
    assert phone.find("h1").text == "通知" and "有新线索分配给您" in phone.text
