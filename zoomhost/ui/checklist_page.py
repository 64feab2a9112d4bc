"""The pre-meeting checklist: pick a meeting, check it against the protocol, fix what Zoom's API may fix.

**Check** runs every pre-flight rule; each row shows its status (icon and word), what Zoom
reported, the fix and the protocol line it enforces, failures first, then warnings, then the
rest. **Fix all** first says in plain words what it will change (each change as what will then
be true) and what it leaves, then makes every change Zoom allows, warnings' too, in one meeting
update (they are rationed: 100 a day) and one host-settings update, and checks again. Steps no
API can take get a tick box each, and the counts (passed / to fix / by hand) follow the ticks.
What a teacher reads wraps; the protocol column quotes one line (beside Zoom it folds away), and
the selected check shows its protocol line in full below the table.

Shortly before the session, **New passcode…** gives the meeting a fresh strong passcode (one
update; the passcode itself is never shown) and **Prepare invitations…** writes the mail-merge
file for consented families only, where the teacher chooses. What Zoom says (a meeting's topic,
the values it reports) is shown as plain text with its hidden characters written out (``ui/text.py``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zoomhost.app.invitations import InvitationsWritten, prepare_invitations
from zoomhost.app.meetings import (
    FixOutcome,
    MeetingCheck,
    PreflightContext,
    PreflightReport,
    UpcomingMeeting,
    UpdateReceipt,
    check_meeting,
    choose_profile,
    fix_meeting,
    meeting_profiles,
    new_passcode,
    spaced_meeting_id,
    upcoming_meetings,
)
from zoomhost.app.services import Services
from zoomhost.core.invitations import WARNING
from zoomhost.core.preflight import (
    FixPlan,
    RuleResult,
    RuleStatus,
    checklist_order,
    count_checklist,
    describe_fix_all,
    plan_fix_all,
)
from zoomhost.core.profiles import PROFILE_WORDS
from zoomhost.core.zoom_times import meeting_when
from zoomhost.ui.audit_dialog import AuditDialog
from zoomhost.ui.table_model import RowsTableModel
from zoomhost.ui.text import heading, one_line, plain_label, shown
from zoomhost.ui.widgets import STATUS_TEXT, BusyIndicator, FlowLayout, MessagePanel, action_button, confirm, run_task, status_icon

_Index = QModelIndex | QPersistentModelIndex
StatusRole = Qt.ItemDataRole.UserRole + 1  # the rule's status as text: pass / fail / warn / unknown
RuleIdRole = Qt.ItemDataRole.UserRole + 2


class RuleTableModel(RowsTableModel):
    """One row per pre-flight rule."""

    STATUS, TITLE, OBSERVED, FIX, PROTOCOL = range(5)
    HEADERS = ("Status", "Check", "What Zoom says", "Fix", "Protocol line")

    def set_results(self, results: list[RuleResult] | tuple[RuleResult, ...]) -> None:
        self.set_rows(checklist_order(results))  # failures first, then warnings, then the rest

    def result(self, row: int) -> RuleResult:
        return self.row_value(row)

    def results(self) -> list[RuleResult]:
        return list(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        result = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return one_line(self._text(result, column))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = one_line(self._text(result, column))
            return f"{STATUS_TEXT[result.status.value]}: {result.title}" if column == self.STATUS else text
        if role == Qt.ItemDataRole.DecorationRole and column == self.STATUS:
            return status_icon(result.status.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.PROTOCOL:  # the column shows the start of the quote: the tooltip has all of it
                return f"“{result.protocol_line}”"
            return f"{result.explanation}\n\nProtocol: “{result.protocol_line}”"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and column == self.PROTOCOL:
            return f"Protocol: “{result.protocol_line}”"
        if role == StatusRole:
            return result.status.value
        if role == RuleIdRole:
            return result.rule_id
        return None

    def _text(self, result: RuleResult, column: int) -> str:
        if column == self.STATUS:
            return STATUS_TEXT[result.status.value]
        if column == self.TITLE:
            return result.title
        if column == self.OBSERVED:
            return result.observed
        if column == self.FIX:
            return fix_text(result)
        return result.protocol_line


def fix_text(result: RuleResult) -> str:
    if result.status is RuleStatus.PASS or result.fix is None:
        return ""
    text = result.fix.description
    if result.fix.manual_step and not (result.fix.meeting_patch or result.fix.user_patch):
        text += " By hand in Zoom: see the steps below."  # the step in full, with its tick box, once
    return text


class _OneLineDelegate(QStyledItemDelegate):
    """One line, cut short with "…": the protocol column quotes the start of the line; the selected
    check shows it in full below the table, and its tooltip has all of it."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText
        option.textElideMode = Qt.TextElideMode.ElideRight

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> Any:  # noqa: N802
        hint = super().sizeHint(option, index)
        hint.setHeight(option.fontMetrics.height() + 8)  # never what makes a row tall
        return hint


