"""The administrators' webhook page: add an endpoint (the secret shown once), watch a notice's
delivery reach a local receiver in the log, send it again, disable the endpoint; on a phone in
Chinese too."""

from __future__ import annotations

import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import Admin, Person


class Receiver:
    """Counts the POSTs it gets; answers 200."""

    def __init__(self) -> None:
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.count += 1
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_admin_adds_watches_replays_and_disables_a_webhook(browser, admin: Admin, admin_person: Person) -> None:
    team = admin.team()
    rep = admin.user("rep", team=team)
    pool = admin.pool(team)
    receiver = Receiver()
    try:
        tab = browser("en")
        tab.sign_in(admin_person)
        tab.go("/admin")
        tab.click("a[href='/admin/webhooks']")
        assert tab.path == "/admin/webhooks" and tab.find("h1").text == "Webhooks"
        label = f"Browser hook {secrets.token_hex(3)}"
        tab.find("#wk-lead-assigned").click()
        tab.submit("form[action='/admin/webhooks']", {"url": receiver.url, "description": label, "user_id": rep.id})
        assert "shown only this once" in tab.text
        secret = tab.find("#webhook-secret").text
        assert secret.startswith("whsec_")
        endpoint = next(e for e in admin.call("GET", "/webhook-endpoints").json()["data"] if e["description"] == label)
        assert endpoint["kinds"] == ["lead.assigned"] and endpoint["user_id"] == rep.id
        path = f"/admin/webhooks/{endpoint['id']}"

        # A lead assigned to the rep: the delivery shows in the log once the job has run.
        lead = admin.lead(f"Webhook lead {secrets.token_hex(3)}", pool=pool)
        admin.call("POST", f"/pools/{pool['id']}/assign", json={"lead_ids": [lead["id"]], "user_id": rep.id, "reason": "Fair"})
        deadline = time.monotonic() + 30
        while receiver.count < 1 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert receiver.count == 1
        for _ in range(20):  # the log row turns Delivered once the job has recorded the answer
            tab.go(path)
            if "Delivered" in tab.text:
                break
            time.sleep(0.5)
        assert "Delivered" in tab.text
        assert secret not in tab.source, "the secret is shown only once"
        assert "A lead was assigned to you" in tab.text

        tab.submit("form[action$='/replay']")
        assert "Queued to be sent again." in tab.text
        deadline = time.monotonic() + 30
        while receiver.count < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert receiver.count == 2

        tab.find(f"form[action='{path}/disable'] button").click()
        tab.driver.switch_to.alert.accept()  # the data-confirm question
        tab.shot()
        assert "Endpoint disabled." in tab.text and not tab.all("form[action$='/replay']")

        phone = browser("zh-CN", width=390)
        phone.sign_in(admin_person)
        phone.go(path)
        assert "投递记录" in phone.text and "已停用" in phone.text
        assert phone.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        phone.go("/admin/webhooks")
        assert phone.find("h1").text == "Webhook"
    finally:
        receiver.close()
