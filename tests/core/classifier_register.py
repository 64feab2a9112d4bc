"""A consent register and staff list shaped like two small schools' exports, for the classifier's tests.

Dhoon names its classes by year and form (Reception, 3B, 4K); Laxey by year group and by tree
(Year 2, Year 5, Oak, Willow). The awkward cases are on purpose: two consented Amys in different
classes, two Sophie C.s, two Toms (one a Thomas known as Tom), Alexander and Alexandra both known
as Alex, Sam and Samuel, pupils without consent, accents, a double name, a pupil with no surname
initial, and staff whose names meet pupils' names.
"""

from __future__ import annotations

from zoomhost.core.models import Pupil, StaffMember

_ROWS = [
    # id, first name, preferred, surname initial, class, consent
    (1, "Amy", None, "B", "3B", True),
    (2, "Amy", None, "K", "Year 5", True),
    (3, "Thomas", "Tom", "W", "3B", True),
    (4, "Alexander", "Alex", "P", "4K", True),
    (5, "Alexandra", None, "R", "Year 5", True),
    (6, "Samuel", None, "H", "Reception", True),
    (7, "Samantha", "Sam", "O", "Year 2", True),
    (8, "Zoë", None, "L", "3B", True),
    (9, "Chloé", None, "D", "4K", True),
    (10, "William", "Billy", "T", "Year 2", True),
    (11, "Catherine", "Kate", "M", "Oak", True),
    (12, "Elizabeth", None, "N", "Willow", True),
    (13, "Mary-Jane", None, "S", "3B", True),
    (14, "Anna Maria", None, "G", "Year 2", True),
    (15, "Oliver", None, "O", "4K", True),  # Oliver O'Neill
    (16, "Jack", None, "F", "Reception", False),
    (17, "Grace", None, "T", "Year 5", True),  # Grace Thomas
    (18, "Harry", None, "P", "3B", False),
    (19, "Sophie", None, "C", "Oak", True),
    (20, "Sophie", None, "C", "4K", True),
    (21, "Mohammed", None, "A", "Year 2", True),
    (22, "Niamh", None, "O", "Reception", True),
    (23, "Siobhán", None, "M", "Year 5", True),
    (24, "José", None, "R", "Oak", True),
    (25, "Ava", None, "B", "3B", True),
    (26, "Isla", None, "M", "Willow", True),
    (27, "Leo", None, "S", "Year 2", True),
    (28, "Freya", None, "J", "Oak", False),  # consent withdrawn
    (29, "Noah", None, None, "4K", True),  # no surname in the export
    (30, "Evie", None, "W", "Reception", True),
    (31, "Max", None, "K", "Year 5", True),
    (32, "Ethan", None, "B", "Willow", True),
    (33, "Lily", None, "B", "Year 2", True),
    (34, "Daniel", "Dan", "E", "4K", True),
    (35, "Jessica", "Jess", "H", "Oak", True),
    (36, "Tom", None, "B", "Year 2", True),  # Amy B.'s brother
    (37, "Ruby", None, "D", "Willow", False),
    (38, "Jake", None, "W", "3B", True),
]

PUPILS: tuple[Pupil, ...] = tuple(
    Pupil(id=i, first_name=first, preferred_name=pref, surname_initial=initial, class_name=klass, consent=consent)
    for i, first, pref, initial, klass, consent in _ROWS
)

STAFF: tuple[StaffMember, ...] = (
    StaffMember(id=1, name="Maxim Kelly", email="m.kelly@dhoon.example.org"),
    StaffMember(id=2, name="Sarah Bloggs", email="s.bloggs@dhoon.example.org"),
    StaffMember(id=3, name="Hannah Ward", email="h.ward@laxey.example.org"),
    StaffMember(id=4, name="Amy Carter", email="a.carter@laxey.example.org"),
    StaffMember(id=5, name="Dr Priya Shah", email="p.shah@laxey.example.org"),
    StaffMember(id=6, name="Tom Wilson", email="t.wilson@dhoon.example.org"),
    StaffMember(id=7, name="Siân O'Connor", email=None),
)


def pupil(pupil_id: int) -> Pupil:
    return next(p for p in PUPILS if p.id == pupil_id)


def staff_member(member_id: int) -> StaffMember:
    return next(m for m in STAFF if m.id == member_id)
