"""What zoomhost takes for an email address: one rule for every place an address comes in.

A staff list's email column, a parents' address file and a dry run's ``email:`` evidence are all read
with :func:`is_email_address`. It is at least as strict as Zoom's registration (the Meetings API
document: ``format: email``, at most 128 characters), so an address zoomhost keeps is never the one
that makes Zoom refuse a whole batch of families' registrations.
"""

from __future__ import annotations

#: Zoom's registrant ``email``: ``maxLength: 128``.
MAX_ADDRESS = 128
_LIST_MARKS = frozenset(',;<>"()[]\\')


def is_email_address(text: str) -> bool:
    """One ``name@domain`` address: a name of at most 64 characters, a domain of dotted labels (letters,
    digits and hyphens, none empty, none starting or ending with a hyphen), no spaces, no second @, and
    nothing of a list or a "Name <address>" form."""
    if not text or len(text) > MAX_ADDRESS or not text.isprintable():
        return False
    name, at, domain = text.rpartition("@")
    if not at or not 0 < len(name) <= 64 or "@" in name or name.startswith(".") or name.endswith(".") or ".." in name:
        return False
    if any(c.isspace() or c in _LIST_MARKS for c in text):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(_label(label) for label in labels)


def _label(label: str) -> bool:
    return (
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(c.isalnum() or c == "-" for c in label)
    )
