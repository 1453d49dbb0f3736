"""Schemathesis hooks for the black-box fuzz run (loaded through SCHEMATHESIS_HOOKS).

1. Stateful testing chains real ids from responses (e.g. `GET /tokens` → `DELETE /tokens/{id}`), so
   without this the run would soon revoke its own token, change its own password or demote its
   own administrator, and spend the rest of the run on 401s. Requests aimed at the protected ids
   (RAPPORT_FUZZ_PROTECTED_IDS, comma-separated) go to a well-formed id that does not exist
   instead, which the server answers with 404. The same goes for the `user_id` of a handover (which
   would freeze that user).

2. The generator draws `Idempotency-Key` values from a small pool ("0", "00"…), so most POSTs would
   reuse a key with another body and get 422 `idempotency_key_reused` without ever reaching the
   route. A valid key is therefore suffixed with a digest of the method, path and body: the same
   request still replays, a different one gets its own key. Invalid keys are left alone (they
   test the 422 for malformed keys).
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import schemathesis

PROTECTED = {value for value in os.environ.get("RAPPORT_FUZZ_PROTECTED_IDS", "").split(",") if value}
STAND_INS = {"usr": "usr_" + "0" * 26, "team": "team_" + "0" * 26, "tok": "tok_" + "0" * 26}
VALID_KEY = re.compile(r"^[!-~]{1,200}$")


def _fingerprint(case) -> str:
    try:
        body = json.dumps(case.body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(case.body)
    text = f"{case.method} {case.formatted_path}\n{body}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@schemathesis.hook
def before_call(context, case, kwargs):
    parameters = case.path_parameters or {}
    value = parameters.get("id")
    if isinstance(value, str) and value in PROTECTED:
        prefix = value.split("_", 1)[0]
        case.path_parameters = {**parameters, "id": STAND_INS.get(prefix, value + "0")}
    # A handover freezes its user: never one of the protected ones.
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("user_id"), str) and body["user_id"] in PROTECTED and "handovers" in case.formatted_path:
        case.body = {**case.body, "user_id": STAND_INS["usr"]}

    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.match(key):
        case.headers = {**headers, "Idempotency-Key": f"{key}-{_fingerprint(case)}"}
