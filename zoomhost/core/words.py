"""Small pieces of English shared by every sentence zoomhost writes."""

from __future__ import annotations


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 incident``, ``2 incidents``: a count with its noun, singular or plural as English wants."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
