"""Realistic flows over every route of the API, each response checked against the OpenAPI document
(status code documented for the operation, content type, headers, body schema), plus the
problem+json answers to broken requests."""

from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests
from openapi_spec_validator import validate as validate_spec
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

from contract import Api, Contract, field_codes, problem, restore_standard_roles

V1 = "/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def etag(response: requests.Response) -> str:
    value = response.headers["ETag"]
    assert value == f'"{response.json()["version"]}"', (value, response.json())
    return value


def sign_in(api: Api, email: str, password: str) -> str:
    response = api.post(f"{V1}/auth/token", token=None, json={"email": email, "password": password}, expect=201)
    return response.json()["token"]


def collect(api: Api, path: str, params: dict | None = None, limit: int = 1) -> list[dict]:
    """Follows next_cursor from page to page with a small limit and returns every item."""
    items: list[dict] = []
    query = dict(params or {}, limit=limit)
    for _ in range(1000):
        page = api.get(path, params=query, expect=200).json()
        assert len(page["data"]) <= limit
        items.extend(page["data"])
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
    raise AssertionError("pagination did not end")


# ---------------------------------------------------------------- fixtures: a small organisation
@pytest.fixture(scope="module")
def org(api: Api, server) -> dict:
    """A root team with a child team, a manager in the root team, and a rep (with a password) in the child."""
    restore_standard_roles(api)
    root = api.post(f"{V1}/teams", json={"key": unique("sales"), "name": "Sales"}, expect=201)
    assert root.headers["Location"] == f"{V1}/teams/{root.json()['id']}"
    etag(root)
    root = root.json()
    child = api.post(f"{V1}/teams", json={"key": unique("sales-east"), "name": "Sales East", "parent_id": root["key"]}, expect=201).json()
    assert child["parent_id"] == root["id"] and child["depth"] == 2 and root["depth"] == 1

    manager_password = "mgr-" + secrets.token_urlsafe(12)
    manager = api.post(f"{V1}/users", json={
        "email": f"{unique('manager')}@example.com", "name": "Mia Manager", "role": "manager",
        "team_id": root["id"], "locale": "en", "password": manager_password,
    }, expect=201)
    assert manager.headers["Location"] == f"{V1}/users/{manager.json()['id']}"
    manager = manager.json()

    rep_password = "rep-" + secrets.token_urlsafe(12)
    rep_email = f"  {unique('Rep').upper()}@Example.COM "
    rep = api.post(f"{V1}/users", json={
        "email": rep_email, "name": "  Rick Rep ", "role": "rep", "rep_level": "senior",
        "team_id": child["key"], "locale": None, "password": rep_password,
    }, expect=201).json()
    assert rep["email"] == rep_email.strip().lower()
    assert rep["name"] == "Rick Rep"
    assert rep["team_id"] == child["id"] and rep["rep_level"] == "senior" and rep["locale"] is None
    assert rep["status"] == "active" and rep["version"] == 1 and rep["last_login_at"] is None

    rep_token = sign_in(api, rep["email"], rep_password)
    manager_token = sign_in(api, manager["email"], manager_password)
    return {
        "root": root, "child": child, "manager": manager, "rep": rep,
        "rep_password": rep_password, "rep_token": rep_token, "manager_token": manager_token,
    }


# ---------------------------------------------------------------- the document itself
def test_document_is_valid_openapi_3_1(document: dict) -> None:
    assert document["openapi"] == "3.1.0"
    validate_spec(document, cls=OpenAPIV31SpecValidator)


def test_served_document_is_the_repository_file(api: Api, document: dict) -> None:
    response = api.get("/openapi.json", token=None, expect=200)
    assert response.json() == document, "GET /openapi.json differs from Sources/RapportHTTP/Resources/openapi.json (rebuild the binary?)"


# ---------------------------------------------------------------- system routes
def test_system_routes(api: Api) -> None:
    assert api.get("/healthz", token=None, expect=200).json() == {"status": "ok"}
    assert api.get("/readyz", token=None, expect=200).json() == {"status": "ready", "database": "ok", "migrations": "current"}
    metrics = api.get("/metrics", token=None, expect=200)
    assert metrics.headers["Content-Type"].startswith("text/plain")
    bare = api.get("/bench/bare", token=None, expect=200)
    assert bare.text == "ok"
    home = api.get("/", token=None, headers={"Accept-Language": "fr;q=1, zh-CN;q=0.8, en;q=0.5"}, expect=200)
    assert home.headers["Content-Type"].startswith("text/html") and home.headers["Content-Language"] == "zh-Hans"
    assert '<html lang="zh-Hans">' in home.text and 'href="/openapi.json"' in home.text
    assert api.get("/", token=None, expect=200).headers["Content-Language"] == "en"


def test_request_id_is_echoed_or_made(api: Api) -> None:
    echoed = api.get("/healthz", token=None, headers={"X-Request-Id": "bb-test.1"}, expect=200)
    assert echoed.headers["X-Request-Id"] == "bb-test.1"
    made = api.get("/healthz", token=None, headers={"X-Request-Id": "not acceptable!"}, expect=200)
    assert made.headers["X-Request-Id"].startswith("req_")


# ---------------------------------------------------------------- sign-in and /me
def test_sign_in_and_me(api: Api, server) -> None:
    response = api.post(f"{V1}/auth/token", token=None, json={"email": server.admin_email.upper(), "password": server.admin_password}, expect=201)
    body = response.json()
    assert body["token"].startswith("rpt_")
    me = api.get(f"{V1}/me", token=body["token"], expect=200)
    assert me.json()["user"]["id"] == server.admin_id
    assert me.json()["user"]["role"] == "admin"
    assert me.json()["token_scopes"] == ["read", "write"]
    assert me.json()["user"]["last_login_at"] is not None
    assert me.headers["ETag"] == f'"{me.json()["user"]["version"]}"'


