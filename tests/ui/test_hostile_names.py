"""A name typed by a stranger is only ever text, everywhere the window shows it.

Each hostile name of ``rendered.CORPUS`` (markup, entities, direction overrides, invisible
characters, NUL, a 10,000-character name) goes where a display name or a register cell is shown:
the Admit-anyway and Remove questions, the Live table's cells and tooltips, the alarm banner, the
steps to do in Zoom, the start-of-session checks, the message panel, the status bar, the summary
page, and the Register page with its import preview. What is checked is what a reader would see
(the widget's text laid out by its own text format, ``rendered.py``): zoomhost's words all there,
and the name in them as its characters, hidden ones written out, never obeyed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox

from tests.ui.app_helpers import WAIT_MS, button_named, open_dialog, wait_for_dialog
from tests.ui.live_rig import live_page, rehearsal_server, select, services, start, wait_for_row  # noqa: F401 - fixtures
from tests.ui.live_fixtures import MEETING, T0, event
from tests.ui.rendered import CORPUS, hidden_characters, label_text, message_box_text, mnemonic_text, tooltip_text
from zoomhost.app import session as session_use_cases
from zoomhost.app.services import Services, build_services, session_journals
from zoomhost.app.session import LiveState, LiveUpdate, Notice, NoticeKind, StartChecksView, notices_in
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import EventKind
from zoomhost.core.models import Classification, Pupil, Verdict
from zoomhost.core.names import visible_name
from zoomhost.core.register import RegisterStore, read_register_file
from zoomhost.core.session import Arrival, LiveSession, SessionChange
from zoomhost.core.start_checks import StartChecklist
from zoomhost.core.summary import SessionSummary
from zoomhost.system import paths
from zoomhost.ui.checklist_page import ChecklistPage
from zoomhost.ui.live.controls import ControlsPanel
from zoomhost.ui.live.model import VERDICT_WORDS, Column, shown_name
from zoomhost.ui.live.page import LivePage
from zoomhost.ui.live.start_checks import StartChecksPanel
from zoomhost.ui.main import build_main_window, show_connection
from zoomhost.ui.register_page import ImportPreviewDialog, RegisterPage
from zoomhost.ui.summary_page import SummaryPage
from zoomhost.ui.widgets import MessagePanel

NAMES = list(CORPUS.values())
STEP = "In Zoom: Participants ▸ hover the name ▸ Admit"


def why(name: str) -> str:
    """The reason the classifier gives, quoting the name as it quotes words of one."""
    return f"no pupil called “{name[:64]}” on the register"


def stranger(display_name: str, present: object, identity: object = None) -> Classification:
    return Classification(Verdict.NOT_ON_REGISTER, reasons=(why(display_name),))


#: Pupils whose register cells are the corpus: first name, preferred name and class.
REGISTER_PUPILS = {f"pupil {n}": Pupil(n, name, None, "K", f"Year 4 {name[:40]}", True) for n, name in enumerate(NAMES, start=1)}


def pupil_from_register(display_name: str, present: object, identity: object = None) -> Classification:
    pupil = REGISTER_PUPILS[display_name]
    return Classification(Verdict.CONSENTED, pupil=pupil, reasons=(f"matches {pupil.label()}",))


def on_screen_as_text(seen: str, *, expected: str) -> list[str]:
    """What is wrong with ``seen``: it must be ``expected`` exactly, with nothing a reader cannot see."""
    problems = []
    if seen != expected:
        problems.append(f"shows {seen[:300]!r}\n    meant {expected[:300]!r}")
    if hidden_characters(seen):
        problems.append(f"shows hidden characters {hidden_characters(seen)[:5]} in {seen[:120]!r}")
    return problems


@pytest.fixture
def app_services() -> Iterator[Services]:
    """The app's services in rehearsal mode, for the window's parts that need them (nothing is started)."""
    with build_services(force_rehearsal=True) as built:
        yield built


@pytest.fixture
def strangers() -> Iterator[tuple[LiveSession, list[SessionChange]]]:
    """A live session where every name of the corpus waits, then is let in by someone in Zoom (an alarm each)."""
    journal = session_journals().create(meeting_id=MEETING, topic=CORPUS["bold markup"], planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=stranger)
    changes: list[SessionChange] = []
    for n, name in enumerate(NAMES):
        changes += session.apply(event(EventKind.WAITING_JOINED, f"h{n}", name, seconds=n))
    yield session, changes
    journal.close()


def waiting_rows(changes: list[SessionChange]) -> list[Arrival]:
    return [change.participant for change in changes if change.participant is not None]


def state_of(session: LiveSession) -> LiveState:
    """The engine's state as the app hands it to the panel (no session running on the page itself)."""
    return LiveState(
        version=10**9,
        session_id=session.journal.session_id,
        topic=session.journal.info.topic,
        rehearsal=True,
        locked=False,
        ended=False,
        autopilot=False,
        channel="manual",
        fallen_back=False,
        capabilities={},
        counts=session.counts(),
        admissible_waiting=0,
        pupils_present=0,
        clocks_from=T0,
        lock_deadline=None,
        planned_end=T0 + timedelta(minutes=30),
        planned_minutes=30,
        time_scale=1.0,
        links_in_use=session.links_in_use,
    )


