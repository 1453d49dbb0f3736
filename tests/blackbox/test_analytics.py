"""Lead analytics end to end on the real server: turnover per rep, team and source, and the lead
funnel per source, from leads that are claimed, released, claimed again and converted through the
API; scoped per role (a rep sees their own numbers, a manager their subtree's, an administrator
everyone's); bad parameters answer 422. Every response is checked against the OpenAPI document.
Teams, reps and the source are new per session, so sessions sharing a PostgreSQL database only
ever look at their own rows."""

from __future__ import annotations

import secrets

import pytest

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, cn_mobile, new_person, unique

TURNOVER = f"{V1}/analytics/lead-turnover"
FUNNEL = f"{V1}/analytics/lead-funnel"


@pytest.fixture(scope="module")
def world(api: Api):
    """Two teams (east, west), a manager of east, a rep in each; three leads of a new source in a
    new pool. Rep 1 claims the first and releases it, rep 2 claims it again and converts it; each
    rep claims one more."""
    restore_standard_roles(api)
    east = api.post(f"{V1}/teams", json={"key": unique("an-east"), "name": "Analytics East"}, expect=201).json()
    west = api.post(f"{V1}/teams", json={"key": unique("an-west"), "name": "Analytics West"}, expect=201).json()
    manager = new_person(api, "manager", east, "Mia Manager")
    rep1 = new_person(api, "rep", east, "Rex East")
    rep2 = new_person(api, "rep", west, "Wes West")
    pool = api.post(f"{V1}/pools", json={"key": unique("an-pool"), "name": "Analytics", "object": "lead", "rules": {"time_zone": "UTC"}},
                    expect=201).json()
    source = "bb_" + secrets.token_hex(4)
    leads = [api.post(f"{V1}/leads", json={
        "name": f"Analytics lead {index}", "phone": cn_mobile(), "source": source, "owner_id": None, "pool_id": pool["id"],
        "custom_fields": {"grade": "adult", "subject_interest": ["math"]},
    }, expect=201).json()["lead"] for index in range(3)]
    claim = f"{V1}/pools/{pool['id']}/claim"
    rep1.api.post(claim, json={"lead_ids": [leads[0]["id"]]}, expect=200)
    rep1.api.post(f"{V1}/leads/{leads[0]['id']}/release", json={"reason": "Not my area"}, expect=200)
    rep2.api.post(claim, json={"lead_ids": [leads[0]["id"]]}, expect=200)
    for status in ("contacting", "qualified"):
        rep2.api.post(f"{V1}/leads/{leads[0]['id']}/status", json={"status": status}, expect=200)
    rep2.api.post(f"{V1}/leads/{leads[0]['id']}/convert", expect=200)
    rep1.api.post(claim, json={"lead_ids": [leads[1]["id"]]}, expect=200)
    rep2.api.post(claim, json={"lead_ids": [leads[2]["id"]]}, expect=200)
    return {"east": east, "west": west, "manager": manager, "rep1": rep1, "rep2": rep2, "pool": pool, "source": source, "leads": leads}


def counts(row: dict) -> dict:
    return {key: row[key] for key in ("leads_received", "claimed", "released", "reclaimed", "converted", "holding_intervals",
                                      "reclaimed_leads", "converted_after_reclaim")}