def test_sign_in_failures(api: Api) -> None:
    problem(api.post(f"{V1}/auth/token", token=None, json={"email": "nobody@example.com", "password": "wrong-password"}), 401, "unauthorized")
    body = problem(api.post(f"{V1}/auth/token", token=None, json={"email": "not-an-email", "password": "x"}), 422, "validation_failed")
    assert field_codes(body) == {"email": "invalid"}
    body = problem(api.post(f"{V1}/auth/token", token=None, json={"email": "someone@example.com", "password": None}), 422, "validation_failed")
    assert field_codes(body) == {"password": "required"}


def test_sign_in_is_throttled_per_account(api: Api) -> None:
    user = api.post(f"{V1}/users", json={
        "email": f"{unique('locked')}@example.com", "name": "Lou Locked", "role": "read_only", "password": "correct-horse-battery",
    }, expect=201).json()
    statuses = []
    for _ in range(5):
        statuses.append(api.post(f"{V1}/auth/token", token=None, json={"email": user["email"], "password": "wrong-password"}).status_code)
    assert statuses == [401] * 5
    locked = api.post(f"{V1}/auth/token", token=None, json={"email": user["email"], "password": "correct-horse-battery"})
    problem(locked, 429, "rate_limited")
    assert int(locked.headers["Retry-After"]) > 0


def test_me_as_rep(api: Api, org: dict) -> None:
    me = api.get(f"{V1}/me", token=org["rep_token"], expect=200).json()
    assert me["user"]["id"] == org["rep"]["id"]
    assert me["user"]["role"] == "rep"
    assert me["user"]["last_login_at"] is not None


# ---------------------------------------------------------------- teams
def test_teams(api: Api, org: dict) -> None:
    root, child = org["root"], org["child"]
    got = api.get(f"{V1}/teams/{child['id']}", expect=200)
    assert got.json() == child
    assert got.headers["ETag"] == '"1"'

    listed = api.get(f"{V1}/teams", params={"limit": 500}, expect=200).json()["data"]
    assert {root["id"], child["id"]} <= {team["id"] for team in listed}
    children = api.get(f"{V1}/teams", params={"parent_id": root["id"]}, expect=200).json()
    assert [team["id"] for team in children["data"]] == [child["id"]] and children["next_cursor"] is None

    # Pagination with limit=1, following next_cursor: every subteam once, in id (creation) order.
    pager = api.post(f"{V1}/teams", json={"key": unique("pager"), "name": "Pager"}, expect=201).json()
    made = [api.post(f"{V1}/teams", json={"key": unique(f"page{n}"), "name": f"Page {n}", "parent_id": pager["id"]}, expect=201).json()["id"] for n in range(4)]
    paged = collect(api, f"{V1}/teams", params={"parent_id": pager["id"]}, limit=1)
    assert [team["id"] for team in paged] == made == sorted(made)

    # A new team under the child, renamed with If-Match, then with `version` in the body, then moved to the root.
    leaf = api.post(f"{V1}/teams", json={"key": unique("leaf"), "name": "Leaf", "parent_id": child["id"]}, expect=201)
    leaf_id = leaf.json()["id"]
    assert leaf.json()["depth"] == 3
    renamed = api.patch(f"{V1}/teams/{leaf_id}", headers={"If-Match": etag(leaf)}, json={"name": "Leaf Renamed"}, expect=200)
    assert renamed.json()["name"] == "Leaf Renamed" and renamed.json()["version"] == 2
    assert renamed.headers["ETag"] == '"2"'
    rekeyed = api.patch(f"{V1}/teams/{leaf_id}", json={"key": unique("leaf2"), "version": 2}, expect=200)
    assert rekeyed.json()["version"] == 3
    moved = api.patch(f"{V1}/teams/{leaf_id}", headers={"If-Match": '"3"'}, json={"parent_id": None}, expect=200).json()
    assert moved["parent_id"] is None and moved["depth"] == 1

    # Moving a team under its own subteam is a cycle.
    body = problem(api.patch(f"{V1}/teams/{root['id']}", headers={"If-Match": '"1"'}, json={"parent_id": child["id"]}), 422, "validation_failed")
    assert field_codes(body) == {"parent_id": "cycle"}
    # A key that is taken.
    problem(api.patch(f"{V1}/teams/{leaf_id}", headers={"If-Match": '"4"'}, json={"key": root["key"]}), 409, "conflict")
    problem(api.post(f"{V1}/teams", json={"key": root["key"], "name": "Again"}), 409, "conflict")
    # A parent that does not exist.
    body = problem(api.post(f"{V1}/teams", json={"key": unique("orphan"), "name": "Orphan", "parent_id": "no-such-team"}), 422, "validation_failed")
    assert field_codes(body) == {"parent_id": "not_found"}
    # A team with subteams or members cannot be deleted.
    problem(api.delete(f"{V1}/teams/{root['id']}"), 409, "conflict")
    problem(api.delete(f"{V1}/teams/{child['id']}"), 409, "conflict")
    api.delete(f"{V1}/teams/{leaf_id}", expect=204)
    problem(api.get(f"{V1}/teams/{leaf_id}"), 404, "not_found")
    problem(api.delete(f"{V1}/teams/{leaf_id}"), 404, "not_found")
    problem(api.get(f"{V1}/teams/not-an-id"), 404, "not_found")
    body = problem(api.get(f"{V1}/teams", params={"parent_id": "sales"}), 422, "validation_failed")
    assert field_codes(body) == {"parent_id": "invalid"}


