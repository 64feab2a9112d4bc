"""Zoom's published OpenAPI documents as a test oracle.

Both sides honour them: requests the client sends, and responses and events the
rehearsal server produces, are validated here. The documents are OpenAPI 3.0 with
inline schemas (no components), so each operation's schema is used as it stands, with
OpenAPI 3.0 semantics (``nullable``, ``format``) from openapi-schema-validator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

SPEC_DIR = Path(__file__).resolve().parents[1] / "data" / "zoom-api"
ENDPOINT_DOCUMENTS = (
    "ZoomMeetingsAPI.endpoints.json",
    "ZoomUsersAPI.endpoints.json",
    "ZoomAccountsAPI.endpoints.json",
)
WEBHOOK_DOCUMENT = "ZoomMeetingsAPI.webhooks.json"


class ContractViolation(AssertionError):
    """A payload does not match Zoom's documents; the message says where."""


@dataclass
class ZoomSpec:
    paths: dict[str, dict[str, Any]]
    webhooks: dict[str, dict[str, Any]]
    _matchers: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    @classmethod
    @cache
    def load(cls) -> ZoomSpec:
        paths: dict[str, dict[str, Any]] = {}
        for name in ENDPOINT_DOCUMENTS:
            document = json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))
            for template, operations in document["paths"].items():
                paths.setdefault(template, {}).update(operations)
        webhooks = json.loads((SPEC_DIR / WEBHOOK_DOCUMENT).read_text(encoding="utf-8"))["webhooks"]
        spec = cls(paths=paths, webhooks=webhooks)
        # Literal segments beat parameters: /users/me/meetings is /users/{userId}/meetings, but
        # /metrics/meetings/{meetingId}/participants must not match a shorter template.
        for template in sorted(paths, key=lambda t: (t.count("{"), -len(t))):
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "/?$"
            spec._matchers.append((re.compile(pattern), template))
        return spec

    # -- lookup -----------------------------------------------------------------------------
    def match(self, method: str, url_path: str) -> str:
        """The path template a request path belongs to (``/v2/meetings/1`` → ``/meetings/{meetingId}``)."""
        path = re.sub(r"^/v2(?=/)", "", url_path.split("?", 1)[0])
        for pattern, template in self._matchers:
            if pattern.match(path) and method.lower() in self.paths[template]:
                return template
        raise ContractViolation(f"{method.upper()} {path} is not an operation in Zoom's documents")

    def operation(self, method: str, template: str) -> dict[str, Any]:
        try:
            return self.paths[template][method.lower()]
        except KeyError:
            raise ContractViolation(f"{method.upper()} {template} is not in Zoom's documents") from None

    def response_schema(self, method: str, template: str, status: int) -> dict[str, Any] | None:
        """The JSON schema of a response, or None for a documented response without a body."""
        responses = self.operation(method, template).get("responses", {})
        response = responses.get(str(status))
        if response is None:
            raise ContractViolation(
                f"{method.upper()} {template} documents no {status} response (documented: {sorted(responses)})"
            )
        content = response.get("content", {}).get("application/json")
        return None if content is None else content.get("schema", {})

    def request_schema(self, method: str, template: str) -> dict[str, Any]:
        body = self.operation(method, template).get("requestBody")
        if not body:
            raise ContractViolation(f"{method.upper()} {template} takes no request body")
        return body["content"]["application/json"]["schema"]

    def query_parameters(self, method: str, template: str) -> dict[str, dict[str, Any]]:
        params = self.operation(method, template).get("parameters", [])
        return {p["name"]: p for p in params if p.get("in") == "query"}

    def event_schema(self, event_name: str) -> dict[str, Any]:
        try:
            body = self.webhooks[event_name]["post"]["requestBody"]
        except KeyError:
            raise ContractViolation(f"{event_name} is not an event in Zoom's documents") from None
        return body["content"]["application/json"]["schema"]

    # -- validation ------------------------------------------------------------------------
    def validate_response(self, method: str, template: str, status: int, body: Any) -> None:
        schema = self.response_schema(method, template, status)
        if schema is None:
            if body not in (None, b"", ""):
                raise ContractViolation(f"{method.upper()} {template} {status} documents no body, got {body!r:.200}")
            return
        _validate(schema, body, where=f"response of {method.upper()} {template} {status}")

    def validate_request_body(self, method: str, template: str, body: Any) -> None:
        _validate(self.request_schema(method, template), body, where=f"request body of {method.upper()} {template}")

    def validate_query(self, method: str, template: str, params: Mapping[str, str]) -> None:
        documented = self.query_parameters(method, template)
        unknown = set(params) - set(documented)
        if unknown:
            raise ContractViolation(f"{method.upper()} {template}: undocumented query parameters {sorted(unknown)}")
        for name, value in params.items():
            schema = documented[name].get("schema", {})
            if "enum" in schema and value not in [str(v) for v in schema["enum"]]:
                raise ContractViolation(f"{method.upper()} {template}: {name}={value!r} not in {schema['enum']}")

    def validate_event(self, event: Mapping[str, Any]) -> None:
        name = event.get("event")
        if not isinstance(name, str):
            raise ContractViolation(f"event without an 'event' name: {dict(event)!r:.200}")
        _validate(self.event_schema(name), event, where=f"event {name}")


def _validate(schema: Mapping[str, Any], instance: Any, *, where: str) -> None:
    if "oneOf" in schema:
        # Zoom's documents list overlapping alternatives, so a correct body matches several of
        # them: what they mean is "any of". Branches are open objects, so each would accept any
        # body; a body matches a branch only when every top-level key is one the branch documents.
        branches = [
            {**b, "additionalProperties": False} for b in schema["oneOf"] if b.get("properties")
        ] or schema["oneOf"]
        schema = {**{k: v for k, v in schema.items() if k != "oneOf"}, "anyOf": branches}
    errors = sorted(OAS30Validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in errors[:10]]
        raise ContractViolation(f"{where} does not match Zoom's documents:\n  " + "\n  ".join(lines))


def example_from_schema(schema: Mapping[str, Any]) -> Any:
    """A payload assembled from the documents' per-property examples (they carry no whole examples)."""
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return example_from_schema(schema[key][0])
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_from_schema(part)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if "example" in schema:
        return schema["example"]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: example_from_schema(sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        items = schema.get("items", {})
        return [example_from_schema(items)] if items else []
    if kind == "string":
        value = _STRING_BY_FORMAT.get(schema.get("format", ""), "example")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            value = next((c for c in _STRING_BY_FORMAT.values() if re.search(schema["pattern"], c)), value)
        return value
    return {"integer": 1, "number": 1.0, "boolean": False}.get(kind)


_STRING_BY_FORMAT = {
    "date-time": "2020-05-29T10:30:00Z",
    "date": "2020-05-29",
    "email": "teacher@example.org",
    "uri": "https://example.org/",
}


def documented_paths(method: str, templates: Iterable[str]) -> list[str]:
    spec = ZoomSpec.load()
    return [t for t in templates if method.lower() in spec.paths.get(t, {})]
