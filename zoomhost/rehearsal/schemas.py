"""Request bodies the rehearsal Zoom checks against Zoom's own documents before it changes anything.

The schemas are the documents' own (``resources/rehearsal/request-schemas.json``, written by
``tools/rehearsal_schemas.py`` and checked against the documents by tests/rehearsal), read as
JSON Schema by ``jsonschema``, with one strictness added: a key a schema does not list is refused
(the documents list every field Zoom reads; a misspelt one would otherwise be dropped without a
word, and a check the app believes it fixed would stay unfixed). A body that breaks a type, an
enum, a range or a length, names an unknown field, or gives an address that is not one (the
registrations' ``format: email``), is Zoom's 400 with code 300, naming the field; nothing of it is
applied. The bodies checked: a meeting's and a user's settings (PATCH), and registrations, one family
or a batch (POST).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from typing import Any

from zoomhost.rehearsal.state import RehearsalError
from zoomhost.system.resources import resource

MEETING_PATCH = "PATCH /meetings/{meetingId}"
SETTINGS_PATCH = "PATCH /users/{userId}/settings"
REGISTRANT_ADD = "POST /meetings/{meetingId}/registrants"
REGISTRANTS_BATCH = "POST /meetings/{meetingId}/batch_registrants"


@functools.cache
def _validators(operation: str) -> tuple[Any, ...]:
    import jsonschema

    schemas = json.loads(resource("rehearsal", "request-schemas.json").read_text(encoding="utf-8"))
    schema = schemas[operation]
    # A schema that is a choice of bodies (user settings: the settings, authentication, or meeting security) is
    # checked against each choice: a body fits when it fits one of them.
    choices = _choices(schema)
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("email")(_email_address)  # the one format Zoom's request bodies here declare and a school's data can break
    return tuple(jsonschema.Draft202012Validator(_closed(_joined(choice)), format_checker=checker) for choice in choices)


def _email_address(value: object) -> bool:
    """``format: email`` as a mail server reads an address (RFC 5321's mailbox, unquoted): a name of at most 64
    characters made of dot-separated atoms, then a domain name of dot-separated labels of letters, digits and
    hyphens (no hyphen at either end). Written here on its own, as Zoom's side: the app's rule must meet it,
    not borrow it."""
    if not isinstance(value, str):
        return True  # the type is checked on its own
    name, at, domain = value.rpartition("@")
    atoms = name.split(".")
    labels = domain.split(".")
    return bool(
        at
        and 0 < len(name) <= 64
        and all(atom and all(c.isalnum() or c in "!#$%&'*+-/=?^_`{|}~" for c in atom) for atom in atoms)
        and len(labels) >= 2
        and all(label and label[0] != "-" and label[-1] != "-" and all(c.isalnum() or c == "-" for c in label) for label in labels)
    )


def _joined(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A body documented as ``allOf`` object parts (a registrant: their details, language, approval) as one
    object, so that closing it refuses only keys no part lists."""
    parts = schema.get("allOf")
    if not parts or not all(isinstance(p, dict) and "properties" in p for p in parts):
        return schema
    joined: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    joined["type"] = "object"
    joined["properties"] = {name: sub for part in parts for name, sub in part["properties"].items()}
    joined["required"] = [name for part in parts for name in part.get("required", ())]
    return joined


def _choices(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if "oneOf" in schema:
        return [leaf for choice in schema["oneOf"] for leaf in _choices(choice)]
    return [schema]


def _closed(schema: Any) -> Any:
    """A copy in which every object with listed properties refuses keys it does not list."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            closed[key] = {name: _closed(sub) for name, sub in value.items()}
        elif key in ("example", "examples", "default", "enum", "const"):
            closed[key] = copy.deepcopy(value)  # data, not schemas
        else:
            closed[key] = _closed(value)
    if "properties" in schema and "additionalProperties" not in schema:
        closed["additionalProperties"] = False
    return closed


def check_body(operation: str, body: Mapping[str, Any], *, choice: str | None = None) -> None:
    """Raise Zoom's 300 (naming the field) unless ``body`` fits the operation's documented request body.

    ``choice``: for a body that is a choice of documented bodies, the one the request asked for (the one
    whose properties include this key): the others are then not accepted either."""
    import jsonschema

    validators = _validators(operation)
    if choice is not None:
        validators = tuple(v for v in validators if choice in v.schema.get("properties", {}))
    if any(validator.is_valid(body) for validator in validators):
        return
    # Said about the choice the body meant: the one listing most of its fields.
    meant = max(validators, key=lambda v: len(set(body) & set(v.schema.get("properties", {}))))
    worst = jsonschema.exceptions.best_match(meant.iter_errors(body))
    assert worst is not None
    raise RehearsalError(400, 300, f"Invalid field: {_where(worst)}.")


def _where(error: Any) -> str:
    """``settings.auto_recording`` for a bad value; the unknown key itself for a field Zoom does not have."""
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties":
        extra = [key for key in error.instance if key not in error.schema.get("properties", {})]
        name = extra[0] if extra else "?"
        return f"{path}.{name}" if path else str(name)
    return path or "body"