def test_team_depth_is_limited(api: Api) -> None:
    parent = None
    for depth in range(1, 13):
        team = api.post(f"{V1}/teams", json={"key": unique(f"d{depth}"), "name": f"Depth {depth}", "parent_id": parent}, expect=201).json()
        assert team["depth"] == depth
        parent = team["id"]
    body = problem(api.post(f"{V1}/teams", json={"key": unique("d13"), "name": "Too deep", "parent_id": parent}), 422, "validation_failed")
    assert field_codes(body) == {"parent_id": "too_deep"}


def test_team_move_respects_depth_limit(api: Api) -> None:
    parent = None
    for depth in range(1, 13):
        parent = api.post(f"{V1}/teams", json={"key": unique(f"m{depth}"), "name": f"Move depth {depth}", "parent_id": parent}, expect=201).json()["id"]
    mover = api.post(f"{V1}/teams", json={"key": unique("mover"), "name": "Mover"}, expect=201)
    try:
        moved = api.patch(f"{V1}/teams/{mover.json()['id']}", headers={"If-Match": mover.headers["ETag"]}, json={"parent_id": parent}, check=False)
        # Today: 200 with "depth": 13, which the document (and the create rule) says cannot exist.
        body = problem(moved, 422, "validation_failed")
        assert field_codes(body) == {"parent_id": "too_deep"}
    finally:
        api.delete(f"{V1}/teams/{mover.json()['id']}", check=False)  # never leave a team deeper than documented


# ---------------------------------------------------------------- users
def test_users(api: Api, org: dict, server) -> None:
    rep, root, child = org["rep"], org["root"], org["child"]
    got = api.get(f"{V1}/users/{rep['id']}", expect=200)
    assert got.json()["id"] == rep["id"]
    etag(got)

    first = api.get(f"{V1}/users", params={"limit": 500}, expect=200).json()["data"]
    assert first == sorted(first, key=lambda user: user["id"])

    # Pagination with limit=1, following next_cursor: every match once, in id (creation) order.
    marker = "pager" + secrets.token_hex(3)
    made = [api.post(f"{V1}/users", json={"email": f"{marker}-{n}@example.com", "name": f"Page {n}", "role": "read_only"}, expect=201).json()["id"] for n in range(4)]
    paged = collect(api, f"{V1}/users", params={"q": marker}, limit=1)
    assert [user["id"] for user in paged] == made == sorted(made)
    assert [user["id"] for user in api.get(f"{V1}/users", params={"q": marker, "limit": 3}, expect=200).json()["data"]] == made[:3]

    reps = api.get(f"{V1}/users", params={"role": "rep", "team_id": child["id"]}, expect=200).json()["data"]
    assert [user["id"] for user in reps] == [rep["id"]]
    found = api.get(f"{V1}/users?q=RICK%20REP&status=active", expect=200).json()["data"]
    assert [user["id"] for user in found] == [rep["id"]]
    body = problem(api.get(f"{V1}/users", params={"role": "wizard", "status": "gone", "team_id": "x"}), 422, "validation_failed")
    assert field_codes(body) == {"role": "invalid", "status": "invalid", "team_id": "invalid"}
    for limit in ("0", "501", "ten"):
        body = problem(api.get(f"{V1}/users", params={"limit": limit}), 422, "validation_failed")
        assert field_codes(body) == {"limit": "invalid"}
    body = problem(api.get(f"{V1}/users", params={"cursor": "not-a-cursor"}), 422, "validation_failed")
    assert field_codes(body) == {"cursor": "invalid"}

    # Change a user with If-Match; the ETag follows the version.
    user = api.post(f"{V1}/users", json={"email": f"{unique('ulla')}@example.com", "name": "Ulla", "role": "service"}, expect=201)
    user_id = user.json()["id"]
    changed = api.patch(f"{V1}/users/{user_id}", headers={"If-Match": etag(user)}, json={
        "name": "Ulla Updated", "rep_level": "junior", "team_id": root["key"], "locale": "zh-Hans", "role": "marketer",
    }, expect=200)
    assert changed.json()["version"] == 2 and changed.headers["ETag"] == '"2"'
    assert changed.json()["team_id"] == root["id"] and changed.json()["locale"] == "zh-Hans" and changed.json()["role"] == "marketer"
    cleared = api.patch(f"{V1}/users/{user_id}", json={"version": 2, "rep_level": None, "team_id": None, "locale": None}, expect=200).json()
    assert cleared["rep_level"] is None and cleared["team_id"] is None and cleared["locale"] is None
    problem(api.patch(f"{V1}/users/{user_id}", headers={"If-Match": '"1"'}, json={"name": "Stale"}), 412, "precondition_failed")
    problem(api.patch(f"{V1}/users/{user_id}", json={"name": "No precondition"}), 428, "precondition_required")
    body = problem(api.patch(f"{V1}/users/{user_id}", headers={"If-Match": "3"}, json={"name": "Bad If-Match"}), 422, "validation_failed")
    assert field_codes(body) == {"If-Match": "invalid"}
    body = problem(api.patch(f"{V1}/users/{user_id}", headers={"If-Match": '"3"'}, json={"email": rep["email"]}), 409, "conflict")
    assert field_codes(body) == {"email": "taken"}
    body = problem(api.post(f"{V1}/users", json={"email": rep["email"], "name": "Dup", "role": "rep"}), 409, "conflict")
    assert field_codes(body) == {"email": "taken"}
    body = problem(api.post(f"{V1}/users", json={"email": "x@y", "name": " ", "role": "boss", "rep_level": "Senior!", "locale": "fr", "password": "short"}), 422, "validation_failed")
    assert field_codes(body) == {"email": "invalid", "name": "required", "role": "invalid", "rep_level": "invalid", "locale": "invalid", "password": "too_short"}

    # Disable and enable.
    disabled = api.post(f"{V1}/users/{user_id}/disable", expect=200)
    assert disabled.json()["status"] == "disabled"
    etag(disabled)
    assert api.post(f"{V1}/users/{user_id}/disable", expect=200).json()["status"] == "disabled"
    listed = api.get(f"{V1}/users", params={"status": "disabled"}, expect=200).json()["data"]
    assert user_id in [u["id"] for u in listed]
    enabled = api.post(f"{V1}/users/{user_id}/enable", expect=200)
    assert enabled.json()["status"] == "active"

    # Delete.
    api.delete(f"{V1}/users/{user_id}", expect=204)
    problem(api.get(f"{V1}/users/{user_id}"), 404, "not_found")
    problem(api.post(f"{V1}/users/{user_id}/disable"), 404, "not_found")
    problem(api.get(f"{V1}/users/usr_nope"), 404, "not_found")