def test_the_admit_anyway_and_remove_questions_say_zoomhosts_words_around_the_name(qtbot, strangers) -> None:
    _, changes = strangers
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    panel.show()
    problems: list[str] = []
    for person in waiting_rows(changes):
        name = person.display_name
        for key, title, question, details in (
            (
                "admit",
                "Admit someone the register does not allow?",
                f"“{shown_name(name)}” is not on register. Admit them anyway?",
                visible_name(why(name)),
            ),
            (
                "remove",
                "Remove from the meeting?",
                f"Remove “{shown_name(name)}” from the meeting?",
                "They are sent out of the meeting. Check first if they might be a pupil on another device.",
            ),
        ):
            panel.ask(key, person)
            box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
            seen, informative = message_box_text(box)
            problems += [f"{key} {name[:30]!r}: {p}" for p in on_screen_as_text(seen, expected=question)]
            problems += [f"{key} {name[:30]!r} details: {p}" for p in on_screen_as_text(informative, expected=details)]
            assert box.windowTitle() == title
            button_named(box, "Cancel").click()
            qtbot.waitUntil(lambda: open_dialog(QMessageBox, object_name="confirmation") is None, timeout=WAIT_MS)
    assert not problems, "\n".join(problems)


def test_the_live_panel_shows_each_name_as_text_in_its_table_alarms_and_steps(qtbot, app_services, strangers, monkeypatch) -> None:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    session, changes = strangers
    rows = waiting_rows(changes)
    for n in range(len(NAMES)):  # someone lets each of them in from Zoom itself: an alarm each
        changes += session.apply(event(EventKind.ADMITTED, f"h{n}", seconds=100 + n))
    steps = [Notice(NoticeKind.ZOOM_STEP, "", step=STEP, command_id=f"c{n}", participant_id=row.participant_id) for n, row in enumerate(rows)]
    page = LivePage(services=app_services)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.bridge.deliver(LiveUpdate(changes=tuple(changes), state=state_of(session), notices=(*notices_in(changes), *steps)))
    qtbot.waitUntil(lambda: page.model.rowCount() == len(NAMES), timeout=WAIT_MS)
    page.state_filter.setCurrentIndex(page.state_filter.findData("everyone"))
    problems: list[str] = []

    # The table: the name cell (shortened), the reasons, and the tooltip with the whole name.
    view, proxy = page.table, page.proxy
    for row, person in enumerate(rows):
        name = person.display_name
        index = proxy.mapFromSource(page.model.index(page.model.row_of(person.participant_id), Column.NAME))
        painted = view.itemDelegate().displayText(index.data(), QLocale())
        problems += [f"cell {name[:30]!r}: {p}" for p in on_screen_as_text(painted, expected=shown_name(name))]
        reasons = index.siblingAtColumn(Column.REASONS).data()
        problems += [f"reasons {name[:30]!r}: {p}" for p in on_screen_as_text(reasons, expected=visible_name(why(name)))]
        tip = tooltip_text(index.data(Qt.ItemDataRole.ToolTipRole))
        meant = "\n".join(
            (
                f"Name in Zoom: {visible_name(name)}",
                "Verdict: Not on register",
                "Who Zoom says: Typed name only",
                "Admit all and the autopilot: leave to you",
                "Matched: nobody on the register",
                "Where: In the meeting",
                f"Why: {visible_name(why(name))}",
            )
        )
        problems += [f"tooltip {name[:30]!r}: {p}" for p in on_screen_as_text(tip, expected=meant)]

    # The alarm banner, one alarm after another: the whole of zoomhost's sentence, the name shortened in it.
    assert len(page.banner.items) == len(NAMES)
    for person in rows:
        seen = label_text(page.banner.text)
        meant = (
            f"SOMEONE IS IN WHO SHOULD NOT BE: “{shown_name(person.display_name)}” (not on register) "
            "is in the meeting but is not a consented pupil or staff: check and remove if needed."
        )
        problems += [f"alarm {person.display_name[:30]!r}: {p}" for p in on_screen_as_text(seen, expected=meant)]
        tip = tooltip_text(page.banner.text.toolTip())  # everything the alarm says, the name written out, never markup
        problems += [f"alarm tooltip {person.display_name[:30]!r}: {p}" for p in on_screen_as_text(tip, expected=page.banner.words)]
        page.banner.acknowledge()

    # The steps to do in Zoom: the step, and whom it is for.
    for n, person in enumerate(rows):
        more = len(rows) - n - 1
        meant = f"{STEP} — for {shown_name(person.display_name, limit=40)}" + (f"   ({more} more after this)" if more else "")
        problems += [f"step {person.display_name[:30]!r}: {p}" for p in on_screen_as_text(label_text(page.steps.text), expected=meant)]
        page.steps.skip_button.click()

    # An error that quotes a name, in the page's message panel.
    for name in NAMES:
        error = ZoomhostError(f"Zoom would not admit “{name}”.", hint="Admit them in Zoom.")
        page.messages.show_error(error, doing="admitting")
        meant = "\n".join(visible_name(line) for line in error.user_text().split("\n"))
        problems += [f"message {name[:30]!r}: {p}" for p in on_screen_as_text(label_text(page.messages.text), expected=meant)]
    assert not problems, "\n".join(problems)


