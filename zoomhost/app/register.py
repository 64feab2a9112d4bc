"""The consent register and the staff list: what is stored, importing a new one, and removing leavers on time.

The Register page and ``zoomhost register import | show`` call these (disk work: off the GUI
thread). Importing the register also removes the leavers whose retention has ended (the
August after they left), so an export that still lists them does not bring them back; the
teacher has seen the preview before anything is stored, with what it changes since the last
import (``changes_on_import``). What is stored says how old it is against the school's refresh
interval (``StoredLists.age``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from zoomhost.core.models import Pupil, StaffMember, leaver_due
from zoomhost.core.register_changes import RegisterAge, RegisterChanges, register_age, register_changes
from zoomhost.core.register import RegisterImport, StaffImport, read_register_file
from zoomhost.core.register_store import ImportRecord, RegisterStore
from zoomhost.core.register_text import RegisterUnusable, layout_key, read_headings


@dataclass(frozen=True)
class StoredLists:
    """The register and staff list as stored, when each was imported, and how many leavers are due for removal."""

    pupils: list[Pupil]
    staff: list[StaffMember]
    pupils_record: ImportRecord | None
    staff_record: ImportRecord | None
    leavers_due: int
    age: RegisterAge | None = None  # how old the register is, against the school's refresh interval


@dataclass(frozen=True)
class RegisterImported:
    pupils: int  # the pupils the register holds now
    leavers_removed: tuple[Pupil, ...]  # leavers whose retention ended, removed on the way in
    links_forgotten: int = 0  # family links of the old register: the invitations must be prepared again


def stored_lists(
    store: RegisterStore, *, refresh_days: int, today: date | None = None, now: datetime | None = None
) -> StoredLists:
    """What is stored now; its ``age`` against ``refresh_days`` (the school's ``register_refresh_days``) at ``now``."""
    record, pupils, day = store.last_import(), store.pupils(), today or date.today()
    return StoredLists(
        pupils=pupils,
        staff=store.staff(),
        pupils_record=record,
        staff_record=store.last_import(staff=True),
        leavers_due=sum(leaver_due(pupil, day) for pupil in pupils),  # from the one read, not a second under a write lock
        age=register_age(record, refresh_days=refresh_days, now=now or datetime.now(UTC)),
    )


def read_register(
    store: RegisterStore, path: Path, *, columns: Mapping[str, str | None] | None = None
) -> RegisterImport:
    """Read a register file for its preview (nothing is stored): with the columns the person importing
    chose, else those chosen the last time a file with the same headings was imported, else by what the
    headings mean; surnames become digests with this installation's key."""
    chosen = columns
    if chosen is None:
        try:
            headings = read_headings(path)
        except RegisterUnusable:
            headings = ()  # the read below says why, with the file and line
        chosen = store.column_choices(layout_key(headings)) if headings else None
    return read_register_file(path, columns=chosen, surname_key=store.key_for_import())


def surname_key_note(imported: RegisterImport) -> str | None:
    """What the person importing must know when the surname key cannot be kept (None when it is, or unused)."""
    if imported.key_check is None:
        return None
    from zoomhost.zoom.credentials import register_key

    key = register_key()
    if key.kept:
        return None
    return (
        f"Surnames: the key that tells pupils apart by full surname is held for this run only ({key.why_not}). "
        "After zoomhost restarts, pupils who share a first name and surname initial are told apart by initial only, "
        "until the register is imported again with a working keyring."
    )


def changes_on_import(store: RegisterStore, imported: RegisterImport, *, today: date | None = None) -> RegisterChanges:
    """What importing ``imported`` would change against the stored register, for its preview (nothing is stored).
    Leavers whose retention has ended are left out of the new register, as the import leaves them out."""
    stored = store.pupils() if store.db_path.exists() else []
    day = today or date.today()
    staying = [p for p in imported.pupils if not leaver_due(p, day)]
    same_key = imported.key_check is not None and bool(stored) and store.surname_key() is not None
    return register_changes(stored, staying, unclear=imported.unclear_ids, compare_surnames=same_key)


def import_register(store: RegisterStore, imported: RegisterImport, *, today: date | None = None) -> RegisterImported:
    """Replace the stored register with ``imported``, then remove the leavers whose retention has ended.
    Columns the person importing chose are remembered for the next file with the same headings."""
    forgotten = store.replace_pupils(imported)
    if imported.chosen is not None and imported.headings:
        store.remember_column_choices(layout_key(imported.headings), imported.chosen)
    gone = remove_leavers(store, today=today)
    return RegisterImported(pupils=len(imported.pupils) - len(gone), leavers_removed=tuple(gone), links_forgotten=forgotten)


def import_staff_list(store: RegisterStore, imported: StaffImport) -> int:
    """Replace the stored staff list with ``imported``; how many adults it holds now."""
    store.replace_staff(imported)
    return len(imported.staff)


def leavers_due(store: RegisterStore, *, today: date | None = None) -> list[Pupil]:
    """The pupils whose August after leaving has come (nothing is removed)."""
    return store.purge_leavers(today=today or date.today(), dry_run=True)


def remove_leavers(store: RegisterStore, *, today: date | None = None) -> list[Pupil]:
    """Remove the pupils whose August after leaving has come; those removed."""
    return store.purge_leavers(today=today or date.today())


def family_links_for(store: RegisterStore, pupils: Sequence[Pupil]) -> dict[str, int]:
    """The family links kept with the stored register, for a list of ``pupils`` read from another copy of it
    (``dry-run``'s register file): registrant id -> the id in ``pupils`` of the same pupil (first and preferred
    name, surname initial, class, school). A link issued for a pupil that list does not hold is left out, as unknown."""
    stored = {p.id: p for p in store.pupils()} if store.db_path.exists() else {}

    def same(pupil: Pupil) -> tuple[object, ...]:
        return (pupil.first_name, pupil.preferred_name, pupil.surname_initial, pupil.class_name, pupil.school)

    ids = {}
    for pupil in pupils:
        ids.setdefault(same(pupil), pupil.id)
    found = {}
    for registrant_id, pupil_id in store.links(None).items():
        pupil = stored.get(pupil_id)
        if pupil is not None and same(pupil) in ids:
            found[registrant_id] = ids[same(pupil)]
    return found