def test_query_plus_means_space(api: Api, org: dict) -> None:
    found = api.get(f"{V1}/users", params={"q": "rick rep"}, expect=200).json()["data"]  # sent as q=rick+rep
    assert [user["id"] for user in found] == [org["rep"]["id"]]


def test_administrator_cannot_lock_themselves_out(api: Api, server) -> None:
    problem(api.post(f"{V1}/users/{server.admin_id}/disable"), 409, "conflict")
    problem(api.delete(f"{V1}/users/{server.admin_id}"), 409, "conflict")
    admins = api.get(f"{V1}/users", params={"role": "admin", "status": "active", "limit": 2}, expect=200).json()["data"]
    if len(admins) == 1:  # only when this session's administrator is the last one (a shared database may hold others)
        me = api.get(f"{V1}/me", expect=200)
        problem(api.patch(f"{V1}/users/{server.admin_id}", headers={"If-Match": me.headers["ETag"]}, json={"role": "rep"}), 409, "conflict")


def test_disabled_user_loses_access(api: Api) -> None:
    password = "pw-" + secrets.token_urlsafe(12)
    user = api.post(f"{V1}/users", json={"email": f"{unique('dora')}@example.com", "name": "Dora", "role": "rep", "password": password}, expect=201).json()
    token = sign_in(api, user["email"], password)
    api.get(f"{V1}/me", token=token, expect=200)
    api.post(f"{V1}/users/{user['id']}/disable", expect=200)
    problem(api.get(f"{V1}/me", token=token), 401, "unauthorized")
    problem(api.post(f"{V1}/auth/token", token=None, json={"email": user["email"], "password": password}), 401, "unauthorized")
    api.post(f"{V1}/users/{user['id']}/enable", expect=200)
    problem(api.get(f"{V1}/me", token=token), 401, "unauthorized")  # old credentials stay revoked
    sign_in(api, user["email"], password)


def test_rep_sees_only_themselves(api: Api, org: dict, server) -> None:
    rep_api = api.as_token(org["rep_token"])
    rep = org["rep"]
    # Another user is outside a rep's scope: 404, as if it did not exist.
    problem(rep_api.get(f"{V1}/users/{server.admin_id}"), 404, "not_found")
    problem(rep_api.get(f"{V1}/users/{org['manager']['id']}"), 404, "not_found")
    mine = rep_api.get(f"{V1}/users/{rep['id']}", expect=200)
    assert [u["id"] for u in rep_api.get(f"{V1}/users", expect=200).json()["data"]] == [rep["id"]]
    assert [t["id"] for t in rep_api.get(f"{V1}/teams", expect=200).json()["data"]] == [org["child"]["id"]]
    problem(rep_api.get(f"{V1}/teams/{org['root']['id']}"), 404, "not_found")

    # Reps change their own name and locale, but not their role.
    changed = rep_api.patch(f"{V1}/users/{rep['id']}", headers={"If-Match": mine.headers["ETag"]}, json={"name": "Rick R.", "locale": "en"}, expect=200)
    assert changed.json()["name"] == "Rick R."
    body = problem(rep_api.patch(f"{V1}/users/{rep['id']}", headers={"If-Match": changed.headers["ETag"]}, json={"role": "admin"}), 422, "validation_failed")
    assert field_codes(body) == {"role": "read_only"}
    body = problem(rep_api.patch(f"{V1}/users/{rep['id']}", headers={"If-Match": changed.headers["ETag"]}, json={"status": "disabled"}), 422, "validation_failed")
    assert field_codes(body) == {"status": "read_only"}

    # Admin-only operations.
    problem(rep_api.post(f"{V1}/users", json={"email": f"{unique('x')}@example.com", "name": "X", "role": "rep"}), 403, "forbidden")
    problem(rep_api.post(f"{V1}/teams", json={"key": unique("x"), "name": "X"}), 403, "forbidden")
    problem(rep_api.post(f"{V1}/users/{rep['id']}/disable"), 403, "forbidden")
    problem(rep_api.delete(f"{V1}/users/{rep['id']}"), 403, "forbidden")
    problem(rep_api.get(f"{V1}/roles"), 403, "forbidden")
    problem(rep_api.get(f"{V1}/roles/rep"), 403, "forbidden")
    problem(rep_api.patch(f"{V1}/roles/rep", json={"scopes": {"user": "all"}}), 403, "forbidden")
    problem(rep_api.get(f"{V1}/audit"), 403, "forbidden")
    problem(rep_api.get(f"{V1}/audit/verify"), 403, "forbidden")
    problem(rep_api.post(f"{V1}/test-clock", json={"advance_seconds": 1}), 403, "forbidden")


