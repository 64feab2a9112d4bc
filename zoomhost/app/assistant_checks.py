"""Two lines of Test connection (and so of ``zoomhost doctor``) about the host assistant.

* **Host assistant on this computer**: the assistant needs Linux, GLib's Python bindings (the one
  main loop every Meeting SDK call is made on) and Zoom's Meeting SDK binding. A child process of
  the Python the panel starts the assistant with, given the environment the assistant is given,
  loads each as the assistant does (:mod:`zoomhost.assistant.runtime_probe`).
* **Assistant's Zoom sign-in**: with a Zoom user for the assistant in Settings, Zoom must hand
  zoomhost that user's access key (ZAK, ``GET /users/{userId}/token?type=zak``), and the user must
  be licensed (only a licensed user can be a meeting's alternative host).

Each says pass, fail with the fix, or unknown (not tried, and why). A computer that cannot run the
assistant is a warning, not a failure: the Live panel then shows the Zoom step for each control.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Mapping

from zoomhost.assistant.process import assistant_environment
from zoomhost.assistant.runtime_probe import PROBE_MARK
from zoomhost.core.preflight import RuleStatus
from zoomhost.system import platforms
from zoomhost.zoom.checkup import CheckLine
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.errors import NotFound, NotPermitted, ZoomError

ASSISTANT_HERE = "Host assistant on this computer"
ASSISTANT_SIGN_IN = "Assistant's Zoom sign-in"
SDK_HINT = "Install it with `pip install 'zoomhost[assistant]'` (Linux x86_64)."
FALLBACK = "Until then the Live panel shows the Zoom step for each control instead."

log = logging.getLogger(__name__)


def _not_linux() -> CheckLine:
    return CheckLine(
        what=ASSISTANT_HERE,
        status=RuleStatus.WARN,
        text=f"{platforms.ASSISTANT_LINUX_ONLY}, and this computer runs {platforms.name()}: "
        f"run it on a school Linux computer with `zoomhost assistant`. {FALLBACK}",
    )


async def assistant_runtime_check(
    *, python: str = sys.executable, environ: Mapping[str, str] | None = None, timeout: float = 60.0
) -> CheckLine:
    """Whether the host assistant can run here: GLib's main loop and the Meeting SDK binding load.

    On Windows and macOS nothing is started: Zoom's Meeting SDK for Python does not exist there."""
    if not platforms.assistant_can_run_here():
        return _not_linux()
    env = assistant_environment(os.environ if environ is None else environ)
    try:
        child = await asyncio.create_subprocess_exec(
            python, "-m", "zoomhost.assistant.runtime_probe",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env,
        )  # fmt: skip
    except OSError as err:
        return CheckLine(what=ASSISTANT_HERE, status=RuleStatus.UNKNOWN, text=f"zoomhost could not start Python to check ({err.strerror}).")
    try:
        out, _ = await asyncio.wait_for(child.communicate(), timeout)
    except TimeoutError:
        child.kill()
        await child.wait()
        return CheckLine(what=ASSISTANT_HERE, status=RuleStatus.UNKNOWN, text=f"The check did not finish in {timeout:.0f} seconds.")
    answer = None
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith(PROBE_MARK):
            try:
                answer = json.loads(line[len(PROBE_MARK) :])
            except ValueError:
                answer = None
    if not isinstance(answer, dict):
        log.warning("the host assistant probe ended with status %s and no answer", child.returncode)
        return CheckLine(
            what=ASSISTANT_HERE,
            status=RuleStatus.WARN,
            text=f"Loading the host assistant's parts stopped Python (exit status {child.returncode}): "
            f"reinstall Zoom's Meeting SDK ({SDK_HINT}) and GLib's bindings (`sudo apt install python3-gi`). {FALLBACK}",
        )
    if not answer.get("platform"):
        return _not_linux()
    problems = []
    if answer.get("glib"):
        problems.append(str(answer["glib"]))
    if answer.get("sdk"):
        problems.append(f"{answer['sdk']} {SDK_HINT}")
    if problems:
        return CheckLine(what=ASSISTANT_HERE, status=RuleStatus.WARN, text=" ".join(problems) + f" {FALLBACK}")
    return CheckLine(
        what=ASSISTANT_HERE,
        status=RuleStatus.PASS,
        text="GLib's main loop and Zoom's Meeting SDK load: the panel can start the host assistant here.",
    )


async def assistant_sign_in_check(client: ZoomClient, assistant_user: str) -> CheckLine:
    """Whether Zoom hands zoomhost the ZAK of the assistant's Zoom user, and that user is licensed."""
    user = assistant_user.strip()
    if not user:
        return CheckLine(
            what=ASSISTANT_SIGN_IN,
            status=RuleStatus.UNKNOWN,
            text="Not tried: no Zoom user is set for the assistant, so it joins as a guest and waits for your one step "
            "(admit it, make it co-host). Set Settings ▸ Assistant's Zoom user to need no step.",
        )
    try:
        found = await client.get_user(user)
        await client.user_zak(user)
    except NotFound:
        return CheckLine(
            what=ASSISTANT_SIGN_IN,
            status=RuleStatus.FAIL,
            text=f"Zoom has no user {user} in the school's account: check Settings ▸ Assistant's Zoom user, or clear it "
            "to let the assistant join as a guest.",
        )
    except NotPermitted as err:
        return CheckLine(
            what=ASSISTANT_SIGN_IN,
            status=RuleStatus.FAIL,
            text=f"{err.user_text()} Reading another user's access key needs the school's Server-to-Server app "
            "(scope user:read:admin); a teacher's own sign-in cannot.",
        )
    except ZoomError as err:
        return CheckLine(what=ASSISTANT_SIGN_IN, status=RuleStatus.FAIL, text=f"Zoom gave no access key (ZAK) for {user}: {err.user_text()}")
    if found.get("type") == 1:
        return CheckLine(
            what=ASSISTANT_SIGN_IN,
            status=RuleStatus.FAIL,
            text=f"{user} has a Basic (free) Zoom licence: only a licensed user can be a meeting's alternative host. "
            "Ask the school's Zoom administrator to license it.",
        )
    return CheckLine(
        what=ASSISTANT_SIGN_IN,
        status=RuleStatus.PASS,
        text=f"Zoom hands zoomhost {user}'s access key: the assistant joins as that user, with no step for you.",
    )