def test_the_start_checks_name_each_pupil_as_the_register_has_them(qtbot) -> None:
    journal = session_journals().create(meeting_id=MEETING, topic="Class", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=pupil_from_register)
    for n, display_name in enumerate(REGISTER_PUPILS):
        session.apply(event(EventKind.WAITING_JOINED, f"p{n}", display_name, seconds=n))
        session.apply(event(EventKind.ADMITTED, f"p{n}", seconds=50 + n))
    view = StartChecksView.read(StartChecklist(session=session))
    journal.close()
    assert view.per_pupil and len(view.pupils) == len(NAMES)
    panel = StartChecksPanel()
    qtbot.addWidget(panel)
    panel.show_view(view)
    shown_items = sorted(mnemonic_text(action.text()) for action in panel.pupils_menu.actions())
    meant = sorted(visible_name(pupil.label()) for pupil in REGISTER_PUPILS.values())
    problems = [p for seen, expected in zip(shown_items, meant, strict=True) for p in on_screen_as_text(seen, expected=expected)]
    assert not problems, "\n".join(problems)


def test_the_status_bar_says_zoom_s_words_as_text(qtbot, app_services) -> None:
    window = build_main_window(app_services)
    qtbot.addWidget(window)
    connection = app_services.runner.run(app_services.connected(), timeout=30)
    problems = []
    for name in NAMES:
        show_connection(window, dataclasses.replace(connection, reason=f"Zoom says: {name}"))
        problems += on_screen_as_text(window.statusBar().currentMessage(), expected=f"Zoom says: {visible_name(name)}")
    assert not problems, "\n".join(problems)


