"""Zoom app secrets, kept only in the operating system's keyring.

Everything lives under ONE keyring service name, ``zoomhost``, with these usernames:

=====================  =======================================================
``account_id``         Server-to-Server OAuth app: the school's Zoom account ID
``client_id``          the app's client ID (both sign-in kinds)
``client_secret``      the app's client secret (both sign-in kinds)
``sdk_key``            Meeting SDK app key (the host assistant)
``sdk_secret``         Meeting SDK app secret
``user_refresh_token`` user OAuth: the latest refresh token (Zoom rotates it on each use)
=====================  =======================================================

``ZOOMHOST_ACCOUNT_ID``, ``ZOOMHOST_CLIENT_ID`` and ``ZOOMHOST_CLIENT_SECRET`` override the
keyring for scripts. With no usable keyring (none installed, locked, or one that writes
plain files), secrets are held in memory for this run only and the store says so.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import keyring
import keyring.backend
import keyring.errors

from zoomhost.system.redact import register_secret

log = logging.getLogger(__name__)

SERVICE = "zoomhost"
FIELDS: tuple[str, ...] = ("account_id", "client_id", "client_secret", "sdk_key", "sdk_secret", "user_refresh_token")
SECRET_FIELDS = frozenset({"client_secret", "sdk_secret", "user_refresh_token"})
ENV_OVERRIDES: Mapping[str, str] = {
    "account_id": "ZOOMHOST_ACCOUNT_ID",
    "client_id": "ZOOMHOST_CLIENT_ID",
    "client_secret": "ZOOMHOST_CLIENT_SECRET",
}
LABELS: Mapping[str, str] = {
    "account_id": "Account ID",
    "client_id": "Client ID",
    "client_secret": "Client secret",
    "sdk_key": "Meeting SDK key",
    "sdk_secret": "Meeting SDK secret",
    "user_refresh_token": "Zoom sign-in (refresh token)",
}
# Backends that "work" but would put a secret in a plain file or nowhere at all.
_REFUSED_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


@dataclass(frozen=True)
class ServerToServerCredentials:
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class UserOAuthCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FieldStatus:
    """What ``credentials show`` prints for one field: set or not, where, and a masked value."""

    name: str
    label: str
    is_set: bool
    source: str | None  # "environment (ZOOMHOST_…)", the keyring's name, or "memory (this run only)"
    masked: str | None


def mask(value: str, *, secret: bool) -> str:
    """Enough to tell two values apart, never enough to use one."""
    if secret or len(value) < 8:
        return "•" * 8
    return f"{value[:2]}…{value[-2:]}"


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    name = getattr(backend, "name", None) or type(backend).__name__
    return str(name).replace(" (priority", "")


def _usable(backend: keyring.backend.KeyringBackend) -> tuple[bool, str]:
    module = type(backend).__module__
    if module.startswith(_REFUSED_MODULE_PREFIXES):
        return False, "no system keyring is available"
    if module.startswith("keyring.backends.chainer"):
        chained = [b for b in getattr(backend, "backends", []) if _usable(b)[0]]
        if not chained:
            return False, "no system keyring is available"
    try:
        backend.get_password(SERVICE, "account_id")
    except Exception as exc:  # noqa: BLE001 - any backend failure means "not usable"; we say why
        return False, f"the system keyring did not answer ({type(exc).__name__})"
    return True, ""


class CredentialStore:
    """The secrets zoomhost needs, read from the environment, then the keyring (or memory)."""

    def __init__(
        self,
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._memory: dict[str, str] = {}
        usable, why = _usable(self._backend)
        self._persistent = usable
        self._why_not = why
        if not usable:
            log.warning("credentials held in memory for this run only: %s", why)

    # -- where -------------------------------------------------------------------------------
    @property
    def is_persistent(self) -> bool:
        """True when secrets survive a restart (they are in the system keyring)."""
        return self._persistent

    @property
    def backend_description(self) -> str:
        if self._persistent:
            return f"system keyring ({_backend_name(self._backend)}), service {SERVICE!r}"
        return f"memory only, forgotten when zoomhost closes: {self._why_not}"

    @property
    def why_not_persistent(self) -> str:
        """Why secrets cannot be kept (empty when they are): words for the settings page."""
        return "" if self._persistent else self._why_not

    # -- values ------------------------------------------------------------------------------
    def get(self, name: str) -> str | None:
        value, _ = self._lookup(name)
        return value

    def _lookup(self, name: str) -> tuple[str | None, str | None]:
        _check(name)
        env_name = ENV_OVERRIDES.get(name)
        if env_name and self._environ.get(env_name):
            value = self._environ[env_name]
            if name in SECRET_FIELDS:
                register_secret(value)
            return value, f"environment ({env_name})"
        if name in self._memory:
            return self._memory[name], "memory (this run only)"
        if self._persistent:
            try:
                value = self._backend.get_password(SERVICE, name)
            except Exception as exc:  # noqa: BLE001 - a keyring that stops answering: fall back, say so
                self._fall_back(f"the system keyring stopped answering ({type(exc).__name__})")
                return None, None
            if value:
                if name in SECRET_FIELDS:
                    register_secret(value)
                return value, _backend_name(self._backend)
        return None, None

    def set(self, name: str, value: str) -> None:
        """Keep a value in the keyring (or in memory when there is none)."""
        _check(name)
        value = value.strip()
        if not value:
            raise ValueError(f"{LABELS[name]} is empty")
        if name in SECRET_FIELDS:
            register_secret(value)
        if self._persistent:
            try:
                self._backend.set_password(SERVICE, name, value)
                self._memory.pop(name, None)
                return
            except Exception as exc:  # noqa: BLE001 - e.g. a locked keyring: keep the value for this run
                self._fall_back(f"the system keyring refused to store it ({type(exc).__name__})")
        self._memory[name] = value

    def delete(self, name: str) -> None:
        _check(name)
        self._memory.pop(name, None)
        if self._persistent:
            try:
                self._backend.delete_password(SERVICE, name)
            except keyring.errors.PasswordDeleteError:
                pass

    def clear(self) -> None:
        for name in FIELDS:
            self.delete(name)

    def status(self) -> list[FieldStatus]:
        rows = []
        for name in FIELDS:
            value, source = self._lookup(name)
            rows.append(
                FieldStatus(
                    name=name,
                    label=LABELS[name],
                    is_set=value is not None,
                    source=source,
                    masked=mask(value, secret=name in SECRET_FIELDS) if value else None,
                )
            )
        return rows

    # -- what sign-in needs ------------------------------------------------------------------
    def server_to_server(self) -> ServerToServerCredentials | None:
        account_id, client_id, secret = (self.get(n) for n in ("account_id", "client_id", "client_secret"))
        if account_id and client_id and secret:
            return ServerToServerCredentials(account_id=account_id, client_id=client_id, client_secret=secret)
        return None

    def user_oauth(self) -> UserOAuthCredentials | None:
        client_id, secret = self.get("client_id"), self.get("client_secret")
        if client_id and secret:
            return UserOAuthCredentials(
                client_id=client_id, client_secret=secret, refresh_token=self.get("user_refresh_token")
            )
        return None

    def _fall_back(self, why: str) -> None:
        if self._persistent:
            log.warning("credentials held in memory for this run only: %s", why)
        self._persistent = False
        self._why_not = why


def _check(name: str) -> None:
    if name not in FIELDS:
        raise KeyError(f"unknown credential {name!r}; known: {', '.join(FIELDS)}")


# ---- the register's surname key -------------------------------------------------------------------
# Not a Zoom secret, but kept the same way: the key that makes the register's surname digests
# (``core.names.surname_digests``), one per installation, under the same service name. Without a
# usable keyring it is made for this run only, so a later run cannot match the digests an import
# made now and tells pupils apart by surname initial until the register is imported again.
REGISTER_KEY_NAME = "register_surname_key"


@dataclass(frozen=True)
class RegisterKey:
    secret: bytes = field(repr=False)
    kept: bool  # in the system keyring: later runs have it too
    why_not: str = ""  # why it is not kept (empty when it is)


_register_key: RegisterKey | None = None
_register_key_lock = threading.Lock()


def register_key(*, backend: keyring.backend.KeyringBackend | None = None) -> RegisterKey:
    """This installation's surname key: from the keyring, made and kept there on first use (or for this run only)."""
    global _register_key
    with _register_key_lock:
        if _register_key is not None and backend is None:
            return _register_key
        chosen = backend if backend is not None else keyring.get_keyring()
        usable, why = _usable(chosen)
        found: RegisterKey | None = None
        if usable:
            try:
                value = chosen.get_password(SERVICE, REGISTER_KEY_NAME)
                if not value:
                    value = secrets.token_hex(32)
                    chosen.set_password(SERVICE, REGISTER_KEY_NAME, value)
                register_secret(value)
                found = RegisterKey(secret=bytes.fromhex(value), kept=True)
            except Exception as exc:  # noqa: BLE001 - any keyring failure: a key for this run, and say so
                why = f"the system keyring did not keep it ({type(exc).__name__})"
        if found is None:
            log.warning("the register's surname key is held for this run only: %s", why)
            found = RegisterKey(secret=secrets.token_bytes(32), kept=False, why_not=why)
        if backend is None:
            _register_key = found
        return found