class RuleTable(QTableView):
    """The checks: Check, What Zoom says and Fix wrap to the width there is, so nothing a teacher reads
    is cut off; the protocol column quotes one line.

    Narrower than the four columns' least widths (beside Zoom) the protocol column folds away: the
    selected check shows its protocol line in full below the table, and every cell's tooltip quotes it.
    """

    #: (column, share of the spare width, least width in "M"s)
    COLUMNS = (
        (RuleTableModel.TITLE, 22, 11),
        (RuleTableModel.OBSERVED, 32, 15),
        (RuleTableModel.FIX, 30, 14),
        (RuleTableModel.PROTOCOL, 16, 9),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there, so the width the columns share does not change as rows grow taller than the view.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalHeader().setVisible(False)
        self._one_line = _OneLineDelegate(self)
        self.setItemDelegateForColumn(RuleTableModel.PROTOCOL, self._one_line)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)

    def setModel(self, model: Any) -> None:  # noqa: N802 - Qt's name
        super().setModel(model)
        model.modelReset.connect(self.fit_columns)

    def fit_columns(self) -> None:
        """Share the width out among the columns shown; each wraps, and each row is as tall as its words."""
        model = self.model()
        if model is None:
            return
        em = self.fontMetrics().horizontalAdvance("M")
        status = max(self.sizeHintForColumn(RuleTableModel.STATUS), self.horizontalHeader().sectionSizeHint(RuleTableModel.STATUS))
        self.horizontalHeader().resizeSection(RuleTableModel.STATUS, status)
        spare = max(0, self.viewport().width() - status)
        narrow = spare < sum(m * em for _, _, m in self.COLUMNS)
        self.setColumnHidden(RuleTableModel.PROTOCOL, narrow)
        columns = self.COLUMNS[:-1] if narrow else self.COLUMNS
        least = [m * em for _, _, m in columns]
        if sum(least) > spare:  # narrower still: every column gives up room alike
            least = [width * spare // sum(least) for width in least]
        share = max(0, spare - sum(least))
        total = sum(w for _, w, _ in columns)
        used = 0
        for n, ((column, weight, _), minimum) in enumerate(zip(columns, least, strict=True)):
            width = minimum + share * weight // total
            if n == len(columns) - 1:
                width = max(1, spare - used)  # the last takes what rounding left
            self.horizontalHeader().resizeSection(column, width)
            used += width
        self.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_columns()


# -- Fix all in plain words ---------------------------------------------------------------------------


def describe_plan(plan: FixPlan, results: list[RuleResult], *, updates_left: int | None) -> str:
    """What Fix all will change and what it leaves, as the confirmation shows it: each change as what
    will then be true, never a field of Zoom's (``core.preflight.describe_fix_all``)."""
    words = describe_fix_all(results, plan)
    parts: list[str] = []
    if words.meeting:
        left = f"; {updates_left} left today" if updates_left is not None else ""
        parts.append(f"In this meeting (one change, using one of Zoom's 100 meeting updates a day{left}):")
        parts += [f"  • {line}." for line in words.meeting]
    if words.settings:
        parts.append("In the host's Zoom settings (for this meeting and the host's later ones):")
        parts += [f"  • {line}." for line in words.settings]
    if words.cautions:
        parts.append("Before you agree:")
        parts += [f"  • {line}" for line in words.cautions]
    if words.by_hand:
        parts.append("Left for you to do in Zoom (the steps with tick boxes below the checks):")
        parts += [f"  • {line}." for line in words.by_hand]
    if words.left:
        parts.append("Left as it is (nothing zoomhost can change; select the check to see why):")
        parts += [f"  • {line}." for line in words.left]
    parts.append("Nothing else about the meeting changes.")
    return "\n".join(parts)


def _meeting_label(meeting: UpcomingMeeting) -> str:
    return f"{meeting_when(meeting.start_time)} — {one_line(meeting.topic or 'Untitled meeting')} ({spaced_meeting_id(meeting.id)})"


#: The choices of "Who joins" (the words, the profile kept for the meeting; None: go by the topic's words).
PROFILE_CHOICES = (
    ("As its topic says", None),
    ("Pupils and families", "pupils"),
    ("Staff only", "staff"),
)


class ChecklistPage(QWidget):
    """Pick a meeting, Check, Fix all, and tick off what is left for a person to do."""

    def __init__(self, *, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = services.runner
        self.setAccessibleName("Pre-meeting checklist")
        self.report: PreflightReport | None = None
        self.context: PreflightContext | None = None
        self.updates_left: int | None = None
        self._ticked: dict[tuple[str, str], bool] = {}  # (meeting, step) -> done, for this session
        self._can_fix = False  # whether Fix all has anything to change in the checks on screen
        self._loaded = False

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Pre-meeting checklist", self))

        row = QHBoxLayout()
        meeting_label = plain_label("&Meeting:", self)
        self.meetings = QComboBox(self)
        self.meetings.setAccessibleName("Meeting to check")
        self.meetings.setMinimumContentsLength(16)  # fits beside Zoom; wider windows give it the room
        self.meetings.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        meeting_label.setBuddy(self.meetings)
        self.reload_button = action_button(
            "&Reload", accessible="Reload meetings", tooltip="Ask Zoom again for the host's upcoming meetings", parent=self
        )
        self.check_button = action_button("&Check", tooltip="Run every pre-flight check against this meeting", parent=self)
        self.fix_button = action_button(
            "&Fix all…", tooltip="Show exactly what will change, then apply it in one meeting update", parent=self
        )
        self.audit_button = action_button(
            "Check the whole school &account…",
            tooltip="Every host and every meeting in the school's Zoom account against the protocol, worst first",
            parent=self,
        )
        self.check_button.setEnabled(False)
        self.fix_button.setEnabled(False)
        row.addWidget(meeting_label)
        row.addWidget(self.meetings, 1)
        layout.addLayout(row)
        actions = FlowLayout()  # wraps beside Zoom
        actions.addWidget(self.reload_button)
        actions.addWidget(self.check_button)
        actions.addWidget(self.fix_button)
        actions.addWidget(self.audit_button)
        layout.addLayout(actions)

        who = FlowLayout()  # which protocol the meeting is held to (core.profiles)
        who_label = plain_label("&Who joins:", self)
        self.profile_choice = QComboBox(self)
        self.profile_choice.setAccessibleName("Who joins: the protocol the meeting is held to")
        for words, value in PROFILE_CHOICES:
            self.profile_choice.addItem(words, value)
        self.profile_choice.setEnabled(False)
        who_label.setBuddy(self.profile_choice)
        self.profile_label = plain_label(parent=self, name="The protocol this meeting is checked against", wrap=True)
        who.addWidget(who_label)
        who.addWidget(self.profile_choice)
        who.addWidget(self.profile_label)
        layout.addLayout(who)
        self._profiles: dict[str, str] = {}  # the teacher's choices, meeting id -> "pupils" or "staff"

        before = FlowLayout()
        before.addWidget(plain_label("Shortly before the session:", self))
        self.passcode_button = action_button(
            "New &passcode…",
            tooltip="Give the meeting a new strong passcode (one meeting update); invitations already sent stop working",
            parent=self,
        )
        self.invite_button = action_button(
            "Prepare &invitations…",
            tooltip="Write the invitation file (join link and passcode) for families who gave consent, where you choose",
            parent=self,
        )
        self.passcode_button.setEnabled(False)
        self.invite_button.setEnabled(False)
        self.passcode_label = plain_label(parent=self, name="Passcode", wrap=True)
        before.addWidget(self.passcode_button)
        before.addWidget(self.invite_button)
        layout.addLayout(before)
        layout.addWidget(self.passcode_label)

        self.busy = BusyIndicator(self)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Checklist messages")
        layout.addWidget(self.messages)
        self.invitation_notes = MessagePanel(self, name="About the invitation file")
        layout.addWidget(self.invitation_notes)
        self.updates_label = plain_label(parent=self, name="Meeting updates left today", wrap=True)
        self.updates_label.hide()
        layout.addWidget(self.updates_label)
        self.summary = plain_label("Choose a meeting and press Check.", self, name="Checklist summary", wrap=True)
        layout.addWidget(self.summary)

        self.model = RuleTableModel(self)
        self.table = RuleTable(self)
        self.table.setTabKeyNavigation(False)  # one stop for Tab; the arrow keys move inside
        self.table.setModel(self.model)
        self.table.setAccessibleName("Pre-flight checks")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 3)

        self.details = plain_label(parent=self, name="Selected check: why it matters and the protocol line", wrap=True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)

        self.manual_box = QGroupBox("Steps to do by hand in Zoom", self)
        self.manual_box.setAccessibleName("Steps to do by hand in Zoom")
        self.manual_layout = QVBoxLayout(self.manual_box)
        self.manual_box.hide()
        layout.addWidget(self.manual_box)
        self.step_boxes: list[QCheckBox] = []
        self._step_rows: list[QWidget] = []

        self.reload_button.clicked.connect(self.refresh_meetings)
        self.check_button.clicked.connect(self.check)
        self.fix_button.clicked.connect(self.fix_all)
        self.audit_button.clicked.connect(self.open_audit)
        self.passcode_button.clicked.connect(self.new_passcode)
        self.invite_button.clicked.connect(self.prepare_invitations)
        self.meetings.currentIndexChanged.connect(self._meeting_changed)
        self.profile_choice.activated.connect(self._profile_chosen)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self.model.modelReset.connect(self.details.clear)  # the checks on screen changed: nothing is selected
        QWidget.setTabOrder(self.meetings, self.reload_button)
        QWidget.setTabOrder(self.reload_button, self.check_button)
        QWidget.setTabOrder(self.check_button, self.fix_button)
        QWidget.setTabOrder(self.fix_button, self.audit_button)
        QWidget.setTabOrder(self.audit_button, self.profile_choice)
        QWidget.setTabOrder(self.profile_choice, self.passcode_button)
        QWidget.setTabOrder(self.passcode_button, self.invite_button)
        QWidget.setTabOrder(self.invite_button, self.table)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._loaded:
            self.refresh_meetings()

    # -- meetings ----------------------------------------------------------------------------------
    def refresh_meetings(self) -> None:
        """Fill the meeting list from Zoom in the background."""
        self._loaded = True
        services = self.services
        self.reload_button.setEnabled(False)

        def loaded(found: tuple[list[UpcomingMeeting], dict[str, str]]) -> None:
            meetings, self._profiles = found
            current = self.meeting_id()
            self.meetings.clear()
            for meeting in sorted(meetings, key=lambda m: m.start_time or ""):
                self.meetings.addItem(_meeting_label(meeting), meeting.id)
            if not meetings:
                self.summary.setText("Zoom lists no upcoming meetings for this host. Schedule the meeting in Zoom first.")
            found = self.meetings.findData(current) if current else -1
            self.meetings.setCurrentIndex(found if found >= 0 else 0 if meetings else -1)
            for button in (self.check_button, self.passcode_button, self.invite_button, self.profile_choice):
                button.setEnabled(bool(meetings))
            self._show_profile_choice()

        async def meetings_and_choices() -> tuple[list[UpcomingMeeting], dict[str, str]]:
            meetings = await upcoming_meetings(services)
            return meetings, await asyncio.get_running_loop().run_in_executor(None, meeting_profiles)

        run_task(
            self,
            self.runner,
            meetings_and_choices,
            doing="reading the host's meetings",
            busy=self.busy,
            messages=self.messages,
            success=loaded,
            after=lambda: self.reload_button.setEnabled(True),
        )

    def meeting_id(self) -> str | None:
        data = self.meetings.currentData()
        return str(data) if data is not None else None

    def _meeting_changed(self, _index: int) -> None:
        if self.report is not None and self.report.meeting_id != self.meeting_id():
            self.report = None
            self.model.set_results([])
            self.fix_button.setEnabled(False)
            self._show_manual_steps([])
            self.summary.setText("Press Check to check this meeting.")
        self.passcode_label.clear()
        self.invitation_notes.clear()
        self._show_profile_choice()

    # -- who joins: the pupils' protocol or the staff meeting's ----------------------------------
    def _show_profile_choice(self) -> None:
        meeting = self.meeting_id()
        chosen = self._profiles.get(meeting) if meeting else None
        self.profile_choice.setCurrentIndex(max(0, self.profile_choice.findData(chosen)))
        report = self.report
        if report is not None and report.meeting_id == meeting:
            self.profile_label.setText(f"Checked as {PROFILE_WORDS[report.profile]}.")
        else:
            self.profile_label.clear()

    def _profile_chosen(self, _index: int) -> None:
        """The teacher chose the protocol for this meeting: keep the choice, then check the meeting again."""
        meeting = self.meeting_id()
        if meeting is None:
            return
        chosen = self.profile_choice.currentData()

        def kept(_none: object) -> None:
            if chosen is None:
                self._profiles.pop(meeting, None)
            else:
                self._profiles[meeting] = chosen
            if meeting == self.meeting_id():
                self.check()

        run_task(
            self,
            self.runner,
            lambda: choose_profile(meeting, chosen),
            blocking=True,
            doing="keeping the choice of protocol",
            busy=self.busy,
            messages=self.messages,
            success=kept,
        )

    # -- check -------------------------------------------------------------------------------------
    def check(self) -> None:
        meeting_id = self.meeting_id()
        if meeting_id is None:
            return
        self.messages.clear()
        services = self.services
        self.check_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: check_meeting(services, meeting_id),
            doing="checking the meeting",
            busy=self.busy,
            messages=self.messages,
            success=self._checked,
            after=lambda: self.check_button.setEnabled(True),
        )

    def _checked(self, checked: MeetingCheck) -> None:
        self.report = checked.report
        self.context = checked.context
        self._show_report(checked.report)
        self._show_updates_left(checked.updates_left, low=checked.few_updates_left)

    def _show_report(self, report: PreflightReport) -> None:
        self.model.set_results(report.results)
        self.profile_label.setText(f"Checked as {PROFILE_WORDS[report.profile]}.")
        plan = self._plan(report)
        can_fix = self._can_fix = plan is not None and bool(plan.meeting_patch or plan.user_patch)
        self.fix_button.setEnabled(can_fix)
        self.fix_button.setToolTip(
            "Show exactly what will change, then apply it in one meeting update"
            if can_fix
            else "Nothing is left that zoomhost can change: what remains is for you to do in Zoom"
        )
        steps = [r.fix.manual_step for r in self.model.results() if r.status is not RuleStatus.PASS and r.fix and r.fix.manual_step]
        self._show_manual_steps(list(dict.fromkeys(steps)))
        self._show_counts()

    def done_steps(self) -> set[str]:
        """The steps to do by hand that the teacher ticked for this meeting."""
        meeting = self.meeting_id() or ""
        return {step for (where, step), done in self._ticked.items() if where == meeting and done}

    def _show_counts(self) -> None:
        """The summary line: passed / to fix / by hand, following the ticks."""
        report = self.report
        if report is None:
            return
        counts = count_checklist(report.results, done=self.done_steps())
        text = f"{report.topic}: {counts.as_sentence()}"
        if report.unreadable:
            text += " Zoom would not tell zoomhost: " + "; ".join(report.unreadable)
        self.summary.setText(one_line(text))  # the topic and what Zoom would not tell are Zoom's words

    def _show_updates_left(self, left: int | None, *, low: bool) -> None:
        self.updates_left = left
        if left is not None and low:
            self.updates_label.setText(
                f"Only {left} of Zoom's 100 meeting updates are left today for this host. Fix all uses one; "
                "changes made in the Zoom web portal do not count."
            )
            self.updates_label.show()
        else:
            self.updates_label.hide()

    def _plan(self, report: PreflightReport) -> FixPlan | None:
        try:
            return plan_fix_all(report.results)
        except ValueError as err:  # two fixes disagree about one field: nothing is applied
            self.messages.show_message("fail", f"zoomhost could not merge the fixes ({err}). Change the meeting in Zoom by hand.")
            return None

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.clear()
            return
        result = self.model.result(current.row())
        # The protocol line in full, whatever the width (the column quotes its start, or folds away beside Zoom).
        self.details.setText(shown(f"{result.title}: {result.explanation}\nProtocol: “{result.protocol_line}”"))

    # -- manual steps ------------------------------------------------------------------------------
    def _show_manual_steps(self, steps: list[str]) -> None:
        for row in self._step_rows:
            self.manual_layout.removeWidget(row)
            row.deleteLater()
        self.step_boxes, self._step_rows = [], []
        meeting = self.meeting_id() or ""
        for step in steps:
            row, box = _step_row(step, self.manual_box)
            box.setChecked(self._ticked.get((meeting, step), False))
            box.toggled.connect(lambda on, key=(meeting, step): self._tick(key, on))
            self.manual_layout.addWidget(row)
            self.step_boxes.append(box)
            self._step_rows.append(row)
        self.manual_box.setVisible(bool(steps))

    def _tick(self, key: tuple[str, str], done: bool) -> None:
        self._ticked[key] = done
        self._show_counts()

    # -- Fix all -----------------------------------------------------------------------------------
    def fix_all(self) -> None:
        report, context = self.report, self.context
        if report is None or context is None:
            return
        plan = self._plan(report)
        if plan is None:
            return
        if not (plan.meeting_patch or plan.user_patch):
            self.messages.show_message("pass", "Nothing zoomhost can change: what is left is for you to do in Zoom, below.")
            return
        confirm(
            self,
            title="Fix all",
            text=f"Change “{report.topic}” so that it follows the protocol?",
            details=describe_plan(plan, list(report.results), updates_left=self.updates_left),
            action="Apply these changes",
            on_confirm=lambda: self._apply(report, context, plan),
        )

    def _apply(self, report: PreflightReport, context: PreflightContext, plan: FixPlan) -> None:
        services = self.services
        self.fix_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: fix_meeting(services, report, context, plan),
            doing="changing the meeting",
            busy=self.busy,
            messages=self.messages,
            success=self._fixed,
            after=lambda: self.fix_button.setEnabled(self.report is not None and self._can_fix),
        )

    def _fixed(self, outcome: FixOutcome) -> None:
        self.report = outcome.after
        self._show_report(outcome.after)
        changed = [what for what, done in (("the meeting", outcome.meeting_updated), ("the host's settings", outcome.settings_updated)) if done]
        still = sum(r.status is RuleStatus.FAIL for r in outcome.after.results)
        if outcome.receipt is not None:
            self._show_updates_left(outcome.receipt.remaining_today, low=outcome.receipt.is_low)
        if outcome.problems:
            self.messages.show_message("fail", " ".join(outcome.problems))
        else:
            done = " and ".join(changed) if changed else "nothing"
            self.messages.show_message(
                "pass" if not still else "warn",
                f"Changed {done} and checked again: {still} check{'s' if still != 1 else ''} still failing.",
            )

    # -- the whole account -------------------------------------------------------------------------
    def open_audit(self) -> AuditDialog:
        """Every host and meeting in the account, in a dialog of its own (it reads Zoom as it opens)."""
        dialog = AuditDialog(services=self.services, parent=self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # -- a fresh passcode --------------------------------------------------------------------------
    def _topic(self) -> str:
        text = self.meetings.currentText()
        return text.split(" — ", 1)[-1] if text else "this meeting"

    def new_passcode(self) -> None:
        """Ask first (invitations already sent stop working), then rotate the passcode in one update."""
        meeting_id = self.meeting_id()
        if meeting_id is None:
            return
        left = f" ({self.updates_left} left today)" if self.updates_left is not None else ""
        confirm(
            self,
            title="New passcode",
            text=f"Give {self._topic()} a new strong passcode?",
            details=(
                "Invitations already sent stop working: families need an invitation with the new passcode, "
                "so prepare the invitations straight after.\n"
                f"It uses one of Zoom's 100 meeting updates a day{left}. "
                "zoomhost does not show the passcode; it goes only into the invitation file you ask for."
            ),
            action="Set a new passcode",
            on_confirm=lambda: self._rotate(meeting_id),
        )

    def _rotate(self, meeting_id: str) -> None:
        services = self.services
        self.passcode_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: new_passcode(services, meeting_id),  # the passcode itself stays on the I/O thread
            doing="setting a new passcode",
            busy=self.busy,
            messages=self.messages,
            success=lambda receipt: self._rotated(meeting_id, receipt),
            after=lambda: self.passcode_button.setEnabled(self.meeting_id() is not None),
        )

    def _rotated(self, meeting_id: str, receipt: UpdateReceipt) -> None:
        self._show_rotation(receipt)
        self.messages.show_message(
            "pass", "The meeting has a new passcode. Prepare the invitations now, so families have it."
        )
        self._check_again(meeting_id)

    def _show_rotation(self, receipt: UpdateReceipt) -> None:
        left = receipt.remaining_today
        self.passcode_label.setText(f"New passcode set; {left} update{'s' if left != 1 else ''} left today.")
        self._show_updates_left(left, low=receipt.is_low)

    def _check_again(self, meeting_id: str) -> None:
        """After a change made here, the checks on screen would be out of date: run them again."""
        if self.report is not None and self.report.meeting_id == meeting_id == self.meeting_id():
            self.check()

    # -- invitations -------------------------------------------------------------------------------
    def prepare_invitations(self) -> InvitationsDialog | None:
        """Ask where to write the file (and for the parents' addresses, optionally), then prepare it."""
        meeting_id = self.meeting_id()
        if meeting_id is None:
            return None
        dialog = InvitationsDialog(topic=self._topic(), parent=self)
        dialog.chosen.connect(lambda out, parents, rotate: self._invite(meeting_id, out, parents, rotate))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _invite(self, meeting_id: str, out: Path, parents: Path | None, rotate: bool) -> None:
        services = self.services
        self.invite_button.setEnabled(False)
        self.invitation_notes.clear()
        run_task(
            self,
            self.runner,
            lambda: prepare_invitations(services, meeting_id, out=out, parents=parents, rotate=rotate),
            doing="preparing the invitations",
            busy=self.busy,
            messages=self.messages,
            success=lambda invited: self._invited(meeting_id, invited),
            after=lambda: self.invite_button.setEnabled(self.meeting_id() is not None),
        )

    def _invited(self, meeting_id: str, invited: InvitationsWritten) -> None:
        words = (
            f"Wrote {invited.rows} invitation{'s' if invited.rows != 1 else ''} for {invited.families} "
            f"consented pupil{'s' if invited.families != 1 else ''} to {invited.path}."
        )
        if invited.personal_links:
            words += f" {invited.personal_links} have the family's own link; the rest the meeting's link."
        self.messages.show_message("pass", words)
        notes = list(invited.notes[:NOTES_SHOWN])
        if len(invited.notes) > NOTES_SHOWN:
            notes.append(f"… and {len(invited.notes) - NOTES_SHOWN} more like these.")
        self.invitation_notes.show_message("warn", "\n".join([WARNING, *(f"• {note}" for note in notes)]))
        if invited.rotation is not None:
            self._show_rotation(invited.rotation)
            self._check_again(meeting_id)


