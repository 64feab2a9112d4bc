"""Text from outside is only ever text: the window's one rule for showing it.

Display names, register cells and CSV header names, Zoom's messages, file names and the error
texts that quote them are typed by strangers. Qt reads a string as rich text whenever it looks
like HTML (``Qt.AutoText``, the default of every label, message box and tooltip), so a name such
as ``Amy B.” (Year 4) is consented.<font color=#fff>`` would rewrite zoomhost's own words. So:

* **Every label and message box shows plain text** (``Qt.PlainText``): make labels with
  :func:`plain_label`, questions with ``widgets.confirm`` and other boxes with
  ``widgets.message_box``. The only rich-text labels are page headings of zoomhost's own words
  (:func:`heading`).
* **Where rich text is unavoidable** (a tooltip, whose format Qt guesses; HTML zoomhost builds)
  every piece from outside is escaped: tooltips with :func:`tooltip`, anything else with
  :func:`escaped`. The summary page's HTML escapes every value in its template.
* **Every string from outside has its hidden characters written out** through
  ``core.names.visible_name`` (:func:`one_line` for a cell, an item or the status bar; :func:`shown`
  for a message of several lines, whose line breaks stay), so a direction override or a zero-width
  space can neither reorder nor hide the words around it; names are also shortened where space is short.
* Menu items and buttons take ``&`` as a keyboard mnemonic: outside text there goes through
  :func:`menu_text`.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from zoomhost.core.visible import visible_name

HEADING = "heading"  # the object name of the only rich-text labels: headings of zoomhost's own words


def one_line(text: object) -> str:
    """``text`` from outside for a place of one line (a cell, a list or menu item, the status bar): every
    character a reader could not see written out (``Amy⟦RLO⟧B``, ``⟦U+0000⟧``), line breaks too."""
    return visible_name(str(text))


def shown(text: object) -> str:
    """A message that may quote text from outside, for a place of several lines (a message panel, a
    question): every character a reader could not see written out, its line breaks kept. Applying it
    again changes nothing."""
    return "\n".join(visible_name(line) for line in str(text).split("\n"))


def escaped(text: object) -> str:
    """``text`` from outside for a piece of rich text: written out as :func:`shown`, then HTML-escaped."""
    return html.escape(shown(text), quote=True)


def tooltip(*lines: object) -> str:
    """A tooltip of these lines, escaped. Qt guesses whether a tooltip is rich text, so it is made rich
    on purpose: whatever a line holds, it is shown as the characters it is (spaces too)."""
    return '<p style="white-space: pre-wrap">' + "<br>".join(escaped(line).replace("\n", "<br>") for line in lines) + "</p>"


def menu_text(text: object) -> str:
    """Outside text for a menu item, tick box or button: written out, with ``&`` shown rather than taken as a key."""
    return one_line(text).replace("&", "&&")


def plain_label(text: str = "", parent: QWidget | None = None, *, name: str = "", wrap: bool = False) -> QLabel:
    """A label that shows its text exactly as given (never as rich text)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if name:
        label.setAccessibleName(name)
    return label


def heading(words: str, parent: QWidget | None = None) -> QLabel:
    """A page heading: zoomhost's own words, the one kind of label that is rich text."""
    label = QLabel(parent)
    label.setObjectName(HEADING)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(f"<h2>{html.escape(words)}</h2>")
    label.setAccessibleName(words)
    return label
