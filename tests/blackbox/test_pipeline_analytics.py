"""Pipeline analytics end to end on the real server, every response checked against the OpenAPI
document: the summary (win rate, won revenue, cycle, weighted pipeline), the stage funnel, sales
velocity, forecasts with a back-test and the reverse-funnel planner, from opportunities moved
through the API; scoped per role (a rep sees their own numbers, a manager their subtree's);
bad parameters answer 422. The team and source are new per session, and the administrator's
reports filter on them, so sessions sharing a PostgreSQL database only see their own rows."""

from __future__ import annotations

import secrets

import pytest

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, new_person, unique
from test_opportunities import cny, ensure_opportunity_dictionary

BASE = f"{V1}/analytics/opportunities"


@pytest.fixture(scope="module")
def pipeline_world(api: Api):
    """A team with a manager and two reps. Rep 1 wins A (10,000) and loses B (5,000); rep 2 has C
    (20,000) open in proposal. All of one new source."""
    restore_standard_roles(api)
    ensure_opportunity_dictionary(api)
    team = api.post(f"{V1}/teams", json={"key": unique("pa-team"), "name": "Pipeline analytics"}, expect=201).json()
    manager = new_person(api, "manager", team, "Pia Manager")
    rep1 = new_person(api, "rep", team, "Rob Winner")
    rep2 = new_person(api, "rep", team, "Rita Open")
    source = "pa_" + secrets.token_hex(4)

    def open_deal(rep, name: str, minor: int) -> str:
        customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique(name)}, expect=201).json()["customer"]
        return rep.api.post(f"{V1}/opportunities", json={
            "name": unique(name), "customer_id": customer["id"], "amount": cny(minor), "source": source,
            "custom_fields": {"course_package": "lessons_48"}}, expect=201).json()["id"]

    a = open_deal(rep1, "Deal A", 10_000)
    b = open_deal(rep1, "Deal B", 5_000)
    c = open_deal(rep2, "Deal C", 20_000)
    for stage in ("proposal", "negotiation", "won"):
        rep1.api.post(f"{V1}/opportunities/{a}/stage", json={"stage": stage}, expect=200)
    rep1.api.post(f"{V1}/opportunities/{b}/stage", json={"stage": "lost", "loss_reason": "price"}, expect=200)
    rep2.api.post(f"{V1}/opportunities/{c}/stage", json={"stage": "proposal"}, expect=200)
    return {"team": team, "manager": manager, "rep1": rep1, "rep2": rep2, "source": source}


def amounts(rows: list) -> dict:
    return {row["currency"]: row["amount_minor"] for row in rows}


def test_summary_and_velocity_per_role(api: Api, pipeline_world: dict) -> None:
    team, rep1 = pipeline_world["team"], pipeline_world["rep1"]
    mine = rep1.api.get(f"{BASE}/summary", expect=200).json()
    assert mine["pipeline"] == "new_sale" and mine["date_field"] == "created" and mine["from"] is None
    assert (mine["open"], mine["won"], mine["lost"]) == (0, 1, 1)
    assert mine["win_rate"] == 0.5 and mine["win_rate_basis_points"] == 5_000
    assert amounts(mine["won_amount"]) == {"CNY": 10_000} and amounts(mine["average_won_deal"]) == {"CNY": 10_000}
    assert mine["average_sales_cycle_days"] is not None and mine["average_sales_cycle_days"] >= 0
    theirs = pipeline_world["rep2"].api.get(f"{BASE}/summary", expect=200).json()
    assert (theirs["open"], theirs["won"], theirs["lost"]) == (1, 0, 0) and theirs["win_rate"] is None
    assert amounts(theirs["weighted_amount"]) == {"CNY": 8_000}  # 20,000 in proposal at 40 %
    team_wide = api.get(f"{BASE}/summary", params={"team_id": team["id"]}, expect=200).json()
    assert (team_wide["open"], team_wide["won"], team_wide["lost"]) == (1, 1, 1)
    managed = pipeline_world["manager"].api.get(f"{BASE}/summary", params={"source": pipeline_world["source"]}, expect=200).json()
    assert (managed["open"], managed["won"], managed["lost"]) == (1, 1, 1)
    closed = api.get(f"{BASE}/summary", params={"team_id": team["id"], "date_field": "closed", "from": "2000-01-01", "to": "2999-01-01",
                                                "currency": "cny"}, expect=200).json()
    assert closed["currency"] == "CNY" and (closed["won"], closed["lost"], closed["open"]) == (1, 1, 1)
    velocity = api.get(f"{BASE}/velocity", params={"team_id": team["id"]}, expect=200).json()
    assert velocity["won"] == 1 and velocity["missing_inputs"] in ([], ["average_sales_cycle"])
    for row in velocity["velocities"]:
        assert row["currency"] == "CNY" and row["open_opportunities"] == 1 and row["average_won_deal_minor"] == 10_000


