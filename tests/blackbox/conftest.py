"""Starts the real `rapport` binary for a test session and hands tests a base URL and tokens.

Environment:
- RAPPORT_BIN: the executable (default: <repo>/.build/debug/rapport).
- RAPPORT_TEST_DATABASE_URL: when set, a postgres:// URL to use instead of a fresh SQLite data dir
  (the server then runs with --allow-test-clock-on-postgres).
- RAPPORT_BLACKBOX_KEEP=1: keep the temporary data dir and server log after the session.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract import Api, Contract  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DOCUMENT_PATH = REPO / "Sources" / "RapportHTTP" / "Resources" / "openapi.json"
READY_TIMEOUT = 60.0


@dataclass
class Server:
    base_url: str
    admin_token: str
    admin_token_id: str
    admin_id: str
    admin_email: str
    admin_password: str
    data_dir: Path
    log_path: Path
    database_url: str | None

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _binary() -> Path:
    binary = Path(os.environ.get("RAPPORT_BIN", str(REPO / ".build" / "debug" / "rapport")))
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(f"the rapport executable is not at {binary} (build it, or set RAPPORT_BIN)", pytrace=False)
    return binary


def _child_environment() -> dict[str, str]:
    # Nothing from the caller's RAPPORT_* settings may leak into the server under test.
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAPPORT_")}
    env["RAPPORT_BCRYPT_COST"] = "4"  # the minimum: sign-ins stay fast on small machines
    env["RAPPORT_LOG_FORMAT"] = "text"
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "after_fuzzing: run after the Schemathesis run (tests that load bulk data, which would slow the time-capped fuzzer down)")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Runs tests marked `after_fuzzing` (bulk data) after every other test, and then the
    document-coverage check (test_conformance.py's `test_zz_every_operation_was_exercised`) last of
    all, so operations exercised by later modules (e.g. test_customers.py) count too."""
    late = [item for item in items if item.get_closest_marker("after_fuzzing") is not None]
    last = [item for item in items if item.name == "test_zz_every_operation_was_exercised"]
    if late or last:
        items[:] = [item for item in items if item not in late and item not in last] + late + last


@pytest.fixture(scope="session")
def document() -> dict:
    return json.loads(DOCUMENT_PATH.read_text())


@pytest.fixture(scope="session")
def contract(document: dict) -> Contract:
    return Contract(document)


def _serve(binary: Path, storage: list[str], env: dict[str, str], log_path: Path, postgres: bool) -> tuple[subprocess.Popen[bytes], str]:
    """Starts `rapport serve` on a free 127.0.0.1 port and waits until /readyz answers 200.

    A port taken between choosing and binding it makes the server exit at once: then another
    port is tried (three attempts)."""
    for attempt in range(3):
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), *storage, "--test-clock"]
        if postgres:
            command.append("--allow-test-clock-on-postgres")
        with open(log_path, "ab") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if process.poll() is not None:
                text = log_path.read_text(errors="replace")
                if attempt < 2 and "in use" in text[-2000:].lower():
                    break  # the port was taken: try another
                pytest.fail(f"rapport serve exited with {process.returncode}:\n{text[-4000:]}", pytrace=False)
            try:
                if requests.get(base_url + "/readyz", timeout=2).status_code == 200 and process.poll() is None:
                    return process, base_url
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                _stop(process)
                pytest.fail(f"rapport serve was not ready within {READY_TIMEOUT:.0f} s:\n{log_path.read_text(errors='replace')[-4000:]}", pytrace=False)
            time.sleep(0.2)
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def server(request: pytest.FixtureRequest):
    """The server under test, with a fresh administrator; stopped at the end of the session, always."""
    binary = _binary()
    database_url = os.environ.get("RAPPORT_TEST_DATABASE_URL") or None
    work = Path(tempfile.mkdtemp(prefix="rapport-blackbox-"))
    data_dir = work / "data"
    data_dir.mkdir()
    log_path = work / "server.log"
    storage = ["--database-url", database_url] if database_url else ["--data-dir", str(data_dir)]
    env = _child_environment()
    process: subprocess.Popen[bytes] | None = None
    server: Server | None = None
    try:
        # A fresh administrator per session (unique even on a shared PostgreSQL database).
        suffix = secrets.token_hex(4)
        admin_email = f"admin-{suffix}@example.com"
        admin_password = "pw-" + secrets.token_urlsafe(18)
        created = subprocess.run(
            [str(binary), "users", "create", "--email", admin_email, "--name", f"Black-box Admin {suffix}",
             "--role", "admin", "--password-stdin", *storage],
            input=(admin_password + "\n").encode(), capture_output=True, env=env, timeout=180,
        )
        if created.returncode != 0:
            pytest.fail(f"`rapport users create` failed ({created.returncode}): {created.stderr.decode(errors='replace')}", pytrace=False)

        process, base_url = _serve(binary, storage, env, log_path, postgres=database_url is not None)

        signed_in = requests.post(base_url + "/api/v1/auth/token", json={"email": admin_email, "password": admin_password}, timeout=30)
        if signed_in.status_code != 201:
            pytest.fail(f"the administrator could not sign in: {signed_in.status_code} {signed_in.text}", pytrace=False)
        token, token_id = signed_in.json()["token"], signed_in.json()["token_id"]
        me = requests.get(base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if me.status_code != 200:
            pytest.fail(f"GET /api/v1/me failed for the administrator: {me.status_code} {me.text}", pytrace=False)
        server = Server(base_url, token, token_id, me.json()["user"]["id"], admin_email, admin_password, data_dir, log_path, database_url)
        yield server
    finally:
        if process is not None:
            _stop(process)
        failed = request.session.testsfailed > 0
        if failed and server is not None:
            sys.stderr.write(f"\n--- last lines of the server log ({log_path}) ---\n{server.log_tail()}\n")
        if os.environ.get("RAPPORT_BLACKBOX_KEEP") == "1" or failed:
            sys.stderr.write(f"\nblack-box data and log kept in {work}\n")
        else:
            shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def api(server: Server, contract: Contract) -> Api:
    """A client signed in as the session's administrator; every response is checked against the document."""
    return Api(server.base_url, contract, server.admin_token)
