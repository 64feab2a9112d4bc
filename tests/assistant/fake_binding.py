"""A fake ``zoom_meeting_sdk`` with exactly the public names of the 0.0.27 listing.

The names come from parsing tests/data/zoom-sdk/binding-surface.txt and the member
signatures from binding-signatures.txt. Behaviour is delegated to a backend (the rehearsal
binding on a real rehearsal ZoomState); every attribute the code under test reads is
recorded, a name the listing lacks raises AttributeError (and is remembered as a
violation), and calls are checked against the listed signatures. ``fail`` makes the next
call of a member return a chosen ``SDKError``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "zoom-sdk"


@dataclass(frozen=True)
class Surface:
    kinds: dict[str, str]  # name -> class | enum | value | function
    members: dict[str, frozenset[str]]  # class or enum -> member names
    signatures: dict[tuple[str, str], inspect.Signature]  # (class or "", member) -> signature

    def has(self, owner: str, name: str) -> bool:
        return name in self.members.get(owner, frozenset())


_PARAM = re.compile(r"^(?P<name>\w+)(?::\s*(?P<type>[^=]+?))?(?:\s*=\s*(?P<default>.+))?$")


def _split_params(text: str) -> list[str]:
    depth, current, parts = 0, "", []
    for ch in text:
        if ch in "[(<":
            depth += 1
        elif ch in "])>":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def parse_signature(text: str) -> inspect.Signature:
    """``Name(self, arg: int, /) -> X`` as an inspect.Signature (without self), annotations kept as text."""
    inner = text[text.index("(") + 1 : text.rindex(")")]
    parts = [p for p in _split_params(inner) if p != "self"]
    positional_only = "/" in parts
    params: list[inspect.Parameter] = []
    before_slash = True
    for part in parts:
        if part == "/":
            before_slash = False
            continue
        match = _PARAM.match(part)
        assert match, part
        kind = (
            inspect.Parameter.POSITIONAL_ONLY
            if positional_only and before_slash
            else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        default = inspect.Parameter.empty
        if match["default"] is not None:
            default = eval(match["default"], {})  # noqa: S307 - literals from a data listing (True/False/None)
        params.append(
            inspect.Parameter(match["name"], kind, default=default, annotation=(match["type"] or "").strip())
        )
    return inspect.Signature(params)


def load_surface() -> Surface:
    kinds: dict[str, str] = {}
    members: dict[str, frozenset[str]] = {}
    signatures: dict[tuple[str, str], inspect.Signature] = {}
    for line in (DATA / "binding-surface.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind, *rest = line.split(None, 2)
        kinds[name] = kind
        if kind in ("class", "enum"):
            members[name] = frozenset(rest[0].split()) if rest else frozenset()
        elif kind == "function":
            signatures[("", name)] = parse_signature(rest[0])
    owner = ""
    for line in (DATA / "binding-signatures.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            owner = line.strip("[]")
        elif line.startswith("  ") and ":" in line:
            member, text = line.strip().split(": ", 1)
            if text.startswith(member + "("):
                signatures[(owner, member)] = parse_signature(text)
        elif line and not line.startswith("#") and ":" in line:
            owner = ""
            name, text = line.split(": ", 1)
            signatures[("", name)] = parse_signature(text)
    return Surface(kinds=kinds, members=members, signatures=signatures)


SURFACE = load_surface()

_SIMPLE_TYPES = {"int": int, "bool": bool, "str": str}


def _check_call(owner: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    signature = SURFACE.signatures.get((owner, name))
    if signature is None:
        return
    bound = signature.bind(*args, **kwargs)  # TypeError, as nanobind raises, when the shape is wrong
    for param_name, value in bound.arguments.items():
        expected = _SIMPLE_TYPES.get(signature.parameters[param_name].annotation)
        if expected is bool and not isinstance(value, bool):
            raise TypeError(f"{owner}.{name}(): {param_name} must be bool, not {type(value).__name__}")
        if expected in (int, str) and (not isinstance(value, expected) or isinstance(value, bool)):
            raise TypeError(f"{owner}.{name}(): {param_name} must be {expected.__name__}, not {type(value).__name__}")


def _unwrap(value: Any) -> Any:
    return object.__getattribute__(value, "_target") if isinstance(value, _ObjectProxy) else value


@dataclass
class Recorder:
    touched: set[tuple[str, str]] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    calls: list[tuple[str, str, tuple[Any, ...]]] = field(default_factory=list)
    callback_kwargs: set[tuple[str, str]] = field(default_factory=set)


class _ObjectProxy:
    """An object of one of the binding's classes: only its listed members can be reached."""

    def __init__(self, target: Any, owner: str, recorder: Recorder, backend: Any) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_recorder", recorder)
        object.__setattr__(self, "_backend", backend)

    def __getattr__(self, name: str) -> Any:
        owner = object.__getattribute__(self, "_owner")
        recorder: Recorder = object.__getattribute__(self, "_recorder")
        if not SURFACE.has(owner, name):
            recorder.violations.append(f"{owner}.{name}")
            raise AttributeError(f"'{owner}' object has no attribute '{name}'")
        recorder.touched.add((owner, name))
        target = object.__getattribute__(self, "_target")
        backend = object.__getattribute__(self, "_backend")
        value = getattr(target, name, _MISSING)
        if value is _MISSING:
            return _unscripted(owner, name)
        if callable(value):
            return _wrap_call(owner, name, value, recorder, backend)
        return _wrap_result(value, recorder, backend)

    def __setattr__(self, name: str, value: Any) -> None:
        owner = object.__getattribute__(self, "_owner")
        recorder: Recorder = object.__getattribute__(self, "_recorder")
        if not SURFACE.has(owner, name):
            recorder.violations.append(f"{owner}.{name} (set)")
            raise AttributeError(f"'{owner}' object has no attribute '{name}'")
        recorder.touched.add((owner, name))
        setattr(object.__getattribute__(self, "_target"), name, _unwrap(value))

    def __dir__(self) -> list[str]:
        return sorted(SURFACE.members.get(object.__getattribute__(self, "_owner"), ()))


