"""Customer imports (and one export round trip), end to end on the real server: files uploaded as
multipart/form-data or as text/csv, run by the server's own background runner (each test polls
`GET /imports/{id}` until the status is final, within a bound), counters, per-line errors and the
CSV error report, repeats, dry runs and commits, all-or-nothing, saved mappings, ownership, bad
files, a 20,000-row file (run after the fuzzer: see the `after_fuzzing` mark in conftest.py), and an
export of imported customers. Every response is checked against the OpenAPI document (Contract), on
whichever engine the session runs.

Every file carries a per-session marker (in names, emails or tags), so its bytes are new to the
database even when PostgreSQL is shared between sessions (the server refuses a file it already
imported completely), and phone numbers are written in E.164 so the default region does not matter.
"""

from __future__ import annotations

import csv
import io
import json
import random
import secrets
import time
from typing import Any

import pytest
import requests

from contract import Api, field_codes, media_type, problem, restore_standard_roles

V1 = "/api/v1"
FINAL = {"validated", "completed", "failed", "cancelled"}
SESSION = secrets.token_hex(3)


# ---------------------------------------------------------------- helpers
def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def phone() -> str:
    """A random mainland-China mobile number in E.164 (+86 13x xxxx xxxx)."""
    return "+8613" + str(random.randint(0, 9)) + f"{random.randint(0, 99_999_999):08d}"


def masked(e164: str) -> str:
    national = e164[3:]
    return f"+86 {national[:3]}****{national[7:]}"


