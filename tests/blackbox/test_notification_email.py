"""Email on the real server: `rapport serve` configured with RAPPORT_SMTP_* (the password from a
file) sends a notice at once to a user who chose it, in their language, and the daily digest the
next morning (the test clock moved), to a small SMTP server in this test (127.0.0.1, AUTH PLAIN
and LOGIN, the transcript kept). The password never appears in the server's log."""

from __future__ import annotations

import base64
import email
import email.header
import os
import secrets
import socketserver
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import _binary, _child_environment, _serve, _stop

SMTP_PASSWORD = "smtp-" + secrets.token_urlsafe(16)


class SMTPServer:
    """Just enough SMTP: EHLO with AUTH PLAIN LOGIN, MAIL, RCPT, DATA (dot-stuffing undone), QUIT."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.transcript: list[str] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                def say(text: str) -> None:
                    self.wfile.write((text + "\r\n").encode())

                def line() -> str | None:
                    raw = self.rfile.readline()
                    if not raw:
                        return None
                    text = raw.decode("utf-8", "replace").rstrip("\r\n")
                    owner.transcript.append(text)
                    return text

                say("220 test ESMTP")
                recipients: list[str] = []
                authenticated = False
                while (command := line()) is not None:
                    verb = command.split(" ")[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000000\r\n")
                    elif verb == "AUTH":
                        parts = command.split(" ")
                        if parts[1].upper() == "PLAIN":
                            _, user, password = base64.b64decode(parts[2]).decode().split("\0")
                        else:
                            say("334 VXNlcm5hbWU6")
                            user = base64.b64decode(line() or "").decode()
                            say("334 UGFzc3dvcmQ6")
                            password = base64.b64decode(line() or "").decode()
                        authenticated = user == "crm" and password == SMTP_PASSWORD
                        say("235 ok" if authenticated else "535 no")
                    elif verb == "MAIL":
                        recipients = []
                        say("250 ok" if authenticated else "530 authenticate first")
                    elif verb == "RCPT":
                        recipients.append(command.split("<", 1)[1].rstrip(">"))
                        say("250 ok")
                    elif verb == "DATA":
                        say("354 go on")
                        body: list[str] = []
                        while (text := line()) is not None and text != ".":
                            body.append(text[1:] if text.startswith(".") else text)
                        owner.messages.append((recipients, "\r\n".join(body).encode()))
                        say("250 queued")
                    elif verb == "QUIT":
                        say("221 bye")
                        return
                    else:
                        say("250 ok")

        class Threaded(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Threaded(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(self.messages) >= count, f"{len(self.messages)} messages, wanted {count}; transcript tail: {self.transcript[-5:]}"

    def close(self) -> None:
        self.server.shutdown()


def subject(raw: bytes) -> str:
    message = email.message_from_bytes(raw)
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def text(raw: bytes) -> str:
    payload = email.message_from_bytes(raw).get_payload(decode=True)
    return payload.decode("utf-8")


class Client:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expect: int = 200, **kwargs) -> dict:
        response = self.session.request(method, self.base_url + "/api/v1" + path, timeout=60, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text[:400]}"
        return response.json() if response.content else {}


@pytest.fixture
def mail_server():
    smtp = SMTPServer()
    binary = _binary()
    database_url = os.environ.get("RAPPORT_TEST_DATABASE_URL") or None
    own_database = None
    if database_url:
        # A database of its own: the suite's shared one has other servers' job runners (no mailer,
        # other clocks) that would take this server's digest job.
        own_database, database_url = _own_postgres_database(database_url)
    work = Path(tempfile.mkdtemp(prefix="rapport-email-"))
    (work / "data").mkdir()
    password_file = work / "smtp-password"
    password_file.write_text(SMTP_PASSWORD + "\n")
    storage = ["--database-url", database_url] if database_url else ["--data-dir", str(work / "data")]
    env = _child_environment() | {
        "RAPPORT_SMTP_HOST": "127.0.0.1", "RAPPORT_SMTP_PORT": str(smtp.port), "RAPPORT_SMTP_TLS": "none",
        "RAPPORT_SMTP_USERNAME": "crm", "RAPPORT_SMTP_PASSWORD_FILE": str(password_file), "RAPPORT_SMTP_FROM": "crm@example.com",
        "RAPPORT_PUBLIC_URL": "https://crm.example.com", "RAPPORT_LOG_LEVEL": "debug",
    }
    admin_email = f"admin-{secrets.token_hex(4)}@example.com"
    admin_password = "pw-" + secrets.token_urlsafe(12)
    import subprocess

    created = subprocess.run([str(binary), "users", "create", "--email", admin_email, "--name", "Mail Admin", "--role", "admin", "--password-stdin", *storage],
                             input=(admin_password + "\n").encode(), capture_output=True, env=env, timeout=180)
    assert created.returncode == 0, created.stderr.decode(errors="replace")
    log_path = work / "server.log"
    process, base_url = _serve(binary, storage, env, log_path, postgres=database_url is not None)
    try:
        token = requests.post(base_url + "/api/v1/auth/token", json={"email": admin_email, "password": admin_password}, timeout=30).json()["token"]
        yield smtp, Client(base_url, token), log_path
    finally:
        _stop(process)
        smtp.close()
        if own_database:
            _drop_postgres_database(*own_database)


def _own_postgres_database(url: str) -> tuple[tuple[str, str], str]:
    """A new, empty database on the suite's PostgreSQL server: ((admin URL, name), its URL)."""
    import subprocess
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = "rapport_email_" + secrets.token_hex(4)
    admin = urlunsplit(parts._replace(path="/postgres"))
    subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=60)
    return (admin, name), urlunsplit(parts._replace(path="/" + name))


