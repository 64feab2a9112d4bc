"""Pre-flight inputs assembled from the examples in Zoom's OpenAPI documents.

The documents give an example per property, not whole responses; the contract oracle's
``example_from_schema`` builds a response from them (example, else default, else first enum
value, else recursion; one item per array; the first choice of ``oneOf``/``anyOf``). Here those
payloads become a ``PreflightInput`` that a test varies one field at a time.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema

from tests.contract.spec import ZoomSpec, example_from_schema
from zoomhost.core.preflight import PreflightInput
from zoomhost.system import redact

__all__ = ["example_from_schema"]  # re-exported: one walker for the contract and the pre-flight tests


def _first_choice(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["oneOf"][0] if "oneOf" in schema else schema


def response_schema(template: str) -> dict[str, Any]:
    """The 200 application/json schema of GET ``template`` (first choice where several are offered)."""
    schema = ZoomSpec.load().response_schema("get", template, 200)
    assert schema is not None, f"GET {template} documents no body"
    return _first_choice(schema)


def request_schema(template: str) -> dict[str, Any]:
    """The application/json body schema of PATCH ``template`` (first choice where several are offered)."""
    return _first_choice(ZoomSpec.load().request_schema("patch", template))


def meeting_schema() -> dict[str, Any]:
    return response_schema("/meetings/{meetingId}")


def user_settings_schema() -> dict[str, Any]:
    return response_schema("/users/{userId}/settings")


def account_settings_schema() -> dict[str, Any]:
    return response_schema("/accounts/{accountId}/settings")


def meeting_patch_schema() -> dict[str, Any]:
    return request_schema("/meetings/{meetingId}")


def user_settings_patch_schema() -> dict[str, Any]:
    return request_schema("/users/{userId}/settings")


def user_security_schema() -> dict[str, Any]:
    """GET /users/{userId}/settings?option=meeting_security: the choice that holds ``meeting_security``."""
    return _choice_with(ZoomSpec.load().response_schema("get", "/users/{userId}/settings", 200), "meeting_security")


def lock_settings_schema() -> dict[str, Any]:
    """GET /accounts/{accountId}/lock_settings, its plain answer and its ``meeting_security`` one as one object."""
    schema = ZoomSpec.load().response_schema("get", "/accounts/{accountId}/lock_settings", 200)
    assert schema is not None
    properties: dict[str, Any] = {}
    for choice in schema.get("oneOf", [schema]):
        properties.update(choice.get("properties", {}))
    return {"type": "object", "properties": properties}


def _choice_with(schema: dict[str, Any] | None, key: str) -> dict[str, Any]:
    assert schema is not None
    return next(choice for choice in schema.get("oneOf", [schema]) if key in choice.get("properties", {}))


@cache
def _example(kind: str) -> Any:
    schemas = {
        "meeting": meeting_schema,
        "user": user_settings_schema,
        "account": account_settings_schema,
        "security": user_security_schema,
        "locks": lock_settings_schema,
    }
    return example_from_schema(schemas[kind]())


def example_meeting() -> dict[str, Any]:
    """GET /meetings/{meetingId} as the document's examples describe it (a fresh copy each time)."""
    return copy.deepcopy(_example("meeting"))


def example_user_settings() -> dict[str, Any]:
    """GET /users/{userId}/settings as the document's examples describe it (a fresh copy each time)."""
    return copy.deepcopy(_example("user"))


def example_account_settings() -> dict[str, Any]:
    """GET /accounts/{accountId}/settings as the document's examples describe it (a fresh copy each time)."""
    return copy.deepcopy(_example("account"))


@cache
def patch_validator(endpoint: str) -> jsonschema.protocols.Validator:
    """Checks a PATCH body for ``"meeting"``, ``"user_settings"`` or ``"user_security"`` (the settings
    update Zoom takes with ``option=meeting_security``), refusing fields the document lacks."""
    if endpoint == "user_security":
        schema = closed(_choice_with(ZoomSpec.load().request_schema("patch", "/users/{userId}/settings"), "meeting_security"))
    else:
        schema = closed(meeting_patch_schema() if endpoint == "meeting" else user_settings_patch_schema())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def closed(schema: Any) -> Any:
    """A copy of ``schema`` that rejects properties it does not name, so a misspelt field fails validation."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


# --- pre-flight input from the examples --------------------------------------------------------

GONE = object()  # in a change: the field is left out of Zoom's answer
SCHOOL = "example.com"  # the domain of the documents' example host, jchill@example.com


def set_path(payload: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, with ``GONE``, remove) the field at a dotted path, making parents as needed."""
    *parents, leaf = path.split(".")
    node = payload
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            return  # a parent already replaced by something odd: nothing left to vary
    if value is GONE:
        node.pop(leaf, None)
    else:
        node[leaf] = value


def preflight_input(changes: dict[str, Any] | None = None, **fields: Any) -> PreflightInput:
    """The documents' example meeting and settings, with ``changes`` ({"meeting:settings.waiting_room": True} …).

    Keys name the payload (``meeting``, ``user`` for the host's settings, ``account``, ``security``
    for the host's ``option=meeting_security`` settings, ``locks`` for the account's lock settings)
    and a dotted path in it; ``fields`` override the other inputs (register counts, domain, PMI …).
    The security settings and the locks are given only when a change names them (else: not read).
    """
    payloads = {"meeting": example_meeting(), "user": example_user_settings(), "account": example_account_settings()}
    for key, value in (changes or {}).items():
        where, path = key.split(":", 1)
        if where not in payloads:
            payloads[where] = copy.deepcopy(_example(where))
        set_path(payloads[where], path, value)
    args: dict[str, Any] = {
        "meeting": payloads["meeting"],
        "user_settings": payloads["user"],
        "account_settings": payloads["account"],
        "consented_pupils": 260,
        "staff": 12,
        "host_email": None,
        "school_email_domain": SCHOOL,
        "personal_meeting_id": None,
        "register_secret": redact.register_secret,  # as the zoom package gives it
        "security_settings": payloads.get("security"),
        "account_locks": payloads.get("locks"),
    }
    args.update(fields)
    return PreflightInput(**args)