def csv_text(rows: list[list[str]], line_end: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return out.getvalue()


def sign_in(api: Api, email: str, password: str) -> str:
    return api.post(f"{V1}/auth/token", token=None, json={"email": email, "password": password}, expect=201).json()["token"]


class Person:
    def __init__(self, user: dict, client: Api):
        self.user, self.api, self.id = user, client, user["id"]


def new_person(api: Api, role: str, team: dict | None, name: str) -> Person:
    password = "pw-" + secrets.token_urlsafe(12)
    user = api.post(f"{V1}/users", json={
        "email": f"{unique(role)}@example.com", "name": name, "role": role,
        "team_id": team["id"] if team else None, "password": password,
    }, expect=201).json()
    return Person(user, api.as_token(sign_in(api, user["email"], password)))


BOUNDARY = "rapport-blackbox-" + secrets.token_hex(8)


def multipart(parts: dict[str, tuple[str | None, bytes, str | None]]) -> tuple[bytes, str]:
    """A multipart/form-data body with a fixed boundary (so the same form is the same bytes, as an
    Idempotency-Key replay needs): name → (file name or None, bytes, content type or None)."""
    body = b""
    for name, (file_name, data, content_type) in parts.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{file_name}"' if file_name is not None else "")
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if content_type:
            body += f"Content-Type: {content_type}\r\n".encode()
        body += b"\r\n" + data + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def upload(client: Api, content: str | bytes, *, file_name: str = "customers.csv", expect: int | None = 202,
           headers: dict | None = None, **options: Any) -> requests.Response:
    """POST /imports as multipart/form-data: the file part and the options as text parts."""
    data = content.encode() if isinstance(content, str) else content
    parts: dict[str, tuple[str | None, bytes, str | None]] = {"file": (file_name, data, "text/csv")}
    for name, value in options.items():
        parts[name] = (None, (value if isinstance(value, str) else json.dumps(value)).encode(), None)
    body, content_type = multipart(parts)
    return client.post(f"{V1}/imports", data=body, headers={**(headers or {}), "Content-Type": content_type}, expect=expect)


def upload_csv(client: Api, content: str | bytes, *, expect: int | None = 202, content_type: str = "text/csv; charset=utf-8",
               **params: Any) -> requests.Response:
    """POST /imports with the file as the body (text/csv) and the options as query parameters."""
    data = content.encode() if isinstance(content, str) else content
    query = {name: (value if isinstance(value, str) else json.dumps(value)) for name, value in params.items()}
    return client.post(f"{V1}/imports", data=data, params=query, headers={"Content-Type": content_type}, expect=expect)


def wait(client: Api, import_id: str, timeout: float = 90.0) -> dict:
    """Polls the import until its status is final (the server's runner looks every second)."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while True:
        record = client.get(f"{V1}/imports/{import_id}", expect=200).json()
        assert record["id"] == import_id
        if not seen or seen[-1] != record["status"]:
            seen.append(record["status"])
        if record["status"] in FINAL:
            assert record["finished_at"] is not None, record
            return record
        assert record["finished_at"] is None, record
        if time.monotonic() > deadline:
            raise AssertionError(f"import {import_id} did not finish within {timeout:.0f} s (statuses seen: {seen}): {record}")
        time.sleep(0.3)


def started(response: requests.Response) -> dict:
    record = response.json()
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"{V1}/imports/{record['id']}"
    assert record["status"] == "pending" and record["finished_at"] is None and record["failure"] is None
    assert record["counters"] == {"total": None, "processed": 0, "created": 0, "merged": 0, "flagged": 0, "errors": 0}
    return record


def run(client: Api, response: requests.Response, timeout: float = 90.0) -> dict:
    return wait(client, started(response)["id"], timeout)


def counters(record: dict) -> dict:
    return {key: value for key, value in record["counters"].items()}


def errors_of(client: Api, import_id: str, limit: int = 500) -> list[dict]:
    """Every error of an import, following next_cursor."""
    items: list[dict] = []
    query: dict[str, Any] = {"limit": limit}
    for _ in range(1000):
        page = client.get(f"{V1}/imports/{import_id}/errors", params=query, expect=200).json()
        items.extend(page["data"])
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
    raise AssertionError("pagination did not end")


def find(client: Api, q: str) -> list[dict]:
    return client.get(f"{V1}/customers", params={"q": q, "limit": 500}, expect=200).json()["data"]


def tagged(client: Api, tag: str) -> list[dict]:
    items: list[dict] = []
    query: dict[str, Any] = {"tag": tag, "limit": 500}
    while True:
        page = client.get(f"{V1}/customers", params=query, expect=200).json()
        items.extend(page["data"])
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]


def imports_count(client: Api) -> int:
    return len(client.get(f"{V1}/imports", params={"limit": 500}, expect=200).json()["data"])


def get_settings(api: Api) -> dict:
    return api.get(f"{V1}/settings/customers", expect=200).json()


def server_admin_id(api: Api) -> str:
    return api.get(f"{V1}/me", expect=200).json()["user"]["id"]


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def org(api: Api):
    """A team tree (root → child), a manager in the root, two reps in the child, an analyst, and a
    second administrator (exports need another administrator's approval)."""
    restore_standard_roles(api)
    root = api.post(f"{V1}/teams", json={"key": unique("imp"), "name": "Import Sales"}, expect=201).json()
    child = api.post(f"{V1}/teams", json={"key": unique("imp-east"), "name": "Import East", "parent_id": root["id"]}, expect=201).json()
    other = api.post(f"{V1}/teams", json={"key": unique("imp-west"), "name": "Import West"}, expect=201).json()
    return {
        "root": root, "child": child, "other_team": other,
        "manager": new_person(api, "manager", root, "Ivy Importer-Manager"),
        "rep": new_person(api, "rep", child, "Ian Importer"),
        "other_rep": new_person(api, "rep", child, "Olga Otherrep"),
        "analyst": new_person(api, "analyst", None, "Aldo Analyst"),
        "admin2": new_person(api, "admin", None, "Second Admin"),
    }


# ---------------------------------------------------------------- multipart upload, counters, errors
def test_multipart_upload_runs_with_counters_errors_and_report(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("mp")
    first, second = phone(), phone()
    email = f"{unique('ada')}@example.com"
    rows = [
        ["姓名", "手机", "Email", "Tags", "Notes"],
        [f"Ada {SESSION}", first, email.upper(), f"{tag};vip", "fine"],                      # line 2: created
        [f"Bad {SESSION}", "12345", "nope@", tag, ""],                                       # line 3: two errors
        [f"Quoted, Name {SESSION}", second, "", tag, "first line\nsecond line"],             # lines 4–5: created
        [f"Ada again {SESSION}", first, "", tag, ""],                                        # line 6: merged into line 2
        [f"Bad score {SESSION}", "", "", tag, ""],                                           # line 7: fine (score not mapped)
    ]
    content = csv_text(rows, "\r\n")
    key = "bb-" + secrets.token_hex(8)
    response = upload(rep.api, content, file_name="展会名单.csv", headers={"Idempotency-Key": key})
    record = started(response)
    assert record["file_name"] == "展会名单.csv" and record["file_bytes"] == len(content.encode())
    assert (record["dry_run"], record["all_or_nothing"], record["policy"], record["object"]) == (False, False, "merge", "customers")
    assert record["created_by"] == rep.id
    assert record["columns"] == [
        {"header": "姓名", "field": "name"}, {"header": "手机", "field": "phone"}, {"header": "Email", "field": "email"},
        {"header": "Tags", "field": "tags"}, {"header": "Notes", "field": "ignore"},
    ]
    # The same request with the same key is replayed, not imported twice.
    replay = upload(rep.api, content, file_name="展会名单.csv", headers={"Idempotency-Key": key})
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json()["id"] == record["id"]

    done = wait(rep.api, record["id"])
    assert done["status"] == "completed" and done["failure"] is None
    assert counters(done) == {"total": 5, "processed": 5, "created": 3, "merged": 1, "flagged": 0, "errors": 1}
    assert done["finished_at"] >= done["created_at"]

    # The errors name the line (physical lines, header = 1) and the file's own column headers.
    errors = errors_of(rep.api, record["id"])
    assert [(e["line"], e["column"], e["code"]) for e in errors] == [(3, "Email", "invalid"), (3, "手机", errors[1]["code"])]
    assert errors[1]["code"] in {"too_short", "invalid_number"}
    assert all(e["message"] for e in errors)
    report = rep.api.get(f"{V1}/imports/{record['id']}/error-report", expect=200)
    assert media_type(report.headers["Content-Type"]) == "text/csv"
    assert report.headers["Content-Disposition"] == f'attachment; filename="{record["id"]}-errors.csv"'
    assert report.content.decode("utf-8").startswith("line,column,code,message\r\n")
    table = list(csv.reader(io.StringIO(report.content.decode("utf-8"), newline="")))
    assert table[0] == ["line", "column", "code", "message"]
    assert [row[:3] for row in table[1:]] == [[str(e["line"]), e["column"], e["code"]] for e in errors]
    assert [row[3] for row in table[1:]] == [e["message"] for e in errors]

    # What was written: the rep owns it, contacts normalised and masked, the merged row folded in.
    customers = tagged(rep.api, tag)
    assert sorted(c["name"] for c in customers) == sorted([f"Ada {SESSION}", f"Quoted, Name {SESSION}", f"Bad score {SESSION}"])
    assert all(c["owner_id"] == rep.id and c["team_id"] == org["child"]["id"] for c in customers)
    ada = next(c for c in customers if c["name"] == f"Ada {SESSION}")
    assert sorted(ada["tags"]) == sorted([tag, "vip"])
    assert sorted((c["kind"], c["value"]) for c in ada["contacts"]) == sorted([("phone", masked(first)), ("email", f"{email[0]}***@example.com")])
    assert first not in json.dumps(customers) and email.split("@")[0] not in json.dumps(customers)
    assert [c["id"] for c in find(rep.api, first)] == [ada["id"]]

    # Listing: the rep's own imports; the administrator sees everyone's.
    assert record["id"] in [i["id"] for i in rep.api.get(f"{V1}/imports", expect=200).json()["data"]]
    assert record["id"] in [i["id"] for i in api.get(f"{V1}/imports", params={"limit": 500}, expect=200).json()["data"]]
    audit = api.get(f"{V1}/audit", params={"object_id": record["id"], "limit": 10}, expect=200).json()["data"]
    assert {entry["action"] for entry in audit} >= {"import.started", "import.finished"}
    assert first not in json.dumps(audit)


def test_error_pages_hold_whole_lines(api: Api, org: dict) -> None:
    rep = org["rep"]
    rows = [["name", "phone", "email"]] + [[f"E{n} {SESSION}", "123", "bad@"] for n in range(5)]
    done = run(rep.api, upload_csv(rep.api, csv_text(rows)))
    assert counters(done)["errors"] == 5 and counters(done)["created"] == 0
    pages = []
    query: dict[str, Any] = {"limit": 2}
    while True:
        page = rep.api.get(f"{V1}/imports/{done['id']}/errors", params=query, expect=200).json()
        pages.append(page["data"])
        if page["next_cursor"] is None:
            break
        query["cursor"] = page["next_cursor"]
    assert [sorted({e["line"] for e in page}) for page in pages] == [[2, 3], [4, 5], [6]]
    assert all(len(page) == 2 * len({e["line"] for e in page}) for page in pages)  # both errors of each line
    problem(rep.api.get(f"{V1}/imports/{done['id']}/errors", params={"cursor": "not-a-cursor"}), 422, "validation_failed")
    # Without errors, the report is the header alone.
    clean = run(rep.api, upload_csv(rep.api, csv_text([["name"], [unique("Clean")]])))
    assert rep.api.get(f"{V1}/imports/{clean['id']}/error-report", expect=200).text == "line,column,code,message\r\n"
    assert rep.api.get(f"{V1}/imports/{clean['id']}/errors", expect=200).json() == {"data": [], "next_cursor": None}


# ---------------------------------------------------------------- text/csv upload with query options
def test_text_csv_upload_with_query_options(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("tx")
    existing_phone = phone()
    existing = rep.api.post(f"{V1}/customers", json={"name": unique("Existing"), "contacts": [{"kind": "phone", "value": existing_phone}]}, expect=201).json()["customer"]
    content = csv_text([["Full name", "Mobile", "Labels"], [f"Flagged {SESSION}", existing_phone, tag], [f"Fresh {SESSION}", phone(), tag]]).replace(",", ";")
    response = upload_csv(rep.api, content, file_name="semicolons.csv", policy="flag", delimiter=";")
    record = started(response)
    assert record["file_name"] == "semicolons.csv" and record["policy"] == "flag"
    assert [c["field"] for c in record["columns"]] == ["name", "phone", "tags"]
    done = wait(rep.api, record["id"])
    assert counters(done) == {"total": 2, "processed": 2, "created": 2, "merged": 0, "flagged": 1, "errors": 0}
    assert len(tagged(rep.api, tag)) == 2
    assert sorted(c["id"] for c in find(rep.api, existing_phone))[0] == existing["id"]  # the original stays; the flagged one is new
    assert len(find(rep.api, existing_phone)) == 2

    # `application/csv` is read as CSV too; any other body is not.
    again = run(rep.api, upload_csv(rep.api, csv_text([["name"], [unique("AppCsv")]]), content_type="application/csv"))
    assert again["status"] == "completed" and again["file_name"] == "upload.csv"
    problem(rep.api.post(f"{V1}/imports", json={"name": "x"}), 415, "unsupported_media_type")
    problem(rep.api.post(f"{V1}/imports", data=b"name\nx\n", headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")


# ---------------------------------------------------------------- the same file again
def test_same_file_again_conflicts_unless_allowed_to_repeat(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("rp")
    rows = [["name", "email", "tags"]] + [[f"Repeat {n} {SESSION}", f"repeat{n}.{tag}@example.com", tag] for n in range(3)]
    content = csv_text(rows)
    first = run(rep.api, upload(rep.api, content, file_name="first.csv"))
    assert counters(first)["created"] == 3
    before = sorted(c["id"] for c in tagged(rep.api, tag))

    # The same bytes, under another name and by another route: refused, naming the first import.
    for response in (upload(rep.api, content, file_name="renamed.csv", expect=None), upload_csv(rep.api, content, expect=None)):
        body = problem(response, 409, "conflict")
        assert body["import_id"] == first["id"]
    # …also for another user: the file, not the uploader, is what was imported.
    body = problem(org["other_rep"].api.post(f"{V1}/imports", data=content.encode(), headers={"Content-Type": "text/csv"}), 409, "conflict")
    assert body["import_id"] == first["id"]
    # A dry run of it is never refused.
    dry = run(rep.api, upload(rep.api, content, dry_run="true"))
    assert dry["status"] == "validated"

    # allow_repeat: it runs again, and every row merges into the customer it created the first time.
    repeated = run(rep.api, upload(rep.api, content, allow_repeat="true"))
    assert repeated["status"] == "completed"
    assert counters(repeated) == {"total": 3, "processed": 3, "created": 0, "merged": 3, "flagged": 0, "errors": 0}
    assert sorted(c["id"] for c in tagged(rep.api, tag)) == before


# ---------------------------------------------------------------- dry run and commit
def test_dry_run_writes_nothing_then_commit_imports(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("dry")
    rows = [["name", "email", "tags", "do not contact"],
            [f"Dry 1 {SESSION}", f"dry1.{tag}@example.com", tag, "否"],
            [f"Dry 2 {SESSION}", f"dry2.{tag}@example.com", tag, "yes"],
            [f"Dry 2 twin {SESSION}", f"DRY2.{tag}@example.com", tag, ""],   # merges into the row above
            [f"Dry bad {SESSION}", "not-an-email", tag, "maybe"]]
    record = started(upload(rep.api, csv_text(rows), dry_run="true"))
    assert record["dry_run"] is True
    validated = wait(rep.api, record["id"])
    assert validated["status"] == "validated"
    assert counters(validated) == {"total": 4, "processed": 4, "created": 2, "merged": 1, "flagged": 0, "errors": 1}
    assert [(e["line"], e["column"]) for e in errors_of(rep.api, record["id"])] == [(5, "do not contact"), (5, "email")]
    assert tagged(rep.api, tag) == []  # nothing written

    # Only the uploader (or an administrator) sees and commits it.
    problem(org["other_rep"].api.get(f"{V1}/imports/{record['id']}"), 404, "not_found")
    problem(org["other_rep"].api.post(f"{V1}/imports/{record['id']}/commit"), 404, "not_found")
    body = problem(rep.api.post(f"{V1}/imports/{record['id']}/commit", json={"all_or_nothing": "yes"}), 422, "validation_failed")
    assert field_codes(body) == {"all_or_nothing": "type_mismatch"}
    body = problem(rep.api.post(f"{V1}/imports/{record['id']}/commit", json={"dry_run": False}), 422, "validation_failed")
    assert field_codes(body) == {"dry_run": "unknown_field"}
    problem(rep.api.post(f"{V1}/imports/{record['id']}/commit", data=b"{}", headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")

    committed = rep.api.post(f"{V1}/imports/{record['id']}/commit", expect=202).json()
    assert committed["id"] == record["id"] and committed["status"] == "pending" and committed["dry_run"] is False
    assert committed["counters"]["processed"] == 0 and committed["finished_at"] is None
    done = wait(rep.api, record["id"])
    assert done["status"] == "completed"
    assert counters(done) == {"total": 4, "processed": 4, "created": 2, "merged": 1, "flagged": 0, "errors": 1}
    assert [(e["line"], e["column"]) for e in errors_of(rep.api, record["id"])] == [(5, "do not contact"), (5, "email")]
    written = {c["name"]: c for c in tagged(rep.api, tag)}
    assert sorted(written) == [f"Dry 1 {SESSION}", f"Dry 2 {SESSION}"]
    assert written[f"Dry 2 {SESSION}"]["do_not_contact"] is True and written[f"Dry 1 {SESSION}"]["do_not_contact"] is False

    # Committed once; a finished real import is no dry run; the file is now imported.
    problem(rep.api.post(f"{V1}/imports/{record['id']}/commit", json={}), 409, "conflict")
    problem(rep.api.post(f"{V1}/imports/imp_{'0' * 26}/commit"), 404, "not_found")
    body = problem(upload(rep.api, csv_text(rows), expect=None), 409, "conflict")
    assert body["import_id"] == record["id"]
    audit = api.get(f"{V1}/audit", params={"action": "import.committed", "object_id": record["id"]}, expect=200).json()["data"]
    assert len(audit) == 1 and audit[0]["actor_id"] == rep.id


def test_commit_may_turn_on_all_or_nothing(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("aon-commit")
    rows = [["name", "email", "tags"], [f"Good {SESSION}", f"good.{tag}@example.com", tag], [f"Bad {SESSION}", "bad", tag]]
    record = run(rep.api, upload(rep.api, csv_text(rows), dry_run="true"))
    assert record["status"] == "validated" and record["all_or_nothing"] is False
    committed = rep.api.post(f"{V1}/imports/{record['id']}/commit", json={"all_or_nothing": True}, expect=202).json()
    assert committed["all_or_nothing"] is True
    done = wait(rep.api, record["id"])
    assert done["status"] == "failed" and "nothing was imported" in done["failure"]
    assert counters(done) == {"total": 2, "processed": 2, "created": 1, "merged": 0, "flagged": 0, "errors": 1}  # what the check found
    assert tagged(rep.api, tag) == []


# ---------------------------------------------------------------- all or nothing
def test_all_or_nothing_with_a_bad_row_fails_and_writes_nothing(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("aon")
    rows = [["name", "phone", "tags", "stage"]]
    rows += [[f"AON {n} {SESSION}", phone(), tag, ""] for n in range(4)]
    rows += [[f"AON bad {SESSION}", phone(), tag, "no_such_stage"]]
    record = started(upload_csv(rep.api, csv_text(rows), all_or_nothing="true"))
    assert record["all_or_nothing"] is True
    done = wait(rep.api, record["id"])
    assert done["status"] == "failed"
    assert "nothing was imported" in done["failure"]
    # The counters are the check's: 4 rows would have been created, none was.
    assert counters(done) == {"total": 5, "processed": 5, "created": 4, "merged": 0, "flagged": 0, "errors": 1}
    assert [(e["line"], e["column"], e["code"]) for e in errors_of(rep.api, record["id"])] == [(6, "stage", "invalid")]
    assert tagged(rep.api, tag) == []
    problem(rep.api.post(f"{V1}/imports/{record['id']}/commit"), 409, "conflict")
    # Without the bad row, the same import runs through.
    fixed = run(rep.api, upload_csv(rep.api, csv_text(rows[:-1]), all_or_nothing="true"))
    assert fixed["status"] == "completed" and counters(fixed)["created"] == 4 and len(tagged(rep.api, tag)) == 4


# ---------------------------------------------------------------- saved mappings
def test_saved_mappings(api: Api, org: dict) -> None:
    rep = org["rep"]
    name = unique("Trade show")
    columns = [{"header": "Visitor", "field": "name"}, {"header": "Cell", "field": "phone"}, {"header": "Cell 2", "field": "phone"},
               {"header": "Remarks", "field": "ignore"}, {"header": "Label", "field": "tags"}]
    created = rep.api.post(f"{V1}/import-mappings", json={"name": f"  {name} ", "columns": columns}, expect=201)
    mapping = created.json()
    assert created.headers["Location"] == f"{V1}/import-mappings/{mapping['id']}"
    assert (mapping["name"], mapping["object"], mapping["columns"], mapping["version"]) == (name, "customers", columns, 1)
    assert rep.api.get(f"{V1}/import-mappings/{mapping['id']}", expect=200).json() == mapping
    listed = rep.api.get(f"{V1}/import-mappings", expect=200).json()
    assert listed["next_cursor"] is None and mapping["id"] in [m["id"] for m in listed["data"]]
    names = [m["name"] for m in listed["data"]]
    assert names == sorted(names)

    # Reused by id: headers no guess would map.
    tag = unique("map")
    first, second = phone(), phone()
    content = csv_text([["Visitor", "Cell", "Cell 2", "Remarks", "Label"], [f"Mapped {SESSION}", first, second, "call after 6", tag]])
    assert [c["field"] for c in rep.api.post(f"{V1}/imports/preview", data=content.encode(), headers={"Content-Type": "text/csv"}, expect=200).json()["suggested_columns"]] != [c["field"] for c in columns]
    done = run(rep.api, upload(rep.api, content, mapping_id=mapping["id"]))
    assert done["status"] == "completed" and done["columns"] == columns and counters(done)["created"] == 1
    (customer,) = tagged(rep.api, tag)
    assert sorted(c["value"] for c in customer["contacts"]) == sorted([masked(first), masked(second)])
    # `columns` wins over `mapping_id`.
    explicit = [{"header": "Visitor", "field": "name"}, {"header": "Label", "field": "tags"}]
    content2 = content.replace(SESSION, SESSION + "-2")
    record = started(upload(rep.api, content2, mapping_id=mapping["id"], columns=explicit))
    assert record["columns"] == explicit
    wait(rep.api, record["id"])

    # Saving under the same name replaces it (same id, next version).
    replaced = rep.api.post(f"{V1}/import-mappings", json={"name": name, "columns": columns[:2]}, expect=201).json()
    assert (replaced["id"], replaced["version"], replaced["columns"]) == (mapping["id"], 2, columns[:2])
    # An upload may save its mapping too.
    saved_name = unique("From upload")
    third = run(rep.api, upload(rep.api, csv_text([["Name", "Mobile"], [unique("Saver"), phone()]]), save_mapping=saved_name))
    saved = next(m for m in rep.api.get(f"{V1}/import-mappings", expect=200).json()["data"] if m["name"] == saved_name)
    assert saved["columns"] == third["columns"] == [{"header": "Name", "field": "name"}, {"header": "Mobile", "field": "phone"}]

    # Validation.
    def refused(body: dict) -> dict:
        return field_codes(problem(rep.api.post(f"{V1}/import-mappings", json=body), 422, "validation_failed"))

    assert refused({"name": "x", "columns": [{"header": "Cell", "field": "phone"}]}) == {"columns": "required"}
    assert refused({"name": "x", "columns": [{"header": "A", "field": "name"}, {"header": "B", "field": "shoe_size"}]}) == {"columns[1].field": "invalid"}
    assert refused({"name": "x", "columns": [{"header": "A", "field": "name"}, {"header": "B", "field": "name"}]}) == {"columns[1].field": "duplicate"}
    assert refused({"name": "x", "columns": [{"header": "A", "field": "name"}, {"header": "B", "field": "custom_fields.no_such_field"}]}) == {"columns[1].field": "invalid"}
    assert refused({"name": " ", "columns": [{"header": " ", "field": "name"}]}) == {"name": "required", "columns[0].header": "required"}
    assert refused({"name": "x" * 101, "columns": [{"header": "A", "field": "name"}]}) == {"name": "too_long"}
    assert refused({"columns": "name"}) == {"name": "required", "columns": "invalid"}
    assert refused({"name": "x", "columns": [{"header": "A", "field": "name"}], "id": "map_x"}) == {"id": "read_only"}
    problem(org["analyst"].api.post(f"{V1}/import-mappings", json={"name": "x", "columns": columns}), 403, "forbidden")
    problem(org["analyst"].api.get(f"{V1}/import-mappings"), 403, "forbidden")

    # Deleting.
    rep.api.delete(f"{V1}/import-mappings/{mapping['id']}", expect=204)
    problem(rep.api.get(f"{V1}/import-mappings/{mapping['id']}"), 404, "not_found")
    problem(rep.api.delete(f"{V1}/import-mappings/{mapping['id']}"), 404, "not_found")
    problem(rep.api.get(f"{V1}/import-mappings/not-a-mapping"), 404, "not_found")
    assert mapping["id"] not in [m["id"] for m in rep.api.get(f"{V1}/import-mappings", expect=200).json()["data"]]
    problem(upload(rep.api, content.replace(SESSION, SESSION + "-3"), mapping_id=mapping["id"], expect=None), 404, "not_found")
    api.delete(f"{V1}/import-mappings/{saved['id']}", expect=204)
    # The imports that used it keep their columns.
    assert rep.api.get(f"{V1}/imports/{done['id']}", expect=200).json()["columns"] == columns


# ---------------------------------------------------------------- ownership and access
def test_a_reps_import_belongs_to_the_rep(api: Api, org: dict) -> None:
    rep, other, manager = org["rep"], org["other_rep"], org["manager"]
    tag = unique("own")
    email = f"owned.{tag}@example.com"
    done = run(rep.api, upload(rep.api, csv_text([["name", "email", "tags"], [f"Owned {SESSION}", email, tag]])))
    (customer,) = tagged(rep.api, tag)
    assert customer["owner_id"] == rep.id and customer["team_id"] == org["child"]["id"]
    assert tagged(other.api, tag) == [] and find(other.api, email) == []
    problem(other.api.get(f"{V1}/customers/{customer['id']}"), 404, "not_found")
    problem(other.api.get(f"{V1}/imports/{done['id']}"), 404, "not_found")
    problem(other.api.get(f"{V1}/imports/{done['id']}/errors"), 404, "not_found")
    problem(other.api.get(f"{V1}/imports/{done['id']}/error-report"), 404, "not_found")
    assert done["id"] not in [i["id"] for i in other.api.get(f"{V1}/imports", params={"limit": 500}, expect=200).json()["data"]]
    assert [c["id"] for c in tagged(manager.api, tag)] == [customer["id"]]  # the manager's subtree
    api.get(f"{V1}/imports/{done['id']}", expect=200)

    # A rep's row cannot fold into another rep's customer: it is reported, not merged.
    theirs_email = f"theirs.{tag}@example.com"
    other.api.post(f"{V1}/customers", json={"name": unique("Theirs"), "contacts": [{"kind": "email", "value": theirs_email}]}, expect=201)
    clash = run(rep.api, upload(rep.api, csv_text([["name", "email"], [f"Clash {SESSION}", theirs_email]])))
    assert counters(clash)["errors"] == 1 and counters(clash)["merged"] == 0
    assert [(e["line"], e["column"], e["code"]) for e in errors_of(rep.api, clash["id"])] == [(2, "", "duplicate")]

    # default_owner: a rep may not hand rows to someone else (the import fails); an administrator may.
    refused = run(rep.api, upload(rep.api, csv_text([["name"], [unique("Handed")]]), default_owner=other.id))
    assert refused["status"] == "failed" and "default_owner" in refused["failure"]
    handed_tag = unique("handed")
    handed = run(api, upload(api, csv_text([["name", "tags"], [f"Handed {SESSION}", handed_tag]]), default_owner=rep.id))
    assert handed["status"] == "completed"
    assert [c["owner_id"] for c in tagged(rep.api, handed_tag)] == [rep.id]
    # The owner column: an administrator names any active user by email.
    owner_tag = unique("owner-col")
    by_column = run(api, upload_csv(api, csv_text([["name", "owner", "tags"], [f"Owner col {SESSION}", other.user["email"].upper(), owner_tag]])))
    assert by_column["status"] == "completed"
    assert [c["owner_id"] for c in tagged(other.api, owner_tag)] == [other.id]

    # Roles that may not create customers may not import, nor read imports.
    analyst = org["analyst"].api
    problem(analyst.post(f"{V1}/imports", files={"file": ("a.csv", b"name\nx\n", "text/csv")}), 403, "forbidden")
    problem(analyst.post(f"{V1}/imports/preview", files={"file": ("a.csv", b"name\nx\n", "text/csv")}), 403, "forbidden")
    problem(analyst.get(f"{V1}/imports"), 403, "forbidden")
    problem(analyst.get(f"{V1}/imports/{done['id']}"), 403, "forbidden")
    # Nor may a read-only token.
    reader = api.as_token(api.post(f"{V1}/tokens", json={"name": "read-only importer", "scopes": ["read"]}, expect=201).json()["token"])
    problem(reader.post(f"{V1}/imports", data=b"name\nx\n", headers={"Content-Type": "text/csv"}), 403, "forbidden")
    problem(api.get(f"{V1}/imports/imp_{'0' * 26}"), 404, "not_found")
    problem(api.get(f"{V1}/imports/not-an-import"), 404, "not_found")


# ---------------------------------------------------------------- bad files and bad options
def test_bad_files_and_options_are_refused(api: Api, org: dict) -> None:
    rep = org["rep"]
    before = imports_count(rep.api)
    good = csv_text([["name", "phone"], [unique("Never"), phone()]])

    def refused(response: requests.Response) -> dict:
        return field_codes(problem(response, 422, "validation_failed"))

    assert refused(upload(rep.api, "name,phone\nZo\xe9,1\n".encode("latin-1"), expect=None)) == {"file": "invalid_encoding"}
    assert refused(upload(rep.api, b"\xef\xbb\xbf\xff\xfe", expect=None)) == {"file": "invalid_encoding"}
    assert refused(upload(rep.api, "", expect=None)) == {"file": "empty"}
    assert refused(upload(rep.api, "\n\r\n\n", expect=None)) == {"file": "empty"}
    assert refused(upload(rep.api, ",,\nAda,1,2\n", expect=None)) == {"file": "empty"}
    assert refused(upload(rep.api, 'name,phone\n"Ada,+8613800000000\n', expect=None)) == {"file": "invalid"}
    assert refused(upload_csv(rep.api, b"\xc3\x28", expect=None)) == {"file": "invalid_encoding"}
    # The mapping must fit the file and the dictionary.
    assert refused(upload(rep.api, good, columns=[{"header": "name", "field": "name"}, {"header": "Mobile", "field": "phone"}], expect=None)) == {"columns[1].header": "not_found"}
    assert refused(upload(rep.api, good, columns=[{"header": "name", "field": "name"}, {"header": "phone", "field": "fax"}], expect=None)) == {"columns[1].field": "invalid"}
    assert refused(upload(rep.api, good, columns=[{"header": "phone", "field": "phone"}], expect=None)) == {"columns": "required"}
    assert refused(upload(rep.api, "Mobile,Remarks\n+8613800000000,x\n", expect=None)) == {"columns": "required"}  # no column guessed as name
    assert refused(upload(rep.api, good, columns="name", expect=None)) == {"columns": "invalid"}
    assert refused(upload_csv(rep.api, good, columns="[{\"header\": 1}]", expect=None)) == {"columns": "invalid"}
    # Options.
    assert refused(upload(rep.api, good, dry_run="yes", all_or_nothing="1", allow_repeat="TRUE", expect=None)) == {
        "dry_run": "invalid", "all_or_nothing": "invalid", "allow_repeat": "invalid"}
    assert refused(upload(rep.api, good, policy="overwrite", expect=None)) == {"policy": "invalid"}
    assert refused(upload_csv(rep.api, good, delimiter="|", expect=None)) == {"delimiter": "invalid"}
    assert refused(upload(rep.api, good, default_owner="ian@example.com", expect=None)) == {"default_owner": "invalid"}
    assert refused(upload_csv(rep.api, good, file_name="n" * 256, expect=None)) == {"file_name": "too_long"}
    assert refused(rep.api.post(f"{V1}/imports", files={"file": ("a.csv", good.encode(), "text/csv"), "colour": (None, "red")})) == {"colour": "unknown_field"}
    assert refused(rep.api.post(f"{V1}/imports", files={"dry_run": (None, "true")})) == {"file": "required"}
    # A control character in the query string is refused before anything else.
    body = problem(rep.api.post(f"{V1}/imports", params={"file_name": "a\nb.csv"}, data=good.encode(), headers={"Content-Type": "text/csv"}), 422, "validation_failed")
    assert field_codes(body) == {"query": "invalid"}
    # Bodies that are not a form or CSV, and forms that do not parse.
    problem(rep.api.post(f"{V1}/imports", data=good.encode(), headers={"Content-Type": "application/octet-stream"}), 415, "unsupported_media_type")
    problem(rep.api.post(f"{V1}/imports", data=b"--zz\r\nno headers and no end", headers={"Content-Type": "multipart/form-data; boundary=zz"}), 400, "malformed_request")
    assert refused(rep.api.post(f"{V1}/imports", data=b"garbage", headers={"Content-Type": "multipart/form-data; boundary=zz"})) == {"file": "required"}
    assert imports_count(rep.api) == before  # nothing was stored

    # The preview refuses the same files.
    assert refused(rep.api.post(f"{V1}/imports/preview", files={"file": ("a.csv", b"\xff\xfe", "text/csv")})) == {"file": "invalid_encoding"}
    assert refused(rep.api.post(f"{V1}/imports/preview", data=b"", headers={"Content-Type": "text/csv"})) == {"file": "empty"}
    assert refused(rep.api.post(f"{V1}/imports/preview", params={"delimiter": "|"}, data=good.encode(), headers={"Content-Type": "text/csv"})) == {"delimiter": "invalid"}


# ---------------------------------------------------------------- preview
def test_preview_guesses_a_mapping(api: Api, org: dict) -> None:
    rep = org["rep"]
    header = ["客户名称", "手机号码", "电子邮箱", "公司", "来源", "标签", "负责人", "Lead Score", "Shoe size", "Phone"]
    rows = [header] + [[f"P{n}", phone(), f"p{n}@example.com", "ACME", "expo", "a;b", "", str(n), "42", ""] for n in range(12)]
    response = rep.api.post(f"{V1}/imports/preview", files={"file": ("p.csv", ("\ufeff" + csv_text(rows)).encode(), "text/csv")}, expect=200)
    preview = response.json()
    assert preview["headers"] == header
    assert len(preview["sample"]) == 10 and preview["sample"][0] == rows[1]
    assert preview["suggested_columns"] == [
        {"header": "客户名称", "field": "name"}, {"header": "手机号码", "field": "phone"}, {"header": "电子邮箱", "field": "email"},
        {"header": "公司", "field": "company"}, {"header": "来源", "field": "source"}, {"header": "标签", "field": "tags"},
        {"header": "负责人", "field": "owner"}, {"header": "Lead Score", "field": "score"}, {"header": "Shoe size", "field": "ignore"},
        {"header": "Phone", "field": "phone"},  # phone may come from several columns
    ]
    tabbed = rep.api.post(f"{V1}/imports/preview", params={"delimiter": "tab"}, data=b"name\tphone\nTabby\t+8613800000000\n",
                          headers={"Content-Type": "text/csv"}, expect=200).json()
    assert tabbed["headers"] == ["name", "phone"] and tabbed["sample"] == [["Tabby", "+8613800000000"]]
    semi = rep.api.post(f"{V1}/imports/preview", files={"file": ("s.csv", b"name;email\nSemi;s@example.com\n", "text/csv"), "delimiter": (None, ";")}, expect=200).json()
    assert semi["headers"] == ["name", "email"]


# ---------------------------------------------------------------- a big file
@pytest.mark.after_fuzzing  # 20,000 more customers would slow every later list, count and export down
def test_twenty_thousand_rows(api: Api) -> None:
    rows = 20_000
    tag = unique("bulk")
    lines = ["name,email,tags,score"]
    lines += [f"Bulk {n} {SESSION},bulk{n}.{tag}@bulk.example,{tag},{n % 100}" for n in range(rows - 2)]
    lines += [f"Bulk dup {SESSION},BULK7.{tag}@bulk.example,{tag},1", f"Bulk bad {SESSION},bad-email,{tag},x"]
    content = "\n".join(lines) + "\n"
    assert len(content.encode()) > 1 << 20  # larger than any JSON body may be
    started_at = time.monotonic()
    done = run(api, upload(api, content, file_name="bulk.csv"), timeout=900)
    elapsed = time.monotonic() - started_at
    assert done["status"] == "completed", done
    assert counters(done) == {"total": rows, "processed": rows, "created": rows - 2, "merged": 1, "flagged": 0, "errors": 1}
    assert [(e["line"], e["column"]) for e in errors_of(api, done["id"])] == [(rows + 1, "email"), (rows + 1, "score")]
    sample = find(api, f"bulk12345.{tag}@bulk.example")
    assert [c["name"] for c in sample] == [f"Bulk 12345 {SESSION}"] and sample[0]["score"] == 45
    first_page = api.get(f"{V1}/customers", params={"tag": tag, "limit": 500}, expect=200).json()
    assert len(first_page["data"]) == 500 and first_page["next_cursor"]
    print(f"20,000 rows imported in {elapsed:.1f} s")


# ---------------------------------------------------------------- an export of imported customers
def test_export_of_imported_customers(api: Api, org: dict) -> None:
    admin2, manager, rep = org["admin2"], org["manager"], org["rep"]
    tag = unique("exp")
    phones = [phone() for _ in range(3)]
    content = csv_text([["name", "phone", "tags", "company"]] + [[f"Export {n} {SESSION}", phones[n], tag, "=HYPERLINK(1)" if n == 0 else "Co"] for n in range(3)])
    assert counters(run(rep.api, upload(rep.api, content)))["created"] == 3

    # Within the threshold: ready at once; only the requester downloads it.
    response = manager.api.post(f"{V1}/exports", json={"object": "customers", "filters": {"tag": tag}, "columns": ["name", "phones", "company", "owner_id"]}, expect=201)
    export = response.json()
    assert response.headers["Location"] == f"{V1}/exports/{export['id']}" and response.headers["ETag"] == f'"{export["version"]}"'
    assert (export["status"], export["row_count"], export["requested_by"], export["format"]) == ("ready", 3, manager.id, "csv")
    assert export["filters"]["tag"] == tag and export["filters"]["owner_id"] is None
    assert export["download_url"] == f"{V1}/exports/{export['id']}/download"
    assert manager.api.get(f"{V1}/exports/{export['id']}", expect=200).json() == export
    assert export["id"] in [e["id"] for e in manager.api.get(f"{V1}/exports", params={"status": "ready"}, expect=200).json()["data"]]
    assert export["id"] in [e["id"] for e in api.get(f"{V1}/exports", params={"limit": 500}, expect=200).json()["data"]]
    problem(api.get(f"{V1}/exports/{export['id']}/download"), 403, "forbidden")
    problem(rep.api.get(f"{V1}/exports"), 403, "forbidden")
    problem(rep.api.post(f"{V1}/exports", json={"object": "customers"}), 403, "forbidden")
    problem(manager.api.get(f"{V1}/exports", params={"status": "done"}), 422, "validation_failed")

    download = manager.api.get(f"{V1}/exports/{export['id']}/download", params={"bom": "true"}, expect=200)
    assert download.headers["Content-Disposition"] == f'attachment; filename="customers-{export["id"]}.csv"'
    text = download.content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert table[0] == ["name", "phones", "company", "owner_id"]
    # Masked, and escaped against formula injection: a cell starting with `=` or `+` (every phone) gets a leading `'`.
    assert sorted(table[1:]) == sorted([[f"Export {n} {SESSION}", "'" + masked(phones[n]), "'=HYPERLINK(1)" if n == 0 else "Co", rep.id] for n in range(3)])
    assert not any(p in text for p in phones)
    assert manager.api.get(f"{V1}/exports/{export['id']}", expect=200).json()["downloaded_at"] is not None

    # Above the threshold: it waits for another administrator.
    settings = get_settings(api)
    try:
        api.request("PUT", f"{V1}/settings/customers", json={"settings": dict(settings, export_approval_threshold=2)}, expect=200)
        pending = manager.api.post(f"{V1}/exports", json={"object": "customers", "filters": {"tag": tag}}, expect=201).json()
        rejected = manager.api.post(f"{V1}/exports", json={"object": "customers", "filters": {"tag": tag}}, expect=201).json()
        own = api.post(f"{V1}/exports", json={"object": "customers", "filters": {"tag": tag}}, expect=201).json()
    finally:
        api.request("PUT", f"{V1}/settings/customers", json={"settings": settings}, expect=200)
    assert pending["status"] == "pending_approval" and pending["download_url"] is None and pending["row_count"] == 3
    problem(manager.api.get(f"{V1}/exports/{pending['id']}/download"), 409, "conflict")
    problem(manager.api.post(f"{V1}/exports/{pending['id']}/approve"), 403, "forbidden")
    problem(api.post(f"{V1}/exports/{own['id']}/approve"), 403, "forbidden")  # never one's own

    approved = api.post(f"{V1}/exports/{pending['id']}/approve", json={"note": " fine "}, expect=200).json()
    assert (approved["status"], approved["decided_by"], approved["decision_note"]) == ("approved", server_admin_id(api), "fine")
    problem(admin2.api.post(f"{V1}/exports/{pending['id']}/approve"), 409, "conflict")
    rows = list(csv.reader(io.StringIO(manager.api.get(f"{V1}/exports/{pending['id']}/download", expect=200).text, newline="")))
    assert len(rows) == 4

    refused = admin2.api.post(f"{V1}/exports/{rejected['id']}/reject", expect=200).json()
    assert refused["status"] == "rejected" and refused["decided_by"] == admin2.id and refused["download_url"] is None
    problem(manager.api.get(f"{V1}/exports/{rejected['id']}/download"), 409, "conflict")
    admin2.api.post(f"{V1}/exports/{own['id']}/reject", json={}, expect=200)
    body = problem(manager.api.post(f"{V1}/exports", json={"object": "customers", "filters": {"colour": "red"}}), 422, "validation_failed")
    assert field_codes(body) == {"filters.colour": "unknown_field"}
    body = problem(manager.api.post(f"{V1}/exports", json={"object": "leads", "columns": ["name", "shoe_size"]}), 422, "validation_failed")
    assert field_codes(body) == {"object": "invalid", "columns[1]": "invalid"}
    problem(manager.api.get(f"{V1}/exports/exp_{'0' * 26}"), 404, "not_found")


# ---------------------------------------------------------------- fixed server bugs, pinned
def test_invalid_save_mapping_starts_no_import(api: Api, org: dict) -> None:
    rep = org["rep"]
    before = imports_count(rep.api)
    body = problem(upload(rep.api, csv_text([["name"], [unique("Mapped")]]), save_mapping="m" * 101, expect=None), 422, "validation_failed")
    assert imports_count(rep.api) == before
    assert field_codes(body) == {"save_mapping": "too_long"}


def test_a_rep_cannot_set_a_team_through_an_import(api: Api, org: dict) -> None:
    rep = org["rep"]
    tag = unique("team-bypass")
    done = run(rep.api, upload(rep.api, csv_text([["name", "team", "tags"], [f"Team bypass {SESSION}", org["other_team"]["key"], tag]])))
    written = tagged(rep.api, tag)
    assert all(c["team_id"] != org["other_team"]["id"] for c in written), written
    assert [(e["line"], e["column"]) for e in errors_of(rep.api, done["id"])] == [(2, "team")]


def test_missing_name_is_reported_under_the_files_column(api: Api, org: dict) -> None:
    rep = org["rep"]
    done = run(rep.api, upload(rep.api, csv_text([["姓名", "手机"], ["", phone()], [unique("Named"), phone()]])))
    assert [(e["line"], e["column"], e["code"]) for e in errors_of(rep.api, done["id"])] == [(2, "姓名", "required")]


def test_a_tab_delimiter_part_is_honoured(api: Api, org: dict) -> None:
    preview = org["rep"].api.post(f"{V1}/imports/preview", files={"file": ("t.csv", b"name\tphone\nTabby\t+8613800000000\n", "text/csv"), "delimiter": (None, "\t")}, expect=200).json()
    assert preview["headers"] == ["name", "phone"]


def test_error_pages_survive_a_line_with_many_errors(api: Api, org: dict) -> None:
    rep = org["rep"]
    header = ["name"] + [f"Phone {n}" for n in range(25)]
    rows = [header, [f"Many {SESSION}"] + ["123"] * 25, [f"One {SESSION}", "123"] + [""] * 24]
    done = run(rep.api, upload(rep.api, csv_text(rows), columns=[{"header": "name", "field": "name"}] + [{"header": h, "field": "phone"} for h in header[1:]]))
    assert counters(done)["errors"] == 2
    errors = errors_of(rep.api, done["id"], limit=1)
    # A line keeps its first 20 errors (ImportStore.maximumErrorsPerLine); later lines are not lost.
    assert [e["line"] for e in errors] == [2] * 20 + [3]


# ---------------------------------------------------------------- leads
def lead_file(session: str, rows: int) -> str:
    """A file shaped like the X Education export: no names or contacts, a prospect id, `Select` for
    "not filled in", a source label, a historic conversion flag, and columns no lead field takes."""
    lines = [["Prospect ID", "Lead Number", "Lead Source", "Converted", "City", "Country", "Tags"]]
    sources = ["Google", "google", "Olark Chat", "Direct Traffic"]
    for index in range(rows):
        lines.append([f"{session}-{index}", str(700_000 + index), sources[index % 4], "1" if index % 3 == 0 else "0",
                      "Select" if index % 2 else "Mumbai", "India", "Ringing"])
    return csv_text(lines, line_end="\r\n")


def test_lead_imports_map_template_empty_values_channels_and_external_ids(api: Api, org: dict) -> None:
    session = secrets.token_hex(5)
    pool = api.post(f"{V1}/pools", json={"key": unique("imp-leads"), "name": "Imported leads", "object": "lead"}, expect=201).json()
    content = lead_file(session, 12)
    options = {"object": "leads", "pool": pool["key"], "name_template": "Lead {Lead Number}", "empty_values": '["Select"]'}
    # The preview guesses the lead mapping.
    preview = api.post(f"{V1}/imports/preview", data=content.encode(), params={"object": "leads"}, headers={"Content-Type": "text/csv"}, expect=200).json()
    assert [c["field"] for c in preview["suggested_columns"]] == ["external_id", "ignore", "source", "converted", "region", "region", "ignore"]
    # A dry run notes the ignored columns and writes nothing; committed, it imports every row.
    dry = run(api, upload(api, content, file_name="leads.csv", dry_run="true", **options))
    assert dry["status"] == "validated" and dry["object"] == "leads" and dry["counters"]["created"] == 12 and dry["counters"]["errors"] == 0
    assert dry["ignored_columns"] == ["Lead Number", "Tags"] and dry["empty_values"] == ["Select"] and dry["name_template"] == "Lead {Lead Number}"
    assert api.get(f"{V1}/pools/{pool['id']}/leads", expect=200).json()["data"] == []
    api.post(f"{V1}/imports/{dry['id']}/commit", json={}, expect=202)
    done = wait(api, dry["id"])
    assert done["status"] == "completed" and done["counters"]["created"] == 12 and done["pool"] == pool["key"]
    leads = api.get(f"{V1}/pools/{pool['id']}/leads", params={"limit": 100}, expect=200).json()["data"]
    assert len(leads) == 12 and all(lead["owner_id"] is None and lead["pool_id"] == pool["id"] for lead in leads)
    by_external = {lead["external_id"]: lead for lead in leads}
    first, second = by_external[f"{session}-0"], by_external[f"{session}-1"]
    assert first["name"] == "Lead 700000" and first["source"] == "google" and first["region"] == "Mumbai, India"
    assert first["status"] == "converted" and first["converted_customer_id"] is None and first["converted_at"] is not None
    assert second["source"] == "google" and second["region"] == "India" and second["status"] == "new"  # "Select" is empty
    assert {lead["source"] for lead in leads} == {"google", "olark_chat", "direct_traffic"}
    # Again: refused; allowed to repeat, every row matches its lead by external id and nothing is created.
    problem(upload(api, content, file_name="leads.csv", expect=None, **options), 409, "conflict")
    again = run(api, upload(api, content, file_name="leads.csv", allow_repeat="true", **options))
    assert again["counters"]["created"] == 0 and again["counters"]["merged"] == 12
    # The API takes the external id too: the same one is a duplicate.
    duplicate = api.post(f"{V1}/leads", json={"name": "Again", "external_id": f"{session}-0", "owner_id": None, "pool_id": pool["id"]})
    problem(duplicate, 409, "duplicate")


def test_lead_mappings_and_bad_lead_import_options(api: Api, org: dict) -> None:
    columns = [{"header": "Prospect ID", "field": "external_id"}, {"header": "Lead Source", "field": "source"}]
    name = unique("x-education")
    saved = api.post(f"{V1}/import-mappings", json={"name": name, "columns": columns, "object": "leads", "name_template": "Lead {Lead Number}",
                                                   "empty_values": ["Select"]}, expect=201).json()
    assert saved["object"] == "leads" and saved["name_template"] == "Lead {Lead Number}" and saved["empty_values"] == ["Select"]
    reused = run(api, upload(api, lead_file(secrets.token_hex(5), 3), object="leads", mapping_id=saved["id"], dry_run="true"))
    assert reused["status"] == "validated" and reused["counters"]["created"] == 3 and reused["name_template"] == "Lead {Lead Number}"
    malformed = problem(api.post(f"{V1}/import-mappings", json={"name": unique("m"), "columns": columns, "object": "leads", "name_template": "Lead {"}),
                        422, "validation_failed")
    assert field_codes(malformed) == {"name_template": "invalid"}
    assert name in [m["name"] for m in api.get(f"{V1}/import-mappings", params={"object": "leads"}, expect=200).json()["data"]]
    assert name not in [m["name"] for m in api.get(f"{V1}/import-mappings", expect=200).json()["data"]]
    problem(api.get(f"{V1}/import-mappings", params={"object": "deals"}), 422, "validation_failed")
    content = lead_file(secrets.token_hex(5), 2)
    refused = lambda response: field_codes(problem(response, 422, "validation_failed"))  # noqa: E731
    assert refused(upload(api, content, expect=None, object="deals")) == {"object": "invalid"}
    assert refused(upload(api, content, expect=None, object="leads", pool=unique("no-such-pool"), name_template="{Lead Number}")) == {"pool": "invalid"}
    assert refused(upload(api, content, expect=None, object="leads", name_template="Lead {Number}")) == {"name_template": "not_found"}
    assert "columns" in refused(upload(api, content, expect=None, object="leads", columns=json.dumps(columns)))  # no name, no template
    assert refused(upload(api, content, expect=None, object="leads", columns=json.dumps([{"header": "Tags", "field": "salary"}]), name_template="{Lead Number}")) \
        == {"columns[0].field": "invalid"}