def _drop_postgres_database(admin: str, name: str) -> None:
    import subprocess

    subprocess.run(["psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True, timeout=60)


def test_notices_are_emailed_and_digested(mail_server) -> None:
    smtp, admin, log_path = mail_server
    team = admin.call("POST", "/teams", 201, json={"key": "t-" + secrets.token_hex(4), "name": "Mail desk"})
    pool = admin.call("POST", "/pools", 201, json={"key": "p-" + secrets.token_hex(4), "name": "Mail pool", "object": "lead", "member_teams": [team["key"]],
                                                  "rules": {"holding_limit": {"default": 20}, "claims_per_day": {"default": 50}}})

    def person(locale: str | None, cadence: str) -> tuple[dict, Client]:
        password = "pw-" + secrets.token_urlsafe(12)
        body = {"email": f"rep-{secrets.token_hex(4)}@example.com", "name": f"Rep {secrets.token_hex(2)}", "role": "rep",
                "team_id": team["id"], "password": password}
        if locale:
            body["locale"] = locale
        user = admin.call("POST", "/users", 201, json=body)
        token = requests.post(admin.base_url + "/api/v1/auth/token", json={"email": body["email"], "password": password}, timeout=30).json()["token"]
        client = Client(admin.base_url, token)
        client.call("PUT", "/me/notification-preferences", json={"email": cadence, "groups": {"assignments": ["email"]}})
        return user, client

    now_rep, _ = person("zh-Hans", "immediate")
    digest_rep, _ = person(None, "daily_digest")

    def assign(user: dict, name: str) -> dict:
        lead = admin.call("POST", "/leads", 201, json={"name": name, "phone": "13" + f"{secrets.randbelow(10**9):09d}", "source": "web", "pool_id": pool["id"]})["lead"]
        admin.call("POST", f"/pools/{pool['id']}/assign", json={"lead_ids": [lead["id"]], "user_id": user["id"], "reason": "Fair"})
        return lead

    lead = assign(now_rep, "王芳")
    smtp.wait(1)
    recipients, raw = smtp.messages[0]
    assert recipients == [now_rep["email"]]
    assert subject(raw) == "[Rapport] 有新线索分配给您"
    body = text(raw)
    assert "有新线索分配给您" in body and f"https://crm.example.com/leads/{lead['id']}" in body
    assert any(line.startswith("AUTH ") for line in smtp.transcript)

    # The digest user got nothing yet; tomorrow at 07:00 Shanghai they get one email of today's notices.
    first = assign(digest_rep, "Han Meimei")
    second = assign(digest_rep, "Li Lei")
    time.sleep(1.5)
    assert len(smtp.messages) == 1
    now = datetime.fromisoformat(admin.call("POST", "/test-clock", json={"advance_seconds": 0})["now"].replace("Z", "+00:00"))
    shanghai = timezone(timedelta(hours=8))
    tomorrow = (now.astimezone(shanghai) + timedelta(days=1)).replace(hour=7, minute=5, second=0, microsecond=0)
    admin.call("POST", "/test-clock", json={"now": tomorrow.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    smtp.wait(2, seconds=40)
    recipients, raw = smtp.messages[1]
    assert recipients == [digest_rep["email"]]
    digest = text(raw)
    assert first["id"] in digest and second["id"] in digest and lead["id"] not in digest and "A lead was assigned to you" in digest
    assert subject(raw).startswith("[Rapport] 2 unread notices of ")

    # Deliveries are in the log; the password is nowhere in the server's output.
    time.sleep(1)
    assert len(smtp.messages) == 2
    assert SMTP_PASSWORD not in log_path.read_text(errors="replace")
