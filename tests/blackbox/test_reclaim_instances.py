"""Two `rapport serve` instances on one PostgreSQL database reclaim together: both run the
on-demand reclaim at the same moment while their job runners take the nightly `lead.reclaim`
job, and every lead goes back to the pool exactly once (one `reclaim` entry in its log, and the
reclaimed counts add up). PostgreSQL only: that is where several instances share a database."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import _binary, _child_environment, _serve, _stop
from contract import Api, restore_standard_roles
from test_customers import V1, cn_mobile, new_person, unique

LEADS = 200


def test_two_instances_reclaim_each_lead_once(api: Api, server, contract, tmp_path: Path) -> None:
    if not server.database_url:
        pytest.skip("several instances share one database on PostgreSQL")
    restore_standard_roles(api)
    team = api.post(f"{V1}/teams", json={"key": unique("reclaim"), "name": "Reclaim desk"}, expect=201).json()
    reps = [new_person(api, "rep", team, f"Rex {index}") for index in range(4)]
    pool = api.post(f"{V1}/pools", json={
        "key": unique("nightly"), "name": "Nightly", "object": "lead", "member_teams": [team["key"]],
        "rules": {"holding_limit": {"default": 1000}, "claims_per_day": {"default": 1000}, "protection_days": 0,
                  "reclaim": {"no_follow_up_days": 1, "warning_days": 0}},
    }, expect=201).json()
    ids = [api.post(f"{V1}/leads", json={"name": f"Reclaimable {index}", "phone": cn_mobile(), "source": "web_form", "owner_id": None,
                                          "pool_id": pool["id"]}, expect=201).json()["lead"]["id"] for index in range(LEADS)]
    for index, rep in enumerate(reps):
        mine = ids[index::len(reps)]
        for start in range(0, len(mine), 50):
            rep.api.post(f"{V1}/pools/{pool['id']}/claim", json={"lead_ids": mine[start:start + 50]}, expect=200)

    second_log = tmp_path / "second.log"
    process, base_url = _serve(_binary(), ["--database-url", server.database_url], _child_environment(), second_log, postgres=True)
    try:
        other = Api(base_url, contract, server.admin_token)
        # Both clocks two days on (past the nightly job's midnight and the one-day rule).
        now = api.post(f"{V1}/test-clock", json={"advance_seconds": 2 * 86_400}, expect=200).json()["now"]
        other.post(f"{V1}/test-clock", json={"now": now}, expect=200)

        answers: list[requests.Response] = []
        barrier = threading.Barrier(4)

        def reclaim(client: Api) -> None:
            barrier.wait()
            answers.append(client.post(f"{V1}/pools/{pool['id']}/reclaim", json={}))

        threads = [threading.Thread(target=reclaim, args=(client,)) for client in (api, other, api, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [answer.status_code for answer in answers] == [200] * 4
        by_requests = sum(len(answer.json()["reclaimed"]) for answer in answers)
        assert by_requests <= LEADS

        # The nightly job (run by whichever runner took it) and the requests together: all back, once each.
        deadline = time.monotonic() + 60
        while True:
            waiting = api.get(f"{V1}/pools/{pool['id']}/leads", params={"limit": 500}, expect=200).json()["data"]
            if len(waiting) == LEADS or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert sorted(lead["id"] for lead in waiting) == sorted(ids)
        for lead in ids:
            log = (api if secrets.randbelow(2) else other).get(f"{V1}/leads/{lead}/assignments", expect=200).json()["data"]
            assert [entry["kind"] for entry in log].count("reclaim") == 1, log
    finally:
        _stop(process)
