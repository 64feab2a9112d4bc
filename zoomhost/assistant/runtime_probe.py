"""Whether this computer can run the host assistant: ``python -m zoomhost.assistant.runtime_probe``.

Run in a child process by the same Python the panel starts the assistant with, so a missing or
crashing native library never takes the panel down: it loads GLib's Python bindings and makes a
``GLib.MainLoop`` (the one thread every SDK call is made on), then loads Zoom's Meeting SDK binding,
each exactly as the assistant does (:func:`~zoomhost.assistant.main_loop.import_glib`,
:func:`~zoomhost.assistant.sdk_binding.import_meeting_sdk`), and prints one line: ``PROBE_MARK``
followed by a JSON object ``{"platform": bool, "glib": str|null, "sdk": str|null}`` (null when that
part works, else what is wrong). The SDK may print its own lines; the marked line is the answer.
"""

from __future__ import annotations

import json
import sys

from zoomhost.assistant.sdk_adapter import AssistantUnavailable
from zoomhost.system import platforms

PROBE_MARK = "zoomhost-assistant-probe: "


def probe() -> dict[str, object]:
    """What works here, part by part (None for a part that works, else a sentence)."""
    answer: dict[str, object] = {"platform": platforms.assistant_can_run_here(), "glib": None, "sdk": None}
    from zoomhost.assistant.main_loop import import_glib

    try:
        glib = import_glib()
        glib.MainLoop()  # made, not run: this is what the assistant's SDK thread runs
    except AssistantUnavailable as err:
        answer["glib"] = err.user_text()
    except Exception as err:  # noqa: BLE001 - a broken installation is the finding
        answer["glib"] = f"GLib's Python bindings are installed but do not work ({type(err).__name__})."
    from zoomhost.assistant.sdk_binding import import_meeting_sdk

    try:
        import_meeting_sdk()
    except ImportError:
        answer["sdk"] = "Zoom's Meeting SDK for Python (zoom-meeting-sdk) is not installed for this Python."
    except Exception as err:  # noqa: BLE001
        answer["sdk"] = f"Zoom's Meeting SDK is installed but does not load ({type(err).__name__})."
    return answer


if __name__ == "__main__":
    result = probe()
    sys.stdout.flush()
    print(PROBE_MARK + json.dumps(result), flush=True)
