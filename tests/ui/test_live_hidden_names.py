"""A display name made of characters that show as nothing is shown with a mark, the same in the Live table as in `zoomhost dry-run`.

Hangul filler (U+3164), Braille blank (U+2800) and the combining grapheme joiner (U+034F) are
letters or marks, not control characters, yet a screen shows nothing for them: a name built from
them is flagged "Suspicious name" while looking blank or ordinary. The teacher must see why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt

from tests.ui.live_fixtures import event, new_session
from zoomhost.cli import main
from zoomhost.core.events import EventKind
from zoomhost.ui.live.model import ArrivalsTableModel, Column
from zoomhost.ui.live.table import ArrivalsTable

REGISTER = Path(__file__).resolve().parents[1] / "data" / "dryrun" / "register.csv"
BLANK_LOOKING = ("\u3164", "\u2800", "\u034f")
NAMES = ("Amy\u3164B", "\u2800\u2800", "Am\u034fy B", "\u3164\u2800\u034f")


def dry_run_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    names = tmp_path / "names.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    assert main(["dry-run", "--register", str(REGISTER), str(names)]) == 0
    lines = capsys.readouterr().out.splitlines()
    return [next(line for line in lines if line.startswith(f"{n} ")) for n in range(1, len(NAMES) + 1)]


def test_blank_looking_characters_are_marked_in_the_live_table_as_in_dry_run(qtbot, tmp_path, capsys) -> None:
    session = new_session()
    model = ArrivalsTableModel()
    for n, name in enumerate(NAMES):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"b{n}", name, seconds=n)))
    table = ArrivalsTable(model)  # the Live panel's own table, painted offscreen
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    qtbot.waitExposed(table)
    view, proxy = table.view, table.proxy
    dry_run = dry_run_lines(tmp_path, capsys)

    for row, name in enumerate(NAMES):  # the table shows the newest first: each name found by who it is
        index = proxy.mapFromSource(model.index(model.row_of(f"b{row}"), Column.NAME))
        cell = index.data()
        painted = view.itemDelegate().displayText(cell, QLocale())
        hidden = sum(name.count(ch) for ch in BLANK_LOOKING)
        assert not any(ch in painted for ch in BLANK_LOOKING), f"row {row} shows a blank-looking character as blank: {painted!r}"
        assert painted.count("⟦") == hidden, f"row {row}: each hidden character gets its own mark: {painted!r}"
        assert painted.replace("⟦U+3164⟧", "").replace("⟦U+2800⟧", "").replace("⟦U+034F⟧", "") == "".join(
            ch for ch in name if ch not in BLANK_LOOKING
        ), "the mark names the character, and the rest of the name is as typed"
        assert f"  {painted}  " in dry_run[row], f"dry-run shows the same text: {dry_run[row]!r} vs {painted!r}"
        tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
        assert f"Name in Zoom: {painted}" in tooltip


def test_the_alarm_about_such_a_name_shows_the_same_marks(qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QApplication

    from zoomhost.ui.live.banner import AlarmBanner, BannerItem

    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    banner = AlarmBanner()
    qtbot.addWidget(banner)
    name = "Amy\u3164B\u034f"
    banner.raise_item(BannerItem("suspicious", "Suspicious name", f"“{name}” has hidden or look-alike characters."))
    assert "“Amy⟦U+3164⟧B⟦U+034F⟧”" in banner.text.text()
    from zoomhost.core.names import visible_name  # the one function that shows a name

    assert visible_name(name) == "Amy⟦U+3164⟧B⟦U+034F⟧"