def test_manager_sees_their_subtree(api: Api, org: dict, server) -> None:
    manager_api = api.as_token(org["manager_token"])
    visible = {u["id"] for u in collect(manager_api, f"{V1}/users", limit=2)}
    assert {org["manager"]["id"], org["rep"]["id"]} <= visible
    assert server.admin_id not in visible
    teams = {t["id"] for t in manager_api.get(f"{V1}/teams", expect=200).json()["data"]}
    assert {org["root"]["id"], org["child"]["id"]} <= teams
    rep = manager_api.get(f"{V1}/users/{org['rep']['id']}", expect=200)
    # Managers read users in their subtree but may not change them.
    problem(manager_api.patch(f"{V1}/users/{org['rep']['id']}", headers={"If-Match": rep.headers["ETag"]}, json={"name": "Nope"}), 403, "forbidden")


# ---------------------------------------------------------------- tokens
def test_tokens(api: Api, org: dict, server) -> None:
    created = api.post(f"{V1}/tokens", json={"name": "CI read-only", "scopes": ["read"], "expires_in_days": 7}, expect=201)
    token = created.json()
    assert created.headers["Location"] == f"{V1}/tokens/{token['id']}"
    assert token["scopes"] == ["read"] and token["user_id"] == server.admin_id and token["token"].startswith(token["display_prefix"])
    assert parse_time(token["expires_at"]) - parse_time(token["created_at"]) == timedelta(days=7)

    reader = api.as_token(token["token"])
    assert reader.get(f"{V1}/me", expect=200).json()["token_scopes"] == ["read"]
    reader.get(f"{V1}/users", expect=200)
    problem(reader.post(f"{V1}/teams", json={"key": unique("ro"), "name": "Read only"}), 403, "forbidden")
    # A read-only credential may not create tokens at all (so it can never mint a broader one).
    problem(reader.post(f"{V1}/tokens", json={"name": "escalate", "scopes": ["write"]}), 403, "forbidden")

    fetched = api.get(f"{V1}/tokens/{token['id']}", expect=200).json()
    assert "token" not in fetched and fetched["id"] == token["id"]
    full = api.post(f"{V1}/tokens", json={"name": "Default scopes", "scopes": None, "expires_in_days": None}, expect=201).json()
    assert full["scopes"] == ["read", "write"]
    assert parse_time(full["expires_at"]) - parse_time(full["created_at"]) == timedelta(days=90)
    write_only = api.post(f"{V1}/tokens", json={"name": "Write implies read", "scopes": ["write"]}, expect=201).json()
    assert write_only["scopes"] == ["read", "write"]

    mine = collect(api, f"{V1}/tokens", params={"user_id": server.admin_id})
    assert {token["id"], full["id"], write_only["id"]} <= {t["id"] for t in mine}
    assert all(t["user_id"] == server.admin_id for t in mine)

    api.delete(f"{V1}/tokens/{token['id']}", expect=204)
    api.delete(f"{V1}/tokens/{token['id']}", expect=204)  # revoking twice is fine
    problem(reader.get(f"{V1}/me"), 401, "unauthorized")
    active = {t["id"] for t in collect(api, f"{V1}/tokens", params={"user_id": server.admin_id}, limit=50)}
    assert token["id"] not in active
    with_revoked = collect(api, f"{V1}/tokens", params={"include_revoked": "true", "user_id": server.admin_id}, limit=50)
    revoked = [t for t in with_revoked if t["id"] == token["id"]]
    assert revoked and revoked[0]["revoked_at"] is not None
    problem(api.get(f"{V1}/tokens/tok_nope"), 404, "not_found")
    body = problem(api.get(f"{V1}/tokens", params={"user_id": "nobody"}), 422, "validation_failed")
    assert field_codes(body) == {"user_id": "invalid"}

    body = problem(api.post(f"{V1}/tokens", json={"name": "", "scopes": ["admin"], "expires_in_days": 366}), 422, "validation_failed")
    assert field_codes(body) == {"name": "required", "scopes[0]": "invalid", "expires_in_days": "out_of_range"}
    body = problem(api.post(f"{V1}/tokens", json={"name": "empty", "scopes": []}), 422, "validation_failed")
    assert field_codes(body) == {"scopes": "required"}

    # Reps manage their own tokens; they cannot see others'.
    rep_api = api.as_token(org["rep_token"])
    rep_token = rep_api.post(f"{V1}/tokens", json={"name": "Rep token"}, expect=201).json()
    assert rep_token["user_id"] == org["rep"]["id"]
    assert {t["user_id"] for t in rep_api.get(f"{V1}/tokens", expect=200).json()["data"]} == {org["rep"]["id"]}
    problem(rep_api.get(f"{V1}/tokens/{full['id']}"), 404, "not_found")
    problem(rep_api.delete(f"{V1}/tokens/{full['id']}"), 404, "not_found")
    assert api.get(f"{V1}/tokens/{rep_token['id']}", expect=200).json()["user_id"] == org["rep"]["id"]


def test_new_password_revokes_other_credentials(api: Api) -> None:
    password = "pw-" + secrets.token_urlsafe(12)
    user = api.post(f"{V1}/users", json={"email": f"{unique('pat')}@example.com", "name": "Pat", "role": "analyst", "password": password}, expect=201)
    token = sign_in(api, user.json()["email"], password)
    user_api = api.as_token(token)
    me = user_api.get(f"{V1}/me", expect=200)
    user_api.patch(f"{V1}/users/{user.json()['id']}", headers={"If-Match": me.headers["ETag"]}, json={"password": "a-brand-new-password"}, expect=200)
    problem(user_api.get(f"{V1}/me"), 401, "unauthorized")
    sign_in(api, user.json()["email"], "a-brand-new-password")


