"""Work reports (日报/月报) end to end on the real server, every response checked against the
OpenAPI document: draft with figures from the author's records, words with If-Match, submit,
return, review and comments with notices, scope by author, search with literal wildcards and
cursors, and the manager's list of who has not submitted yesterday's daily report."""

from __future__ import annotations

from datetime import timedelta

from contract import Api, field_codes, problem
from test_customers import V1, new_person, unique
from test_jobs import server_now


def kinds(person, kind: str) -> list[dict]:
    return [n for n in person.api.get(f"{V1}/notifications", params={"limit": 500}, expect=200).json()["data"] if n["kind"] == kind]


def desk(api: Api) -> dict:
    team = api.post(f"{V1}/teams", json={"key": unique("reports"), "name": "Report desk"}, expect=201).json()
    return {
        "team": team,
        "manager": new_person(api, "manager", team, "Mia Manager"),
        "rep": new_person(api, "rep", team, "Ray Rep"),
        "colleague": new_person(api, "rep", team, "Cal Colleague"),
        "outsider": new_person(api, "rep", None, "Oz Outside"),
    }


def test_report_lifecycle_with_figures_comments_and_notices(api: Api) -> None:
    people = desk(api)
    rep, manager, outsider = people["rep"], people["manager"], people["outsider"]
    customer = rep.api.post(f"{V1}/customers", json={"kind": "person", "name": unique("王芳")}, expect=201).json()["customer"]
    for kind in ("call", "wechat"):
        rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": kind}, expect=201)

    created = rep.api.post(f"{V1}/reports", json={"kind": "daily"}, expect=201)
    report = created.json()
    rid = report["id"]
    assert created.headers["Location"] == f"/api/v1/reports/{rid}" and created.headers["ETag"] == '"1"'
    assert report["status"] == "draft" and report["figures_live"] and report["author_id"] == rep.id
    assert report["figures"]["calls"] == 1 and report["figures"]["other_activities"] == 1 and report["figures"]["visits"] == 0
    # The same period again is the same report.
    again = rep.api.post(f"{V1}/reports", json={"kind": "daily", "period": report["period"]}, expect=200).json()
    assert again["id"] == rid
    monthly = rep.api.post(f"{V1}/reports", json={"kind": "monthly"}, expect=201).json()
    assert monthly["kind"] == "monthly" and len(monthly["period"]) == 7 and monthly["figures"]["calls"] >= 1
    future = (server_now(api) + timedelta(days=3)).date().isoformat()
    assert field_codes(problem(rep.api.post(f"{V1}/reports", json={"kind": "weekly"}), 422, "validation_failed")) == {"kind": "invalid"}
    assert field_codes(problem(rep.api.post(f"{V1}/reports", json={"kind": "daily", "period": future}), 422, "validation_failed")) == {
        "period": "out_of_range"}
    assert field_codes(problem(rep.api.post(f"{V1}/reports", json={"kind": "monthly", "period": "2026-13"}), 422, "validation_failed")) == {
        "period": "invalid"}

    # Words need If-Match; only the author writes them.
    problem(rep.api.patch(f"{V1}/reports/{rid}", json={"summary": "x"}), 428, "precondition_required")
    written = rep.api.patch(f"{V1}/reports/{rid}", headers={"If-Match": '"1"'},
                            json={"summary": "<script>alert(1)</script> 拜访 2 家", "plan": "回访", "problems": None}, expect=200)
    assert written.headers["ETag"] == '"2"' and written.json()["summary"].startswith("<script>") and written.json()["problems"] is None
    problem(rep.api.patch(f"{V1}/reports/{rid}", headers={"If-Match": '"1"'}, json={"plan": "stale"}), 412, "precondition_failed")
    problem(manager.api.patch(f"{V1}/reports/{rid}", headers={"If-Match": '"2"'}, json={"plan": "mine"}), 403, "forbidden")
    assert field_codes(problem(rep.api.patch(f"{V1}/reports/{rid}", headers={"If-Match": '"2"'}, json={"plan": "x" * 5001}), 422,
                               "validation_failed")) == {"plan": "too_long"}
    problem(outsider.api.get(f"{V1}/reports/{rid}"), 404, "not_found")
    problem(rep.api.get(f"{V1}/reports/rpt_nope"), 404, "not_found")

    # Submit: snapshot, managers told; the author cannot review their own.
    submitted = rep.api.post(f"{V1}/reports/{rid}/submit", expect=200).json()
    assert submitted["status"] == "submitted" and not submitted["figures_live"] and submitted["submitted_at"] is not None
    assert [n["object_id"] for n in kinds(manager, "report.submitted")] == [rid]
    rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}, expect=201)
    seen = manager.api.get(f"{V1}/reports/{rid}", expect=200)
    assert seen.headers["ETag"] == f'"{submitted["version"]}"' and seen.json()["figures"] == submitted["figures"], "a submitted report keeps its figures"
    problem(rep.api.post(f"{V1}/reports/{rid}/review"), 403, "forbidden")
    problem(rep.api.post(f"{V1}/reports/{rid}/submit"), 409, "conflict")
    problem(rep.api.patch(f"{V1}/reports/{rid}", headers={"If-Match": '"3"'}, json={"plan": "late"}), 409, "conflict")

    # Return with a reason (kept as a comment), rework, resubmit, comment both ways, review.
    returned = manager.api.post(f"{V1}/reports/{rid}/return", json={"reason": "请补充明日计划"}, expect=200).json()
    assert returned["status"] == "returned" and returned["figures_live"]
    assert len(kinds(rep, "report.returned")) == 1
    rep.api.patch(f"{V1}/reports/{rid}", headers={"If-Match": f'"{returned["version"]}"'}, json={"plan": "明天回访王总"}, expect=200)
    rep.api.post(f"{V1}/reports/{rid}/submit", json={}, expect=200)
    comment = manager.api.post(f"{V1}/reports/{rid}/comments", json={"body": "很好，继续"}, expect=201).json()
    assert comment["author_id"] == manager.id and comment["report_id"] == rid
    assert len(kinds(rep, "report.commented")) == 1
    rep.api.post(f"{V1}/reports/{rid}/comments", json={"body": "收到"}, expect=201)
    assert len(kinds(manager, "report.commented")) == 1
    assert field_codes(problem(rep.api.post(f"{V1}/reports/{rid}/comments", json={"body": " "}), 422, "validation_failed")) == {"body": "required"}
    problem(outsider.api.post(f"{V1}/reports/{rid}/comments", json={"body": "hi"}), 404, "not_found")
    bodies = [c["body"] for c in rep.api.get(f"{V1}/reports/{rid}/comments", expect=200).json()["data"]]
    assert bodies == ["请补充明日计划", "很好，继续", "收到"]
    reviewed = manager.api.post(f"{V1}/reports/{rid}/review", json={"comment": "已阅"}, expect=200).json()
    assert reviewed["status"] == "reviewed" and reviewed["reviewed_by"] == manager.id
    assert len(kinds(rep, "report.reviewed")) == 1
    problem(manager.api.post(f"{V1}/reports/{rid}/return", json={}), 409, "conflict")
    audit = api.get(f"{V1}/audit", params={"object_id": rid, "limit": 100}, expect=200).json()["data"]
    assert {"report.created", "report.updated", "report.submitted", "report.returned", "report.commented", "report.reviewed"} <= {e["action"] for e in audit}