def test_turnover_per_rep_team_and_source_within_each_roles_scope(api: Api, world: dict) -> None:
    rep1, rep2 = world["rep1"], world["rep2"]
    mine = rep1.api.get(TURNOVER, expect=200).json()
    assert mine["group_by"] == "rep" and mine["interval"] == "none" and mine["time_zone"] in ("UTC", "GMT", "Asia/Shanghai")
    assert [row["group"] for row in mine["rows"]] == [rep1.id]
    assert counts(mine["rows"][0]) == {"leads_received": 2, "claimed": 2, "released": 1, "reclaimed": 0, "converted": 0, "holding_intervals": 1,
                                       "reclaimed_leads": 0, "converted_after_reclaim": 0}
    assert mine["rows"][0]["average_holding_hours"] >= 0 and counts(mine["total"]) == counts(mine["rows"][0])
    theirs = rep2.api.get(TURNOVER, expect=200).json()["rows"]
    assert [row["group"] for row in theirs] == [rep2.id]
    assert counts(theirs[0]) == {"leads_received": 2, "claimed": 2, "released": 0, "reclaimed": 0, "converted": 1, "holding_intervals": 1,
                                 "reclaimed_leads": 1, "converted_after_reclaim": 1}
    assert theirs[0]["reclaim_conversion_rate"] == 1.0
    # A manager of east sees rep 1 (east), not rep 2 (west).
    managed = world["manager"].api.get(TURNOVER, params={"group_by": "rep"}, expect=200).json()["rows"]
    assert [row["group"] for row in managed] == [rep1.id]
    # An administrator sees both, by team and by source too.
    by_rep = {row["group"]: row for row in api.get(TURNOVER, expect=200).json()["rows"]}
    assert counts(by_rep[rep1.id]) == counts(mine["rows"][0]) and counts(by_rep[rep2.id]) == counts(theirs[0])
    by_team = {row["group"]: row for row in api.get(TURNOVER, params={"group_by": "team"}, expect=200).json()["rows"]}
    assert counts(by_team[world["east"]["id"]]) == counts(mine["rows"][0]) and counts(by_team[world["west"]["id"]]) == counts(theirs[0])
    by_source = {row["group"]: row for row in api.get(TURNOVER, params={"group_by": "source"}, expect=200).json()["rows"]}
    assert by_source[world["source"]]["leads_received"] == 4 and by_source[world["source"]]["converted"] == 1
    daily = rep2.api.get(TURNOVER, params={"interval": "day", "time_zone": "Asia/Shanghai", "from": "2020-01-01", "to": "2030-01-01"}, expect=200).json()
    assert daily["time_zone"] == "Asia/Shanghai" and all(row["period_start"] is not None for row in daily["rows"])
    assert sum(row["leads_received"] for row in daily["rows"]) == 2
    weekly = api.get(TURNOVER, params={"interval": "week", "group_by": "none", "from": "2020-01-01T00:00:00Z"}, expect=200).json()
    assert weekly["group_by"] == "none" and all(row["group"] is None for row in weekly["rows"])
    monthly = api.get(TURNOVER, params={"interval": "month", "to": "2021-01-01"}, expect=200).json()
    assert monthly["rows"] == [] and monthly["total"]["leads_received"] == 0


def test_the_funnel_per_source_reads_the_status_history(api: Api, world: dict) -> None:
    source = world["source"]
    rows = [row for row in api.get(FUNNEL, expect=200).json()["rows"] if row["source"] == source]
    assert len(rows) == 1
    row = rows[0]
    assert row["created"] == 3 and row["converted"] == 1 and row["conversion_rate"] == pytest.approx(0.3333, abs=1e-4)
    reached = {stage["stage"]: stage["reached"] for stage in row["stages"]}
    assert reached == {"new": 3, "contacting": 1, "qualified": 1, "converted": 1, "invalid": 0}
    assert {stage["stage"]: stage["category"] for stage in row["stages"]}["converted"] == "won"
    by_rep = [row for row in api.get(FUNNEL, params={"group_by": "rep", "interval": "month"}, expect=200).json()["rows"] if row["source"] == source]
    assert {row["group"]: row["created"] for row in by_rep} == {world["rep1"].id: 1, world["rep2"].id: 2}
    by_team = [row for row in api.get(FUNNEL, params={"group_by": "team"}, expect=200).json()["rows"] if row["source"] == source]
    assert {row["group"]: row["created"] for row in by_team} == {world["east"]["id"]: 1, world["west"]["id"]: 2}
    # A rep sees the funnel of their own leads; the manager of east, rep 1's.
    mine = world["rep1"].api.get(FUNNEL, expect=200).json()
    assert mine["total"]["created"] == 1 and [row["source"] for row in mine["rows"]] == [source]
    assert world["manager"].api.get(FUNNEL, expect=200).json()["total"]["created"] == 1
    theirs = world["rep2"].api.get(FUNNEL, expect=200).json()["total"]
    assert theirs["created"] == 2 and theirs["converted"] == 1


@pytest.mark.parametrize("path", [TURNOVER, FUNNEL])
def test_bad_parameters_answer_422_naming_them(api: Api, path: str) -> None:
    for params, field in [({"interval": "hour"}, "interval"), ({"time_zone": "Mars/Base"}, "time_zone"), ({"from": "yesterday"}, "from"),
                          ({"to": "2026-02-30"}, "to"), ({"from": "2026-02-01", "to": "2026-01-01"}, "from"), ({"group_by": "planet"}, "group_by"),
                          ({"from": "1990-01-01", "to": "2026-01-01"}, "to")]:
        body = problem(api.get(path, params=params), 422, "validation_failed")
        assert field in field_codes(body), (params, body)
    problem(api.get(path, token=None), 401, "unauthorized")