def test_every_label_in_the_window_is_plain_text_but_the_page_headings(qtbot, app_services) -> None:
    from zoomhost.ui.text import HEADING  # the object name of the one kind of rich-text label

    window = build_main_window(app_services)
    qtbot.addWidget(window)
    window.show()
    for key in ("register", "checklist", "live", "summary", "settings"):
        window.page(key)  # every page, as the teacher reaches it (each is made when first shown)
    labels = window.findChildren(QLabel)
    assert len(labels) > 40
    rich = [
        f"{label.objectName() or type(label.parent()).__name__}: {label.text()[:60]!r} ({label.textFormat().name})"
        for label in labels
        if label.textFormat() != Qt.TextFormat.PlainText and label.objectName() != HEADING
    ]
    assert rich == [], "labels that would read text as markup:\n" + "\n".join(rich)
    headings = sorted(label.text() for label in labels if label.objectName() == HEADING)
    assert headings == [
        "<h2>Live panel</h2>", "<h2>Meeting summary</h2>", "<h2>Pre-meeting checklist</h2>",
        "<h2>Register</h2>", "<h2>Sign-in and settings</h2>",
    ]  # fmt: skip


def test_the_summary_page_shows_names_and_register_cells_as_text(qtbot, app_services) -> None:
    topic = CORPUS["the name that rewrote the Admit-anyway question"]
    journal = session_journals().create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=lambda name, present, identity: (pupil_from_register if name in REGISTER_PUPILS else stranger)(name, present))
    for n, name in enumerate(NAMES):  # a stranger let in (an incident) and a pupil of the register, each
        session.apply(event(EventKind.WAITING_JOINED, f"h{n}", name, seconds=n))
        session.apply(event(EventKind.ADMITTED, f"h{n}", seconds=60 + n))
    for n, display_name in enumerate(REGISTER_PUPILS):
        session.apply(event(EventKind.WAITING_JOINED, f"p{n}", display_name, seconds=200 + n))
        session.apply(event(EventKind.ADMITTED, f"p{n}", seconds=260 + n))
    session.apply(event(EventKind.ENDED, "", seconds=600))
    summary = SessionSummary.from_journal(journal)
    journal.close()
    page = SummaryPage(runner=app_services.runner)
    qtbot.addWidget(page)
    page.show_summary(summary)

    text = page.view.toPlainText()
    problems = [f"hidden characters on the page: {hidden_characters(text)[:8]}"] if hidden_characters(text) else []
    if f"Meeting summary: {visible_name(topic)}" not in text:
        problems.append("the topic is not shown as typed")
    for name in NAMES:
        if visible_name(name) not in text:
            problems.append(f"the incident's name {name[:30]!r} is not shown as its characters")
    for pupil in REGISTER_PUPILS.values():
        if f"{visible_name(pupil.first_name)} K." not in text or visible_name(pupil.class_name or "") not in text:
            problems.append(f"the register's cells for {pupil.first_name[:30]!r} are not shown as their characters")
    for heading in ("Safeguarding summary", "Incidents", "Held, removed or not let in", "The host's actions", "Attendance", "Staff"):
        if heading not in text:
            problems.append(f"zoomhost's heading {heading!r} is missing")
    # What the document holds (its body: Qt writes the title back unescaped): no image, link or white text made from a name.
    laid_out = page.view.toHtml().split("<body", 1)[1]
    problems += [f"the page holds {made!r}" for made in ("<img", "<a ", "#ffffff", "<font") if made in laid_out]
    if laid_out.count("<h1") != 1:
        problems.append("a name made a heading of its own")
    page.refresh_sessions()  # the list of kept sessions names each by its topic
    qtbot.waitUntil(lambda: page.sessions.count() == 1, timeout=WAIT_MS)
    listed = page.sessions.itemText(0)
    if f" — {visible_name(topic)} (rehearsal)" not in listed or hidden_characters(listed):
        problems.append(f"the session list shows {listed!r}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def register_page(qtbot, app_services) -> RegisterPage:
    page = RegisterPage(store=RegisterStore(db_path=paths.register_db()), runner=app_services.runner)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: "No register imported yet" in page.summary.text(), timeout=WAIT_MS)
    return page