def test_report_search_scope_and_missing(api: Api) -> None:
    people = desk(api)
    rep, colleague, manager, outsider = people["rep"], people["colleague"], people["manager"], people["outsider"]
    mine = rep.api.post(f"{V1}/reports", json={}, expect=201).json()
    rep.api.patch(f"{V1}/reports/{mine['id']}", headers={"If-Match": '"1"'}, json={"summary": "达成 100% 目标_a"}, expect=200)
    rep.api.post(f"{V1}/reports/{mine['id']}/submit", expect=200)
    theirs = colleague.api.post(f"{V1}/reports", json={"kind": "daily"}, expect=201).json()
    colleague.api.patch(f"{V1}/reports/{theirs['id']}", headers={"If-Match": '"1"'}, json={"problems": "100 calls abc"}, expect=200)
    far = outsider.api.post(f"{V1}/reports", json={"kind": "daily"}, expect=201).json()

    def ids(person, **params) -> set[str]:
        client = person if isinstance(person, Api) else person.api
        return {r["id"] for r in client.get(f"{V1}/reports", params=params, expect=200).json()["data"]}

    team = people["team"]["id"]
    assert ids(rep) == {mine["id"]}
    assert ids(manager) == {mine["id"], theirs["id"]}
    assert far["id"] not in ids(manager)
    assert ids(manager, q="100%") == {mine["id"]} and ids(manager, q="_A") == {mine["id"]} and ids(manager, q="ABC") == {theirs["id"]}
    assert ids(api, team_id=team) == {mine["id"], theirs["id"]}
    assert ids(api, team_id=team, status="submitted") == {mine["id"]}
    assert ids(api, team_id=team, author_id=colleague.id, kind="daily", **{"from": mine["period"], "to": mine["period"]}) == {theirs["id"]}
    assert ids(api, team_id=team, kind="monthly") == set()
    page = api.get(f"{V1}/reports", params={"team_id": team, "limit": 1}, expect=200).json()
    assert len(page["data"]) == 1 and page["next_cursor"] and page["data"][0]["figures"] is None
    rest = api.get(f"{V1}/reports", params={"team_id": team, "limit": 1, "cursor": page["next_cursor"]}, expect=200).json()
    assert {page["data"][0]["id"], rest["data"][0]["id"]} == {mine["id"], theirs["id"]}
    assert field_codes(problem(api.get(f"{V1}/reports", params={"kind": "weekly", "from": "soon", "status": "lost", "author_id": "bob"}), 422,
                               "validation_failed")) == {"kind": "invalid", "from": "invalid", "status": "invalid", "author_id": "invalid"}

    # Who has not submitted today's daily report (a manager's team; reps may not ask).
    today = mine["period"]
    missing = manager.api.get(f"{V1}/reports/missing", params={"date": today}, expect=200).json()
    assert missing["date"] == today
    assert {p["user_id"]: p["status"] for p in missing["data"]} == {colleague.id: "draft"}
    yesterday = manager.api.get(f"{V1}/reports/missing", expect=200).json()
    assert {p["user_id"] for p in yesterday["data"]} == {rep.id, colleague.id}
    assert {p["user_id"] for p in api.get(f"{V1}/reports/missing", params={"date": today, "team_id": team}, expect=200).json()["data"]} == {
        colleague.id, manager.id}
    problem(rep.api.get(f"{V1}/reports/missing"), 403, "forbidden")
    assert field_codes(problem(manager.api.get(f"{V1}/reports/missing", params={"date": "soon"}), 422, "validation_failed")) == {"date": "invalid"}
