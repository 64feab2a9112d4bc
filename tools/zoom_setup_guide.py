"""Write the setup guide's scope and event tables (docs/zoom-setup.md) from zoomhost's own list.

Run from the repository: ``python tools/zoom_setup_guide.py``. The tables sit between
``<!-- generated: NAME -->`` and ``<!-- end generated -->`` lines; the text around them is
written by hand. tests/zoom/test_setup_guide.py fails when the guide and the code disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "zoom-setup.md"
sys.path.insert(0, str(REPO))

from zoomhost.zoom.scopes import (  # noqa: E402
    FEATURES,
    OWN_SIGN_IN_SCOPES,
    REDIRECT_ADDRESS,
    SERVER_TO_SERVER_SCOPES,
    SUBSCRIPTION_EVENTS,
)

MARKER = re.compile(r"(<!-- generated: (?P<name>[a-z0-9_]+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def _code(items: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{item}`" for item in items) or "—"


def sections() -> dict[str, str]:
    """Each generated part of the guide, by its marker name."""
    rows = ["| What zoomhost does | Server-to-Server app (school) | Teacher's own sign-in (General app) | Without it |", "|---|---|---|---|"]
    for feature in FEATURES:
        user = feature.scopes(own_sign_in=True)
        own = _code(user) if len(user) == len(feature.scopes(own_sign_in=False)) else "not available: Zoom gives it only to an admin's app"
        name = feature.name + (" — only if the assistant has a Zoom user of its own" if feature.only_with_assistant_user else "")
        rows.append(f"| {name} | {_code(feature.scopes(own_sign_in=False))} | {own} | {feature.without[0].upper()}{feature.without[1:]} |")
    return {
        "feature_scopes": "\n".join(rows) + "\n",
        "s2s_scopes": "```\n" + "\n".join(SERVER_TO_SERVER_SCOPES) + "\n```\n",
        "user_scopes": "```\n" + "\n".join(OWN_SIGN_IN_SCOPES) + "\n```\n",
        "events": "```\n" + "\n".join(SUBSCRIPTION_EVENTS) + "\n```\n",
        "redirect": f"```\n{REDIRECT_ADDRESS}\n```\n",
    }


def render(text: str) -> str:
    """``text`` with every generated part rewritten from the code (an unknown marker is an error)."""
    parts = sections()

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in parts:
            raise KeyError(f"the guide has a generated part zoomhost does not make: {name}")
        return match.group(1) + parts[name] + match.group(4)

    return MARKER.sub(fill, text)


def main() -> int:
    text = GUIDE.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        GUIDE.write_text(new, encoding="utf-8")
        print(f"rewrote the generated parts of {GUIDE.relative_to(REPO)}")
    else:
        print(f"{GUIDE.relative_to(REPO)} already agrees with the code")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