SKIPPED_CONSENT = "<b>yes</b>\u202e<img src=x>"


def csv_cell(text: str) -> str:
    """A cell as a spreadsheet writes it (quoted); C0 controls left out, as the register refuses a file with them."""
    kept = "".join(" " if ch == "\n" else ch for ch in text if ch == "\n" or ord(ch) >= 0x20)
    return '"' + kept.replace('"', '""') + '"'


def hostile_register(folder: Path) -> Path:
    """A register whose extra header names, cells and own file name are the corpus."""
    headers = [csv_cell(name) for name in NAMES if len(name) < 100]
    lines = [",".join(["First name", "Surname", "Class", "Zoom consent", *headers])]
    for pupil in REGISTER_PUPILS.values():
        lines.append(",".join([csv_cell(pupil.first_name), "Kelly", csv_cell(pupil.class_name or ""), "yes", *["x"] * len(headers)]))
    # a row whose consent cell is neither yes nor no: kept without consent, the reason quoting the cell
    lines.append(",".join(["Skip", "Kelly", "Year 4", csv_cell(SKIPPED_CONSENT), *["x"] * len(headers)]))
    path = folder / "<b>register<b>\u202eVSC.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_register_page_and_its_preview_show_cells_headers_and_file_name_as_text(qtbot, register_page, tmp_path, monkeypatch) -> None:
    page = register_page
    path = hostile_register(tmp_path)
    expected = read_register_file(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert isinstance(dialog, ImportPreviewDialog)
    problems: list[str] = []
    rich = [label.text()[:60] for label in dialog.findChildren(QLabel) if label.textFormat() != Qt.TextFormat.PlainText]
    problems += [f"a preview label would read markup: {text!r}" for text in rich]
    file_line = label_text(dialog.file_label)
    if not file_line.startswith(f"Consent register {visible_name(path.name)} (") or hidden_characters(file_line):
        problems.append(f"the file's name is not shown as its characters: {file_line!r}")
    dropped = ", ".join(visible_name(header) for header in expected.dropped_columns)
    problems += on_screen_as_text(label_text(dialog.dropped_label), expected=f"Columns dropped (not needed for admission): {dropped}")
    skipped = [dialog.skipped.item(i).text() for i in range(dialog.skipped.count())]  # list items: plain text
    assert len(skipped) == len(expected.skipped) >= 1  # the corpus's 9,999-character name is more than any cell holds
    for shown, row in zip(skipped, expected.skipped, strict=True):
        problems += on_screen_as_text(shown, expected=visible_name(f"Line {row.line}: {row.reason}"))
    # The row whose consent cell is markup is kept without consent (held at the door) and listed as unclear,
    # the reason quoting the cell as its characters.
    unclear = [dialog.unclear.item(i).text() for i in range(dialog.unclear.count())]
    assert len(unclear) == len(expected.unclear_consent) == 1
    problems += on_screen_as_text(unclear[0], expected=visible_name(f"Line {expected.unclear_consent[0].line}: {expected.unclear_consent[0].reason}"))
    if visible_name(SKIPPED_CONSENT) not in unclear[0]:
        problems.append(f"the unclear row's reason does not quote the cell as its characters: {unclear[0]!r}")
    counts = dialog.counts
    classes = sorted(counts.index(row, 0).data() for row in range(counts.rowCount()))
    problems += [p for seen, meant in zip(classes, sorted(visible_name(c) for c in expected.consent_counts_by_class()), strict=True) for p in on_screen_as_text(seen, expected=meant)]

    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == len(expected.pupils), timeout=WAIT_MS)
    model = page.pupils_model
    for row in range(model.rowCount()):
        stored = model.row_value(row)
        for column, value in ((model.FIRST, stored.first_name), (model.CLASS, stored.class_name or "")):
            problems += on_screen_as_text(model.index(row, column).data(), expected=visible_name(value))
    summary = label_text(page.summary)
    if f"from {visible_name(path.name)}:" not in summary or hidden_characters(summary):
        problems.append(f"the register summary does not show the file's name as its characters: {summary!r}")
    assert not problems, "\n".join(problems)


