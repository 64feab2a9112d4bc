"""The consent register and the staff list: what is stored, importing a new one, and removing leavers on time.

The Register page and ``zoomhost register import | show`` call these (disk work: off the GUI
thread). Importing the register also removes the leavers whose retention has ended (the
August after they left), so an export that still lists them does not bring them back; the
teacher has seen the preview before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.register import RegisterImport, StaffImport
from zoomhost.core.register_store import ImportRecord, RegisterStore


@dataclass(frozen=True)
class StoredLists:
    """The register and staff list as stored, when each was imported, and how many leavers are due for removal."""

    pupils: list[Pupil]
    staff: list[StaffMember]
    pupils_record: ImportRecord | None
    staff_record: ImportRecord | None
    leavers_due: int


@dataclass(frozen=True)
class RegisterImported:
    pupils: int  # the pupils the register holds now
    leavers_removed: tuple[Pupil, ...]  # leavers whose retention ended, removed on the way in


def stored_lists(store: RegisterStore, *, today: date | None = None) -> StoredLists:
    """What is stored now."""
    return StoredLists(
        pupils=store.pupils(),
        staff=store.staff(),
        pupils_record=store.last_import(),
        staff_record=store.last_import(staff=True),
        leavers_due=len(leavers_due(store, today=today)),
    )


def import_register(store: RegisterStore, imported: RegisterImport, *, today: date | None = None) -> RegisterImported:
    """Replace the stored register with ``imported``, then remove the leavers whose retention has ended."""
    store.replace_pupils(imported)
    gone = remove_leavers(store, today=today)
    return RegisterImported(pupils=len(imported.pupils) - len(gone), leavers_removed=tuple(gone))


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
