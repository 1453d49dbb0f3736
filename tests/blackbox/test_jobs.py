"""Durable jobs on the real server: its job runner queues the built-in `jobs.prune` for the next
midnight (of the server's clock) and runs it once the test clock passes that; administrators list,
read and retry jobs; others are refused. Every response is checked against the OpenAPI document.

The API cannot queue arbitrary work (on purpose), so the failing job is one row written straight
into the database: a `jobs.prune` asked to keep nothing, which its handler refuses for good
(`failed`). That goes through the server's real claim, handler and retry paths on either engine.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import time
from datetime import datetime
from typing import Any, Callable

from contract import Api, field_codes, problem

V1 = "/api/v1"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def server_now(api: Api) -> datetime:
    return parse_time(api.post(f"{V1}/test-clock", json={"advance_seconds": 0}, expect=200).json()["now"])


def new_job_id() -> str:
    """A job id as the server makes them: `job_` and a ULID body (time, then randomness)."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "job_" + "".join(CROCKFORD[(value >> (5 * index)) & 31] for index in reversed(range(26)))


def eventually(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Polls `probe` until it returns something truthy (the runner works every second)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def insert_job(server, job_id: str, kind: str, payload: dict, at: datetime) -> None:
    """Writes one queued job row, due at `at`, into the server's database."""
    micros = int(at.timestamp() * 1_000_000)
    values = (job_id, kind, json.dumps(payload), "queued", micros, 0, 1, micros, micros)
    columns = "id, kind, payload, status, due_at, attempts, max_attempts, created_at, updated_at"
    if server.database_url:
        # psql variables, quoted as literals by psql (`:'name'`), carry the values.
        names = [name.strip() for name in columns.split(",")]
        placeholders = ", ".join(":'" + name + "'" for name in names)
        script = f"INSERT INTO jobs ({columns}) VALUES ({placeholders});\n"
        variables = [argument for name, value in zip(names, values) for argument in ("-v", f"{name}={value}")]
        subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", *variables, server.database_url],
                       input=script, text=True, check=True, capture_output=True, timeout=60)
    else:
        with sqlite3.connect(server.data_dir / "rapport.sqlite", timeout=30) as db:
            db.execute(f"INSERT INTO jobs ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def new_rep(api: Api) -> Api:
    password = "pw-" + secrets.token_urlsafe(12)
    user = api.post(f"{V1}/users", json={
        "email": f"rep-{secrets.token_hex(4)}@example.com", "name": "Jo Rep", "role": "rep", "password": password,
    }, expect=201).json()
    token = api.post(f"{V1}/auth/token", token=None, json={"email": user["email"], "password": password}, expect=201).json()["token"]
    return api.as_token(token)


def test_the_runner_schedules_and_runs_the_daily_prune(api: Api) -> None:
    def prunes() -> list[dict]:
        return api.get(f"{V1}/jobs", params={"kind": "jobs.prune", "limit": 500}, expect=200).json()["data"]

    # Scheduled by the runner within a second or two of starting (another test may already have
    # moved the clock past it, so it may have run).
    prune = eventually("a scheduled jobs.prune", lambda: next(iter(prunes()), None))
    if prune["status"] == "queued":
        due = parse_time(prune["due_at"])
        assert (due.hour, due.minute, due.second) == (0, 0, 0), prune
        assert api.get(f"{V1}/jobs", params={"kind": "jobs.prune", "status": "queued"}, expect=200).json()["data"] == [prune]
        wait = (due - server_now(api)).total_seconds()
        if wait > 0:
            api.post(f"{V1}/test-clock", json={"advance_seconds": wait + 1}, expect=200)
    done = eventually("the prune to run", lambda: (job := api.get(f"{V1}/jobs/{prune['id']}", expect=200).json())["status"] == "succeeded" and job)
    assert done["attempts"] >= 1 and done["finished_at"] is not None and done["locked_by"] is None
    # Only failed or dead jobs may be retried.
    problem(api.post(f"{V1}/jobs/{prune['id']}/retry"), 409, "conflict")


def test_administrators_see_and_retry_a_failed_job_others_may_not(api: Api, server) -> None:
    job_id = new_job_id()
    insert_job(server, job_id, "jobs.prune", {"older_than_days": 0}, server_now(api))

    failed = eventually("the job to fail", lambda: (job := api.get(f"{V1}/jobs/{job_id}", expect=200).json())["status"] == "failed" and job)
    assert failed["attempts"] == 1 and failed["last_error"] == "older_than_days must be at least 1", failed
    assert failed["payload"] == {"older_than_days": 0} and failed["finished_at"] is not None

    listed = api.get(f"{V1}/jobs", params={"status": "failed", "kind": "jobs.prune"}, expect=200).json()
    assert job_id in [job["id"] for job in listed["data"]] and all(job["status"] == "failed" for job in listed["data"])
    body = problem(api.get(f"{V1}/jobs", params={"status": "stuck"}), 422, "validation_failed")
    assert field_codes(body) == {"status": "invalid"}

    rep = new_rep(api)
    problem(rep.get(f"{V1}/jobs"), 403, "forbidden")
    problem(rep.get(f"{V1}/jobs/{job_id}"), 403, "forbidden")
    problem(rep.post(f"{V1}/jobs/{job_id}/retry"), 403, "forbidden")

    retried = api.post(f"{V1}/jobs/{job_id}/retry", headers={"Idempotency-Key": secrets.token_hex(8)}, expect=200).json()
    assert retried["status"] == "queued" and retried["attempts"] == 0 and retried["finished_at"] is None, retried
    # The runner takes it again, and it fails again the same way.
    again = eventually("the retried job to fail again", lambda: (job := api.get(f"{V1}/jobs/{job_id}", expect=200).json())["status"] == "failed" and job)
    assert again["attempts"] == 1 and again["last_error"] == failed["last_error"]

    problem(api.post(f"{V1}/jobs/job_{'0' * 26}/retry"), 404, "not_found")
    problem(api.get(f"{V1}/jobs/not-a-job"), 404, "not_found")