# ---------------------------------------------------------------- roles
def test_roles(api: Api) -> None:
    roles = api.get(f"{V1}/roles", expect=200).json()
    assert [role["role"] for role in roles["data"]] == ["admin", "manager", "rep", "service", "marketer", "partner", "analyst", "read_only"]
    assert roles["next_cursor"] is None
    admin = next(role for role in roles["data"] if role["role"] == "admin")
    assert admin["access"]["user"] == {"scope": "all", "actions": ["create", "delete", "read", "update"]}

    partner = api.get(f"{V1}/roles/partner", expect=200).json()
    assert partner["access"]["audit"] == {"scope": "none", "actions": []}
    assert partner["access"]["user"]["scope"] == "own"

    widened = api.patch(f"{V1}/roles/partner", json={"scopes": {"user": "subtree", "team": "none"}}, expect=200).json()
    assert widened["access"]["user"] == {"scope": "subtree", "actions": ["read"]}
    assert widened["access"]["team"] == {"scope": "none", "actions": []}
    restored = api.patch(f"{V1}/roles/partner", json={"scopes": {"user": "own", "team": "own"}}, expect=200).json()
    assert restored["access"] == partner["access"]

    body = problem(api.patch(f"{V1}/roles/admin", json={"scopes": {"user": "own"}}), 422, "validation_failed")
    assert field_codes(body) == {"role": "read_only"}
    body = problem(api.patch(f"{V1}/roles/rep", json={"scopes": {"spaceship": "all", "user": "everything"}}), 422, "validation_failed")
    assert field_codes(body) == {"scopes.spaceship": "unknown_field", "scopes.user": "invalid"}
    body = problem(api.patch(f"{V1}/roles/rep", json={}), 422, "validation_failed")
    assert field_codes(body) == {"scopes": "required"}
    problem(api.get(f"{V1}/roles/wizard"), 404, "not_found")
    problem(api.patch(f"{V1}/roles/wizard", json={"scopes": {"user": "all"}}), 404, "not_found")


def test_role_scope_none_forbids(api: Api) -> None:
    password = "pw-" + secrets.token_urlsafe(12)
    user = api.post(f"{V1}/users", json={"email": f"{unique('sam')}@example.com", "name": "Sam", "role": "service", "password": password}, expect=201).json()
    service_api = api.as_token(sign_in(api, user["email"], password))
    service_api.get(f"{V1}/teams", expect=200)
    api.patch(f"{V1}/roles/service", json={"scopes": {"team": "none"}}, expect=200)
    try:
        problem(service_api.get(f"{V1}/teams"), 403, "forbidden")
    finally:
        api.patch(f"{V1}/roles/service", json={"scopes": {"team": "own"}}, expect=200)
    service_api.get(f"{V1}/teams", expect=200)


# ---------------------------------------------------------------- audit
def test_audit(api: Api, org: dict, server) -> None:
    latest = api.get(f"{V1}/audit", params={"limit": 3}, expect=200).json()
    assert len(latest["data"]) == 3 and latest["next_cursor"]
    seqs = [entry["seq"] for entry in latest["data"]]
    assert seqs == sorted(seqs, reverse=True)

    created = collect(api, f"{V1}/audit", params={"action": "team.created", "object_kind": "team", "actor_id": server.admin_id}, limit=1)
    objects = {entry["object_id"] for entry in created}
    assert {org["root"]["id"], org["child"]["id"]} <= objects
    assert all(entry["actor_id"] == server.admin_id and entry["details"]["channel"] == "api" for entry in created)
    about_root = api.get(f"{V1}/audit", params={"object_id": org["root"]["id"]}, expect=200).json()["data"]
    assert about_root and all(entry["object_id"] == org["root"]["id"] for entry in about_root)
    by_admin = api.get(f"{V1}/audit", params={"actor_id": server.admin_id, "limit": 5}, expect=200).json()["data"]
    assert by_admin and all(entry["actor_id"] == server.admin_id for entry in by_admin)
    cli = api.get(f"{V1}/audit", params={"action": "user.created", "object_id": server.admin_id}, expect=200).json()["data"]
    assert len(cli) == 1 and cli[0]["actor_id"] is None and cli[0]["details"]["channel"] == "cli"

    body = problem(api.get(f"{V1}/audit", params={"actor_id": "team_x"}), 422, "validation_failed")
    assert field_codes(body) == {"actor_id": "invalid"}

    verified = api.get(f"{V1}/audit/verify", expect=200).json()
    assert verified["intact"] is True and verified["first_broken_seq"] is None and verified["reason"] is None
    assert verified["checked"] >= latest["data"][0]["seq"]


def test_audit_chain_links(api: Api) -> None:
    entries = api.get(f"{V1}/audit", params={"limit": 20}, expect=200).json()["data"]
    for newer, older in zip(entries, entries[1:]):
        assert newer["seq"] == older["seq"] + 1
        assert newer["prev_hash"] == older["hash"]


