"""The one checker every black-box test uses: each response must be one the OpenAPI document
describes for its operation (status code, headers, content type, and body schema).

Schemas are checked with JSON Schema Draft 2020-12 (the dialect of OpenAPI 3.1); `$ref`s such as
`#/components/schemas/User` are resolved inside the document with `referencing`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:rapport:openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower()


class ContractViolation(AssertionError):
    pass


@dataclass
class Operation:
    method: str
    template: str
    pointer: str
    spec: dict[str, Any]
    checked_statuses: set[int] = field(default_factory=set)


class Contract:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(DOCUMENT_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self.operations: dict[tuple[str, str], Operation] = {}
        self._routes: list[tuple[re.Pattern[str], str, int]] = []
        for template, item in document["paths"].items():
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self._routes.append((re.compile(regex), template, literal))
            for method in METHODS:
                if method in item:
                    pointer = f"/paths/{_escape(template)}/{method}"
                    self.operations[(method, template)] = Operation(method, template, pointer, item[method])
        # Prefer the template with the most literal characters (e.g. /audit/verify over /audit/{x}).
        self._routes.sort(key=lambda route: -route[2])

    # ------------------------------------------------------------------ lookups
    def node(self, pointer: str) -> Any:
        value: Any = self.document
        for token in pointer.lstrip("/").split("/") if pointer else []:
            token = token.replace("~1", "/").replace("~0", "~")
            value = value[token]
        return value

    def deref(self, value: Any, pointer: str) -> tuple[Any, str]:
        """Follows OpenAPI-level `$ref`s (responses, headers, parameters)."""
        while isinstance(value, dict) and "$ref" in value and len(value) <= 3:
            target = value["$ref"]
            assert target.startswith("#/"), target
            pointer = target[1:]
            value = self.node(pointer)
        return value, pointer

    def template_for(self, path: str) -> str:
        path = path.split("?", 1)[0]
        for regex, template, _ in self._routes:
            if regex.match(path):
                return template
        raise ContractViolation(f"{path} matches no path of the OpenAPI document")

    def operation(self, method: str, path: str) -> Operation:
        template = self.template_for(path)
        key = (method.lower(), template)
        if key not in self.operations:
            raise ContractViolation(f"{method.upper()} {template} is not documented")
        return self.operations[key]

    def validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": f"{DOCUMENT_URI}#{pointer}"},
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        return self._validators[pointer]

    def validate(self, instance: Any, pointer: str, what: str) -> None:
        errors = sorted(self.validator(pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            lines = [f"- at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:10]]
            raise ContractViolation(f"{what} does not match the schema at #{pointer}:\n" + "\n".join(lines))

    # ------------------------------------------------------------------ the check
    def check(self, response: requests.Response, *, ignore_headers: frozenset[str] = frozenset()) -> Operation:
        """Checks one response against the document; raises ContractViolation with the details."""
        request = response.request
        path = requests.utils.urlparse(request.url).path
        op = self.operation(request.method, path)
        where = f"{request.method} {path} → {response.status_code}"
        responses = op.spec.get("responses", {})
        key = str(response.status_code)
        if key not in responses:
            if "default" not in responses:
                raise ContractViolation(
                    f"{where}: status {response.status_code} is not documented for {request.method} {op.template} "
                    f"(documented: {', '.join(sorted(responses))}); body: {response.text[:500]}"
                )
            key = "default"
        spec, spec_pointer = self.deref(responses[key], f"{op.pointer}/responses/{key}")

        # Headers
        for name, header in spec.get("headers", {}).items():
            if name in ignore_headers:
                continue
            header, header_pointer = self.deref(header, f"{spec_pointer}/headers/{_escape(name)}")
            value = response.headers.get(name)
            if value is None:
                if header.get("required"):
                    raise ContractViolation(f"{where}: required header {name} is missing (headers: {dict(response.headers)})")
                continue
            if "schema" in header:
                self.validate(value, f"{header_pointer}/schema", f"{where}: header {name}={value!r}")

        # Body
        content = spec.get("content")
        if not content:
            if response.content:
                raise ContractViolation(f"{where}: no body is documented but one was sent: {response.text[:200]!r}")
            op.checked_statuses.add(response.status_code)
            return op
        actual = media_type(response.headers.get("Content-Type"))
        if actual not in content:
            raise ContractViolation(f"{where}: Content-Type {response.headers.get('Content-Type')!r} is not one of {sorted(content)}")
        schema_pointer = f"{spec_pointer}/content/{_escape(actual)}/schema"
        if actual == "application/json" or actual.endswith("+json"):
            try:
                body = json.loads(response.content.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise ContractViolation(f"{where}: body is not JSON ({error}): {response.text[:200]!r}") from None
            self.validate(body, schema_pointer, f"{where}: body {json.dumps(body)[:1500]}")
            if actual == "application/problem+json" and "Idempotent-Replayed" not in response.headers:
                request_id = response.headers.get("X-Request-Id")
                if body.get("request_id") != request_id:
                    raise ContractViolation(f"{where}: problem request_id {body.get('request_id')!r} differs from X-Request-Id {request_id!r}")
        elif actual.startswith("text/"):
            self.validate(response.text, schema_pointer, f"{where}: text body")
        op.checked_statuses.add(response.status_code)
        return op


class Api:
    """A small HTTP client whose every response goes through ``Contract.check``."""

    def __init__(self, base_url: str, contract: Contract, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.contract = contract
        self.token = token
        self.session = requests.Session()

    def as_token(self, token: str | None) -> "Api":
        return Api(self.base_url, self.contract, token)

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: int | None = None,
        token: Any = ...,
        headers: dict[str, str] | None = None,
        ignore_headers: frozenset[str] = frozenset(),
        check: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        all_headers = dict(headers or {})
        bearer = self.token if token is ... else token
        if bearer is not None and "Authorization" not in all_headers:
            all_headers["Authorization"] = f"Bearer {bearer}"
        kwargs.setdefault("timeout", 30)
        response = self.session.request(method, self.base_url + path, headers=all_headers, **kwargs)
        if expect is not None and response.status_code != expect:
            raise AssertionError(
                f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:1000]}"
            )
        if check:
            self.contract.check(response, ignore_headers=ignore_headers)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """Asserts the response is a problem document with this status and code; returns it."""
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code}: {response.text[:800]}"
    assert media_type(response.headers.get("Content-Type")) == "application/problem+json", response.headers
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == f"urn:rapport:problem:{code}", body
    return body


def field_codes(body: dict[str, Any]) -> dict[str, str]:
    return {error["field"]: error["code"] for error in body.get("errors", [])}


# The data scopes of the standard access policy (ScopePolicy.standard) for every role but admin.
STANDARD_SCOPES: dict[str, dict[str, str]] = {
    role: {
        "user": scope, "team": scope, "token": "own", "audit": "none", "role": "none",
        "customer": scope, "dictionary": "all", "export": "subtree" if role == "manager" else "none",
        "lead": scope, "pool": "all", "handover": "subtree" if role == "manager" else "none",
        "product": "all", "pricing": "none", "opportunity": scope, "quote": scope,
        "order": "none" if role == "marketer" else scope, "entitlement": scope, "task": scope,
        "target": scope, "playbook": "all",
    }
    for role, scope in {
        "manager": "subtree", "rep": "own", "service": "own", "marketer": "own",
        "partner": "own", "analyst": "all", "read_only": "own",
    }.items()
}


def restore_standard_roles(api: Api) -> None:
    """Puts every role's data scopes back to the standard policy (a fuzz run or an earlier session
    on a shared database may have changed them)."""
    for role, scopes in STANDARD_SCOPES.items():
        api.patch(f"/api/v1/roles/{role}", json={"scopes": scopes}, expect=200)