def test_the_message_panel_never_reads_an_error_as_markup(qtbot) -> None:
    panel = MessagePanel()
    qtbot.addWidget(panel)
    problems = []
    for name in NAMES:
        said = f"line 3: the class “{name}” is not a class"
        panel.show_message("fail", said)
        meant = "\n".join(visible_name(line) for line in said.split("\n"))  # a line break stays one; nothing else is hidden
        problems += on_screen_as_text(label_text(panel.text), expected=meant)
    assert not problems, "\n".join(problems)


def test_in_a_rehearsal_a_name_from_zoom_cannot_rewrite_the_admit_anyway_question(qtbot, live_page, rehearsal_server, monkeypatch) -> None:  # noqa: F811
    """The whole way: typed into the rehearsal Zoom, over its event stream, into the Live panel's table, Admit pressed."""

    async def no_assistant(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - a computer without the Meeting SDK
        return None

    monkeypatch.setattr(session_use_cases, "assistant_for_meeting", no_assistant)  # admitting is then a step in Zoom
    page = live_page
    start(qtbot, page, scenario="class", speed=5)
    # The name from the report, for a pupil the practice register does not have (its Amy B. would be let in).
    name = CORPUS["the name that rewrote the Admit-anyway question"].replace("Amy B.", "Zak Q.")
    assert rehearsal_server.state.arrive(page.meetings.currentData(), name) is not None
    row = wait_for_row(qtbot, page, lambda r: r.display_name == name)
    assert not row.verdict.admissible, "the register must not allow this name, or no question is asked"
    select(page, row.participant_id)
    page.buttons["admit"].click()
    box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
    question, details = message_box_text(box)
    problems = on_screen_as_text(question, expected=f"“{name}” is {VERDICT_WORDS[row.verdict].lower()}. Admit them anyway?")
    problems += on_screen_as_text(details, expected="; ".join(visible_name(reason) for reason in row.reasons))
    assert not problems, "\n".join(problems)
    button_named(box, "Admit anyway").click()
    qtbot.waitUntil(lambda: page.steps.isVisible(), timeout=WAIT_MS)
    step = page.steps.steps[0]
    assert step.participant_id == row.participant_id
    assert label_text(page.steps.text) == f"{step.step} — for {shown_name(name, limit=40)}"


def test_the_checklist_shows_a_meetings_topic_from_zoom_as_text(qtbot, services, rehearsal_server) -> None:  # noqa: F811
    """Whoever scheduled the meeting chose its topic: the meeting list, the checks' summary and Fix all say it as text."""
    state = rehearsal_server.state
    topic = "Assembly “is checked”.<font color=#fff> \u202eoN" + CORPUS["an image"]
    state.meeting(state.assembly_meeting_id).topic = topic
    page = ChecklistPage(services=services)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.meetings.findData(str(state.assembly_meeting_id)) >= 0, timeout=WAIT_MS)
    page.meetings.setCurrentIndex(page.meetings.findData(str(state.assembly_meeting_id)))
    problems: list[str] = []
    item = page.meetings.currentText()
    if f"{visible_name(topic)} (" not in item or hidden_characters(item):
        problems.append(f"the meeting list shows {item!r}")

    page.check_button.click()
    qtbot.waitUntil(lambda: page.report is not None, timeout=WAIT_MS)
    summary = label_text(page.summary)
    if not summary.startswith(f"{visible_name(topic)}: ") or hidden_characters(summary):
        problems.append(f"the checks' summary shows {summary!r}")
    page.table.selectRow(0)
    details = label_text(page.details)
    result = page.model.result(0)
    problems += on_screen_as_text(details, expected=f"{result.title}: {result.explanation}\nProtocol: “{result.protocol_line}”")

    page.fix_button.click()
    box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
    question, _ = message_box_text(box)
    problems += on_screen_as_text(question, expected=f"Change “{visible_name(topic)}” so that it follows the protocol?")
    button_named(box, "Cancel").click()
    assert not problems, "\n".join(problems)
