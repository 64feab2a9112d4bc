"""A stricter reading of Zoom's documents for what the rehearsal server says.

The documents' objects are open (no ``additionalProperties``), compose with ``allOf`` and
offer alternatives with ``oneOf`` whose branches are all open objects, so that every body
matches every branch and ``oneOf`` rejects everything (``GET /users/{userId}/settings``).
Here each object is closed to the properties the documents list (``allOf`` parts merged
first), which makes the branches tell themselves apart and catches a field the rehearsal
invents. Formats are checked, with one documented allowance: an event's participant
``email`` is "" for someone outside the host's account.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator
from openapi_schema_validator import oas30_format_checker as _oas30

from tests.contract.spec import ContractViolation, ZoomSpec

FORMATS = FormatChecker(formats=())
for _name, _checker in _oas30.checkers.items():
    FORMATS.checkers[_name] = _checker
_plain_email = _oas30.checkers["email"][0]
FORMATS.checkers["email"] = (lambda value: value == "" or _plain_email(value), ())


def closed(schema: Any) -> Any:
    """The schema with every object limited to its documented properties."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: v for k, v in schema.items() if k not in ("example", "description", "x-enum")}
    if "allOf" in schema and all(isinstance(p, dict) and p.get("type", "object") == "object" for p in schema["allOf"]):
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        required: list[str] = []
        for part in schema.pop("allOf"):
            part = closed(part)
            merged["properties"].update(part.get("properties", {}))
            required += part.get("required", [])
        if required:
            merged["required"] = sorted(set(required))
        return {**schema, **merged, "additionalProperties": False}
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: closed(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = closed(value)
        elif key in ("oneOf", "anyOf", "allOf"):
            out[key] = [closed(sub) for sub in value]
        else:
            out[key] = value
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _check(schema: Mapping[str, Any], instance: Any, *, where: str) -> None:
    errors = list(OAS30Validator(schema, format_checker=FORMATS).iter_errors(instance))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:240]}" for e in errors[:8]]
        raise ContractViolation(f"{where} does not match Zoom's documents:\n  " + "\n  ".join(lines))


@cache
def _closed_response(method: str, template: str, status: int) -> Any:
    schema = ZoomSpec.load().response_schema(method, template, status)
    return None if schema is None else closed(copy.deepcopy(schema))


@cache
def _closed_event(name: str) -> Any:
    return closed(copy.deepcopy(ZoomSpec.load().event_schema(name)))


#: Operations whose documented schema no body can satisfy as written (see the module docstring).
OPEN_ONEOF = {("GET", "/users/{userId}/settings")}


ERROR_BODY = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "integer"}, "message": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
}


def check_response(method: str, path: str, status: int, body: Any) -> str:
    """Validate one answer; returns its path template.

    A success is checked against the documented schema, as written and closed. The documents
    give errors no schema, only Zoom's ``{"code", "message"}`` in prose, so an error is checked
    for that shape (and, when the status is documented for the operation, nothing more).
    """
    spec = ZoomSpec.load()
    template = spec.match(method, path)
    if status >= 400:
        _check(ERROR_BODY, body, where=f"error {status} of {method.upper()} {template}")
        return template
    if (method.upper(), template) not in OPEN_ONEOF:
        spec.validate_response(method, template, status, body)
    schema = _closed_response(method.upper(), template, status)
    if schema is not None:
        _check(schema, body, where=f"response of {method.upper()} {template} {status} (closed)")
    return template


def check_event(event: Mapping[str, Any]) -> str:
    spec = ZoomSpec.load()
    spec.validate_event(event)
    name = str(event["event"])
    _check(_closed_event(name), dict(event), where=f"event {name} (closed)")
    return name


def check_all(exchanges: Iterable[Any], events: Iterable[Mapping[str, Any]]) -> tuple[set[tuple[str, str, int]], set[str]]:
    """Validate every recorded API answer whose status the documents describe, and every event sent."""
    covered: set[tuple[str, str, int]] = set()
    for ex in exchanges:
        template = check_response(ex.method, ex.path, ex.status, ex.response_body)
        covered.add((ex.method, template, ex.status))
    names = {check_event(event) for event in events}
    return covered, names
