"""Playbooks in the browser: a manager writes an SOP with scripts through the form, a lead given
to a rep puts its first step and script in the rep's tasks (in Chinese), the manager reads
compliance on the playbook's page and withdraws it; the pages fit a phone."""

from __future__ import annotations

import secrets

from conftest import Admin, Browser


def test_a_manager_writes_a_playbook_and_the_rep_follows_its_script(browser, admin: Admin) -> None:
    team = admin.team()
    manager = admin.user("manager", team=team)
    rep = admin.user("rep", team=team, name="Rita Rep")
    key = "sop_" + secrets.token_hex(3)

    boss: Browser = browser("en")
    boss.sign_in(manager)
    boss.go("/playbooks")
    assert boss.find("h1").text == "Playbooks"
    boss.submit("form.playbook-form", {
        "key": key, "name": f"New lead <b>{key}</b>", "trigger_type": "lead_assigned",
        "step_title_0": "First call", "step_channel_0": "call", "step_offset_0": "within", "step_minutes_0": "120",
        "step_script_0": "Hello {{lead.name}}, this is {{rep.name}} <i>from Rapport</i>",
        "step_title_1": "Send the brochure", "step_channel_1": "wechat", "step_offset_1": "day_at", "step_day_1": "1", "step_at_1": "10:00",
    })
    try:
        assert boss.path.startswith(f"/playbooks/{key}"), boss.path
        assert boss.find("[role=status]").text == "Playbook saved."
        assert f"New lead <b>{key}</b>" in boss.find("h1").text, "names show as text, never as markup"
        steps = boss.find("section[aria-labelledby=pb-steps]").text
        assert "First call" in steps and "within 120 min" in steps and "day 1 at 10:00" in steps

        # A lead given to the rep: the first step and its script wait on the rep's workbench, in Chinese.
        lead = admin.lead(f"Li Lei {key}", owner=rep)
        tab: Browser = browser("zh-CN")
        tab.sign_in(rep)
        # (/tasks lists it whatever the hour: on the workbench it is under "today" only until 22:00 Shanghai.)
        tab.go("/tasks")
        script = tab.find("blockquote.script")
        assert f"Hello Li Lei {key}, this is Rita Rep <i>from Rapport</i>" in script.text and "话术" in script.text
        tab.go(f"/leads/{lead['id']}")
        assert "Send the brochure" in tab.find("section[aria-labelledby=record-tasks]").text

        # The manager reads compliance per rep, then withdraws the playbook.
        boss.go(f"/playbooks/{key}")
        assert "Rita Rep" in boss.text and "Compliance per rep" in boss.text
        boss.driver.execute_script("window.confirm = () => true")
        boss.click("form[action$='/withdraw'] button")
        assert boss.find("[role=status]").text == "Playbook withdrawn."

        # On a phone the pages fit the width.
        phone: Browser = browser("en", width=390, height=844)
        phone.sign_in(manager)
        for path in ("/playbooks", f"/playbooks/{key}"):
            phone.go(path)
            overflow = phone.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    finally:
        admin.call("DELETE", f"/playbooks/{key}", expect=(204, 404))
