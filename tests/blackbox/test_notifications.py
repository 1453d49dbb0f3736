"""Notifications on the real server: preferences and their defaults, webhook endpoints (the
secret shown once), a notice delivered to a local receiver (Python's http.server on 127.0.0.1)
signed per Standard Webhooks, the delivery log, replay, disabling; the inbox read and marked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from contract import Api, field_codes, problem
from test_customers import V1, cn_mobile, new_person, unique
from test_jobs import eventually


class Receiver:
    """Records every POST; answers 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
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


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return expected in headers["webhook-signature"].split(" ")


def test_preferences_webhooks_and_inbox(api: Api, server) -> None:
    team = api.post(f"{V1}/teams", json={"key": unique("notify"), "name": "Notify desk"}, expect=201).json()
    rep = new_person(api, "rep", team, "Nora Notice")
    manager = new_person(api, "manager", team, "Max Manager")

    # Preferences: the defaults until the user chooses; bad values name their field.
    mine = rep.api.get(f"{V1}/me/notification-preferences", expect=200).json()
    assert mine["customized"] is False and set(mine["groups"]) == {"assignments", "reclaims", "approvals", "alerts", "other"}
    bad = problem(rep.api.request("PUT", f"{V1}/me/notification-preferences", json={"email": "weekly"}), 422, "validation_failed")
    assert field_codes(bad) == {"email": "invalid"}
    chosen = rep.api.request("PUT", f"{V1}/me/notification-preferences", json={"email": "off", "groups": {"assignments": ["webhook"]}}, expect=200).json()
    assert chosen["customized"] is True and chosen["email"] == "off" and chosen["groups"]["assignments"] == ["webhook"]
    defaults = api.get(f"{V1}/settings/notifications", expect=200).json()
    problem(rep.api.request("PUT", f"{V1}/settings/notifications", json={"email": "off"}), 403, "forbidden")
    assert api.request("PUT", f"{V1}/settings/notifications", json={"email": defaults["email"]}, expect=200).json()["email"] == defaults["email"]

    receiver = Receiver()
    try:
        # Endpoints: http(s) only; the secret is shown once.
        assert field_codes(problem(api.post(f"{V1}/webhook-endpoints", json={"url": "gopher://127.0.0.1/x"}), 422, "validation_failed")) == {"url": "invalid"}
        problem(rep.api.post(f"{V1}/webhook-endpoints", json={"url": receiver.url}), 403, "forbidden")
        endpoint = api.post(f"{V1}/webhook-endpoints", json={"url": receiver.url, "user_id": rep.id, "description": "Rep bridge"}, expect=201).json()
        secret = endpoint["secret"]
        assert secret.startswith("whsec_")
        assert secret not in api.get(f"{V1}/webhook-endpoints", expect=200).text
        assert secret not in api.get(f"{V1}/webhook-endpoints/{endpoint['id']}", expect=200).text

        # A manager assigns the rep a lead from the pool: the rep is told, in the inbox and by webhook.
        pool = api.post(f"{V1}/pools", json={"key": unique("np"), "name": "Notify pool", "object": "lead"}, expect=201).json()
        lead = api.post(f"{V1}/leads", json={"name": unique("Visitor"), "phone": cn_mobile(), "pool_id": pool["id"]}, expect=201).json()["lead"]
        manager.api.post(f"{V1}/pools/{pool['id']}/assign", json={"lead_ids": [lead["id"]], "user_id": rep.id, "reason": "Fair"}, expect=200)
        inbox = rep.api.get(f"{V1}/notifications", params={"unread": "true"}, expect=200).json()["data"]
        assert any(n["kind"] == "lead.assigned" and n["object_id"] == lead["id"] for n in inbox)

        delivered = eventually("the webhook", lambda: [d for d in api.get(f"{V1}/webhook-endpoints/{endpoint['id']}/deliveries", expect=200).json()["data"]
                                                       if d["status"] == "succeeded"])
        assert delivered[0]["kind"] == "lead.assigned" and delivered[0]["attempts"] == 1 and delivered[0]["last_status_code"] == 200
        headers, body = receiver.requests[-1]
        assert headers["webhook-id"] == delivered[0]["id"] and verify(secret, headers, body)

        # Replay sends the same message again.
        api.post(f"{V1}/webhook-endpoints/{endpoint['id']}/deliveries/{delivered[0]['id']}/replay", expect=202)
        eventually("the replay", lambda: len(receiver.requests) >= 2)
        assert receiver.requests[-1][0]["webhook-id"] == delivered[0]["id"] and verify(secret, *receiver.requests[-1])

        # Disabled: no more deliveries, no replay.
        assert api.delete(f"{V1}/webhook-endpoints/{endpoint['id']}", expect=200).json()["active"] is False
        problem(api.post(f"{V1}/webhook-endpoints/{endpoint['id']}/deliveries/{delivered[0]['id']}/replay"), 409, "conflict")
    finally:
        receiver.close()

    # The inbox: mark all read.
    assert rep.api.post(f"{V1}/notifications/read", json={}, expect=200).json()["marked"] >= 1
    assert rep.api.get(f"{V1}/notifications/unread-count", expect=200).json()["unread"] == 0
    reset = rep.api.request("PUT", f"{V1}/me/notification-preferences", json={"reset": True}, expect=200).json()
    assert reset["customized"] is False
