"""The IT lead's setup guide (docs/zoom-setup.md) says what the code asks for: its scope and event lists are
written from zoomhost.zoom.scopes, and that list is checked against Zoom's documents and the event stream."""

from __future__ import annotations

import importlib.util
import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO
from tests.contract.spec import ZoomSpec
from zoomhost.system.config import DEFAULT_API_BASE, DEFAULT_OAUTH_BASE, DEFAULT_WS_BASE
from zoomhost.zoom.auth import CALLBACK_PATH
from zoomhost.zoom.events import ZOOM_EVENT_KINDS
from zoomhost.zoom.scopes import FEATURES, OWN_SIGN_IN_SCOPES, SERVER_TO_SERVER_SCOPES, SUBSCRIPTION_EVENTS, check_scopes

GUIDE = REPO / "docs" / "zoom-setup.md"


def _tool():
    spec = importlib.util.spec_from_file_location("zoom_setup_guide", REPO / "tools" / "zoom_setup_guide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_guide_lists_exactly_what_the_code_asks_for() -> None:
    tool = _tool()
    text = GUIDE.read_text(encoding="utf-8")
    assert {m.group("name") for m in tool.MARKER.finditer(text)} == set(tool.sections()), "every generated part is in the guide"
    assert tool.render(text) == text, "docs/zoom-setup.md disagrees with zoomhost/zoom/scopes.py: run python tools/zoom_setup_guide.py"
    for scope in SERVER_TO_SERVER_SCOPES + OWN_SIGN_IN_SCOPES:
        assert f"\n{scope}\n" in text
    for event in SUBSCRIPTION_EVENTS:
        assert f"\n{event}\n" in text
    assert f"127.0.0.1{CALLBACK_PATH}" in text


def test_a_changed_scope_list_makes_the_guide_disagree(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _tool()
    text = GUIDE.read_text(encoding="utf-8")
    monkeypatch.setattr(tool, "SERVER_TO_SERVER_SCOPES", (*SERVER_TO_SERVER_SCOPES, "report:read:list_meeting_participants:admin"))
    assert tool.render(text) != text


def test_the_subscription_events_are_the_ones_the_event_stream_reads() -> None:
    assert set(SUBSCRIPTION_EVENTS) == set(ZOOM_EVENT_KINDS) and len(SUBSCRIPTION_EVENTS) == len(set(SUBSCRIPTION_EVENTS))


def _documented_event_scopes(spec: ZoomSpec, event: str) -> set[str]:
    description = spec.webhooks[event]["post"]["requestBody"]["description"]
    found = re.findall(r"\*\*\[(?:Granular )?Scopes\]\([^)]*\):\*\* (.*)", description)
    return {s for line in found for s in re.findall(r"`([^`]+)`", line)}


def test_every_scope_list_is_zooms_own() -> None:
    spec = ZoomSpec.load()
    for feature in FEATURES:
        for grant in feature.grants:
            assert grant.admin in grant.accepts and grant.admin.endswith(":admin"), grant
            assert grant.user is None or (grant.user in grant.accepts and not grant.user.endswith(":admin")), grant
            if grant.what.startswith("events "):
                events = [e.strip() for e in grant.what.removeprefix("events ").split(",")]
                assert set(events) <= set(SUBSCRIPTION_EVENTS)
                for event in events:
                    assert set(grant.accepts) == _documented_event_scopes(spec, event), event
                continue
            method, template = grant.what.split(" ", 1)
            (security,) = [s["openapi_oauth"] for s in spec.operation(method, template)["security"] if "openapi_oauth" in s]
            assert set(grant.accepts) == set(security), f"{grant.what}: {sorted(set(grant.accepts) ^ set(security))}"


def test_the_check_names_missing_scopes_by_feature_and_extra_ones() -> None:
    everything = check_scopes(SERVER_TO_SERVER_SCOPES, own_sign_in=False, assistant_user=True)
    assert (everything.missing, everything.extra) == ((), ())
    short = check_scopes([s for s in SERVER_TO_SERVER_SCOPES if s != "meeting:read:participant:admin"], own_sign_in=False, assistant_user=True)
    assert [(f.key, add) for f, add in short.missing] == [("events", ("meeting:read:participant:admin",))]
    # The assistant's ZAK scope is needed only when the school gave the assistant a Zoom user.
    no_zak = [s for s in SERVER_TO_SERVER_SCOPES if s != "user:read:token:admin"]
    assert check_scopes(no_zak, own_sign_in=False, assistant_user=False).missing == ()
    assert [f.key for f, _ in check_scopes(no_zak, own_sign_in=False, assistant_user=True).missing] == ["assistant_user"]
    own = check_scopes(OWN_SIGN_IN_SCOPES, own_sign_in=True, assistant_user=False)
    assert own.missing == () and own.extra == ()
    assert [f.key for f in own.not_for_this_sign_in] == ["account_settings", "admin_locks", "audit", "dashboard"]


def test_the_guide_and_the_readme_name_the_addresses_zoomhost_contacts() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for base in (DEFAULT_API_BASE, DEFAULT_OAUTH_BASE, DEFAULT_WS_BASE):
        parts = urlsplit(base)
        address = f"{parts.scheme}://{parts.hostname}"
        assert f"`{address}`" in guide and f"`{address}`" in readme, address
    assert "docs/zoom-setup.md" in readme