_MISSING = object()


def _unscripted(owner: str, name: str) -> Callable[..., Any]:
    def call(*_args: Any, **_kwargs: Any) -> Any:
        raise NotImplementedError(f"the fake binding does not play {owner}.{name}")

    return call


def _wrap_result(value: Any, recorder: Recorder, backend: Any) -> Any:
    owner = getattr(value, "_surface_class", None)
    if owner is not None and not isinstance(value, type):
        return _ObjectProxy(value, owner, recorder, backend)
    return value


def _wrap_call(owner: str, name: str, fn: Callable[..., Any], recorder: Recorder, backend: Any) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        _check_call(owner, name, args, kwargs)
        recorder.calls.append((owner, name, args))
        pending = recorder.faults.get(name)
        if pending:
            return getattr(backend.SDKError, pending.pop(0))
        return _wrap_result(fn(*(_unwrap(a) for a in args), **{k: _unwrap(v) for k, v in kwargs.items()}), recorder, backend)

    return call


class FakeBinding:
    """The module ``zoom_meeting_sdk`` as the listing has it, played by ``backend``."""

    def __init__(self, backend: Any) -> None:
        object.__setattr__(self, "_backend", backend)
        object.__setattr__(self, "recorder", Recorder())

    def fail(self, member: str, error: str, *, times: int = 1) -> None:
        """The next ``times`` calls of ``member`` answer ``error`` (an SDKError name) instead."""
        self.recorder.faults.setdefault(member, []).extend([error] * times)

    def __getattr__(self, name: str) -> Any:
        recorder: Recorder = object.__getattribute__(self, "recorder")
        backend = object.__getattribute__(self, "_backend")
        kind = SURFACE.kinds.get(name)
        if kind is None:
            recorder.violations.append(name)
            raise AttributeError(f"module 'zoom_meeting_sdk' has no attribute '{name}'")
        recorder.touched.add(("", name))
        value = getattr(backend, name, _MISSING)
        if value is _MISSING:
            return _unscripted("zoom_meeting_sdk", name)
        if kind == "class":
            return _class_factory(name, value, recorder, backend)
        if kind == "function":
            return _wrap_call("", name, value, recorder, backend)
        return value

    def __dir__(self) -> list[str]:
        return sorted(SURFACE.kinds)


def _class_factory(name: str, cls: Any, recorder: Recorder, backend: Any) -> Callable[..., Any]:
    def construct(*args: Any, **kwargs: Any) -> Any:
        for keyword in kwargs:
            recorder.callback_kwargs.add((name, keyword))
            member = keyword.removesuffix("Callback")
            if not keyword.endswith("Callback") or not SURFACE.has(name, member):
                recorder.violations.append(f"{name}({keyword}=)")
                raise TypeError(f"{name}.__init__() got an unexpected keyword argument '{keyword}'")
        return _ObjectProxy(cls(*args, **kwargs), name, recorder, backend)

    return construct
