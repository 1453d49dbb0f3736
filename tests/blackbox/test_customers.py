"""Customers, activities, the business dictionary and the customer settings, end to end on the real
server: every response is checked against the OpenAPI document (Contract), on whichever engine the
session runs (SQLite by default, PostgreSQL with RAPPORT_TEST_DATABASE_URL).

The module puts the settings and the customer dictionary into a known state first (a shared
PostgreSQL database may hold what earlier sessions or the fuzzer left) and the settings back at the
end. Phone numbers, emails and names are random per session, so sessions never collide on dedup.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from contract import Api, field_codes, problem, restore_standard_roles

V1 = "/api/v1"


# ---------------------------------------------------------------- helpers
def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def sign_in(api: Api, email: str, password: str) -> str:
    return api.post(f"{V1}/auth/token", token=None, json={"email": email, "password": password}, expect=201).json()["token"]


def cn_mobile() -> str:
    """A random, valid mainland-China mobile number: 11 national digits (13x xxxx xxxx)."""
    return "13" + str(random.randint(0, 9)) + f"{random.randint(0, 99_999_999):08d}"


def hk_mobile() -> str:
    """A random, valid Hong Kong mobile number: 8 national digits (512x xxxx)."""
    return "512" + f"{random.randint(0, 99_999):05d}"


def spaced_cn(national: str) -> str:
    return f"{national[:3]} {national[3:7]} {national[7:]}"


def masked_cn(national: str) -> str:
    """How the server masks +86 <national>: the first 3 and last 4 national digits."""
    return f"+86 {national[:3]}****{national[7:]}"


def unionid(length: int = 28) -> str:
    """A WeChat-unionid-like value: `o` then letters and digits (28 characters by default)."""
    return "o" + secrets.token_hex(16)[: length - 1]


def collect(client: Api, path: str, params: dict | None = None, limit: int = 2) -> list[dict]:
    """Follows next_cursor from page to page and returns every item."""
    items: list[dict] = []
    query = dict(params or {}, limit=limit)
    for _ in range(500):
        page = client.get(path, params=query, expect=200).json()
        assert len(page["data"]) <= limit
        items.extend(page["data"])
        if page["next_cursor"] is None:
            return items
        query["cursor"] = page["next_cursor"]
    raise AssertionError("pagination did not end")


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def create(client: Api, expect: int = 201, **fields: Any) -> dict:
    """Creates a customer and returns it (the `customer` member of the answer)."""
    fields.setdefault("name", unique("Customer"))
    response = client.post(f"{V1}/customers", json=fields, expect=expect)
    body = response.json()
    assert response.headers["Location"] == f"{V1}/customers/{body['customer']['id']}"
    assert response.headers["ETag"] == f'"{body["customer"]["version"]}"'
    return body["customer"]


def contact(customer: dict, kind: str) -> list[dict]:
    return [c for c in customer["contacts"] if c["kind"] == kind]


# ---------------------------------------------------------------- settings and dictionary: known state
STANDARD_DEDUP = {"api": "block", "web": "block", "cli": "block", "import": "merge"}
STANDARD_REVEAL = {
    "admin": {"reach": "scope", "hourly_quota": None},
    "manager": {"reach": "scope", "hourly_quota": 100},
    "rep": {"reach": "own", "hourly_quota": 30},
    "service": {"reach": "none", "hourly_quota": 0},
    "marketer": {"reach": "none", "hourly_quota": 0},
    "partner": {"reach": "none", "hourly_quota": 0},
    "analyst": {"reach": "none", "hourly_quota": 0},
    "read_only": {"reach": "none", "hourly_quota": 0},
}


def rules_as_map(rules: Any) -> dict[str, dict]:
    """The reveal rules by role, whether the server writes them as an object or as a flat list of pairs."""
    if isinstance(rules, dict):
        return dict(rules)
    assert isinstance(rules, list) and len(rules) % 2 == 0, rules
    return dict(zip(rules[0::2], rules[1::2]))


def rules_like(template: Any, rules: dict[str, dict]) -> Any:
    """`rules` in the shape the server uses (see `rules_as_map`)."""
    if isinstance(template, dict):
        return rules
    return [item for role, rule in rules.items() for item in (role, rule)]


def standard_settings(current: dict) -> dict:
    (dedup_member,) = current["dedup"].keys()  # `by_source`
    return {
        "default_region": "CN",
        "dedup": {dedup_member: dict(STANDARD_DEDUP)},
        "frequency_cap": {"limit": 3, "period_days": 7, "mode": "warn"},
        "reveal": {"rules": rules_like(current["reveal"]["rules"], copy.deepcopy(STANDARD_REVEAL))},
        "export_approval_threshold": 10000,
    }


def put_settings(api: Api, settings: dict) -> dict:
    saved = api.request("PUT", f"{V1}/settings/customers", json={"settings": settings}, expect=200).json()
    assert saved["default_region"] == settings["default_region"] and saved["frequency_cap"] == settings["frequency_cap"]
    return saved


def get_settings(api: Api) -> dict:
    return api.get(f"{V1}/settings/customers", expect=200).json()


def lt(zh: str, en: str) -> dict:
    return {"zh-Hans": zh, "en": en}


# The shipped education template's customer dictionary (definitions left out).
EDUCATION_CUSTOMER: dict = {
    "object": "customer",
    "initial_stage": "new",
    "stages": [
        {"key": "new", "label": lt("新客户", "New"), "category": "open", "lifecycle": "aware", "transitions": ["engaged", "dormant", "lost"], "sla_days": 2},
        {"key": "engaged", "label": lt("沟通中", "Engaged"), "category": "open", "lifecycle": "curious", "transitions": ["trial_booked", "dormant", "lost"], "sla_days": 7},
        {"key": "trial_booked", "label": lt("已约试听", "Trial booked"), "category": "open", "lifecycle": "understand",
         "transitions": ["trial_attended", "engaged", "lost"], "guards": ["trial_class_date"], "sla_days": 7},
        {"key": "trial_attended", "label": lt("已试听", "Trial attended"), "category": "open", "lifecycle": "favor",
         "transitions": ["enrolled", "trial_booked", "dormant", "lost"], "sla_days": 3},
        {"key": "enrolled", "label": lt("已报名", "Enrolled"), "category": "won", "lifecycle": "purchase",
         "transitions": ["renewed", "promoter", "dormant", "lost"], "guards": ["grade", "parent_phone"]},
        {"key": "renewed", "label": lt("已续费", "Renewed"), "category": "won", "lifecycle": "purchase", "transitions": ["promoter", "dormant", "lost"]},
        {"key": "promoter", "label": lt("转介绍", "Promoter"), "category": "won", "lifecycle": "recommend", "transitions": ["renewed", "dormant", "lost"]},
        {"key": "dormant", "label": lt("沉默", "Dormant"), "category": "dormant", "transitions": ["engaged", "renewed", "lost"], "sla_days": 90},
        {"key": "lost", "label": lt("流失", "Lost"), "category": "lost", "transitions": ["engaged"]},
    ],
    "fields": [
        {"key": "student_name", "label": lt("学员姓名", "Student name"), "type": "text", "max_length": 50},
        {"key": "grade", "label": lt("年级", "Grade"), "type": "enum", "options": [
            {"key": "preschool", "label": lt("学前", "Preschool")},
            *[{"key": f"primary_{n}", "label": lt(f"小学{n}年级", f"Primary {n}")} for n in range(1, 7)],
            *[{"key": f"junior_{n}", "label": lt(f"初{n}", f"Junior high {n}")} for n in range(1, 4)],
            *[{"key": f"senior_{n}", "label": lt(f"高{n}", f"Senior high {n}")} for n in range(1, 4)],
            {"key": "adult", "label": lt("成人", "Adult")},
        ]},
        {"key": "subject_interest", "label": lt("意向科目", "Subjects of interest"), "type": "multi_enum", "options": [
            {"key": key, "label": lt(key, key.title())} for key in ("chinese", "math", "english", "physics", "chemistry", "programming", "art")
        ]},
        {"key": "trial_class_date", "label": lt("试听课日期", "Trial class date"), "type": "date"},
        {"key": "parent_phone", "label": lt("家长电话", "Parent phone"), "type": "phone"},
        {"key": "budget", "label": lt("预算", "Budget"), "type": "money", "minimum": 0, "currency": "CNY"},
        {"key": "referred_by", "label": lt("推荐人", "Referred by"), "type": "record_link", "link_to": "customer"},
    ],
}


def dictionary_shape(dictionary: dict) -> dict:
    """What the tests rely on: the live stages' machine and the live fields' types."""
    return {
        "initial_stage": dictionary["initial_stage"],
        "stages": {s["key"]: (s["category"], s.get("lifecycle"), sorted(s.get("transitions") or []), sorted(s.get("guards") or []), s["label"]["en"])
                   for s in dictionary["stages"] if not s.get("archived")},
        "fields": {f["key"]: (f["type"], bool(f.get("required")), f.get("currency"))
                   for f in dictionary["fields"] if not f.get("archived")},
    }


def ensure_customer_dictionary(api: Api) -> None:
    current = api.get(f"{V1}/dictionary/customer", expect=200)
    if dictionary_shape(current.json()["dictionary"]) == dictionary_shape(EDUCATION_CUSTOMER):
        return
    saved = api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": current.headers["ETag"]},
                        json={"dictionary": EDUCATION_CUSTOMER}, expect=200).json()
    assert dictionary_shape(saved["dictionary"]) == dictionary_shape(EDUCATION_CUSTOMER)


# ---------------------------------------------------------------- fixtures
class Person:
    def __init__(self, user: dict, client: Api, password: str):
        self.user, self.api, self.password = user, client, password
        self.id = user["id"]


def new_person(api: Api, role: str, team: dict | None, name: str) -> Person:
    password = "pw-" + secrets.token_urlsafe(12)
    user = api.post(f"{V1}/users", json={
        "email": f"{unique(role)}@example.com", "name": name, "role": role,
        "team_id": team["id"] if team else None, "password": password,
    }, expect=201).json()
    return Person(user, api.as_token(sign_in(api, user["email"], password)), password)


@pytest.fixture(scope="module")
def crm(api: Api):
    """A sales team tree (root → child), a manager in the root, two reps and a service user in the
    child, and an analyst; settings and the customer dictionary in their standard state."""
    restore_standard_roles(api)
    put_settings(api, standard_settings(get_settings(api)))
    ensure_customer_dictionary(api)
    root = api.post(f"{V1}/teams", json={"key": unique("crm"), "name": "CRM Sales"}, expect=201).json()
    child = api.post(f"{V1}/teams", json={"key": unique("crm-east"), "name": "CRM East", "parent_id": root["id"]}, expect=201).json()
    org = {
        "root": root, "child": child,
        "manager": new_person(api, "manager", root, "Mona Manager"),
        "rep": new_person(api, "rep", child, "Rita Rep"),
        "other_rep": new_person(api, "rep", child, "Otto Rep"),
        "service": new_person(api, "service", child, "Sven Service"),
        "analyst": new_person(api, "analyst", None, "Ana Analyst"),
    }
    yield org
    put_settings(api, standard_settings(get_settings(api)))


# ---------------------------------------------------------------- creating customers
def test_create_customer_normalises_contacts_tags_and_fields(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    cn, hk = cn_mobile(), hk_mobile()
    wechat = unionid()
    email_local = unique("ada.lovelace")
    name = unique("王小明")
    response = rep.api.post(f"{V1}/customers", json={
        "name": f"  {name} ", "company": "Example Ltd", "title": "Parent", "source": "web_form", "score": 42,
        "id_number": " 110101 19900307 1234 ",
        "contacts": [
            {"kind": "phone", "value": spaced_cn(cn), "label": "mobile"},                     # national, default region CN
            {"kind": "phone", "value": f"+852 {hk[:4]} {hk[4:]}", "label": "hk", "primary": True},
            {"kind": "phone", "value": f"0086 {cn[:3]}-{cn[3:7]}-{cn[7:]}"},                   # the same number again
            {"kind": "email", "value": f"  {email_local.upper()}@Example.COM "},
            {"kind": "wechat_unionid", "value": wechat},
            {"kind": "address", "value": "北京市朝阳区建国路 1 号"},
        ],
        "tags": [" vip ", "vip", "parent"],
        "consents": [{"channel": "sms", "purpose": "marketing", "status": "granted", "source": "web_form"}],
        "custom_fields": {"student_name": " 小明 ", "grade": "primary_3", "subject_interest": ["math", "english", "math"],
                          "budget": {"amount_minor": 990000}, "trial_class_date": ""},
    }, expect=201)
    body = response.json()
    customer = body["customer"]
    assert body["outcome"] == "created" and body["duplicates"] == []
    assert response.headers["Location"] == f"{V1}/customers/{customer['id']}" and response.headers["ETag"] == '"1"'
    assert customer["name"] == name and customer["kind"] == "person"
    assert customer["owner_id"] == rep.id and customer["team_id"] == crm["child"]["id"]
    assert customer["stage"] == "new" and customer["lifecycle"] == "aware" and customer["version"] == 1
    assert customer["tags"] == ["parent", "vip"]
    assert customer["custom_fields"] == {"student_name": "小明", "grade": "primary_3", "subject_interest": ["english", "math"],
                                         "budget": {"amount_minor": 990000, "currency": "CNY"}}
    assert [(c["channel"], c["purpose"], c["status"], c["source"]) for c in customer["consents"]] == [("sms", "marketing", "granted", "web_form")]

    phones = contact(customer, "phone")
    assert [p["value"] for p in phones] == [masked_cn(cn), f"+852 {hk[:3]}*{hk[4:]}"]  # the repeated number is kept once
    assert [p["primary"] for p in phones] == [False, True] and phones[0]["label"] == "mobile"
    assert all(p["masked"] for p in phones)
    (email,) = contact(customer, "email")
    assert email["value"] == f"{email_local[0]}***@example.com" and email["primary"] is True
    (wx,) = contact(customer, "wechat_unionid")
    assert wx["value"] == f"{wechat[:3]}****{wechat[-3:]}"
    (address,) = contact(customer, "address")
    assert address["value"] == "北京市朝阳区建国路 1 号" and address["masked"] is False
    assert customer["id_number"] == "110" + "*" * 11 + "1234"
    for secret in (cn, hk, email_local, wechat, "110101199003071234"):
        assert secret not in response.text

    got = rep.api.get(f"{V1}/customers/{customer['id']}", expect=200)
    assert got.json() == customer and got.headers["ETag"] == '"1"'
    history = rep.api.get(f"{V1}/customers/{customer['id']}/stage-history", expect=200).json()
    assert history["next_cursor"] is None
    assert [(h["from"], h["to"], h["by"]) for h in history["data"]] == [(None, "new", rep.id)]
    audit = api.get(f"{V1}/audit", params={"action": "customer.created", "object_id": customer["id"]}, expect=200).json()["data"]
    assert len(audit) == 1 and audit[0]["actor_id"] == rep.id


def test_phone_formats_follow_the_default_region(api: Api, crm: dict) -> None:
    hk = hk_mobile()
    settings = get_settings(api)
    try:
        put_settings(api, dict(settings, default_region="HK"))
        customer = create(api, contacts=[{"kind": "phone", "value": f"{hk[:4]} {hk[4:]}"}])  # national HK form
        assert contact(customer, "phone")[0]["value"] == f"+852 {hk[:3]}*{hk[4:]}"
        # A Chinese mobile number in national form is no Hong Kong number; in international form it is fine.
        cn = cn_mobile()
        body = problem(api.post(f"{V1}/customers", json={"name": unique("HK"), "contacts": [{"kind": "phone", "value": spaced_cn(cn)}]}), 422, "validation_failed")
        assert set(field_codes(body)) == {"contacts[0].value"}
        assert contact(create(api, contacts=[{"kind": "phone", "value": f"+86 {cn}"}]), "phone")[0]["value"] == masked_cn(cn)
    finally:
        put_settings(api, settings)


def test_create_customer_validation(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    body = problem(rep.api.post(f"{V1}/customers", json={
        "name": " ", "kind": "robot", "score": 2_000_000, "source": "web form!",
        "contacts": [{"kind": "phone", "value": "12345"}, {"kind": "fax", "value": "x"}, {"kind": "email", "value": "not-an-email"},
                     {"kind": "phone", "value": "138 0013 8000 ext. 12"}],
        "tags": ["ok", "  "],
        "consents": [{"channel": "pigeon", "purpose": "sales", "status": "granted"}],
        "custom_fields": {"nope": 1, "grade": "primary_9", "budget": {"amount_minor": 100, "currency": "USD"}},
    }), 422, "validation_failed")
    codes = field_codes(body)
    assert codes == {
        "name": "required", "kind": "invalid", "score": "out_of_range", "source": "invalid",
        "contacts[0].value": codes["contacts[0].value"], "contacts[1].kind": "invalid", "contacts[2].value": "invalid",
        "contacts[3].value": "invalid_characters", "tags[1]": "required", "consents[0].channel": "invalid",
        "custom_fields.nope": "unknown_field", "custom_fields.grade": "invalid", "custom_fields.budget": "invalid",
    }, codes
    assert codes["contacts[0].value"] in {"too_short", "invalid_number"}
    # Fields the request does not take are refused before anything else is looked at.
    body = problem(rep.api.post(f"{V1}/customers", json={"name": " ", "colour": "red", "id": "cus_x", "version": 3}), 422, "validation_failed")
    assert field_codes(body) == {"colour": "unknown_field", "id": "read_only", "version": "read_only"}
    body = problem(rep.api.post(f"{V1}/customers", json={"company": "No name"}), 422, "validation_failed")
    assert field_codes(body) == {"name": "required"}
    body = problem(rep.api.post(f"{V1}/customers", json={"name": "X", "contacts": [{"value": "a@b.example"}], "tags": "vip"}), 422, "validation_failed")
    assert field_codes(body) == {"contacts[0].kind": "required", "tags": "type_mismatch"}
    # Ownership: reps own what they create; they cannot hand it to someone else or to the pool.
    body = problem(rep.api.post(f"{V1}/customers", json={"name": "X", "owner_id": crm["other_rep"].id}), 422, "validation_failed")
    assert field_codes(body) == {"owner_id": "invalid"}
    body = problem(rep.api.post(f"{V1}/customers", json={"name": "X", "owner_id": None}), 422, "validation_failed")
    assert field_codes(body) == {"owner_id": "forbidden"}
    body = problem(rep.api.post(f"{V1}/customers", json={"name": "X", "stage": "no_such_stage"}), 422, "validation_failed")
    assert field_codes(body) == {"stage": "invalid"}
    # Roles that only read customers cannot create them.
    problem(crm["analyst"].api.post(f"{V1}/customers", json={"name": "X"}), 403, "forbidden")


def test_manager_assigns_owner_and_admin_creates_pool_customer(api: Api, crm: dict) -> None:
    manager, rep = crm["manager"], crm["rep"]
    assigned = create(manager.api, owner_id=rep.id, kind="organisation", name=unique("Acme Org"))
    assert assigned["owner_id"] == rep.id and assigned["team_id"] == crm["child"]["id"] and assigned["kind"] == "organisation"
    rep.api.get(f"{V1}/customers/{assigned['id']}", expect=200)
    pooled = create(api, owner_id=None, team_id=crm["root"]["key"])
    assert pooled["owner_id"] is None and pooled["team_id"] == crm["root"]["id"]
    problem(manager.api.get(f"{V1}/customers/{pooled['id']}"), 404, "not_found")  # nobody's customers are not in a manager's subtree
    started = create(api, stage="engaged")
    assert started["stage"] == "engaged" and started["lifecycle"] == "curious"


def test_only_managers_and_administrators_set_the_team(api: Api, crm: dict) -> None:
    rep, manager = crm["rep"], crm["manager"]
    elsewhere = api.post(f"{V1}/teams", json={"key": unique("crm-west"), "name": "CRM West"}, expect=201).json()
    # A rep: never, not even their own team.
    for team in (crm["child"]["id"], crm["root"]["key"], None):
        body = problem(rep.api.post(f"{V1}/customers", json={"name": unique("Teamed"), "team_id": team}), 422, "validation_failed")
        assert field_codes(body) == {"team_id": "forbidden"}
    mine = create(rep.api)
    assert mine["team_id"] == crm["child"]["id"]
    body = problem(rep.api.patch(f"{V1}/customers/{mine['id']}", headers={"If-Match": '"1"'}, json={"team_id": crm["root"]["id"]}), 422, "validation_failed")
    assert field_codes(body) == {"team_id": "forbidden"}
    # A manager: teams of their subtree only.
    moved = manager.api.patch(f"{V1}/customers/{mine['id']}", headers={"If-Match": '"1"'}, json={"team_id": crm["root"]["key"]}, expect=200).json()
    assert moved["team_id"] == crm["root"]["id"] and moved["owner_id"] == rep.id
    body = problem(manager.api.patch(f"{V1}/customers/{mine['id']}", headers={"If-Match": '"2"'}, json={"team_id": elsewhere["id"]}), 422, "validation_failed")
    assert field_codes(body) == {"team_id": "invalid"}
    body = problem(manager.api.post(f"{V1}/customers", json={"name": unique("Far"), "team_id": elsewhere["key"]}), 422, "validation_failed")
    assert field_codes(body) == {"team_id": "invalid"}
    assert create(manager.api, team_id=crm["child"]["id"])["team_id"] == crm["child"]["id"]
    # An administrator: any team.
    assert create(api, owner_id=rep.id, team_id=elsewhere["key"])["team_id"] == elsewhere["id"]
    assert rep.api.get(f"{V1}/customers/{mine['id']}", expect=200).json()["version"] == 2


def test_create_is_idempotent_with_a_key(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    key = "bb-" + secrets.token_hex(8)
    payload = {"name": unique("Idem"), "contacts": [{"kind": "phone", "value": cn_mobile()}]}
    first = rep.api.post(f"{V1}/customers", json=payload, headers={"Idempotency-Key": key}, expect=201)
    again = rep.api.post(f"{V1}/customers", json=payload, headers={"Idempotency-Key": key}, expect=201)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    found = rep.api.get(f"{V1}/customers", params={"q": payload["name"]}, expect=200).json()["data"]
    assert ids(found) == [first.json()["customer"]["id"]]


# ---------------------------------------------------------------- listing and searching
def test_list_and_search(api: Api, crm: dict) -> None:
    rep, other = crm["rep"], crm["other_rep"]
    cn = cn_mobile()
    email_local = unique("grace.hopper")
    marker = "m" + secrets.token_hex(5)  # a letter first: never read as a phone number
    tag = unique("tag")
    found_me = create(rep.api, name=f"Grace {marker} Hopper", company=f"Navy {marker}", tags=[tag], source="referral",
                      contacts=[{"kind": "phone", "value": spaced_cn(cn)}, {"kind": "email", "value": f"{email_local}@example.com"}])
    sibling = create(rep.api, name=f"Grace {marker} Sibling", tags=[tag], do_not_contact=True, do_not_contact_reason="asked")
    theirs = create(other.api, name=f"Grace {marker} Elsewhere")

    by_name = rep.api.get(f"{V1}/customers", params={"q": marker}, expect=200).json()
    assert ids(by_name["data"]) == [sibling["id"], found_me["id"]]  # newest first; the other rep's customer is out of scope
    assert ids(rep.api.get(f"{V1}/customers", params={"q": f"grace {marker.upper()}"}, expect=200).json()["data"]) == [sibling["id"], found_me["id"]]
    assert theirs["id"] in ids(api.get(f"{V1}/customers", params={"q": marker}, expect=200).json()["data"])

    # A full phone number in any format, or a full email, finds the customer — masked.
    for q in (f"+86 {cn[:3]}-{cn[3:7]}-{cn[7:]}", cn, f"0086{cn}", f"({cn[:3]}) {cn[3:7]} {cn[7:]}"):
        response = rep.api.get(f"{V1}/customers", params={"q": q}, expect=200)
        assert ids(response.json()["data"]) == [found_me["id"]], q
        assert cn not in response.text and email_local not in response.text
        assert contact(response.json()["data"][0], "phone")[0]["value"] == masked_cn(cn)
    response = rep.api.get(f"{V1}/customers", params={"q": f" {email_local.upper()}@EXAMPLE.com "}, expect=200)
    assert ids(response.json()["data"]) == [found_me["id"]] and email_local not in response.text
    # A part of a number finds nothing; nor does another rep searching for a number they cannot see.
    assert rep.api.get(f"{V1}/customers", params={"q": cn[:7]}, expect=200).json()["data"] == []
    assert other.api.get(f"{V1}/customers", params={"q": cn}, expect=200).json()["data"] == []

    # Filters.
    assert ids(rep.api.get(f"{V1}/customers", params={"tag": tag}, expect=200).json()["data"]) == [sibling["id"], found_me["id"]]
    assert ids(rep.api.get(f"{V1}/customers", params={"tag": tag, "do_not_contact": "true"}, expect=200).json()["data"]) == [sibling["id"]]
    assert ids(rep.api.get(f"{V1}/customers", params={"tag": tag, "do_not_contact": "false", "source": "referral"}, expect=200).json()["data"]) == [found_me["id"]]
    assert ids(api.get(f"{V1}/customers", params={"tag": tag, "owner_id": rep.id, "team_id": crm["child"]["id"], "stage": "new", "kind": "person"}, expect=200).json()["data"]) == [sibling["id"], found_me["id"]]
    assert api.get(f"{V1}/customers", params={"tag": tag, "kind": "organisation"}, expect=200).json()["data"] == []
    mine = collect(rep.api, f"{V1}/customers", limit=2)
    assert {found_me["id"], sibling["id"]} <= set(ids(mine)) and theirs["id"] not in ids(mine)
    assert all(c["owner_id"] == rep.id for c in mine)
    assert ids(mine) == sorted(ids(mine), reverse=True)
    # The manager's subtree holds both reps' customers; the analyst reads all.
    assert {found_me["id"], theirs["id"]} <= set(ids(crm["manager"].api.get(f"{V1}/customers", params={"q": marker}, expect=200).json()["data"]))
    assert {found_me["id"], theirs["id"]} <= set(ids(crm["analyst"].api.get(f"{V1}/customers", params={"q": marker}, expect=200).json()["data"]))
    assert crm["service"].api.get(f"{V1}/customers", params={"q": marker}, expect=200).json()["data"] == []

    body = problem(rep.api.get(f"{V1}/customers", params={"kind": "robot", "owner_id": "rita", "team_id": "east"}), 422, "validation_failed")
    assert field_codes(body) == {"kind": "invalid", "owner_id": "invalid", "team_id": "invalid"}
    body = problem(rep.api.get(f"{V1}/customers", params={"do_not_contact": "maybe"}), 422, "validation_failed")
    assert field_codes(body) == {"do_not_contact": "invalid"}
    body = problem(rep.api.get(f"{V1}/customers", params={"cursor": "not-a-cursor"}), 422, "validation_failed")
    assert field_codes(body) == {"cursor": "invalid"}


def test_control_characters_in_query_strings_are_refused(api: Api, crm: dict, server) -> None:
    """A control character (NUL included), percent-encoded, in any query string answers 422 naming
    `query` — before routing and authentication, on every route."""
    rep = crm["rep"].api
    for path, params in [
        (f"{V1}/customers", {"q": "ab\x00cd"}), (f"{V1}/customers", {"stage": "a\x00b"}), (f"{V1}/customers", {"tag": "line\nbreak"}),
        (f"{V1}/users", {"q": "\x1f"}), (f"{V1}/activities", {"type": "call\x7f"}), (f"{V1}/duplicates", {"cursor": "\r"}),
        (f"{V1}/customers", {"q": "fine", "x": "\t"}), (f"{V1}/me", {"x": "\x00"}), ("/healthz", {"probe": "\x00"}),
    ]:
        body = problem(rep.get(path, params=params), 422, "validation_failed")
        assert body["errors"] == [{"field": "query", "code": "invalid", "message": body["errors"][0]["message"]}], body
    # Lower-case hex, an unknown route, and no credential at all: the same answer.
    for url in (f"{V1}/customers?q=%0a", f"{V1}/no-such-route?x=%00", f"{V1}/customers?%00=x"):
        response = requests.get(server.base_url + url, timeout=30)
        body = problem(response, 422, "validation_failed")
        assert [e["field"] for e in body["errors"]] == ["query"], url
    problem(api.get(f"{V1}/customers", token=None, params={"q": "\x00"}), 422, "validation_failed")
    # Text that only looks like an escape is fine.
    assert rep.get(f"{V1}/customers", params={"q": "%00 and \\x00"}, expect=200).json()["data"] == []


def test_search_finds_a_29_character_unionid(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    wechat = unionid(29)
    customer = create(rep.api, contacts=[{"kind": "wechat_unionid", "value": wechat}])
    assert ids(rep.api.get(f"{V1}/customers", params={"q": wechat}, expect=200).json()["data"]) == [customer["id"]]


def test_search_finds_a_28_character_unionid(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    wechat = unionid(28)
    customer = create(rep.api, contacts=[{"kind": "wechat_unionid", "value": wechat}])
    response = rep.api.get(f"{V1}/customers", params={"q": wechat}, expect=200)
    assert ids(response.json()["data"]) == [customer["id"]] and wechat not in response.text


def test_rep_cannot_read_or_change_another_reps_customer(api: Api, crm: dict) -> None:
    rep, other = crm["rep"], crm["other_rep"]
    customer = create(rep.api)
    for path in ("", "/360", "/timeline", "/relations", "/stage-history"):
        problem(other.api.get(f"{V1}/customers/{customer['id']}{path}"), 404, "not_found")
    problem(other.api.patch(f"{V1}/customers/{customer['id']}", headers={"If-Match": '"1"'}, json={"name": "Mine now"}), 404, "not_found")
    problem(other.api.post(f"{V1}/customers/{customer['id']}/stage", json={"stage": "engaged"}), 404, "not_found")
    problem(other.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}), 404, "not_found")
    problem(api.get(f"{V1}/customers/cus_{'0' * 26}"), 404, "not_found")
    problem(api.get(f"{V1}/customers/not-an-id"), 404, "not_found")
    # The analyst reads every customer but changes none.
    analyst = crm["analyst"].api
    analyst.get(f"{V1}/customers/{customer['id']}", expect=200)
    problem(analyst.patch(f"{V1}/customers/{customer['id']}", headers={"If-Match": '"1"'}, json={"name": "No"}), 403, "forbidden")
    # The manager changes customers in the subtree.
    changed = crm["manager"].api.patch(f"{V1}/customers/{customer['id']}", headers={"If-Match": '"1"'}, json={"value_tier": "gold"}, expect=200)
    assert changed.json()["value_tier"] == "gold" and changed.headers["ETag"] == '"2"'


# ---------------------------------------------------------------- changing customers
def test_update_customer(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    customer = create(rep.api, company="Old Co", tags=["a"], contacts=[{"kind": "email", "value": f"{unique('x')}@example.com"}],
                      consents=[{"channel": "email", "purpose": "marketing", "status": "granted"}], custom_fields={"student_name": "A"})
    path = f"{V1}/customers/{customer['id']}"
    new_phone = cn_mobile()
    changed = rep.api.patch(path, headers={"If-Match": '"1"'}, json={
        "company": None, "title": "Mother", "tags": ["b", "c"], "contacts": [{"kind": "phone", "value": new_phone}],
        "consents": [{"channel": "sms", "purpose": "service", "status": "withdrawn"}],
        "custom_fields": {"grade": "junior_1", "student_name": None},
    }, expect=200)
    after = changed.json()
    assert changed.headers["ETag"] == '"2"' and after["version"] == 2
    assert after["company"] is None and after["title"] == "Mother" and after["tags"] == ["b", "c"]
    assert [c["kind"] for c in after["contacts"]] == ["phone"] and after["contacts"][0]["value"] == masked_cn(new_phone)
    assert [(c["channel"], c["purpose"], c["status"]) for c in after["consents"]] == [("email", "marketing", "granted"), ("sms", "service", "withdrawn")]
    assert after["custom_fields"] == {"grade": "junior_1"}
    assert after["stage"] == customer["stage"] and after["created_at"] == customer["created_at"]

    again = rep.api.patch(path, json={"version": 2, "name": "Renamed"}, expect=200).json()
    assert again["name"] == "Renamed" and again["version"] == 3
    problem(rep.api.patch(path, headers={"If-Match": '"1"'}, json={"name": "Stale"}), 412, "precondition_failed")
    problem(rep.api.patch(path, json={"name": "No precondition"}), 428, "precondition_required")
    body = problem(rep.api.patch(path, headers={"If-Match": '"3"'}, json={"stage": "lost"}), 422, "validation_failed")
    assert field_codes(body) == {"stage": "read_only"}
    body = problem(rep.api.patch(path, headers={"If-Match": '"3"'}, json={"created_at": "2020-01-01T00:00:00Z", "score": "high"}), 422, "validation_failed")
    assert field_codes(body) == {"created_at": "read_only", "score": "type_mismatch"}
    body = problem(rep.api.patch(path, headers={"If-Match": "3"}, json={"name": "Bad If-Match"}), 422, "validation_failed")
    assert field_codes(body) == {"If-Match": "invalid"}
    assert rep.api.get(path, expect=200).json()["version"] == 3


# ---------------------------------------------------------------- duplicates
def test_duplicates_are_refused_across_formats(api: Api, crm: dict) -> None:
    rep, other = crm["rep"], crm["other_rep"]
    cn = cn_mobile()
    email = f"{unique('dup')}@example.com"
    first = create(rep.api, contacts=[{"kind": "phone", "value": spaced_cn(cn)}, {"kind": "email", "value": email}])

    body = problem(rep.api.post(f"{V1}/customers", json={"name": "Again", "contacts": [{"kind": "phone", "value": f"+86-{cn}"}]}), 409, "duplicate")
    assert body["duplicate_of"] == first["id"] and body["matched_on"] == "phone"
    body = problem(rep.api.post(f"{V1}/customers", json={"name": "Again", "contacts": [{"kind": "email", "value": email.upper()}, {"kind": "phone", "value": f"86{cn}"}]}), 409, "duplicate")
    assert body["duplicate_of"] == first["id"] and body["matched_on"] == "email, phone"
    assert cn not in json.dumps(body) and email not in json.dumps(body)
    # Someone who may not see the match learns that it exists, not which customer it is.
    body = problem(other.api.post(f"{V1}/customers", json={"name": "Theirs", "contacts": [{"kind": "phone", "value": cn}]}), 409, "duplicate")
    assert "duplicate_of" not in body and body["matched_on"] == "phone"
    # A change that adds a duplicate contact is refused too.
    second = create(rep.api)
    body = problem(rep.api.patch(f"{V1}/customers/{second['id']}", headers={"If-Match": '"1"'}, json={"contacts": [{"kind": "email", "value": email}]}), 409, "duplicate")
    assert body["duplicate_of"] == first["id"]
    # Keeping one's own number is no duplicate.
    rep.api.patch(f"{V1}/customers/{first['id']}", headers={"If-Match": '"1"'}, json={"contacts": [{"kind": "phone", "value": f"+86 {cn}"}]}, expect=200)
    # A reference in another system is matched like a contact value.
    ref = unique("CRM")
    referenced = create(rep.api, external_ref=f" {ref} ")
    assert referenced["external_ref"] == ref
    body = problem(rep.api.post(f"{V1}/customers", json={"name": "Same ref", "external_ref": ref}), 409, "duplicate")
    assert body["duplicate_of"] == referenced["id"] and body["matched_on"] == "external_ref"
    body = problem(rep.api.patch(f"{V1}/customers/{second['id']}", headers={"If-Match": '"1"'}, json={"external_ref": ref}), 409, "duplicate")
    assert body["matched_on"] == "external_ref"
    assert rep.api.patch(f"{V1}/customers/{referenced['id']}", headers={"If-Match": '"1"'}, json={"external_ref": None}, expect=200).json()["external_ref"] is None


def test_dedup_policy_merge_and_flag(api: Api, crm: dict) -> None:
    cn = cn_mobile()
    original = create(api, contacts=[{"kind": "phone", "value": cn}], tags=["first"], owner_id=crm["rep"].id)
    settings = get_settings(api)
    (member,) = settings["dedup"].keys()
    try:
        put_settings(api, dict(settings, dedup={member: dict(STANDARD_DEDUP, api="merge")}))
        merged = api.post(f"{V1}/customers", json={"name": "Merge me", "company": "Filled In", "tags": ["second"],
                                                    "contacts": [{"kind": "phone", "value": spaced_cn(cn)}, {"kind": "email", "value": f"{unique('m')}@example.com"}]}, expect=200)
        body = merged.json()
        assert body["outcome"] == "merged" and body["duplicates"] == [original["id"]]
        assert merged.headers["Location"] == f"{V1}/customers/{original['id']}"
        assert body["customer"]["id"] == original["id"] and body["customer"]["name"] == original["name"]
        assert body["customer"]["company"] == "Filled In" and body["customer"]["tags"] == ["first", "second"]
        assert sorted(c["kind"] for c in body["customer"]["contacts"]) == ["email", "phone"]
        assert body["customer"]["version"] == 2

        put_settings(api, dict(settings, dedup={member: dict(STANDARD_DEDUP, api="flag")}))
        flagged = api.post(f"{V1}/customers", json={"name": "Flag me", "contacts": [{"kind": "phone", "value": cn}]}, expect=201).json()
        assert flagged["outcome"] == "flagged" and flagged["duplicates"] == [original["id"]]
        assert flagged["customer"]["id"] != original["id"]
    finally:
        put_settings(api, settings)


# ---------------------------------------------------------------- revealing
def test_reveal_quota_and_rate_limit(api: Api, crm: dict) -> None:
    rep = new_person(api, "rep", crm["child"], "Quinn Quota")  # a fresh quota
    cn, hk = cn_mobile(), hk_mobile()
    email_local = unique("reveal")
    wechat = unionid()
    customer = create(rep.api, id_number="11010119900307123x", contacts=[
        {"kind": "phone", "value": spaced_cn(cn)}, {"kind": "phone", "value": f"+852 {hk}"},
        {"kind": "email", "value": f"{email_local.upper()}@Example.com"}, {"kind": "wechat_unionid", "value": wechat},
        {"kind": "address", "value": "上海市"},
    ])
    quota = rep.api.get(f"{V1}/reveal-quota", expect=200).json()
    assert (quota["limit"], quota["used"], quota["remaining"]) == (30, 0, 30)

    revealed = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", expect=200)
    assert revealed.headers["Cache-Control"] == "no-store"
    body = revealed.json()
    assert body["customer_id"] == customer["id"] and body["id_number"] == "11010119900307123X" and body["custom_fields"] == {}
    values = {(c["kind"], c["value"]) for c in body["contacts"]}
    assert values == {("phone", f"+86{cn}"), ("phone", f"+852{hk}"), ("email", f"{email_local}@example.com"), ("wechat_unionid", wechat), ("address", "上海市")}
    assert all(c["masked"] is False for c in body["contacts"])
    assert {c["id"] for c in body["contacts"]} == {c["id"] for c in customer["contacts"]}
    assert (body["quota"]["limit"], body["quota"]["used"], body["quota"]["remaining"]) == (30, 1, 29)
    assert body["quota"]["resets_at"] == quota["resets_at"]
    # Reading does not reveal: the record stays masked.
    assert cn not in rep.api.get(f"{V1}/customers/{customer['id']}", expect=200).text

    for used in range(2, 31):
        assert rep.api.post(f"{V1}/customers/{customer['id']}/reveal", expect=200).json()["quota"]["used"] == used
    limited = rep.api.post(f"{V1}/customers/{customer['id']}/reveal")
    problem(limited, 429, "rate_limited")
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    assert cn not in limited.text
    after = rep.api.get(f"{V1}/reveal-quota", expect=200).json()
    assert (after["used"], after["remaining"]) == (30, 0)
    audit = api.get(f"{V1}/audit", params={"action": "customer.revealed", "actor_id": rep.id, "limit": 500}, expect=200).json()["data"]
    assert len(audit) == 30 and {entry["object_id"] for entry in audit} == {customer["id"]}
    assert audit[0]["details"]["fields"] == "email,phone,wechat_unionid"
    assert cn not in json.dumps(audit) and email_local not in json.dumps(audit)

    # The manager reveals within the subtree (100 an hour); the administrator without a quota.
    by_manager = crm["manager"].api.post(f"{V1}/customers/{customer['id']}/reveal", expect=200).json()
    assert by_manager["quota"]["limit"] == 100 and by_manager["quota"]["remaining"] == 100 - by_manager["quota"]["used"]
    by_admin = api.post(f"{V1}/customers/{customer['id']}/reveal", expect=200).json()
    assert by_admin["quota"]["limit"] is None and by_admin["quota"]["remaining"] is None
    admin_quota = api.get(f"{V1}/reveal-quota", expect=200).json()
    assert admin_quota["limit"] is None and admin_quota["used"] >= 1


def test_rate_limited_reveal_can_be_retried_with_its_key(api: Api, crm: dict) -> None:
    rep = new_person(api, "rep", crm["child"], "Rhea Retry")
    customer = create(rep.api, contacts=[{"kind": "phone", "value": cn_mobile()}])
    for _ in range(30):
        rep.api.post(f"{V1}/customers/{customer['id']}/reveal", expect=200)
    key = "bb-" + secrets.token_hex(8)
    limited = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key})
    problem(limited, 429, "rate_limited")
    # A 429 is not kept for replay: the same request runs again (and is refused again, with Retry-After).
    again = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key})
    problem(again, 429, "rate_limited")
    assert "Idempotent-Replayed" not in again.headers and int(again.headers["Retry-After"]) > 0
    # After Retry-After seconds (the next clock hour) the same request goes through.
    api.post(f"{V1}/test-clock", json={"advance_seconds": int(limited.headers["Retry-After"]) + 1}, expect=200)
    retried = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key}, expect=200)
    assert "Idempotent-Replayed" not in retried.headers and retried.json()["quota"]["used"] == 1


def test_reveal_refusals(api: Api, crm: dict) -> None:
    rep, other = crm["rep"], crm["other_rep"]
    customer = create(rep.api, contacts=[{"kind": "phone", "value": cn_mobile()}])
    # Another rep: out of scope.
    response = other.api.post(f"{V1}/customers/{customer['id']}/reveal")
    assert response.status_code in (403, 404), response.text
    problem(response, response.status_code, "forbidden" if response.status_code == 403 else "not_found")
    # A manager's customer assigned to a rep: the rep reveals only customers they own.
    managers = create(crm["manager"].api)
    assert managers["owner_id"] == crm["manager"].id
    problem(rep.api.post(f"{V1}/customers/{managers['id']}/reveal"), 404, "not_found")
    # Roles that never reveal.
    quota = crm["analyst"].api.get(f"{V1}/reveal-quota", expect=200).json()
    assert quota["limit"] == 0 and quota["remaining"] == 0
    problem(crm["analyst"].api.post(f"{V1}/customers/{customer['id']}/reveal"), 403, "forbidden")
    # Customers in a pool are never revealed, not even by administrators.
    pooled = create(api, owner_id=None, contacts=[{"kind": "email", "value": f"{unique('pool')}@example.com"}])
    problem(api.post(f"{V1}/customers/{pooled['id']}/reveal"), 403, "forbidden")
    problem(api.post(f"{V1}/customers/cus_{'0' * 26}/reveal"), 404, "not_found")


def test_reveal_replay_never_repeats_the_secrets(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    cn = cn_mobile()
    customer = create(rep.api, contacts=[{"kind": "phone", "value": cn}])
    key = "bb-" + secrets.token_hex(8)
    first = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key}, expect=200)
    assert f"+86{cn}" in first.text
    replay = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key}, expect=200)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.headers["Cache-Control"] == "no-store"
    assert cn not in replay.text and "contacts" not in replay.json()
    assert "id_number" not in replay.json() and "custom_fields" not in replay.json()
    assert replay.json()["quota"] == first.json()["quota"]


# ---------------------------------------------------------------- stages
def test_stage_changes(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    customer = create(rep.api)
    path = f"{V1}/customers/{customer['id']}"

    body = problem(rep.api.post(f"{path}/stage", json={"stage": "enrolled"}), 409, "conflict")
    assert body["allowed_stages"] == "engaged,dormant,lost"
    body = problem(rep.api.post(f"{path}/stage", json={"stage": "nowhere"}), 422, "validation_failed")
    assert field_codes(body) == {"stage": "invalid"}
    body = problem(rep.api.post(f"{path}/stage", json={}), 422, "validation_failed")
    assert field_codes(body) == {"stage": "required"}
    problem(rep.api.post(f"{path}/stage", json={"stage": "new"}), 409, "conflict")

    moved = rep.api.post(f"{path}/stage", json={"stage": "engaged", "reason": " First call went well "}, expect=200)
    assert moved.json()["stage"] == "engaged" and moved.json()["lifecycle"] == "curious"
    assert moved.json()["version"] == 2 and moved.headers["ETag"] == '"2"'
    problem(rep.api.post(f"{path}/stage", json={"stage": "engaged"}), 409, "conflict")
    problem(rep.api.post(f"{path}/stage", json={"stage": "dormant", "version": 1}), 412, "precondition_failed")

    # A guard: entering trial_booked needs the trial class date.
    body = problem(rep.api.post(f"{path}/stage", json={"stage": "trial_booked"}), 422, "validation_failed")
    assert [(e["field"].removeprefix("custom_fields."), e["code"]) for e in body["errors"]] == [("trial_class_date", "required")]
    rep.api.patch(path, headers={"If-Match": '"2"'}, json={"custom_fields": {"trial_class_date": "2026-12-05"}}, expect=200)
    booked = rep.api.post(f"{path}/stage", json={"stage": "trial_booked", "version": 3}, expect=200).json()
    assert booked["stage"] == "trial_booked" and booked["lifecycle"] == "understand" and booked["version"] == 4

    history = rep.api.get(f"{path}/stage-history", expect=200).json()["data"]
    assert [(h["from"], h["to"], h["reason"], h["by"]) for h in history] == [
        (None, "new", None, rep.id), ("new", "engaged", "First call went well", rep.id), ("engaged", "trial_booked", None, rep.id),
    ]
    audit = api.get(f"{V1}/audit", params={"action": "customer.stage_changed", "object_id": customer["id"]}, expect=200).json()["data"]
    assert [(entry["details"]["from"], entry["details"]["to"]) for entry in audit] == [("engaged", "trial_booked"), ("new", "engaged")]


def test_guard_error_names_the_custom_field_by_its_path(api: Api, crm: dict) -> None:
    """LifecycleError documents that a missing custom field is named `custom_fields.<key>`, the path
    requests and every other validation error use for custom fields."""
    customer = create(crm["rep"].api, stage="engaged")
    body = problem(crm["rep"].api.post(f"{V1}/customers/{customer['id']}/stage", json={"stage": "trial_booked"}), 422, "validation_failed")
    assert field_codes(body) == {"custom_fields.trial_class_date": "required"}


# ---------------------------------------------------------------- relations
def test_relations_read_both_ways(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    parent = create(rep.api, name=unique("Parent"))
    child = create(rep.api, name=unique("Child"))
    made = rep.api.post(f"{V1}/customers/{parent['id']}/relations", json={"type": "parent_of", "customer_id": child["id"], "note": " mother "}, expect=201).json()
    assert (made["type"], made["customer_id"], made["customer_name"], made["customer_kind"], made["note"]) == ("parent_of", child["id"], child["name"], "person", "mother")

    from_child = rep.api.get(f"{V1}/customers/{child['id']}/relations", expect=200).json()
    assert from_child["next_cursor"] is None
    assert [(r["id"], r["type"], r["customer_id"], r["customer_name"]) for r in from_child["data"]] == [(made["id"], "child_of", parent["id"], parent["name"])]
    from_parent = rep.api.get(f"{V1}/customers/{parent['id']}/relations", expect=200).json()["data"]
    assert [(r["type"], r["customer_id"]) for r in from_parent] == [("parent_of", child["id"])]

    # The same relation stated from the other end is the same relation.
    problem(rep.api.post(f"{V1}/customers/{child['id']}/relations", json={"type": "child_of", "customer_id": parent["id"]}), 409, "conflict")
    body = problem(rep.api.post(f"{V1}/customers/{child['id']}/relations", json={"type": "cousin_of", "customer_id": child["id"]}), 422, "validation_failed")
    assert field_codes(body) == {"type": "invalid", "customer_id": "invalid"}
    body = problem(rep.api.post(f"{V1}/customers/{child['id']}/relations", json={"customer_id": "somebody", "colour": "red"}), 422, "validation_failed")
    assert field_codes(body) == {"type": "required", "colour": "unknown_field"}
    theirs = create(crm["other_rep"].api)
    problem(rep.api.post(f"{V1}/customers/{child['id']}/relations", json={"type": "spouse_of", "customer_id": theirs["id"]}), 404, "not_found")

    # Removed from the child's side: gone from both.
    rep.api.delete(f"{V1}/customers/{child['id']}/relations/{made['id']}", expect=204)
    assert rep.api.get(f"{V1}/customers/{parent['id']}/relations", expect=200).json()["data"] == []
    problem(rep.api.delete(f"{V1}/customers/{child['id']}/relations/{made['id']}"), 404, "not_found")
    problem(rep.api.delete(f"{V1}/customers/{child['id']}/relations/rel_nope"), 404, "not_found")

    # Stated as an inverse from the child, it reads as parent_of from the parent.
    inverse = rep.api.post(f"{V1}/customers/{child['id']}/relations", json={"type": "child_of", "customer_id": parent["id"]}, expect=201).json()
    assert inverse["type"] == "child_of"
    assert [(r["type"], r["customer_id"]) for r in rep.api.get(f"{V1}/customers/{parent['id']}/relations", expect=200).json()["data"]] == [("parent_of", child["id"])]
    other_customer = create(rep.api)
    problem(rep.api.delete(f"{V1}/customers/{other_customer['id']}/relations/{inverse['id']}"), 404, "not_found")

    # A related customer outside the caller's scope shows by id and kind, without its name.
    org = create(api, kind="organisation", name=unique("Employer Inc"), owner_id=crm["other_rep"].id)
    api.post(f"{V1}/customers/{parent['id']}/relations", json={"type": "employee_of", "customer_id": org["id"]}, expect=201)
    seen = {r["customer_id"]: r for r in rep.api.get(f"{V1}/customers/{parent['id']}/relations", expect=200).json()["data"]}
    assert seen[org["id"]]["type"] == "employee_of" and seen[org["id"]]["customer_name"] == "" and seen[org["id"]]["customer_kind"] == "organisation"
    assert [r["type"] for r in crm["other_rep"].api.get(f"{V1}/customers/{org['id']}/relations", expect=200).json()["data"]] == ["employer_of"]


def test_symmetric_relation_is_not_stored_twice(api: Api, crm: dict) -> None:
    """`spouse_of` reads the same from both ends, so stating it again from the other end is the same relation."""
    rep = crm["rep"]
    one, two = create(rep.api), create(rep.api)
    rep.api.post(f"{V1}/customers/{one['id']}/relations", json={"type": "spouse_of", "customer_id": two["id"]}, expect=201)
    problem(rep.api.post(f"{V1}/customers/{two['id']}/relations", json={"type": "spouse_of", "customer_id": one["id"]}), 409, "conflict")


# ---------------------------------------------------------------- activities and the frequency cap
def test_activities_and_the_frequency_cap(api: Api, crm: dict) -> None:
    rep, other = crm["rep"], crm["other_rep"]
    customer = create(rep.api)
    logged = []
    for number, kind in enumerate(("call", "sms", "wechat"), start=1):
        response = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": kind, "subject": f"Touch {number}",
                                                          **({"duration_seconds": 120, "outcome": "connected"} if kind == "call" else {})}, expect=201)
        body = response.json()
        assert response.headers["Location"] == f"{V1}/activities/{body['activity']['id']}"
        assert body["activity"]["direction"] == "outbound" and body["activity"]["cap_warning"] is False
        assert body["activity"]["actor_id"] == rep.id and body["activity"]["customer_id"] == customer["id"]
        assert body["frequency"] == {"outbound_touches": number, "limit": 3, "period_days": 7, "mode": "warn", "exceeded": False}
        logged.append(body["activity"])
    # Inbound touches and notes never count.
    inbound = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call", "direction": "inbound"}, expect=201).json()
    assert inbound["activity"]["cap_warning"] is False and inbound["frequency"]["exceeded"] is False
    note = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "Prefers evenings."}, expect=201).json()
    assert note["activity"]["direction"] == "internal" and note["activity"]["cap_warning"] is False
    # The fourth outbound touch is logged, with a warning; touches by every user count.
    warned = crm["manager"].api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "email", "subject": "Offer"}, expect=201).json()
    assert warned["activity"]["cap_warning"] is True
    assert warned["frequency"] == {"outbound_touches": 4, "limit": 3, "period_days": 7, "mode": "warn", "exceeded": True}

    settings = get_settings(api)
    try:
        put_settings(api, dict(settings, frequency_cap={"limit": 3, "period_days": 7, "mode": "block"}))
        key = "bb-" + secrets.token_hex(8)
        blocked = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}, headers={"Idempotency-Key": key})
        body = problem(blocked, 429, "rate_limited")
        assert body["reason"] == "contact_frequency_cap"
        # The next touch fits when the oldest of the window leaves it: all four were logged at this (test) time.
        assert int(blocked.headers["Retry-After"]) == 7 * 86_400
        rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "wechat", "direction": "inbound"}, expect=201)
        rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "Blocked is blocked."}, expect=201)
        fresh = create(rep.api)
        rep.api.post(f"{V1}/activities", json={"customer_id": fresh["id"], "type": "call"}, expect=201)
        # The refusal was not kept: in warn mode the same request with the same key is logged.
        put_settings(api, dict(settings, frequency_cap={"limit": 3, "period_days": 7, "mode": "warn"}))
        retried = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}, headers={"Idempotency-Key": key}, expect=201)
        assert "Idempotent-Replayed" not in retried.headers and retried.json()["activity"]["cap_warning"] is True
        assert retried.json()["frequency"]["outbound_touches"] == 5
        logged.append(retried.json()["activity"])
    finally:
        put_settings(api, settings)

    # The timeline: newest first, paged, the same from both list routes.
    timeline = collect(rep.api, f"{V1}/customers/{customer['id']}/timeline", limit=2)
    assert len(timeline) == 9 and timeline[-1]["id"] == logged[0]["id"]
    assert ids(timeline) == ids(collect(rep.api, f"{V1}/activities", params={"customer_id": customer["id"]}, limit=3))
    assert [a["id"] for a in timeline if a["cap_warning"]] == [logged[-1]["id"], warned["activity"]["id"]]
    sms = rep.api.get(f"{V1}/activities", params={"customer_id": customer["id"], "type": "sms"}, expect=200).json()["data"]
    assert ids(sms) == [logged[1]["id"]]
    by_manager = api.get(f"{V1}/activities", params={"customer_id": customer["id"], "actor_id": crm["manager"].id}, expect=200).json()["data"]
    assert ids(by_manager) == [warned["activity"]["id"]]
    got = rep.api.get(f"{V1}/activities/{logged[0]['id']}", expect=200).json()
    assert got == logged[0] and got["duration_seconds"] == 120 and got["outcome"] == "connected"
    problem(other.api.get(f"{V1}/activities/{logged[0]['id']}"), 404, "not_found")
    problem(api.get(f"{V1}/activities/act_{'0' * 26}"), 404, "not_found")
    assert logged[0]["id"] not in ids(collect(other.api, f"{V1}/activities", limit=50))
    body = problem(rep.api.get(f"{V1}/activities", params={"type": "fax", "customer_id": "c1", "actor_id": "u1"}), 422, "validation_failed")
    assert field_codes(body) == {"type": "invalid", "customer_id": "invalid", "actor_id": "invalid"}


def test_inbound_touch_reports_the_customers_standing(api: Api, crm: dict) -> None:
    """The frequency standing answered for an inbound touch counts the outbound touches already in the window."""
    rep = crm["rep"]
    customer = create(rep.api)
    for _ in range(2):
        rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}, expect=201)
    inbound = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call", "direction": "inbound"}, expect=201).json()
    assert inbound["frequency"] == {"outbound_touches": 2, "limit": 3, "period_days": 7, "mode": "warn", "exceeded": False}
    note = rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "Standing."}, expect=201).json()
    assert note["frequency"]["outbound_touches"] == 2 and note["activity"]["cap_warning"] is False
    assert rep.api.get(f"{V1}/customers/{customer['id']}/360", expect=200).json()["frequency"]["outbound_touches"] == 2


def test_activity_validation_and_do_not_contact(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    customer = create(rep.api, do_not_contact=True, do_not_contact_reason="Asked us to stop")
    body = problem(rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}), 409, "conflict")
    assert body["reason"] == "do_not_contact"
    rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call", "direction": "inbound"}, expect=201)
    rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "Do not call."}, expect=201)

    body = problem(rep.api.post(f"{V1}/activities", json={
        "customer_id": customer["id"], "type": "note", "direction": "outbound", "duration_seconds": 60, "place": "Office",
    }), 422, "validation_failed")
    assert field_codes(body) == {"direction": "invalid", "duration_seconds": "invalid", "place": "invalid"}
    body = problem(rep.api.post(f"{V1}/activities", json={
        "customer_id": customer["id"], "type": "visit", "direction": "internal", "duration_seconds": 90_000, "occurred_at": "2999-01-01T00:00:00Z",
        "related_kind": "lead",
    }), 422, "validation_failed")
    assert field_codes(body) == {"direction": "invalid", "duration_seconds": "out_of_range", "occurred_at": "invalid", "related_id": "invalid"}
    body = problem(rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call", "occurred_at": "yesterday"}), 422, "validation_failed")
    assert field_codes(body) == {"occurred_at": "invalid"}
    body = problem(rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "fax"}), 422, "validation_failed")
    assert field_codes(body) == {"type": "invalid"}
    body = problem(rep.api.post(f"{V1}/activities", json={"type": "call", "customer_id": "nobody"}), 422, "validation_failed")
    assert field_codes(body) == {"customer_id": "invalid"}
    body = problem(rep.api.post(f"{V1}/activities", json={}), 422, "validation_failed")
    assert field_codes(body) == {"customer_id": "required", "type": "required"}
    problem(rep.api.post(f"{V1}/activities", json={"customer_id": f"cus_{'0' * 26}", "type": "call"}), 404, "not_found")
    problem(crm["analyst"].api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call", "direction": "inbound"}), 403, "forbidden")
    # Logging changes the customer's record: reading it is not enough.
    reader = rep.api.as_token(rep.api.post(f"{V1}/tokens", json={"name": "read only", "scopes": ["read"]}, expect=201).json()["token"])
    reader.get(f"{V1}/customers/{customer['id']}", expect=200)
    problem(reader.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "Only reading."}), 403, "forbidden")
    read_only = new_person(api, "read_only", crm["child"], "Rory Readonly")
    problem(read_only.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "No."}), 403, "forbidden")
    # A visit last month, sent with a +08:00 offset, is stored in UTC.
    month_ago = datetime.fromisoformat(customer["created_at"].replace("Z", "+00:00")) - timedelta(days=30)
    local = month_ago.astimezone(timezone(timedelta(hours=8))).replace(microsecond=0)
    visit = rep.api.post(f"{V1}/activities", json={
        "customer_id": customer["id"], "type": "visit", "direction": "inbound", "place": "Campus", "duration_seconds": 1800,
        "related_kind": "lead", "related_id": "lead_123", "occurred_at": local.isoformat(),
    }, expect=201).json()["activity"]
    assert visit["occurred_at"] == local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert visit["place"] == "Campus" and visit["related_id"] == "lead_123" and visit["duration_seconds"] == 1800


# ---------------------------------------------------------------- the 360 view
def test_customer_360(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    cn = cn_mobile()
    customer = create(rep.api, tags=["vip"], contacts=[{"kind": "phone", "value": cn}])
    friend = create(rep.api)
    relation = rep.api.post(f"{V1}/customers/{customer['id']}/relations", json={"type": "referred_by", "customer_id": friend["id"]}, expect=201).json()
    rep.api.post(f"{V1}/customers/{customer['id']}/stage", json={"stage": "engaged"}, expect=200)
    made = [rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}, expect=201).json()["activity"] for _ in range(2)]
    made.append(rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "note", "body": "n"}, expect=201).json()["activity"])

    response = rep.api.get(f"{V1}/customers/{customer['id']}/360", expect=200)
    view = response.json()
    assert response.headers["ETag"] == '"2"' and view["customer"]["version"] == 2
    assert view["customer"]["stage"] == "engaged" and view["stage_label"] == {"zh-Hans": "沟通中", "en": "Engaged"}
    assert view["tags"] == ["vip"] and view["open_tasks"] == [] and view["deals"] == []
    assert [(r["id"], r["type"], r["customer_id"]) for r in view["relations"]] == [(relation["id"], "referred_by", friend["id"])]
    assert ids(view["timeline"]["data"]) == ids(list(reversed(made))) and view["timeline"]["next_cursor"] is None
    assert [(h["from"], h["to"]) for h in view["stage_history"]] == [(None, "new"), ("new", "engaged")]
    assert set(view["time_in_stage_seconds"]) == {"new", "engaged"}
    assert view["frequency"] == {"outbound_touches": 2, "limit": 3, "period_days": 7, "mode": "warn", "exceeded": False}
    assert cn not in response.text and contact(view["customer"], "phone")[0]["value"] == masked_cn(cn)
    assert [r["type"] for r in rep.api.get(f"{V1}/customers/{friend['id']}/360", expect=200).json()["relations"]] == ["referred"]

    short = rep.api.get(f"{V1}/customers/{customer['id']}/360", params={"timeline_limit": 1}, expect=200).json()["timeline"]
    assert ids(short["data"]) == [made[-1]["id"]] and short["next_cursor"]
    rest = rep.api.get(f"{V1}/customers/{customer['id']}/timeline", params={"cursor": short["next_cursor"]}, expect=200).json()
    assert ids(rest["data"]) == [made[1]["id"], made[0]["id"]]
    for bad in ("0", "101", "many"):
        body = problem(rep.api.get(f"{V1}/customers/{customer['id']}/360", params={"timeline_limit": bad}), 422, "validation_failed")
        assert field_codes(body) == {"timeline_limit": "invalid"}


# ---------------------------------------------------------------- masking everywhere
def test_contact_details_never_appear_unrevealed(api: Api, crm: dict) -> None:
    rep, manager = crm["rep"], crm["manager"]
    cn = cn_mobile()
    email_local = "marker." + secrets.token_hex(6)
    wechat = unionid()
    id_number = "44030519" + f"{random.randint(0, 99_999_999):08d}" + "7X"
    secrets_planted = [cn, f"+86{cn}", email_local, wechat, id_number]
    reveals_before = rep.api.get(f"{V1}/reveal-quota", expect=200).json()["used"]
    customer = create(rep.api, name=unique("Marker"), id_number=id_number, contacts=[
        {"kind": "phone", "value": spaced_cn(cn)}, {"kind": "email", "value": f"{email_local}@leak-test.example"},
        {"kind": "wechat_unionid", "value": wechat},
    ])
    friend = create(rep.api)
    rep.api.post(f"{V1}/customers/{friend['id']}/relations", json={"type": "spouse_of", "customer_id": customer["id"]}, expect=201)
    rep.api.post(f"{V1}/activities", json={"customer_id": customer["id"], "type": "call"}, expect=201)
    changed = rep.api.patch(f"{V1}/customers/{customer['id']}", headers={"If-Match": '"1"'}, json={"title": "Marked"}, expect=200)
    moved = rep.api.post(f"{V1}/customers/{customer['id']}/stage", json={"stage": "engaged"}, expect=200)

    bodies = [changed.text, moved.text]
    for client in (rep.api, manager.api):
        for path, params in [
            (f"{V1}/customers", None), (f"{V1}/customers/{customer['id']}", None), (f"{V1}/customers/{customer['id']}/360", None),
            (f"{V1}/customers", {"q": cn}), (f"{V1}/customers", {"q": f"{email_local}@leak-test.example"}), (f"{V1}/customers", {"q": wechat}),
            (f"{V1}/customers", {"q": customer["name"]}), (f"{V1}/customers/{customer['id']}/timeline", None),
            (f"{V1}/customers/{friend['id']}/relations", None), (f"{V1}/customers/{customer['id']}/stage-history", None),
            (f"{V1}/activities", {"customer_id": customer["id"]}),
        ]:
            response = client.get(path, params=params, expect=200)
            bodies.append(response.text)
            if params and "q" in params:
                assert customer["id"] in response.text, params  # found by the full value…
    bodies.append(api.get(f"{V1}/audit", params={"object_id": customer["id"], "limit": 100}, expect=200).text)
    for text in bodies:
        for secret in secrets_planted:
            assert secret not in text  # …but never shown
    assert rep.api.get(f"{V1}/reveal-quota", expect=200).json()["used"] == reveals_before  # reads never count as reveals


def test_sensitive_custom_field_is_masked(api: Api, crm: dict) -> None:
    """`parent_phone` is a `phone` custom field, defined as sensitive ("敏感字段"): reads must not show it in full."""
    rep = crm["rep"]
    cn = cn_mobile()
    email_local = unique("kid")
    customer = create(rep.api, custom_fields={"parent_phone": spaced_cn(cn), "student_name": f"{email_local}@example.com", "grade": "primary_2"})
    # Masked like contact points: the phone field, and a text field that holds an email address.
    assert customer["custom_fields"] == {"parent_phone": masked_cn(cn), "student_name": f"{email_local[0]}***@example.com", "grade": "primary_2"}
    for path in ("", "/360"):
        text = rep.api.get(f"{V1}/customers/{customer['id']}{path}", expect=200).text
        assert cn not in text and email_local not in text
    listed = rep.api.get(f"{V1}/customers", params={"q": customer["name"]}, expect=200)
    assert cn not in listed.text and listed.json()["data"][0]["custom_fields"]["parent_phone"] == masked_cn(cn)
    changed = rep.api.patch(f"{V1}/customers/{customer['id']}", headers={"If-Match": '"1"'}, json={"title": "Parent"}, expect=200)
    assert cn not in changed.text
    # The reveal shows them in full (and counts as a reveal); a replay does not repeat them.
    key = "bb-" + secrets.token_hex(8)
    revealed = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key}, expect=200)
    assert revealed.json()["custom_fields"] == {"parent_phone": f"+86{cn}", "student_name": f"{email_local}@example.com"}
    assert revealed.json()["contacts"] == [] and revealed.json()["id_number"] is None
    replay = rep.api.post(f"{V1}/customers/{customer['id']}/reveal", headers={"Idempotency-Key": key}, expect=200)
    assert replay.headers.get("Idempotent-Replayed") == "true" and "custom_fields" not in replay.json() and cn not in replay.text


# ---------------------------------------------------------------- the business dictionary
def test_dictionary_reads(api: Api, crm: dict) -> None:
    listed = crm["rep"].api.get(f"{V1}/dictionary", expect=200).json()
    objects = [entry["object"] for entry in listed["data"]]
    assert objects == sorted(objects) and {"customer", "lead", "opportunity"} <= set(objects) and listed["next_cursor"] is None
    one = crm["rep"].api.get(f"{V1}/dictionary/customer", expect=200)
    assert one.headers["ETag"] == f'"{one.json()["version"]}"'
    assert one.json() == next(entry for entry in listed["data"] if entry["object"] == "customer")
    stage = next(s for s in one.json()["dictionary"]["stages"] if s["key"] == "trial_booked")
    assert stage["guards"] == ["trial_class_date"] and stage["category"] == "open" and stage["archived"] is False
    problem(api.get(f"{V1}/dictionary/wizard"), 404, "not_found")
    if "order" not in objects:
        problem(api.get(f"{V1}/dictionary/order"), 404, "not_found")


def test_dictionary_templates_and_versions(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    templates = rep.api.get(f"{V1}/dictionary-templates", expect=200).json()
    assert templates["next_cursor"] is None
    names = [template["name"] for template in templates["data"]]
    assert {"education", "b2b"} <= set(names)
    education = next(template for template in templates["data"] if template["name"] == "education")
    shipped = next(entry for entry in education["objects"] if entry["object"] == "customer")
    assert dictionary_shape(shipped) == dictionary_shape(EDUCATION_CUSTOMER)

    # Saving a version (here: the shipped template, adopted as is) lists it first among the versions.
    current = api.get(f"{V1}/dictionary/customer", expect=200)
    saved = api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": current.headers["ETag"]}, json={"dictionary": shipped}, expect=200).json()
    versions = rep.api.get(f"{V1}/dictionary/customer/versions", expect=200).json()
    assert versions["next_cursor"] is None
    assert [entry["version"] for entry in versions["data"]] == list(range(saved["version"], 0, -1))
    assert versions["data"][0] == saved
    assert all(entry["object"] == "customer" and entry["updated_at"] for entry in versions["data"])
    problem(rep.api.get(f"{V1}/dictionary/wizard/versions"), 404, "not_found")


def test_dictionary_changes_archive_stages_in_use(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    current = api.get(f"{V1}/dictionary/customer", expect=200)
    original = current.json()["dictionary"]
    version = current.json()["version"]
    probe = "probe_" + secrets.token_hex(3)
    edited = copy.deepcopy(original)
    new_stage = next(s for s in edited["stages"] if s["key"] == "new")
    new_stage["transitions"] = new_stage["transitions"] + [probe]
    edited["stages"].append({"key": probe, "label": lt("探针", "Probe"), "category": "open", "transitions": ["engaged", "lost"], "guards": ["company"], "sla_days": 5})

    # Only administrators change the dictionary, and only against the current version.
    problem(rep.api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": current.headers["ETag"]}, json={"dictionary": edited}), 403, "forbidden")
    problem(api.request("PUT", f"{V1}/dictionary/customer", json={"dictionary": edited}), 428, "precondition_required")
    problem(api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": f'"{version + 7}"'}, json={"dictionary": edited}), 412, "precondition_failed")
    saved = api.request("PUT", f"{V1}/dictionary/customer", json={"dictionary": edited, "version": version}, expect=200)
    assert saved.json()["version"] == version + 1 and saved.headers["ETag"] == f'"{version + 1}"' and saved.json()["updated_at"]
    assert saved.json()["object"] == "customer"
    added = next(s for s in saved.json()["dictionary"]["stages"] if s["key"] == probe)
    assert added["archived"] is False and added["guards"] == ["company"] and added["transitions"] == ["engaged", "lost"]
    try:
        user = create(rep.api, company="Probe Co")
        guarded = create(rep.api)
        body = problem(rep.api.post(f"{V1}/customers/{guarded['id']}/stage", json={"stage": probe}), 422, "validation_failed")
        assert field_codes(body) == {"company": "required"}
        rep.api.post(f"{V1}/customers/{user['id']}/stage", json={"stage": probe}, expect=200)

        # Removing a stage in use brings it back archived, without guards; records in it may still leave.
        after = api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": saved.headers["ETag"]}, json={"dictionary": original}, expect=200).json()
        kept = next(s for s in after["dictionary"]["stages"] if s["key"] == probe)
        assert kept["archived"] is True and kept["guards"] == [] and kept["transitions"] == ["engaged", "lost"]
        assert after["dictionary"]["stages"][-1]["key"] == probe
        body = problem(rep.api.post(f"{V1}/customers/{guarded['id']}/stage", json={"stage": probe}), 422, "validation_failed")
        assert field_codes(body) == {"stage": "archived"}
        assert rep.api.get(f"{V1}/customers/{user['id']}", expect=200).json()["stage"] == probe
        assert rep.api.get(f"{V1}/customers/{user['id']}/360", expect=200).json()["stage_label"] == lt("探针", "Probe")
        rep.api.post(f"{V1}/customers/{user['id']}/stage", json={"stage": "engaged"}, expect=200)
    finally:
        ensure_customer_dictionary(api)


def test_removed_stage_named_only_by_history_is_kept_archived(api: Api, crm: dict) -> None:
    """ObjectDictionary.revised keeps stages that "records or stage history name": a stage a customer
    passed through stays in the dictionary (archived), so the history still names a defined stage."""
    current = api.get(f"{V1}/dictionary/customer", expect=200)
    original = current.json()["dictionary"]
    probe = "passing_" + secrets.token_hex(3)
    edited = copy.deepcopy(original)
    next(s for s in edited["stages"] if s["key"] == "new")["transitions"].append(probe)
    edited["stages"].append({"key": probe, "label": lt("路过", "Passing"), "category": "open", "transitions": ["engaged"]})
    saved = api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": current.headers["ETag"]}, json={"dictionary": edited}, expect=200)
    try:
        customer = create(crm["rep"].api)
        crm["rep"].api.post(f"{V1}/customers/{customer['id']}/stage", json={"stage": probe}, expect=200)
        crm["rep"].api.post(f"{V1}/customers/{customer['id']}/stage", json={"stage": "engaged"}, expect=200)
        after = api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": saved.headers["ETag"]}, json={"dictionary": original}, expect=200).json()
        kept = [s for s in after["dictionary"]["stages"] if s["key"] == probe]
        assert kept and kept[0]["archived"] is True
    finally:
        ensure_customer_dictionary(api)


def test_dictionary_validation(api: Api, crm: dict) -> None:
    current = api.get(f"{V1}/dictionary/customer", expect=200)
    tag = current.headers["ETag"]
    original = current.json()["dictionary"]

    broken = copy.deepcopy(original)
    broken["stages"][0]["transitions"] = broken["stages"][0]["transitions"] + ["nowhere"]
    broken["initial_stage"] = "nowhere_else"
    broken["fields"] = broken["fields"] + [{"key": "name", "label": lt("名字", "Name"), "type": "text"}]
    body = problem(api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": tag}, json={"dictionary": broken}), 422, "validation_failed")
    codes = field_codes(body)
    assert codes[f"stages[0].transitions[{len(original['stages'][0]['transitions'])}]"] == "unknown_stage"
    assert codes["initial_stage"] == "unknown_stage" and codes[f"fields[{len(original['fields'])}].key"] == "reserved"

    body = problem(api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": tag}, json={"dictionary": dict(original, object="lead")}), 422, "validation_failed")
    assert field_codes(body) == {"object": "invalid"}
    body = problem(api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": tag}, json={"dictionary": {"object": "customer"}}), 422, "validation_failed")
    assert field_codes(body) == {"dictionary": "invalid"}
    body = problem(api.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": tag}, json={"stages": []}), 422, "validation_failed")
    assert field_codes(body) == {"stages": "unknown_field", "dictionary": "required"}
    problem(api.request("PUT", f"{V1}/dictionary/wizard", headers={"If-Match": tag}, json={"dictionary": original}), 404, "not_found")
    assert api.get(f"{V1}/dictionary/customer", expect=200).headers["ETag"] == tag  # nothing was saved


# ---------------------------------------------------------------- settings
def test_settings_read_and_validation(api: Api, crm: dict) -> None:
    current = get_settings(api)
    assert crm["rep"].api.get(f"{V1}/settings/customers", expect=200).json() == current
    assert current["default_region"] == "CN" and current["frequency_cap"] == {"limit": 3, "period_days": 7, "mode": "warn"}
    rules = rules_as_map(current["reveal"]["rules"])
    assert rules["rep"] == {"reach": "own", "hourly_quota": 30} and rules["admin"]["reach"] == "scope" and rules["admin"].get("hourly_quota") is None

    problem(crm["rep"].api.request("PUT", f"{V1}/settings/customers", json={"settings": current}), 403, "forbidden")
    problem(crm["manager"].api.request("PUT", f"{V1}/settings/customers", json={"settings": current}), 403, "forbidden")

    bad_rules = rules_as_map(current["reveal"]["rules"])
    bad_rules["rep"] = {"reach": "own", "hourly_quota": -1}
    bad = dict(current, default_region="XX", frequency_cap={"limit": 0, "period_days": 400, "mode": "warn"},
               export_approval_threshold=0, reveal={"rules": rules_like(current["reveal"]["rules"], bad_rules)})
    body = problem(api.request("PUT", f"{V1}/settings/customers", json={"settings": bad}), 422, "validation_failed")
    assert field_codes(body) == {
        "default_region": "invalid", "frequency_cap.limit": "out_of_range", "frequency_cap.period_days": "out_of_range",
        "export_approval_threshold": "out_of_range", "reveal.rep.hourly_quota": "out_of_range",
    }
    body = problem(api.request("PUT", f"{V1}/settings/customers", json={"settings": {k: v for k, v in current.items() if k != "reveal"}}), 422, "validation_failed")
    assert field_codes(body) == {"settings": "invalid"} and "reveal" in body["errors"][0]["message"]
    body = problem(api.request("PUT", f"{V1}/settings/customers", json={"settings": dict(current, frequency_cap={"limit": 3, "period_days": 7, "mode": "shout"})}), 422, "validation_failed")
    assert field_codes(body) == {"settings": "invalid"}
    body = problem(api.request("PUT", f"{V1}/settings/customers", json={}), 422, "validation_failed")
    assert field_codes(body) == {"settings": "required"}
    assert get_settings(api) == current  # nothing was saved

    changed = dict(current, export_approval_threshold=500, frequency_cap={"limit": 5, "period_days": 14, "mode": "warn"})
    try:
        saved = put_settings(api, changed)
        assert saved["export_approval_threshold"] == 500 and get_settings(api)["frequency_cap"]["limit"] == 5
        audit = api.get(f"{V1}/audit", params={"action": "settings.changed", "limit": 1}, expect=200).json()["data"]
        assert audit[0]["details"]["key"] == "customers"
    finally:
        put_settings(api, current)


def test_settings_need_a_write_credential(api: Api, crm: dict) -> None:
    current = get_settings(api)
    reader = api.as_token(api.post(f"{V1}/tokens", json={"name": "read-only admin", "scopes": ["read"]}, expect=201).json()["token"])
    reader.get(f"{V1}/settings/customers", expect=200)
    problem(reader.request("PUT", f"{V1}/dictionary/customer", headers={"If-Match": '"0"'}, json={"dictionary": EDUCATION_CUSTOMER}), 403, "forbidden")
    response = reader.request("PUT", f"{V1}/settings/customers", json={"settings": dict(current, export_approval_threshold=4242)})
    try:
        problem(response, 403, "forbidden")
    finally:
        if response.status_code == 200:
            put_settings(api, current)


# ---------------------------------------------------------------- duplicates report, merge and undo
def flagging(api: Api) -> tuple[dict, dict]:
    """The current settings, and the same with the `flag` dedup policy for the API."""
    settings = get_settings(api)
    (member,) = settings["dedup"].keys()
    return settings, dict(settings, dedup={member: dict(STANDARD_DEDUP, api="flag")})


def test_duplicates_report(api: Api, crm: dict) -> None:
    rep = new_person(api, "rep", crm["child"], "Dana Duplicate")
    cn = cn_mobile()
    email_local = unique("twin")
    settings, flag = flagging(api)
    try:
        put_settings(api, flag)
        first = create(rep.api, contacts=[{"kind": "phone", "value": spaced_cn(cn)}])
        second = create(rep.api, contacts=[{"kind": "phone", "value": f"+86 {cn}"}, {"kind": "email", "value": f"{email_local}@example.com"}])
        third = create(rep.api, contacts=[{"kind": "email", "value": f"{email_local.upper()}@EXAMPLE.COM"}])
    finally:
        put_settings(api, settings)

    pages = [rep.api.get(f"{V1}/duplicates", params={"limit": 1}, expect=200)]
    while pages[-1].json()["next_cursor"]:
        pages.append(rep.api.get(f"{V1}/duplicates", params={"limit": 1, "cursor": pages[-1].json()["next_cursor"]}, expect=200))
    groups = [group for page in pages for group in page.json()["data"]]
    assert [(g["kind"], g["value"], ids(g["customers"])) for g in groups] == [
        ("email", f"{email_local[0]}***@example.com", [second["id"], third["id"]]),
        ("phone", masked_cn(cn), [first["id"], second["id"]]),
    ]
    for page in pages:
        body = json.dumps(page.json()["data"])
        assert cn not in body and email_local not in body
    # Groups are built from the caller's scope only.
    assert rep.id not in json.dumps(crm["other_rep"].api.get(f"{V1}/duplicates", params={"limit": 500}, expect=200).json())
    problem(rep.api.get(f"{V1}/duplicates", params={"cursor": "not-a-cursor"}), 422, "validation_failed")

    # Merging the pair on the phone leaves one group: the email, now on the survivor.
    rep.api.post(f"{V1}/merges", json={"survivor_id": first["id"], "merged_id": second["id"]}, expect=201)
    after = rep.api.get(f"{V1}/duplicates", expect=200).json()["data"]
    assert [(g["kind"], ids(g["customers"])) for g in after] == [("email", [first["id"], third["id"]])]


def test_duplicates_report_cursor_does_not_carry_the_value(api: Api, crm: dict) -> None:
    """`next_cursor` is opaque to look at, but it is only base64: it must not hold the full shared value."""
    rep = new_person(api, "rep", crm["child"], "Cory Cursor")
    cn, other = cn_mobile(), cn_mobile()
    settings, flag = flagging(api)
    try:
        put_settings(api, flag)
        for number in (cn, cn, other, other):
            create(rep.api, contacts=[{"kind": "phone", "value": number}])
    finally:
        put_settings(api, settings)
    cursor = rep.api.get(f"{V1}/duplicates", params={"limit": 1}, expect=200).json()["next_cursor"]
    assert cursor
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8", "replace")
    assert cn not in decoded and other not in decoded, decoded
    assert decoded == "v1:o:1", decoded  # an offset into the report
    second = rep.api.get(f"{V1}/duplicates", params={"limit": 1, "cursor": cursor}, expect=200).json()
    first = rep.api.get(f"{V1}/duplicates", params={"limit": 1}, expect=200).json()
    # The report is ordered by the full value; masked values need not sort the same way.
    assert sorted(g["value"] for g in first["data"] + second["data"]) == sorted([masked_cn(cn), masked_cn(other)])
    assert second["next_cursor"] is None
    forged = base64.urlsafe_b64encode(b"v1:phone|+8613800000000").decode().rstrip("=")
    body = problem(rep.api.get(f"{V1}/duplicates", params={"cursor": forged}), 422, "validation_failed")
    assert field_codes(body) == {"cursor": "invalid"}


def test_merge_and_undo(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    first_phone, second_phone = cn_mobile(), cn_mobile()
    email = f"{unique('merge')}@example.com"
    survivor = create(rep.api, name=unique("Survivor"), company="Survivor Co", tags=["a"], contacts=[{"kind": "phone", "value": first_phone}],
                      custom_fields={"grade": "primary_1"}, consents=[{"channel": "sms", "purpose": "marketing", "status": "granted"}])
    merged = create(rep.api, name=unique("Merged"), title="Dr", tags=["b"], custom_fields={"grade": "primary_2", "student_name": "B"},
                    contacts=[{"kind": "phone", "value": second_phone}, {"kind": "email", "value": email}])
    note = rep.api.post(f"{V1}/activities", json={"customer_id": merged["id"], "type": "note", "body": "On the merged one."}, expect=201).json()["activity"]
    rep.api.post(f"{V1}/customers/{merged['id']}/stage", json={"stage": "engaged"}, expect=200)
    friend = create(rep.api)
    rep.api.post(f"{V1}/customers/{merged['id']}/relations", json={"type": "spouse_of", "customer_id": friend["id"]}, expect=201)

    response = rep.api.post(f"{V1}/merges", json={"survivor_id": survivor["id"], "merged_id": merged["id"],
                                                  "choices": {"name": "survivor", "custom_fields.grade": "merged"}}, expect=201)
    record = response.json()
    assert response.headers["Location"] == f"{V1}/merges/{record['id']}"
    assert (record["survivor_id"], record["merged_id"], record["merged_by"], record["undone_at"], record["undone_by"]) == (survivor["id"], merged["id"], rep.id, None, None)
    assert record["choices"] == {"name": "survivor", "custom_fields.grade": "merged"}
    assert record["moved"] == {"opportunities": 0, "orders": 0, "entitlements": 0}

    now = rep.api.get(f"{V1}/customers/{survivor['id']}", expect=200).json()
    assert now["name"] == survivor["name"] and now["company"] == "Survivor Co" and now["title"] == "Dr"
    assert now["tags"] == ["a", "b"] and now["custom_fields"] == {"grade": "primary_2", "student_name": "B"}
    assert sorted((c["kind"], c["value"]) for c in now["contacts"]) == sorted([
        ("phone", masked_cn(first_phone)), ("phone", masked_cn(second_phone)), ("email", f"{email[0]}***@example.com")])
    assert now["stage"] == "new" and now["version"] == survivor["version"] + 1
    problem(rep.api.get(f"{V1}/customers/{merged['id']}"), 404, "not_found")
    assert note["id"] in ids(rep.api.get(f"{V1}/customers/{survivor['id']}/timeline", expect=200).json()["data"])
    assert [r["customer_id"] for r in rep.api.get(f"{V1}/customers/{survivor['id']}/relations", expect=200).json()["data"]] == [friend["id"]]
    assert ids(rep.api.get(f"{V1}/customers", params={"q": second_phone}, expect=200).json()["data"]) == [survivor["id"]]
    assert rep.api.get(f"{V1}/merges/{record['id']}", expect=200).json() == record
    problem(crm["other_rep"].api.get(f"{V1}/merges/{record['id']}"), 404, "not_found")
    problem(api.get(f"{V1}/merges/mrg_{'0' * 26}"), 404, "not_found")

    undone = rep.api.post(f"{V1}/merges/{record['id']}/undo", expect=200).json()
    assert undone["id"] == record["id"] and undone["undone_at"] and undone["undone_by"] == rep.id
    back = rep.api.get(f"{V1}/customers/{merged['id']}", expect=200).json()
    assert back["name"] == merged["name"] and back["stage"] == "engaged" and back["tags"] == ["b"]
    assert sorted(c["kind"] for c in back["contacts"]) == ["email", "phone"]
    restored = rep.api.get(f"{V1}/customers/{survivor['id']}", expect=200).json()
    assert restored["tags"] == ["a"] and restored["title"] is None and restored["custom_fields"] == {"grade": "primary_1"}
    assert [c["value"] for c in restored["contacts"]] == [masked_cn(first_phone)]
    assert ids(rep.api.get(f"{V1}/customers/{merged['id']}/timeline", expect=200).json()["data"]) == [note["id"]]
    assert note["id"] not in ids(rep.api.get(f"{V1}/customers/{survivor['id']}/timeline", expect=200).json()["data"])
    assert [r["customer_id"] for r in rep.api.get(f"{V1}/customers/{merged['id']}/relations", expect=200).json()["data"]] == [friend["id"]]
    assert [(h["from"], h["to"]) for h in rep.api.get(f"{V1}/customers/{merged['id']}/stage-history", expect=200).json()["data"]] == [(None, "new"), ("new", "engaged")]
    problem(rep.api.post(f"{V1}/merges/{record['id']}/undo"), 409, "conflict")


def test_merge_refusals(api: Api, crm: dict) -> None:
    rep = crm["rep"]
    one, two = create(rep.api), create(rep.api)
    body = problem(rep.api.post(f"{V1}/merges", json={"survivor_id": one["id"], "merged_id": one["id"]}), 422, "validation_failed")
    assert field_codes(body) == {"merged_id": "invalid"}
    body = problem(rep.api.post(f"{V1}/merges", json={"survivor_id": one["id"], "merged_id": two["id"], "choices": {"name": "both"}}), 422, "validation_failed")
    assert field_codes(body) == {"choices.name": "invalid"}
    body = problem(rep.api.post(f"{V1}/merges", json={"survivor_id": one["id"], "merged_id": two["id"], "choices": {"colour": "merged"}}), 422, "validation_failed")
    assert field_codes(body) == {"choices.colour": "unknown_field"}
    body = problem(rep.api.post(f"{V1}/merges", json={"survivor_id": one["id"], "choices": {"name": 1}}), 422, "validation_failed")
    assert field_codes(body) == {"merged_id": "required", "choices.name": "type_mismatch"}
    theirs = create(crm["other_rep"].api)
    problem(rep.api.post(f"{V1}/merges", json={"survivor_id": one["id"], "merged_id": theirs["id"]}), 404, "not_found")
    problem(crm["analyst"].api.post(f"{V1}/merges", json={"survivor_id": one["id"], "merged_id": two["id"]}), 403, "forbidden")

    # An undo that would lose later changes of the survivor is refused.
    record = rep.api.post(f"{V1}/merges", json={"survivor_id": one["id"], "merged_id": two["id"]}, expect=201).json()
    current = rep.api.get(f"{V1}/customers/{one['id']}", expect=200)
    rep.api.patch(f"{V1}/customers/{one['id']}", headers={"If-Match": current.headers["ETag"]}, json={"title": "Changed since"}, expect=200)
    problem(rep.api.post(f"{V1}/merges/{record['id']}/undo"), 409, "conflict")
    problem(rep.api.get(f"{V1}/customers/{two['id']}"), 404, "not_found")


def test_settings_refuse_numbers_no_type_can_hold(api: Api, crm: dict) -> None:
    current = get_settings(api)
    rules = rules_as_map(current["reveal"]["rules"])
    rules["rep"] = {"reach": "own", "hourly_quota": 424242}
    text = json.dumps({"settings": dict(current, reveal={"rules": rules_like(current["reveal"]["rules"], rules)})}).replace("424242", "1e400")
    response = api.request("PUT", f"{V1}/settings/customers", data=text.encode(), headers={"Content-Type": "application/json"})
    try:
        body = problem(response, 422, "validation_failed")
    finally:
        if response.status_code == 200:
            put_settings(api, current)
    assert get_settings(api) == current
    path = "settings.reveal.rules.rep.hourly_quota" if isinstance(current["reveal"]["rules"], dict) else "settings.reveal.rules[3].hourly_quota"
    assert field_codes(body) == {path: "out_of_range"}
    text = json.dumps({"settings": dict(current, frequency_cap={"limit": 424242, "period_days": 7, "mode": "warn"})}).replace("424242", "-1e999")
    body = problem(api.request("PUT", f"{V1}/settings/customers", data=text.encode(), headers={"Content-Type": "application/json"}), 422, "validation_failed")
    assert field_codes(body) == {"settings.frequency_cap.limit": "out_of_range"}
    # The dictionary document too.
    current_dictionary = api.get(f"{V1}/dictionary/customer", expect=200)
    dictionary = copy.deepcopy(current_dictionary.json()["dictionary"])
    index = next(i for i, f in enumerate(dictionary["fields"]) if f["key"] == "student_name")
    dictionary["fields"][index]["max_length"] = 424242
    text = json.dumps({"dictionary": dictionary}).replace("424242", "1e400")
    body = problem(api.request("PUT", f"{V1}/dictionary/customer", data=text.encode(), headers={"Content-Type": "application/json", "If-Match": current_dictionary.headers["ETag"]}), 422, "validation_failed")
    assert field_codes(body) == {f"dictionary.fields[{index}].max_length": "out_of_range"}
    assert api.get(f"{V1}/dictionary/customer", expect=200).headers["ETag"] == current_dictionary.headers["ETag"]
