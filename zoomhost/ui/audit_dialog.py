"""The whole school account against the protocol, opened from the Checklist page.

**Run the audit** reads every host in the account and every meeting each has scheduled in the
next days (``app.audit.audit_account``, off the GUI thread), and shows the meetings worst first
and the hosts, each with its failing checks in the words of the checklist; the selected row shows
each failing check with what Zoom says and its fix. **Fix all…** first says in plain words what
it will change in each host's settings and each meeting (``app.audit.describe_audit_fix``), then
applies it within each host's 100 meeting updates a day and audits again. **Save report…** writes
the report for the headteacher or the data protection officer as PDF or HTML, the same report
``zoomhost audit --out`` writes. Every text from Zoom (topics, addresses, what Zoom says) is
plain text, hidden characters written out (``ui/text.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zoomhost.app.audit import (
    DEFAULT_DAYS,
    AccountAudit,
    AuditFixOutcome,
    HostAudit,
    MeetingAudit,
    account_label,
    audit_account,
    describe_audit_fix,
    export_report,
    failing_checks,
    fix_audit,
)
from zoomhost.app.services import Services
from zoomhost.core.preflight import RuleResult, RuleStatus
from zoomhost.core.profiles import PROFILE_WORDS
from zoomhost.core.zoom_times import meeting_when
from zoomhost.ui.table_model import RowsTableModel
from zoomhost.ui.text import plain_label, shown
from zoomhost.ui.widgets import STATUS_TEXT, BusyIndicator, FlowLayout, MessagePanel, action_button, confirm, run_task, status_icon

_Index = QModelIndex | QPersistentModelIndex


def _worst(failed: int, warned: int, unknown: int) -> str:
    return "fail" if failed else "warn" if warned else "unknown" if unknown else "pass"


def _counted(failed: int, warned: int) -> str:
    if not (failed or warned):
        return "Keeps the protocol"
    parts = [f"{failed} failing"] if failed else []
    if warned:
        parts.append(f"{warned} warning{'s' if warned != 1 else ''}")
    return ", ".join(parts)


def _titles(results: list[RuleResult]) -> str:
    return "; ".join(r.title for r in results) or "—"


class MeetingsModel(RowsTableModel):
    """One row per meeting, worst first (the audit's order)."""

    STATUS, WHEN, TOPIC, HOST, CHECKS = range(5)
    HEADERS = ("Result", "When", "Meeting", "Host", "Checks failing or warning")

    def meeting(self, row: int) -> MeetingAudit:
        return self.row_value(row)

    def cell(self, value: MeetingAudit, column: int) -> str:
        failed, warned, _ = value.severity
        if column == self.STATUS:
            return _counted(failed, warned)
        if column == self.WHEN:
            return meeting_when(value.start_time)
        if column == self.TOPIC:
            return value.report.topic or "Untitled meeting"
        if column == self.HOST:
            return value.host_email or value.report.host_id or ""
        return _titles(failing_checks(value))

    def decoration(self, value: MeetingAudit, column: int) -> Any:
        return status_icon(_worst(*value.severity)) if column == self.STATUS else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.AccessibleTextRole and index.column() == self.STATUS:
            value = self.meeting(index.row())
            return f"{STATUS_TEXT[_worst(*value.severity)]}: {_counted(*value.severity[:2])}"
        return super().data(index, role)


class HostsModel(RowsTableModel):
    """One row per host: the checks their own Zoom settings decide, worst first."""

    STATUS, HOST, CHECKS = range(3)
    HEADERS = ("Result", "Host", "Their settings: checks failing or warning")

    def host(self, row: int) -> HostAudit:
        return self.row_value(row)

    def cell(self, value: HostAudit, column: int) -> str:
        failed, warned, _ = value.severity
        if column == self.STATUS:
            return _counted(failed, warned)
        if column == self.HOST:
            return value.email or value.id
        return _titles(failing_checks(value))

    def decoration(self, value: HostAudit, column: int) -> Any:
        return status_icon(_worst(*value.severity)) if column == self.STATUS else None


def _table(model: RowsTableModel, name: str, parent: QWidget, *, stretch: int) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setTabKeyNavigation(False)  # one stop for Tab; the arrow keys move inside
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the selected row is shown in full below the table
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(60)

    def fit() -> None:  # each column as wide as its words, up to a share that leaves the checks room beside Zoom
        most = table.fontMetrics().horizontalAdvance("M") * 13
        for column in range(model.columnCount()):
            if column != stretch:
                table.resizeColumnToContents(column)
                header.resizeSection(column, min(header.sectionSize(column), most))

    model.modelReset.connect(fit)
    return table


def row_details(row: MeetingAudit) -> str:
    """The selected meeting in full: each failing check and warning with what Zoom says and its fix."""
    lines = [
        f"{row.report.topic or 'Untitled meeting'} — {meeting_when(row.start_time)} — "
        f"hosted by {row.host_email or row.report.host_id} (meeting {row.report.meeting_id}), "
        f"checked as {PROFILE_WORDS[row.report.profile]}"
    ]
    lines += [_check_line(r) for r in failing_checks(row)] or ["Keeps the protocol in every check Zoom reported."]
    unknown = [r.title for r in row.report.results if r.status is RuleStatus.UNKNOWN]
    if unknown:
        lines.append("Zoom did not say: " + "; ".join(unknown))
    return "\n".join(lines)


def host_details(host: HostAudit) -> str:
    lines = [f"{host.email or host.id}: the checks their own Zoom settings decide, for all their meetings"]
    lines += [_check_line(r) for r in failing_checks(host)] or ["Their settings keep the protocol in every check Zoom reported."]
    return "\n".join(lines)


def _check_line(result: RuleResult) -> str:
    line = f"• {STATUS_TEXT[result.status.value]}: {result.title}. Zoom says: {result.observed}"
    if result.fix is not None:
        line += f" Fix: {result.fix.manual_step or result.fix.description}"
    return line


class AuditDialog(QDialog):
    """Every host and upcoming meeting in the school's Zoom account, checked against the protocol."""

    def __init__(self, *, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = services.runner
        self.audit: AccountAudit | None = None
        self.fix_words = ""  # what Fix all would change in the audit shown, worked out once per audit
        self.last_fix: AuditFixOutcome | None = None
        self._folder = Path.home() / "Documents" if (Path.home() / "Documents").is_dir() else Path.home()
        self._started = False
        self.setWindowTitle("Check the whole school account")
        self.setAccessibleName("Check the whole school account")
        self.setObjectName("audit")

        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                "Every host in the school's Zoom account and every meeting they have scheduled, checked against "
                "the protocol, worst first. Checking reads Zoom only: nothing changes until you press Fix all.",
                self,
                wrap=True,
            )
        )
        row = QHBoxLayout()
        days_label = plain_label("&Days ahead:", self)
        self.days = QSpinBox(self)
        self.days.setRange(1, 90)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setAccessibleName("Days ahead")
        days_label.setBuddy(self.days)
        self.run_button = action_button("&Run the audit", tooltip="Read every host and meeting from Zoom and check them", parent=self)
        row.addWidget(days_label)
        row.addWidget(self.days)
        row.addWidget(self.run_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.busy = BusyIndicator(self)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Audit messages")
        layout.addWidget(self.messages)
        self.summary = plain_label("", self, name="What the audit covers", wrap=True)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget(self)
        self.meetings_model = MeetingsModel(self)
        self.meetings_table = _table(self.meetings_model, "Meetings, worst first", self, stretch=MeetingsModel.CHECKS)
        self.hosts_model = HostsModel(self)
        self.hosts_table = _table(self.hosts_model, "Hosts", self, stretch=HostsModel.CHECKS)
        self.tabs.addTab(self.meetings_table, "&Meetings, worst first")
        self.tabs.addTab(self.hosts_table, "H&osts")
        layout.addWidget(self.tabs, 3)

        # Plain text only (never rich), scrolling rather than pushing the table off the dialog beside Zoom.
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setTabChangesFocus(True)
        self.details.setAccessibleName("The selected row: each check, what Zoom says and its fix")
        layout.addWidget(self.details, 2)
        self.unreadable = MessagePanel(self, name="What could not be read")
        layout.addWidget(self.unreadable)

        buttons = FlowLayout()
        self.fix_button = action_button(
            "&Fix all…", tooltip="Show exactly what will change in each meeting and host's settings, then apply it", parent=self
        )
        self.save_button = action_button(
            "&Save report…", tooltip="Save the report for the headteacher or the data protection officer (PDF or web page)", parent=self
        )
        self.close_button = action_button("Close", parent=self)
        self.fix_button.setEnabled(False)
        self.save_button.setEnabled(False)
        for button in (self.fix_button, self.save_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.run_button.clicked.connect(self.run_audit)
        self.fix_button.clicked.connect(self.fix_all)
        self.save_button.clicked.connect(self.save_report)
        self.close_button.clicked.connect(self.reject)
        self.meetings_table.selectionModel().currentRowChanged.connect(self._meeting_selected)
        self.hosts_table.selectionModel().currentRowChanged.connect(self._host_selected)
        self.tabs.currentChanged.connect(lambda _i: self.details.clear())
        self.meetings_model.modelReset.connect(self.details.clear)
        for first, second in (
            (self.days, self.run_button),
            (self.run_button, self.tabs),
            (self.tabs, self.meetings_table),
            (self.meetings_table, self.hosts_table),
            (self.hosts_table, self.details),
            (self.details, self.fix_button),
            (self.fix_button, self.save_button),
            (self.save_button, self.close_button),
        ):
            QWidget.setTabOrder(first, second)
        self.resize(640, 640)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._started:
            self.run_audit()

    # -- the audit ---------------------------------------------------------------------------------
    def run_audit(self) -> None:
        self._started = True
        services, days = self.services, self.days.value()
        self.messages.clear()
        self.run_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: audit_account(services, days=days),
            doing="reading every host and meeting from Zoom",
            busy=self.busy,
            messages=self.messages,
            success=self._show_audit,
            after=lambda: self.run_button.setEnabled(True),
        )

    def _show_audit(self, audit: AccountAudit) -> None:
        self.audit = audit
        counts = audit.counts()
        self.summary.setText(
            f"Covers {audit.scope}. {counts['hosts']} host{'s' if counts['hosts'] != 1 else ''}, "
            f"{counts['meetings']} meeting{'s' if counts['meetings'] != 1 else ''}: {counts['meetings_failing']} failing, "
            f"{counts['meetings_with_warnings']} with warnings."
        )
        self.meetings_model.set_rows(audit.meetings)
        self.hosts_model.set_rows(sorted(audit.hosts, key=lambda h: tuple(-n for n in h.severity)))
        if audit.unreadable:
            self.unreadable.show_message("warn", "Zoom would not tell zoomhost: " + "; ".join(audit.unreadable))
        else:
            self.unreadable.clear()
        self.fix_words = describe_audit_fix(audit)
        self.fix_button.setEnabled(bool(self.fix_words))
        self.save_button.setEnabled(True)
        if audit.meetings:
            self.meetings_table.selectRow(0)

    def _meeting_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.details.setPlainText(shown(row_details(self.meetings_model.meeting(current.row()))) if current.isValid() else "")

    def _host_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.details.setPlainText(shown(host_details(self.hosts_model.host(current.row()))) if current.isValid() else "")

    # -- Fix all -----------------------------------------------------------------------------------
    def fix_all(self) -> None:
        audit = self.audit
        if audit is None:
            return
        words = self.fix_words
        if not words:
            self.messages.show_message("pass", "Nothing zoomhost can change: what is left is for a person to do in Zoom.")
            return
        confirm(
            self,
            title="Fix all",
            text="Change these hosts' settings and meetings so that they follow the protocol?",
            details=words,
            action="Apply these changes",
            on_confirm=lambda: self._apply(audit),
        )

    def _apply(self, audit: AccountAudit) -> None:
        services = self.services
        self.fix_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: fix_audit(services, audit),
            doing="changing the meetings and settings",
            busy=self.busy,
            messages=self.messages,
            success=self._fixed,
        )

    def _fixed(self, outcome: AuditFixOutcome) -> None:
        words = outcome.summary()
        if outcome.problems:
            self.messages.show_message("fail", words + " Zoom refused: " + "; ".join(outcome.problems))
        else:
            self.messages.show_message("warn" if outcome.left_for_tomorrow else "pass", words + " Checking again…")
        self.last_fix = outcome
        services, days = self.services, self.days.value()
        run_task(  # the rows on screen are out of date: audit again, keeping the message about the change
            self,
            self.runner,
            lambda: audit_account(services, days=days),
            doing="checking again",
            busy=self.busy,
            messages=self.messages,
            success=self._show_audit,
        )

    # -- the report --------------------------------------------------------------------------------
    def save_report(self) -> None:
        audit = self.audit
        if audit is None:
            return
        name = f"zoom-audit-{audit.generated_at:%Y-%m-%d}"
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self, "Save the audit report as", str(self._folder / f"{name}.pdf"), "PDF document (*.pdf);;Web page (*.html)"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".pdf", ".html"):
            path = path.with_name(path.name + (".html" if "html" in chosen_filter else ".pdf"))
        self._folder = path.parent
        self.save(path)

    def save(self, path: Path) -> None:
        """Write the report to ``path`` (.pdf or .html) in the background, as ``zoomhost audit --out`` does."""
        audit = self.audit
        if audit is None:
            return
        label = account_label(self.services)
        run_task(
            self,
            self.runner,
            lambda: export_report(audit, path, account_label=label, write_pdf=_write_pdf),
            blocking=True,
            doing="saving the audit report",
            busy=self.busy,
            messages=self.messages,
            success=lambda written: self.messages.show_message("pass", f"Saved the audit report: {written}"),
        )


def _write_pdf(page: str, path: Path) -> Path:
    from zoomhost.ui.pdf import write_audit_pdf  # Qt's PDF layout: loaded only when a PDF is asked for

    return write_audit_pdf(page, path)

