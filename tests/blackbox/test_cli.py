"""The command line as an operator uses it: start and stop, bad settings, users, the audit check."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from conftest import _binary, _free_port

PASSWORD = "operator-password-1"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env["RAPPORT_BCRYPT_COST"] = "4"
    return env


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(_binary()), *args], input=stdin, capture_output=True, text=True, env=_env(), timeout=120)


@pytest.fixture()
def data_dir():
    with tempfile.TemporaryDirectory(prefix="rapport-cli-") as directory:
        yield directory


def test_a_bad_setting_stops_the_start_naming_the_key(data_dir: str) -> None:
    result = _run("serve", "--data-dir", data_dir, "--port", "http")
    assert result.returncode == 2
    assert "port" in result.stderr and "RAPPORT_PORT" in result.stderr
    env = _env() | {"RAPPORT_LOG_FORMAT": "xml"}
    result = subprocess.run([str(_binary()), "serve", "--data-dir", data_dir], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and "RAPPORT_LOG_FORMAT" in result.stderr


def test_serve_shuts_down_gracefully_on_sigterm(data_dir: str) -> None:
    port = _free_port()
    process = subprocess.Popen([str(_binary()), "serve", "--data-dir", data_dir, "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the server did not become ready")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_users_and_the_audit_check(data_dir: str) -> None:
    created = _run("users", "create", "--data-dir", data_dir, "--email", "Ops@Example.com", "--name", "Ops",
                   "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert "ops@example.com" in created.stdout
    duplicate = _run("users", "create", "--data-dir", data_dir, "--email", "ops@example.com", "--name", "Again", "--role", "rep")
    assert duplicate.returncode == 1 and "already" in duplicate.stderr
    bad = _run("users", "create", "--data-dir", data_dir, "--email", "not-an-email", "--name", "X", "--role", "boss")
    assert bad.returncode == 1 and "email" in bad.stderr and "role" in bad.stderr
    listed = _run("users", "list", "--data-dir", data_dir, "--json")
    assert listed.returncode == 0 and '"email":"ops@example.com"' in listed.stdout.replace(" ", "")
    assert _run("users", "disable", "--data-dir", data_dir, "--email", "ops@example.com").returncode == 1  # the last admin
    status = _run("migrate", "--status", "--data-dir", data_dir)
    assert status.returncode == 0 and "0001_foundation" in status.stdout and "applied" in status.stdout

    verified = _run("audit", "verify", "--data-dir", data_dir)
    assert verified.returncode == 0 and "intact" in verified.stdout
    with sqlite3.connect(Path(data_dir) / "rapport.sqlite") as db:
        db.execute("UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 1")
    broken = _run("audit", "verify", "--data-dir", data_dir)
    assert broken.returncode == 1 and "entry 1" in broken.stdout


REPOSITORY = Path(__file__).resolve().parents[2]
LEADS_CSV = (REPOSITORY / ".." / "shared" / "datasets" / "lead_scoring_x_education" / "Leads.csv").resolve()
LEADS_MAPPING = REPOSITORY / "examples" / "x-education" / "leads-mapping.json"


def test_the_x_education_leads_load_with_the_shipped_mapping(data_dir: str) -> None:
    assert LEADS_CSV.exists(), f"dataset not found at {LEADS_CSV}: the tests expect shared/ beside the repository clone"
    command = ("import", "leads", str(LEADS_CSV), "--mapping-file", str(LEADS_MAPPING), "--data-dir", data_dir)
    first = _run(*command)
    assert first.returncode == 0, first.stderr
    assert "9240 rows, 9240 created, 0 merged, 0 flagged, 0 with errors" in first.stdout
    with sqlite3.connect(Path(data_dir) / "rapport.sqlite") as db:
        assert db.execute("SELECT count(*) FROM leads WHERE status = 'converted' AND converted_customer_id IS NULL").fetchone() == (3561,)
        assert db.execute("SELECT count(*) FROM leads WHERE source = 'google'").fetchone() == (2873,)
        assert db.execute("SELECT count(*) FROM leads WHERE region LIKE '%Select%'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM leads l JOIN pools p ON p.id = l.pool_id WHERE p.key = 'default' AND l.owner_id IS NULL").fetchone() == (9240,)
    again = _run(*command)
    assert again.returncode == 1 and "already imported" in again.stderr
    forced = _run(*command, "--allow-repeat")
    assert forced.returncode == 0, forced.stderr
    assert "9240 rows, 0 created, 9240 merged, 0 flagged, 0 with errors" in forced.stdout
