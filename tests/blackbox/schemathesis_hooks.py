"""Schemathesis hooks for the black-box fuzz run (loaded through SCHEMATHESIS_HOOKS).

Stateful testing chains real ids from responses (e.g. `GET /tokens` → `DELETE /tokens/{id}`), so
without this the run would soon revoke its own token, change its own password or demote its
own administrator, and spend the rest of the run on 401s. Requests aimed at the protected ids
(listed in RAPPORT_FUZZ_PROTECTED_IDS, comma-separated) are sent to a well-formed id that does not
exist instead, which the server answers with 404.
"""

from __future__ import annotations

import os

import schemathesis

PROTECTED = {value for value in os.environ.get("RAPPORT_FUZZ_PROTECTED_IDS", "").split(",") if value}
STAND_INS = {"usr": "usr_" + "0" * 26, "team": "team_" + "0" * 26, "tok": "tok_" + "0" * 26}


@schemathesis.hook
def before_call(context, case, kwargs):
    parameters = case.path_parameters or {}
    value = parameters.get("id")
    if isinstance(value, str) and value in PROTECTED:
        prefix = value.split("_", 1)[0]
        case.path_parameters = {**parameters, "id": STAND_INS.get(prefix, value + "0")}
