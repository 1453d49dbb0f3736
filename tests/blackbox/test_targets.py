"""Monthly targets, performance (actuals and attainment) and leaderboards end to end on the real
server: a manager sets a month's sheet for their team in one request, changes one target with
If-Match, reads actuals rolled up per team; a rep sees their own figures and their team's board
(names and values only); bad input answers 422 and changes nothing. Teams and people are new per
session, and every response is checked against the OpenAPI document."""

from __future__ import annotations

import pytest

from contract import Api, field_codes, problem, restore_standard_roles
from test_customers import V1, create, new_person, unique


@pytest.fixture(scope="module")
def floor(api: Api):
    """A team tree (sales → east), a manager of sales, two reps in east; rep 1 made three calls
    and a visit this month, rep 2 one call."""
    restore_standard_roles(api)
    # The fuzzer may have hidden leaderboards from reps; these tests start from the default.
    api.request("PUT", f"{V1}/settings/leaderboards", json={"visible_to_reps": True}, expect=200)
    sales = api.post(f"{V1}/teams", json={"key": unique("tg-sales"), "name": "Targets Sales"}, expect=201).json()
    east = api.post(f"{V1}/teams", json={"key": unique("tg-east"), "name": "Targets East", "parent_id": sales["id"]}, expect=201).json()
    manager = new_person(api, "manager", sales, "Tara Target")
    rep1 = new_person(api, "rep", east, "Ray Rank")
    rep2 = new_person(api, "rep", east, "Rue Rank")
    for rep, types in ((rep1, ["call", "call", "call", "visit"]), (rep2, ["call"])):
        customer = create(rep.api, kind="person")
        for kind in types:
            rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": kind}, expect=201)
    month = manager.api.get(f"{V1}/performance", expect=200).json()["period"]
    return {"sales": sales, "east": east, "manager": manager, "rep1": rep1, "rep2": rep2, "month": month}


def figure(figures: list[dict], metric: str, currency: str | None = None) -> dict:
    return next(f for f in figures if f["metric"] == metric and f["currency"] == currency)


