"""What each kind of Zoom sign-in may do: the scopes zoomhost asks for, and what a teacher's own sign-in loses.

Zoom lists, for every operation, the OAuth scopes a token needs (the ``security`` of each
operation in its OpenAPI documents). A school's Server-to-Server app can be given admin scopes;
a teacher who signs in as themselves (user OAuth, no admin rights) can grant only user-level
ones, so a few operations answer Zoom's 4711 ("does not contain scopes"). Settings, Test
connection and the README say this from here, in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from zoomhost.core.zoom_scopes import SERVER_TO_SERVER_SCOPES  # noqa: F401 - the one list, said here too


@dataclass(frozen=True)
class Loss:
    """One thing a teacher's own sign-in cannot do, and what zoomhost does instead."""

    what: str
    why: str
    instead: str

    def sentence(self) -> str:
        return f"{self.what}: {self.why} {self.instead}"


#: What a teacher's own Zoom sign-in (no admin rights) loses, compared with the school's app.
OWN_SIGN_IN_LOSES: tuple[Loss, ...] = (
    Loss(
        "The Dashboard (who is in a meeting now)",
        "Zoom gives it only to an admin's app (dashboard scopes), and only on Business and Education plans.",
        "After the event stream drops, or zoomhost restarts, it cannot check who came or left meanwhile: "
        "the Live panel says what may have been missed, and the host assistant's own list still counts.",
    ),
    Loss(
        "The account's settings",
        "Only an admin may read them (account:read:admin), and renaming is reported only there.",
        "Pre-flight shows “participants can rename themselves” as unknown, with the step to do by hand.",
    ),
    Loss(
        "Possibly the event stream",
        "Arrivals are heard live only if the Zoom app you sign in with has a WebSocket event subscription your sign-in may use.",
        "Test connection's “Event subscription” line says whether Zoom answers; without it, arrivals are heard only "
        "through the host assistant.",
    ),
)


def own_sign_in_summary() -> str:
    """One paragraph: what a teacher's own sign-in loses (Settings, Test connection, the README)."""
    return "With your own Zoom sign-in (no admin rights) zoomhost loses: " + " ".join(
        f"{n}. {loss.sentence()}" for n, loss in enumerate(OWN_SIGN_IN_LOSES, start=1)
    )