def test_funnel_per_owner_and_period(api: Api, pipeline_world: dict) -> None:
    team = pipeline_world["team"]
    report = pipeline_world["manager"].api.get(f"{BASE}/funnel", params={"group_by": "owner"}, expect=200).json()
    assert report["group_by"] == "owner"
    total = {stage["stage"]: stage for stage in report["total"]["stages"]}
    assert list(total) == ["needs_analysis", "proposal", "negotiation", "won", "lost"]
    assert {key: value["reached"] for key, value in total.items()} == {"needs_analysis": 3, "proposal": 2, "negotiation": 1, "won": 1, "lost": 1}
    assert {key: value["current"] for key, value in total.items()} == {"needs_analysis": 0, "proposal": 1, "negotiation": 0, "won": 1, "lost": 1}
    assert total["needs_analysis"]["conversion_rate_basis_points"] == 6_667 and total["proposal"]["conversion_rate"] == 0.5
    assert total["needs_analysis"]["completed_visits"] == 3 and total["needs_analysis"]["median_days_in_stage"] is not None
    assert total["won"]["conversion_rate"] is None
    owners = {row["group"] for row in report["rows"]}
    assert owners == {pipeline_world["rep1"].id, pipeline_world["rep2"].id}
    daily = api.get(f"{BASE}/funnel", params={"team_id": team["id"], "interval": "day", "time_zone": "Asia/Shanghai", "group_by": "source"},
                    expect=200).json()
    assert daily["time_zone"] == "Asia/Shanghai" and all(row["period_start"] and row["group"] == pipeline_world["source"] for row in daily["rows"])
    assert daily["total"]["total"] == 3


def test_forecast_with_back_test(api: Api, pipeline_world: dict) -> None:
    team = pipeline_world["team"]
    report = api.get(f"{BASE}/forecast", params={"team_id": team["id"], "as_of": "2020-01-01"}, expect=200).json()
    assert [(row["month"], row["currency"], row["amount_minor"], row["weighted_minor"]) for row in report["weighted"]] == [(None, "CNY", 20_000, 8_000)]
    # The historical forecast per month too: proposal's rate (1 won of 1) × 20,000.
    assert [(row["historical_minor"], row["without_rate_minor"]) for row in report["weighted"]] == [(20_000, 0)]
    stages = {row["stage"]: row for row in report["historical"]["stages"]}
    assert stages["proposal"]["win_rate"] == {"numerator": 1, "denominator": 1, "value": 1.0, "basis_points": 10_000}
    assert amounts(report["historical"]["forecast"]) == {"CNY": 20_000}
    test = report["back_test"]
    assert test["as_of"].startswith("2020-01-01") and test["forecast"] == [] and test["actual"] == [] and test["error"] == []
    assert api.get(f"{BASE}/forecast", params={"team_id": team["id"]}, expect=200).json()["back_test"] is None


def test_planner_names_missing_rates(api: Api, pipeline_world: dict) -> None:
    team = pipeline_world["team"]
    plan = api.get(f"{BASE}/planner", params={"team_id": team["id"], "target_minor": "100000", "target_currency": "CNY"}, expect=200).json()
    # 100,000 ÷ 10,000 → 10 won deals; win rate 1 of 2 → 20 opportunities; no leads or visits in this team.
    assert plan["target"] == {"currency": "CNY", "amount_minor": 100_000}
    assert plan["won_deals"] == 10 and plan["opportunities"] == 20 and plan["leads"] is None and plan["visits"] is None
    assert plan["missing_rates"] == ["lead_to_opportunity", "visits_per_won_deal"]
    assert plan["rates"]["average_won_deal_minor"] == 10_000 and plan["inputs"]["opportunities_created"] == 3


def test_bad_parameters_answer_422(api: Api, pipeline_world: dict) -> None:
    bad = problem(api.get(f"{BASE}/summary", params={"pipeline": "nope", "owner_id": "x", "date_field": "updated"}), 422, "validation_failed")
    assert field_codes(bad) == {"pipeline": "invalid", "owner_id": "invalid", "date_field": "invalid"}
    assert field_codes(problem(api.get(f"{BASE}/funnel", params={"group_by": "stage"}), 422, "validation_failed")) == {"group_by": "invalid"}
    assert field_codes(problem(api.get(f"{BASE}/forecast", params={"as_of": "2999-01-01"}), 422, "validation_failed")) == {"as_of": "out_of_range"}
    assert field_codes(problem(api.get(f"{BASE}/planner"), 422, "validation_failed")) == {"target_minor": "required", "target_currency": "required"}
    assert field_codes(problem(api.get(f"{BASE}/velocity", params={"from": "2026-02-01", "to": "2026-01-01"}), 422, "validation_failed")) == {"from": "invalid"}