def test_a_managers_sheet_if_match_and_scope(api: Api, floor: dict) -> None:
    manager, rep1, rep2, month = floor["manager"], floor["rep1"], floor["rep2"], floor["month"]
    sheet = manager.api.request("PUT", f"{V1}/targets", json={"month": month, "targets": [
        {"user_id": rep1.id, "metric": "calls", "amount": 6},
        {"user_id": rep2.id, "metric": "calls", "amount": 4},
        {"user_id": rep1.id, "metric": "won_revenue", "currency": "CNY", "amount": 1_000_000},
        {"team_id": floor["east"]["id"], "metric": "calls", "amount": 12},
    ]}, expect=200).json()
    assert sheet["month"] == month and [t["version"] for t in sheet["data"]] == [1, 1, 1, 1]
    first = sheet["data"][0]
    # Reps may not set targets; bad lines are named and change nothing.
    problem(rep1.api.request("PUT", f"{V1}/targets", json={"month": month, "targets": [{"user_id": rep1.id, "metric": "calls", "amount": 99}]}), 403, "forbidden")
    bad = problem(manager.api.request("PUT", f"{V1}/targets", json={"month": "2026-13", "targets": [
        {"user_id": rep1.id, "metric": "revenue", "amount": 1}, {"user_id": rep1.id, "metric": "won_revenue", "amount": -1}]}), 422, "validation_failed")
    assert field_codes(bad) == {"month": "invalid", "targets[0].metric": "invalid", "targets[1].currency": "required", "targets[1].amount": "out_of_range"}
    assert api.get(f"{V1}/targets/{first['id']}", expect=200).json()["amount"] == 6

    # One target: If-Match required and checked.
    got = manager.api.get(f"{V1}/targets/{first['id']}", expect=200)
    assert got.headers["ETag"] == '"1"'
    problem(manager.api.patch(f"{V1}/targets/{first['id']}", json={"amount": 8}), 428, "precondition_required")
    problem(manager.api.patch(f"{V1}/targets/{first['id']}", json={"amount": 8}, headers={"If-Match": '"5"'}), 412, "precondition_failed")
    changed = manager.api.patch(f"{V1}/targets/{first['id']}", json={"amount": 8}, headers={"If-Match": '"1"'}, expect=200)
    assert changed.json()["amount"] == 8 and changed.headers["ETag"] == '"2"'
    # A rep reads their own and their team's targets, not a colleague's.
    mine = rep1.api.get(f"{V1}/targets", params={"month": month}, expect=200).json()["data"]
    assert {t["user_id"] or t["team_id"] for t in mine} == {rep1.id, floor["east"]["id"]}
    problem(rep2.api.get(f"{V1}/targets/{first['id']}"), 404, "not_found")
    problem(api.get(f"{V1}/targets", params={"month": "13-2026"}), 422, "validation_failed")

    # Performance: actuals from the records, attainment against the targets, the team rolled up.
    performance = manager.api.get(f"{V1}/performance", params={"period": month}, expect=200).json()
    people = {p["user_id"]: p for p in performance["people"]}
    calls = figure(people[rep1.id]["figures"], "calls")
    assert calls["actual"] == 3 and calls["target"] == 8 and calls["attainment"]["basis_points"] == 3750
    assert figure(people[rep1.id]["figures"], "visits")["actual"] == 1
    assert figure(people[rep1.id]["figures"], "won_revenue", "CNY")["attainment"]["basis_points"] == 0
    east = next(t for t in performance["teams"] if t["team_id"] == floor["east"]["id"])
    team_calls = figure(east["figures"], "calls")
    assert team_calls["actual"] == 4 and team_calls["target"] == 12 and team_calls["members_target"] == 12
    own = rep2.api.get(f"{V1}/performance", expect=200).json()
    assert [p["user_id"] for p in own["people"]] == [rep2.id] and own["teams"] == []

    # Leaderboards: the manager's full board; a rep's board of their team, names and values only.
    board = manager.api.get(f"{V1}/leaderboards", params={"metric": "calls", "period": month, "team_id": floor["sales"]["id"]}, expect=200).json()
    assert [(p["name"], p["value"], p["rank"]) for p in board["people"]] == [("Ray Rank", 3, 1), ("Rue Rank", 1, 2)]
    assert board["people"][0]["attainment"]["basis_points"] == 3750
    assert [(t["team_id"], t["value"], t["rank"]) for t in board["teams"]] == [(floor["east"]["id"], 4, 1)]
    public = rep2.api.get(f"{V1}/leaderboards", params={"metric": "calls"}, expect=200).json()
    assert public["public_only"] and [(p["rank"], p["name"], p["value"]) for p in public["people"]] == [(1, "Ray Rank", 3), (2, "Rue Rank", 1)]
    assert all(set(p) == {"rank", "name", "value"} for p in public["people"]) and public["teams"] == []
    problem(rep2.api.get(f"{V1}/leaderboards", params={"metric": "calls", "team_id": floor["sales"]["id"]}), 404, "not_found")
    bad = problem(api.get(f"{V1}/leaderboards", params={"metric": "sales", "period": "2026-Q5"}), 422, "validation_failed")
    assert field_codes(bad) == {"metric": "invalid", "period": "invalid"}

    manager.api.delete(f"{V1}/targets/{first['id']}", expect=204)
    problem(manager.api.get(f"{V1}/targets/{first['id']}"), 404, "not_found")


def test_the_company_may_hide_leaderboards_from_reps(api: Api, floor: dict) -> None:
    manager, rep1 = floor["manager"], floor["rep1"]
    assert rep1.api.get(f"{V1}/settings/leaderboards", expect=200).json() == {"visible_to_reps": True}
    problem(manager.api.request("PUT", f"{V1}/settings/leaderboards", json={"visible_to_reps": False}), 403, "forbidden")
    problem(api.request("PUT", f"{V1}/settings/leaderboards", json={"visible_to_reps": "no"}), 422, "validation_failed")
    try:
        assert api.request("PUT", f"{V1}/settings/leaderboards", json={"visible_to_reps": False}, expect=200).json() == {"visible_to_reps": False}
        problem(rep1.api.get(f"{V1}/leaderboards", params={"metric": "calls"}), 403, "leaderboard_hidden")
        assert manager.api.get(f"{V1}/leaderboards", params={"metric": "calls"}, expect=200).json()["people"]
        assert api.request("PUT", f"{V1}/settings/leaderboards", json={}, expect=200).json() == {"visible_to_reps": False}
    finally:
        api.request("PUT", f"{V1}/settings/leaderboards", json={"visible_to_reps": True}, expect=200)
    assert rep1.api.get(f"{V1}/leaderboards", params={"metric": "calls"}, expect=200).json()["public_only"]
