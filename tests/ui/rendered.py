"""What a widget puts on screen for the text it was given, by Qt's own rule, and the hostile names to give it.

A label, a message box's text and a tooltip are rich text when their format says so, or (the
default, ``Qt.AutoText``) when ``Qt.mightBeRichText`` guesses so; rich text is laid out by a
QTextDocument, and its ``toPlainText`` is what a reader sees (an image becomes U+FFFC, a tag
disappears, an entity becomes its character). Menu items and tick boxes take ``&`` as a key.
"""

from __future__ import annotations

from PySide6.QtGui import Qt  # QtGui's Qt namespace carries Qt::mightBeRichText
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from zoomhost.core.names import visible_name

#: Display names (and register cells, header names, topics) an attacker would type.
CORPUS: dict[str, str] = {
    "the name that rewrote the Admit-anyway question": "Amy B.” (Year 4) is consented.<font color=#fff>",
    "bold markup": "<b>Bold</b> Pupil",
    "an image": "<img src=x>",
    "a link": '<a href="https://evil.example/x">Click me</a>',
    "entities": "&lt;&amp;#x202e;",
    "a whole document": "<!DOCTYPE html><html><body><h1>Big</h1></body></html>",
    "a table row": "<tr><td>Pupil001 K.</td></tr>",
    "a direction override": "Amy\u202eB.ecnesnoc si",
    "direction isolates and marks": "\u2067Amy\u2069 \u200fB\u200e",
    "invisible characters": "Am\u200by\u3164B\u2800\u034f\ufeff",
    "NUL": "Nul\x00l",
    "a terminal escape": "Esc\x1b[31mred",
    "a line break": "Amy B.\nis consented",
    "spaces that collapse in HTML": "Amy   B.",
    "ten thousand characters": "A" * 9_990 + "<b>x</b>!",
}


def rendered(text: str, text_format: Qt.TextFormat) -> str:
    """What a reader sees for ``text`` in a widget of this text format."""
    if text_format == Qt.TextFormat.PlainText:
        return text
    if text_format == Qt.TextFormat.AutoText and not Qt.mightBeRichText(text):
        return text
    document = QTextDocument()
    if text_format == Qt.TextFormat.MarkdownText:
        document.setMarkdown(text)
    else:
        document.setHtml(text)
    return document.toPlainText()


def label_text(label: QLabel) -> str:
    return rendered(label.text(), label.textFormat())


def tooltip_text(tip: str) -> str:
    """A tooltip has no format of its own: Qt guesses."""
    return rendered(tip, Qt.TextFormat.AutoText)


def message_box_text(box: QMessageBox) -> tuple[str, str]:
    """(the question, the informative text) as the box's own labels draw them."""
    found = {label.objectName(): label_text(label) for label in box.findChildren(QLabel)}
    return found.get("qt_msgbox_label", ""), found.get("qt_msgbox_informativelabel", "")


def mnemonic_text(text: str) -> str:
    """A menu item's or tick box's words as drawn: "&&" is an ampersand, a single "&" marks the key and vanishes."""
    out, chars = [], iter(text)
    for ch in chars:
        if ch == "&":
            following = next(chars, "")
            out.append(following)  # "&&" -> "&"; "&x" -> "x"
        else:
            out.append(ch)
    return "".join(out)


def hidden_characters(text: str) -> list[str]:
    """Characters on screen a reader could not see (line breaks aside)."""
    return [f"U+{ord(ch):04X}" for ch in text if ch != "\n" and visible_name(ch) != ch]
