"""Payloads assembled from the examples in Zoom's OpenAPI documents.

The documents give an example per property, not whole responses, so a response is built by
walking its schema: each property takes its example, else its default, else its first enum
value, else is built from its own schema; an array holds one such item. Where a schema offers
``oneOf``/``anyOf`` the first choice is taken.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

ZOOM_API = Path(__file__).resolve().parents[1] / "data" / "zoom-api"

_NO_EXAMPLE = object()


def example_from_schema(schema: dict[str, Any]) -> Any:
    """One value shaped like ``schema``, made of the document's own examples."""
    for choice in ("oneOf", "anyOf"):
        if schema.get(choice):
            return example_from_schema(schema[choice][0])
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_from_schema(part)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    value = _leaf(schema)
    if value is not _NO_EXAMPLE:
        return copy.deepcopy(value)
    if schema.get("type") == "array" or "items" in schema:
        return [example_from_schema(schema.get("items", {}))]
    if schema.get("type") == "object" or "properties" in schema:
        built = {}
        for name, sub in schema.get("properties", {}).items():
            item = example_from_schema(sub)
            if item is not _NO_EXAMPLE:
                built[name] = item
        return built
    return _NO_EXAMPLE


def _leaf(schema: dict[str, Any]) -> Any:
    if "example" in schema:
        return schema["example"]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    return _NO_EXAMPLE


@cache
def _document(name: str) -> dict[str, Any]:
    return json.loads((ZOOM_API / name).read_text(encoding="utf-8"))


def _operation(document: str, path: str, method: str) -> dict[str, Any]:
    return _document(document)["paths"][path][method]


def response_schema(document: str, path: str, method: str = "get") -> dict[str, Any]:
    """The 200 response's application/json schema (first choice where the document offers several)."""
    schema = _operation(document, path, method)["responses"]["200"]["content"]["application/json"]["schema"]
    return schema["oneOf"][0] if "oneOf" in schema else schema


def request_schema(document: str, path: str, method: str = "patch") -> dict[str, Any]:
    """The request body's application/json schema (first choice where the document offers several)."""
    schema = _operation(document, path, method)["requestBody"]["content"]["application/json"]["schema"]
    return schema["oneOf"][0] if "oneOf" in schema else schema


MEETINGS = "ZoomMeetingsAPI.endpoints.json"
USERS = "ZoomUsersAPI.endpoints.json"
ACCOUNTS = "ZoomAccountsAPI.endpoints.json"


def meeting_schema() -> dict[str, Any]:
    return response_schema(MEETINGS, "/meetings/{meetingId}")


def user_settings_schema() -> dict[str, Any]:
    return response_schema(USERS, "/users/{userId}/settings")


def account_settings_schema() -> dict[str, Any]:
    return response_schema(ACCOUNTS, "/accounts/{accountId}/settings")


def meeting_patch_schema() -> dict[str, Any]:
    return request_schema(MEETINGS, "/meetings/{meetingId}")


def user_settings_patch_schema() -> dict[str, Any]:
    return request_schema(USERS, "/users/{userId}/settings")


def example_meeting() -> dict[str, Any]:
    """GET /meetings/{meetingId} as the document's examples describe it."""
    return example_from_schema(meeting_schema())


def example_user_settings() -> dict[str, Any]:
    """GET /users/{userId}/settings as the document's examples describe it."""
    return example_from_schema(user_settings_schema())


def example_account_settings() -> dict[str, Any]:
    """GET /accounts/{accountId}/settings as the document's examples describe it."""
    return example_from_schema(account_settings_schema())


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
