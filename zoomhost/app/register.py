"""The consent register and the staff list: what is stored, importing a new one, and removing leavers on time.

The Register page and ``zoomhost register import | show`` call these (disk work: off the GUI
thread). Importing the register also removes the leavers whose retention has ended (the
August after they left), so an export that still lists them does not bring them back; the
teacher has seen the preview before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    links_forgotten: int = 0  # family links of the old register: the invitations must be prepared again


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
    forgotten = store.replace_pupils(imported)
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
    name, surname initial, class). A link issued for a pupil that list does not hold is left out, as unknown."""
    stored = {p.id: p for p in store.pupils()} if store.db_path.exists() else {}

    def same(pupil: Pupil) -> tuple[object, ...]:
        return (pupil.first_name, pupil.preferred_name, pupil.surname_initial, pupil.class_name)

    ids = {}
    for pupil in pupils:
        ids.setdefault(same(pupil), pupil.id)
    found = {}
    for registrant_id, pupil_id in store.links(None).items():
        pupil = stored.get(pupil_id)
        if pupil is not None and same(pupil) in ids:
            found[registrant_id] = ids[same(pupil)]
    return found
