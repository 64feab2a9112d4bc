"""Sign-in and settings: the Zoom app's credentials, the Meeting SDK key, the event subscription, the addresses.

Secrets go straight to the operating system's keyring, never into settings.json; a stored
secret is shown as "set (in …)", never as its value. **Test connection** asks Zoom each thing
the app relies on and says, line by line, what works and what the school's plan lacks (Zoom's
words as plain text, hidden characters written out: ``ui/text.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from zoomhost.app.school import SchoolImport, import_school_settings, school_policy
from zoomhost.app.services import Connection, Services
from zoomhost.app.signin import (
    ConnectionTest,
    TYPED_SETTINGS,
    CredentialsKept,
    Settings,
    credentials_kept,
    own_sign_in_summary,
    run_connection_test,
    save_typed_settings,
    sign_in,
)
from zoomhost.ui.text import heading, one_line, plain_label
from zoomhost.ui.widgets import STATUS_TEXT, BusyIndicator, MessagePanel, action_button, run_task, status_icon

# keyring field -> (label, is a secret)
KEYRING_FIELDS: dict[str, tuple[str, bool]] = {
    "account_id": ("Account ID", False),
    "client_id": ("Client ID", False),
    "client_secret": ("Client secret", True),
    "sdk_key": ("Meeting SDK key", False),
    "sdk_secret": ("Meeting SDK secret", True),
}
# settings.json field -> label
PLAIN_FIELDS: dict[str, str] = TYPED_SETTINGS


class SettingsPage(QWidget):
    """Credentials into the keyring, the rest into settings.json, and a connection test."""

    connection_changed = Signal(object)  # a new zoomhost.app.services.Connection after Save

    def __init__(
        self,
        *,
        services: Services,
        open_browser: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = services.runner
        self._open_browser = open_browser
        self.setAccessibleName("Settings")
        self.keyring_state: CredentialsKept | None = None

        outer = QVBoxLayout(self)
        outer.addWidget(heading("Sign-in and settings", self))
        self.keyring_warning = plain_label(parent=self, name="Keyring warning", wrap=True)
        self.keyring_warning.setObjectName("keyringWarning")
        self.keyring_warning.hide()
        outer.addWidget(self.keyring_warning)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        # how zoomhost signs in
        sign_in = QGroupBox("How zoomhost signs in to Zoom", body)
        form = QFormLayout(sign_in)
        self.s2s_radio = QRadioButton("The school's Server-to-Server OAuth app", sign_in)
        self.user_radio = QRadioButton("My own Zoom sign-in (user OAuth app)", sign_in)
        self.s2s_radio.setAccessibleName("Sign in with the school's Server-to-Server app")
        self.user_radio.setAccessibleName("Sign in with my own Zoom account")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.s2s_radio)
        self.mode_group.addButton(self.user_radio)
        form.addRow(self.s2s_radio)
        form.addRow(self.user_radio)
        self.own_sign_in_note = QLabel(own_sign_in_summary(), sign_in)
        self.own_sign_in_note.setObjectName("ownSignInNote")
        self.own_sign_in_note.setTextFormat(Qt.TextFormat.PlainText)
        self.own_sign_in_note.setWordWrap(True)
        self.own_sign_in_note.setAccessibleName("What your own sign-in cannot do")
        form.addRow(self.own_sign_in_note)
        self.fields: dict[str, QLineEdit] = {}
        self.field_status: dict[str, QLabel] = {}
        for name in ("account_id", "client_id", "client_secret"):
            self._keyring_row(form, name, sign_in)
        self.browser_button = action_button(
            "Sign in with &browser…", tooltip="Open Zoom's sign-in page; zoomhost keeps the sign-in in the keyring", parent=sign_in
        )
        self.signed_in_label = plain_label(parent=sign_in, name="Zoom sign-in")
        browser_row = QHBoxLayout()
        browser_row.addWidget(self.browser_button)
        browser_row.addWidget(self.signed_in_label, 1)
        form.addRow(browser_row)
        layout.addWidget(sign_in)

        assistant = QGroupBox("Host assistant (Zoom Meeting SDK app)", body)
        form = QFormLayout(assistant)
        for name in ("sdk_key", "sdk_secret"):
            self._keyring_row(form, name, assistant)
        self._plain_row(form, "assistant_user", assistant)
        self.fields["assistant_user"].setToolTip(
            "A licensed Zoom user of the school's account set aside for the host assistant: it joins as that user, "
            "and pre-flight makes it each meeting's alternative host, so it needs no admitting and no Make co-host. "
            "Leave empty to have it join as a guest (the Live panel then shows the one click it needs)."
        )
        layout.addWidget(assistant)

        account = QGroupBox("The school's Zoom account", body)
        form = QFormLayout(account)
        for name in (
            "host_email", "school_email_domain", "subscription_id", "allowed_hosts", "session_retention_days",
            "register_refresh_days", "staff_meeting_words",
        ):
            self._plain_row(form, name, account)
        self.fields["session_retention_days"].setToolTip(
            "Session journals older than this are deleted by themselves (1 to 365 days; the school's settings may set the longest)."
        )
        self.fields["register_refresh_days"].setPlaceholderText("never")
        self.fields["register_refresh_days"].setToolTip(
            "After this many days the Register page, the Live panel and `zoomhost register show` say the consent register "
            "is out of date, until the school's latest export is imported (1 to 365 days; empty: never)."
        )
        self.fields["staff_meeting_words"].setToolTip(
            "A meeting whose topic holds one of these words or phrases (separated by commas) is a meeting of staff only: "
            "the checklist, the audit and the Live panel hold it to the staff-meeting profile (a Zoom sign-in on the "
            "school's domains, nobody checked against the pupil register). Empty: none, unless chosen on the Checklist page."
        )
        self.school_button = action_button(
            "&Import school settings…", tooltip="Read the school.json your IT lead gave you (it holds no secrets)", parent=account
        )
        self.school_note = plain_label(parent=account, name="School settings", wrap=True)
        form.addRow(self.school_button)
        form.addRow(self.school_note)
        layout.addWidget(account)

        advanced = QGroupBox("Addresses (change only for ZoomGov or testing)", body)
        form = QFormLayout(advanced)
        for name in ("api_base", "oauth_base", "ws_base"):
            self._plain_row(form, name, advanced)
        layout.addWidget(advanced)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        self.save_button = action_button("&Save", tooltip="Secrets to the keyring, the rest to zoomhost's settings", parent=self)
        self.test_button = action_button("&Test connection", tooltip="Ask Zoom what works with these settings", parent=self)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.busy = BusyIndicator(self)
        outer.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Settings messages")
        outer.addWidget(self.messages)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Connection test results")
        self.results.setWordWrap(True)
        self.results.hide()
        outer.addWidget(self.results)

        self.s2s_radio.toggled.connect(self._mode_shown)
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test_connection)
        self.browser_button.clicked.connect(self.sign_in_with_browser)
        self.school_button.clicked.connect(self.choose_school_file)
        self._show_settings(services.settings)
        self.load_keyring_state()

    # -- building --------------------------------------------------------------------------------
    def _keyring_row(self, form: QFormLayout, name: str, parent: QWidget) -> None:
        label, secret = KEYRING_FIELDS[name]
        edit = QLineEdit(parent)
        edit.setAccessibleName(label)
        edit.setAccessibleDescription("Type a new value to replace the one in the keyring; it is never shown again.")
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        status = plain_label("checking…", parent, name=f"{label}: where it is kept")
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(status)
        caption = plain_label(f"{label}:", parent)
        caption.setBuddy(edit)
        form.addRow(caption, row)
        self.fields[name] = edit
        self.field_status[name] = status

    def _plain_row(self, form: QFormLayout, name: str, parent: QWidget) -> None:
        edit = QLineEdit(parent)
        edit.setAccessibleName(PLAIN_FIELDS[name])
        caption = plain_label(f"{PLAIN_FIELDS[name]}:", parent)
        caption.setBuddy(edit)
        form.addRow(caption, edit)
        self.fields[name] = edit

    def _show_settings(self, settings: Settings) -> None:
        (self.user_radio if settings.auth_mode == "user_oauth" else self.s2s_radio).setChecked(True)
        for name in PLAIN_FIELDS:
            self.fields[name].setText(str(getattr(settings, name)))
        if not settings.register_refresh_days:  # 0: never out of date, shown as the placeholder says
            self.fields["register_refresh_days"].clear()
        self._show_policy()
        self._mode_shown()

    def _show_policy(self) -> None:
        """Fields the school's deployed settings lock are read-only, and the page says whose they are."""
        policy = school_policy()
        for name in PLAIN_FIELDS:
            locked = name in policy.locked
            self.fields[name].setReadOnly(locked)
            self.fields[name].setAccessibleDescription("Set by the school's settings; only the IT lead can change it." if locked else "")
        if policy.problem:
            self.school_note.setText(one_line(f"⚠ The school's settings at {policy.path} are not used: {policy.problem}"))
        elif policy.deployed:
            locked_words = f"; locked: {', '.join(sorted(PLAIN_FIELDS[n] for n in policy.locked if n in PLAIN_FIELDS))}" if policy.locked else ""
            self.school_note.setText(one_line(f"The school's settings from {policy.path} apply{locked_words}."))
        else:
            self.school_note.setText("")

    def _mode_shown(self) -> None:
        s2s = self.s2s_radio.isChecked()
        self.fields["account_id"].setEnabled(s2s)
        self.browser_button.setVisible(not s2s)
        self.signed_in_label.setVisible(not s2s)
        self.own_sign_in_note.setVisible(not s2s)

    # -- the keyring -------------------------------------------------------------------------------
    def load_keyring_state(self) -> None:
        services = self.services
        run_task(
            self,
            self.runner,
            lambda: credentials_kept(services),
            blocking=True,
            doing="asking the keyring",
            busy=self.busy,
            messages=self.messages,
            success=self._show_keyring,
        )

    def _show_keyring(self, state: CredentialsKept) -> None:
        self.keyring_state = state
        for name, (label, secret) in KEYRING_FIELDS.items():
            source = state.where.get(name)
            text = f"set (in {source})" if source else "not set"
            self.field_status[name].setText(one_line(text))
            self.fields[name].setPlaceholderText(text if source else f"{label}" + (" (kept in the keyring)" if secret else ""))
        signed_in = state.where.get("user_refresh_token")
        self.signed_in_label.setText(one_line(f"Signed in (kept in {signed_in})" if signed_in else "Not signed in"))
        if state.persistent:
            self.keyring_warning.hide()
        else:
            self.keyring_warning.setText(
                one_line(
                    "⚠ Warning: secrets are kept in memory only and forgotten when zoomhost closes: "
                    f"{state.why_not}. Install or unlock the keyring to keep them."
                )
            )
            self.keyring_warning.show()

    # -- saving ------------------------------------------------------------------------------------
    def save(self) -> None:
        """Check what was typed against the school's settings (read once, off the GUI thread), then secrets to
        the keyring, the rest to settings.json, and reconnect with them; a mistake is said and nothing is kept."""
        self.messages.clear()
        typed = {name: self.fields[name].text() for name in PLAIN_FIELDS}
        own_sign_in = not self.s2s_radio.isChecked()
        secrets = {name: self.fields[name].text().strip() for name in KEYRING_FIELDS if self.fields[name].text().strip()}
        services = self.services

        def saved(connection: Connection) -> None:
            for name in secrets:
                self.fields[name].clear()
            self.load_keyring_state()
            where = self.keyring_state.backend if self.keyring_state else "the keyring"
            kept = f" {len(secrets)} secret{'s' if len(secrets) != 1 else ''} kept in {where}." if secrets else ""
            self.messages.show_message("pass", f"Saved.{kept} {connection.reason}")
            self.connection_changed.emit(connection)

        self.save_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: save_typed_settings(services, typed, own_sign_in=own_sign_in, secrets=secrets),
            doing="saving the settings",
            busy=self.busy,
            messages=self.messages,
            success=saved,
            after=lambda: self.save_button.setEnabled(True),
        )

    # -- the school's settings ------------------------------------------------------------------------
    def choose_school_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import the school's settings", str(Path.home()), "School settings (*.json)")
        if path:
            self.import_school_file(Path(path))

    def import_school_file(self, path: Path) -> None:
        """Read and check the file off the GUI thread, keep its values, then show them on the page."""
        self.messages.clear()
        services = self.services

        def imported(result: SchoolImport) -> None:
            self._show_settings(services.settings)
            changes = "; ".join(f"{what}: {after or '(empty)'}" for what, _before, after in result.changed) or "nothing changed"
            kept = f" Account ID kept in {result.account_id_kept}." if result.account_id_kept else ""
            self.messages.show_message("pass", f"Imported the school's settings from {path.name}: {changes}.{kept}")
            self.load_keyring_state()

        run_task(
            self,
            self.runner,
            lambda: import_school_settings(services, path),
            blocking=True,
            doing=f"importing the school's settings from {path.name}",
            busy=self.busy,
            messages=self.messages,
            success=imported,
        )

    # -- signing in --------------------------------------------------------------------------------
    def sign_in_with_browser(self) -> None:
        """User OAuth: Zoom's page in the browser, the answer on a loopback port, the refresh token to the keyring."""
        self.messages.clear()
        typed_id = self.fields["client_id"].text().strip()
        typed_secret = self.fields["client_secret"].text().strip()
        services = self.services
        open_browser = self._open_browser

        def signed_in(_: object) -> None:
            self.fields["client_id"].clear()
            self.fields["client_secret"].clear()
            self.messages.show_message("pass", "Signed in to Zoom. Press Save to use this sign-in.")
            self.load_keyring_state()

        self.browser_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: sign_in(services, open_browser=open_browser, client_id=typed_id, client_secret=typed_secret),
            doing="signing in to Zoom in the browser",
            busy=self.busy,
            messages=self.messages,
            success=signed_in,
            after=lambda: self.browser_button.setEnabled(True),
        )

    # -- testing -----------------------------------------------------------------------------------
    def test_connection(self) -> None:
        """Each thing the app relies on, tried against the Zoom in use (the rehearsal one in rehearsal)."""
        self.messages.clear()
        services = self.services

        def tested(result: ConnectionTest) -> None:
            self.results.clear()
            where = "the rehearsal Zoom (simulated)" if result.rehearsal else result.api_base
            header = QListWidgetItem(one_line(f"Tested against {where}:"))
            self.results.addItem(header)
            for line in result.lines:
                word = STATUS_TEXT[line.status.value]
                item = QListWidgetItem(status_icon(line.status.value), one_line(f"{word} — {line.what}: {line.text}"))  # Zoom's words
                item.setData(Qt.ItemDataRole.UserRole, line.status.value)  # the status, for tests and scripts
                self.results.addItem(item)
            self.results.show()
            failed = result.failed
            self.messages.show_message(
                "pass" if not failed else "warn",
                "Everything zoomhost relies on works." if not failed else f"{failed} thing{'s' if failed != 1 else ''} did not work: see below.",
            )

        self.test_button.setEnabled(False)
        run_task(
            self,
            self.runner,
            lambda: run_connection_test(services),
            doing="testing the connection to Zoom",
            busy=self.busy,
            messages=self.messages,
            success=tested,
            after=lambda: self.test_button.setEnabled(True),
        )