NOTES_SHOWN = 8  # an address file with many bad rows says so without pushing the checks off the page


class _ClickLabel(QLabel):
    clicked = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


def _step_row(step: str, parent: QWidget) -> tuple[QWidget, QCheckBox]:
    """A tick box with its step beside it, wrapped (a long Zoom step must not widen the window)."""
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    box = QCheckBox(row)
    box.setAccessibleName(f"Done: {step}")
    box.setProperty("step", step)
    words = _ClickLabel(one_line(step), row)
    words.setWordWrap(True)
    words.clicked.connect(box.toggle)
    layout.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
    layout.addWidget(words, 1)
    return row, box


class InvitationsDialog(QDialog):
    """Where the invitation file goes, the parents' address file (optional), and a new passcode first (optional)."""

    chosen = Signal(object, object, bool)  # (file to write, parents' address file or None, new passcode first)

    def __init__(self, *, topic: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Prepare invitations")
        self.setAccessibleName("Prepare invitations")
        self.setObjectName("invitations")
        self.out: Path | None = None
        self.parents: Path | None = None
        layout = QVBoxLayout(self)
        intro = plain_label(
            one_line(
                f"Invitations for {topic}: one row for each pupil whose family gave consent, "
                "with the join link and passcode, for your school's mail merge."
            ),
            self,
            wrap=True,
        )
        layout.addWidget(intro)
        form = QFormLayout()
        self.out_edit, self.out_button = self._file_row(form, "Save to:", "Choose where to save the invitation file")
        self.parents_edit, self.parents_button = self._file_row(
            form, "Parents' addresses (optional):", "Choose a file of parents' email addresses (read now, never kept)"
        )
        self.out_edit.setPlaceholderText("Choose where to save the file")
        self.parents_edit.setPlaceholderText("None: the file has no email addresses")
        layout.addLayout(form)
        self.rotate_box = QCheckBox("Give the meeting a new passcode first (invitations already sent stop working)", self)
        self.rotate_box.setAccessibleName("New passcode first")
        self.rotate_box.setAccessibleDescription("Uses one of Zoom's 100 meeting updates a day")
        layout.addWidget(self.rotate_box)
        warning = plain_label(WARNING, self, name="Warning about the invitation file", wrap=True)
        layout.addWidget(warning)
        self.buttons = QDialogButtonBox(self)
        self.prepare_button = self.buttons.addButton("Prepare", QDialogButtonBox.ButtonRole.AcceptRole)
        self.prepare_button.setAccessibleName("Prepare")
        self.prepare_button.setEnabled(False)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        layout.addWidget(self.buttons)
        self.out_button.clicked.connect(self.choose_out)
        self.parents_button.clicked.connect(self.choose_parents)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    def _file_row(self, form: QFormLayout, label: str, what: str) -> tuple[QLineEdit, Any]:
        row = QHBoxLayout()
        edit = QLineEdit(self)
        edit.setReadOnly(True)
        edit.setAccessibleName(label.rstrip(":"))
        button = action_button("Choose…", accessible=what, tooltip=what, parent=self)
        row.addWidget(edit, 1)
        row.addWidget(button)
        form.addRow(plain_label(label, self), row)
        return edit, button

    def choose_out(self) -> None:
        start = Path.home() / "Documents"
        start = (start if start.is_dir() else Path.home()) / "invitations.csv"
        name, _ = QFileDialog.getSaveFileName(self, "Save the invitation file as", str(start), "CSV files (*.csv)")
        if name:
            self.out = Path(name)
            self.out_edit.setText(str(self.out))
            self.prepare_button.setEnabled(True)

    def choose_parents(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Parents' email addresses", str(Path.home()), "Spreadsheets (*.csv *.txt *.tsv);;All files (*)"
        )
        if name:
            self.parents = Path(name)
            self.parents_edit.setText(str(self.parents))

    def _accept(self) -> None:
        if self.out is None:
            return
        self.accept()
        self.chosen.emit(self.out, self.parents, self.rotate_box.isChecked())
