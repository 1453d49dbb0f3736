"""Saved views end to end on the real server: each user keeps their own named filter sets of a
list, normalised to the list's filter keys; nobody else sees or deletes them. Every response is
checked against the OpenAPI document."""

from __future__ import annotations

from contract import Api, field_codes, problem
from test_customers import V1, new_person, unique


def test_saved_views_are_each_users_own(api: Api) -> None:
    team = api.post(f"{V1}/teams", json={"key": unique("views"), "name": "Views desk"}, expect=201).json()
    rep = new_person(api, "rep", team, "Vera Views")
    other = new_person(api, "rep", team, "Otto Other")

    hot = rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": " Hot 热 ", "query": "?cursor=x&status=new&q=Wang+Li&bogus=1"},
                       expect=201).json()
    assert hot["name"] == "Hot 热" and hot["object"] == "lead" and hot["query"] == "q=Wang%20Li&status=new" and hot["position"] == 0
    stale = rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": "Stale", "query": "quiet_days=7"}, expect=201).json()
    vip = rep.api.post(f"{V1}/saved-views", json={"object": "customer", "name": "VIP"}, expect=201).json()
    assert stale["position"] == 1 and vip["position"] == 0 and vip["query"] == ""

    assert [v["name"] for v in rep.api.get(f"{V1}/saved-views", params={"object": "lead"}, expect=200).json()["data"]] == ["Hot 热", "Stale"]
    listed = rep.api.get(f"{V1}/saved-views", expect=200).json()
    assert {v["id"] for v in listed["data"]} == {hot["id"], stale["id"], vip["id"]} and listed["next_cursor"] is None

    # Someone else sees none of them and cannot delete them; they may reuse a name.
    assert other.api.get(f"{V1}/saved-views", expect=200).json()["data"] == []
    problem(other.api.delete(f"{V1}/saved-views/{hot['id']}"), 404, "not_found")
    other.api.post(f"{V1}/saved-views", json={"object": "lead", "name": "Hot 热"}, expect=201)

    # Refusals: a taken name, a bad list, a long name, unknown members, a bad filter of the list.
    taken = problem(rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": "Stale"}), 409, "duplicate")
    assert field_codes(taken) == {"name": "duplicate"}
    bad = problem(rep.api.post(f"{V1}/saved-views", json={"object": "deal", "name": "x" * 61}), 422, "validation_failed")
    assert field_codes(bad) == {"object": "invalid", "name": "too_long"}
    problem(rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": "X", "owner": "me"}), 422, "validation_failed")
    problem(rep.api.get(f"{V1}/saved-views", params={"object": "deal"}), 422, "validation_failed")

    # At most 20 per list.
    for index in range(2, 20):
        rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": f"View {index}", "query": "status=new"}, expect=201)
    full = problem(rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": "One more"}), 422, "validation_failed")
    assert field_codes(full) == {"object": "too_many"}

    rep.api.delete(f"{V1}/saved-views/{stale['id']}", expect=204)
    problem(rep.api.delete(f"{V1}/saved-views/{stale['id']}"), 404, "not_found")
    problem(rep.api.delete(f"{V1}/saved-views/not-a-view"), 404, "not_found")
    again = rep.api.post(f"{V1}/saved-views", json={"object": "lead", "name": "One more"}, expect=201).json()
    assert again["position"] == 20
    assert len(rep.api.get(f"{V1}/saved-views", params={"object": "lead"}, expect=200).json()["data"]) == 20