# ---------------------------------------------------------------- test clock
def test_test_clock(api: Api, org: dict) -> None:
    before = api.get(f"{V1}/teams/{org['root']['id']}", expect=200).json()
    moved = api.post(f"{V1}/test-clock", json={"advance_seconds": 3600}, expect=200).json()
    again = api.post(f"{V1}/test-clock", json={"advance_seconds": 0.5}, expect=200).json()
    assert parse_time(again["now"]) - parse_time(moved["now"]) == timedelta(milliseconds=500)
    assert parse_time(moved["now"]) > parse_time(before["updated_at"])
    # New records carry the moved time.
    team = api.post(f"{V1}/teams", json={"key": unique("clock"), "name": "Clock"}, expect=201).json()
    assert team["created_at"] == again["now"]
    # Setting an absolute time (forward, so tokens stay valid).
    target = (parse_time(again["now"]) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert api.post(f"{V1}/test-clock", json={"now": target}, expect=200).json()["now"] == target

    body = problem(api.post(f"{V1}/test-clock", json={}), 422, "validation_failed")
    assert field_codes(body) == {"advance_seconds": "required"}
    body = problem(api.post(f"{V1}/test-clock", json={"advance_seconds": 1, "now": target}), 422, "validation_failed")
    assert field_codes(body) == {"now": "conflict"}
    body = problem(api.post(f"{V1}/test-clock", json={"advance_seconds": -1}), 422, "validation_failed")
    assert field_codes(body) == {"advance_seconds": "out_of_range"}
    body = problem(api.post(f"{V1}/test-clock", json={"now": "yesterday"}), 422, "validation_failed")
    assert field_codes(body) == {"now": "invalid"}


# ---------------------------------------------------------------- broken requests (problem+json)
def test_malformed_json_is_400(api: Api) -> None:
    problem(api.post(f"{V1}/teams", data=b'{"key": "x", ', headers={"Content-Type": "application/json"}), 400, "malformed_request")


def test_invalid_utf8_is_400(api: Api) -> None:
    problem(api.post(f"{V1}/teams", data=b'{"key": "caf\xe9", "name": "x"}', headers={"Content-Type": "application/json"}), 400, "malformed_request")


def test_wrong_content_type_is_415(api: Api) -> None:
    problem(api.post(f"{V1}/teams", data=b'{"key": "x", "name": "y"}', headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    problem(api.post(f"{V1}/teams", data=b'{"key": "x", "name": "y"}', headers={"Content-Type": "application/json; charset=latin-1"}), 415, "unsupported_media_type")
    problem(api.post(f"{V1}/auth/token", token=None, data=b"email=a", headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, "unsupported_media_type")


def test_vendor_json_content_type_is_accepted(api: Api) -> None:
    api.post(f"{V1}/teams", data=json.dumps({"key": unique("vnd"), "name": "Vendor"}).encode(),
             headers={"Content-Type": "application/vnd.rapport+json; charset=UTF-8"}, expect=201)


def test_body_over_1_mib_is_413(api: Api) -> None:
    big = json.dumps({"key": unique("big"), "name": "x" * (1 << 20)}).encode()
    problem(api.post(f"{V1}/teams", data=big, headers={"Content-Type": "application/json"}), 413, "payload_too_large")


def test_chunked_body_over_1_mib_is_413(api: Api) -> None:
    chunk = b"x" * 65536
    body = iter([b'{"key": "chunked", "name": "'] + [chunk] * 17 + [b'"}'])
    problem(api.post(f"{V1}/teams", data=body, headers={"Content-Type": "application/json"}), 413, "payload_too_large")


def test_unknown_and_read_only_fields_are_422(api: Api) -> None:
    body = problem(api.post(f"{V1}/teams", json={"key": unique("u"), "name": "U", "colour": "red", "id": "team_x"}), 422, "validation_failed")
    assert field_codes(body) == {"colour": "unknown_field", "id": "read_only"}


def test_type_mismatch_is_422(api: Api) -> None:
    body = problem(api.post(f"{V1}/teams", json={"key": 7, "name": ["x"]}), 422, "validation_failed")
    assert field_codes(body) == {"key": "type_mismatch", "name": "type_mismatch"}
    body = problem(api.post(f"{V1}/teams", json=["not", "an", "object"]), 422, "validation_failed")
    assert field_codes(body) == {"": "type_mismatch"}


def test_huge_number_is_422(api: Api) -> None:
    body = problem(api.post(f"{V1}/tokens", data=b'{"name": "huge", "expires_in_days": 1e400}', headers={"Content-Type": "application/json"}), 422, "validation_failed")
    assert field_codes(body) == {"expires_in_days": "out_of_range"}
    body = problem(api.post(f"{V1}/test-clock", data=b'{"advance_seconds": 1e400}', headers={"Content-Type": "application/json"}), 422, "validation_failed")
    assert field_codes(body) == {"advance_seconds": "out_of_range"}
    body = problem(api.post(f"{V1}/tokens", data=b'{"name": "huge", "expires_in_days": 123456789012345678901234567890}', headers={"Content-Type": "application/json"}), 422, "validation_failed")
    assert set(field_codes(body)) == {"expires_in_days"}


def test_missing_or_bad_credentials_are_401(api: Api) -> None:
    for path in (f"{V1}/me", f"{V1}/users", f"{V1}/audit/verify"):
        response = api.get(path, token=None)
        problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="rapport"'
    problem(api.get(f"{V1}/me", token="rpt_" + "A" * 43), 401, "unauthorized")
    problem(api.get(f"{V1}/me", token="not-a-token"), 401, "unauthorized")
    problem(api.get(f"{V1}/me", token=None, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}), 401, "unauthorized")
    problem(api.post(f"{V1}/teams", token=None, json={"key": "x", "name": "y"}), 401, "unauthorized")


def test_unknown_route_is_404_problem(api: Api) -> None:
    response = api.get(f"{V1}/no-such-thing", check=False)
    problem(response, 404, "not_found")
    assert response.headers.get("X-Request-Id")


# ---------------------------------------------------------------- idempotency
def test_idempotency_key_replays_and_refuses_reuse(api: Api) -> None:
    key = "bb-" + secrets.token_hex(8)
    team_key = unique("idem")
    payload = {"key": team_key, "name": "Idempotent"}
    first = api.post(f"{V1}/teams", json=payload, headers={"Idempotency-Key": key}, expect=201)
    # The replay: same status, body and Location; marked as replayed. (ETag: see test_idempotent_replay_keeps_etag.)
    second = api.post(f"{V1}/teams", json=payload, headers={"Idempotency-Key": key}, expect=201, ignore_headers=frozenset({"ETag"}))
    assert second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    teams = [t for t in collect(api, f"{V1}/teams", limit=500) if t["key"] == team_key]
    assert len(teams) == 1

    other = api.post(f"{V1}/teams", json={"key": unique("idem"), "name": "Other"}, headers={"Idempotency-Key": key})
    problem(other, 422, "idempotency_key_reused")
    # Keys are per path too: the same key on another route is another request.
    problem(api.post(f"{V1}/tokens", json={"name": "t"}, headers={"Idempotency-Key": key}), 422, "idempotency_key_reused")

    # Errors below 500 are replayed as well.
    bad_key = "bb-" + secrets.token_hex(8)
    bad = api.post(f"{V1}/teams", json={"name": "no key"}, headers={"Idempotency-Key": bad_key})
    problem(bad, 422, "validation_failed")
    replayed = api.post(f"{V1}/teams", json={"name": "no key"}, headers={"Idempotency-Key": bad_key})
    problem(replayed, 422, "validation_failed")
    assert replayed.json() == bad.json() and replayed.headers.get("Idempotent-Replayed") == "true"

    body = problem(api.post(f"{V1}/teams", json=payload, headers={"Idempotency-Key": "has space"}), 422, "validation_failed")
    assert field_codes(body) == {"Idempotency-Key": "invalid"}


def test_concurrent_requests_with_one_idempotency_key_have_one_effect(api: Api) -> None:
    key = "bb-" + secrets.token_hex(8)
    team_key = unique("race")
    payload = {"key": team_key, "name": "Race"}

    def send(_: int) -> requests.Response:
        return api.as_token(api.token).post(f"{V1}/teams", json=payload, headers={"Idempotency-Key": key},
                                            ignore_headers=frozenset({"ETag"}))

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(6)))
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = [response.json() for response in responses if response.status_code == 201]
    assert created and all(body == created[0] for body in created)
    for response in responses:
        if response.status_code == 409:
            problem(response, 409, "idempotency_in_progress")
    assert len([t for t in collect(api, f"{V1}/teams", limit=500) if t["key"] == team_key]) == 1


def test_concurrent_changes_with_one_etag_let_one_win(api: Api) -> None:
    team = api.post(f"{V1}/teams", json={"key": unique("occ"), "name": "Optimistic"}, expect=201)

    def rename(index: int) -> requests.Response:
        return api.as_token(api.token).patch(f"{V1}/teams/{team.json()['id']}", headers={"If-Match": team.headers["ETag"]},
                                             json={"name": f"Writer {index}"})

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(rename, range(4)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 412, 412, 412], statuses
    assert api.get(f"{V1}/teams/{team.json()['id']}", expect=200).json()["version"] == 2


def test_idempotent_replay_keeps_etag(api: Api) -> None:
    key = "bb-" + secrets.token_hex(8)
    payload = {"key": unique("etag"), "name": "ETag replay"}
    first = api.post(f"{V1}/teams", json=payload, headers={"Idempotency-Key": key}, expect=201)
    second = api.post(f"{V1}/teams", json=payload, headers={"Idempotency-Key": key}, expect=201, check=False)
    assert second.headers.get("ETag") == first.headers["ETag"]


def test_idempotency_key_expires_after_a_day(api: Api) -> None:
    key = "bb-" + secrets.token_hex(8)
    api.post(f"{V1}/teams", json={"key": unique("day1"), "name": "Day one"}, headers={"Idempotency-Key": key}, expect=201, ignore_headers=frozenset({"ETag"}))
    api.post(f"{V1}/test-clock", json={"advance_seconds": 25 * 3600}, expect=200)
    later = api.post(f"{V1}/teams", json={"key": unique("day2"), "name": "Day two"}, headers={"Idempotency-Key": key}, check=False)
    assert later.status_code == 201, later.text


def test_idempotency_key_is_per_user(api: Api, org: dict) -> None:
    key = "bb-" + secrets.token_hex(8)
    mine = api.post(f"{V1}/tokens", json={"name": "per-user"}, headers={"Idempotency-Key": key}, expect=201).json()
    theirs = api.as_token(org["rep_token"]).post(f"{V1}/tokens", json={"name": "per-user"}, headers={"Idempotency-Key": key}, expect=201).json()
    assert mine["id"] != theirs["id"] and theirs["user_id"] == org["rep"]["id"]


# ---------------------------------------------------------------- coverage of the document
def test_zz_every_operation_was_exercised(contract: Contract, request: pytest.FixtureRequest) -> None:
    """Runs last in this module: every documented operation got at least one checked 2xx response."""
    if request.config.option.keyword or request.config.option.markexpr or getattr(request.config.option, "lf", False):
        pytest.skip("only meaningful when the whole module runs")
    missing = [f"{op.method.upper()} {op.template}" for op in contract.operations.values()
               if not any(200 <= status < 300 for status in op.checked_statuses)]
    assert not missing, f"operations never exercised with a success: {missing}"
