"""Secrets in the real Secret Service keyring (gnome-keyring under a private D-Bus), or in memory only."""

from __future__ import annotations

import logging

import keyring
import keyring.backends.fail
import pytest

from tests.conftest import require
from zoomhost.system import redact
from zoomhost.zoom.credentials import FIELDS, SERVICE, CredentialStore


@pytest.fixture
def secret_service() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    require(
        type(backend).__module__ == "keyring.backends.SecretService",
        "no Secret Service keyring in this session (run under tests/in-keyring-session.sh)",
    )
    yield backend
    for name in FIELDS:
        try:
            backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass


def test_secrets_round_trip_through_the_system_keyring_under_one_service(secret_service) -> None:  # noqa: ANN001
    store = CredentialStore(environ={})
    assert store.is_persistent
    assert "SecretService" in store.backend_description and "'zoomhost'" in store.backend_description
    store.set("account_id", "acct-123456")
    store.set("client_secret", "s3cr3t-client-secret")
    # Another store (another run of zoomhost) sees them, straight from the keyring.
    again = CredentialStore(environ={})
    assert again.get("client_secret") == "s3cr3t-client-secret"
    assert secret_service.get_password("zoomhost", "account_id") == "acct-123456"
    assert secret_service.get_password("zoomhost", "client_secret") == "s3cr3t-client-secret"


def test_a_secret_read_from_the_keyring_is_masked_in_logs(secret_service, caplog) -> None:  # noqa: ANN001
    secret_service.set_password("zoomhost", "client_secret", "kept-elsewhere-secret")
    redact.forget_secrets()
    CredentialStore(environ={}).get("client_secret")
    assert redact.redact("sent kept-elsewhere-secret to Zoom") == "sent [redacted] to Zoom"


def test_clear_removes_every_field_from_the_keyring(secret_service) -> None:  # noqa: ANN001
    store = CredentialStore(environ={})
    for name in FIELDS:
        store.set(name, f"value-for-{name}")
    store.clear()
    assert all(secret_service.get_password("zoomhost", name) is None for name in FIELDS)
    assert not any(row.is_set for row in CredentialStore(environ={}).status())


def test_environment_overrides_the_keyring_for_scripts(secret_service) -> None:  # noqa: ANN001
    store = CredentialStore(environ={"ZOOMHOST_CLIENT_ID": "from-env-id"})
    store.set("client_id", "from-keyring-id")
    assert store.get("client_id") == "from-env-id"
    row = next(r for r in store.status() if r.name == "client_id")
    assert row.source == "environment (ZOOMHOST_CLIENT_ID)"


def test_with_no_usable_keyring_secrets_live_in_memory_and_the_store_says_so(caplog) -> None:  # noqa: ANN001
    with caplog.at_level(logging.WARNING):
        store = CredentialStore(backend=keyring.backends.fail.Keyring(), environ={})
    assert not store.is_persistent
    assert store.backend_description.startswith("memory only")
    assert "memory" in caplog.text
    store.set("client_secret", "only-for-this-run")
    assert store.get("client_secret") == "only-for-this-run"
    assert next(r for r in store.status() if r.name == "client_secret").source == "memory (this run only)"
    # A new run does not have it: nothing was written anywhere.
    assert CredentialStore(backend=keyring.backends.fail.Keyring(), environ={}).get("client_secret") is None


def test_a_keyring_that_fails_on_write_keeps_the_value_for_this_run_and_says_so() -> None:
    class LockedKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError("locked")

        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("locked")

    store = CredentialStore(backend=LockedKeyring(), environ={})
    assert store.is_persistent
    store.set("client_id", "abc-client-id")
    assert store.get("client_id") == "abc-client-id"
    assert not store.is_persistent and "refused" in store.backend_description


def test_status_masks_every_value_and_never_shows_a_secret() -> None:
    store = CredentialStore(backend=keyring.backends.fail.Keyring(), environ={})
    store.set("client_id", "AbCdEfGhIjKl")
    store.set("client_secret", "VerySecretValue123")
    rows = {r.name: r for r in store.status()}
    assert rows["client_secret"].masked == "••••••••"
    assert rows["client_id"].masked == "Ab…Kl"
    assert not rows["sdk_key"].is_set and rows["sdk_key"].masked is None
    assert "VerySecretValue123" not in repr(rows)


def test_server_to_server_credentials_need_all_three_fields() -> None:
    store = CredentialStore(backend=keyring.backends.fail.Keyring(), environ={"ZOOMHOST_ACCOUNT_ID": "acc"})
    store.set("client_id", "cid")
    assert store.server_to_server() is None
    store.set("client_secret", "csecret")
    creds = store.server_to_server()
    assert creds is not None and (creds.account_id, creds.client_id) == ("acc", "cid")
    assert creds.client_secret == "csecret" and "csecret" not in repr(creds)
