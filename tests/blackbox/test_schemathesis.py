"""Property-based fuzzing of the live server with Schemathesis, driven by the server's own
/openapi.json: every generated request (valid and invalid) must get a response the document
describes, and never a 5xx.

Bounded and reproducible: at most 25 examples per operation, a fixed seed, one worker, and a
5-minute cap on the whole run. Excluded: `POST /api/v1/test-clock` (moving the clock would expire
the session's tokens) and `POST /api/v1/auth/token` (failed sign-ins lock accounts and addresses).
The fuzzing administrator's own user and token, and the session administrator's, are shielded by
schemathesis_hooks.py so that the run cannot lock itself out.

Environment: RAPPORT_FUZZ_MAX_EXAMPLES (default 25), RAPPORT_FUZZ_SEED (default 20261126);
RAPPORT_FUZZ_DOCUMENT=repository fuzzes with Sources/RapportHTTP/Resources/openapi.json instead of
the served copy (for working on the document before the binary is rebuilt).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import requests

from contract import Api, restore_standard_roles

HERE = Path(__file__).resolve().parent
DOCUMENT_PATH = HERE.parents[1] / "Sources" / "RapportHTTP" / "Resources" / "openapi.json"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
TIME_CAP_SECONDS = 600  # 250 operations; a loaded 2-core machine needs more than 300 s
EXCLUDED_PATHS = ("/api/v1/test-clock", "/api/v1/auth/token")


def test_schemathesis(api: Api, server, document: dict, tmp_path: Path) -> None:
    if os.environ.get("RAPPORT_FUZZ_DOCUMENT") == "repository":
        location = [str(DOCUMENT_PATH), "--url", server.base_url]
    else:
        served = requests.get(server.base_url + "/openapi.json", timeout=30).json()
        assert served == document, "the served /openapi.json is not the repository's document: rebuild the binary first"
        location = [f"{server.base_url}/openapi.json"]

    # A dedicated administrator for the fuzzer.
    password = "fuzz-" + secrets.token_urlsafe(12)
    fuzzer = api.post("/api/v1/users", json={
        "email": f"fuzz-admin-{secrets.token_hex(4)}@example.com", "name": "Fuzz Admin", "role": "admin", "password": password,
    }, expect=201).json()
    signed_in = api.post("/api/v1/auth/token", token=None, json={"email": fuzzer["email"], "password": password}, expect=201).json()

    report_dir = tmp_path / "schemathesis-report"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", *location,
        "--header", f"Authorization: Bearer {signed_in['token']}",
        "--checks", CHECKS,
        "--max-examples", os.environ.get("RAPPORT_FUZZ_MAX_EXAMPLES", "25"),
        "--seed", os.environ.get("RAPPORT_FUZZ_SEED", "20261126"),
        "--workers", "1",
        "--generation-database", "none",
        "--request-timeout", "30",
        "--report", "junit", "--report-dir", str(report_dir),
        "--no-color",
    ]
    for path in EXCLUDED_PATHS:
        command += ["--exclude-path", path]
    if os.environ.get("RAPPORT_FUZZ_INCLUDE_PATH_REGEX"):  # a developer's quick run over some operations
        command += ["--include-path-regex", os.environ["RAPPORT_FUZZ_INCLUDE_PATH_REGEX"]]
    env = dict(os.environ)
    env["SCHEMATHESIS_HOOKS"] = str(HERE / "schemathesis_hooks.py")
    env["RAPPORT_FUZZ_PROTECTED_IDS"] = ",".join([server.admin_id, server.admin_token_id, fuzzer["id"], signed_in["token_id"]])
    try:
        try:
            run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIME_CAP_SECONDS, cwd=tmp_path)
        except subprocess.TimeoutExpired as expired:
            output = (expired.stdout or b"")
            output = output.decode(errors="replace") if isinstance(output, bytes) else output
            raise AssertionError(f"schemathesis did not finish within {TIME_CAP_SECONDS} s:\n{output[-6000:]}") from None
    finally:
        restore_standard_roles(api)  # the fuzzer changes role scopes at random
        # …and creates catch-all assignment rules, which would route later tests' leads.
        for rule in api.get("/api/v1/assignment-rules", expect=200).json()["data"]:
            api.delete(f"/api/v1/assignment-rules/{rule['id']}", expect=204)
        # …and playbooks, which would start runs (and tasks) on later tests' records.
        for playbook in api.get("/api/v1/playbooks", expect=200).json()["data"]:
            if playbook["active"]:
                api.delete(f"/api/v1/playbooks/{playbook['key']}", expect=204)
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found problems (exit {run.returncode}; JUnit report in {report_dir}):\n{output[-12000:]}"
    assert "Tested:" in output, output[-4000:]
    print(output[output.find("SUMMARY"):] if "SUMMARY" in output else output[-2000:])  # shown with -s / -rP

    # The run left the server healthy, the shielded credentials working, and the audit chain intact.
    assert requests.get(server.base_url + "/readyz", timeout=30).status_code == 200
    api.get("/api/v1/me", expect=200)
    api.get("/api/v1/me", token=signed_in["token"], expect=200)
    verified = api.get("/api/v1/audit/verify", expect=200).json()
    assert verified["intact"] is True, verified
    # And it really exercised the API: many operations were logged.
    assert api.get("/api/v1/audit", params={"actor_id": fuzzer["id"], "limit": 500}, expect=200).json()["data"]
