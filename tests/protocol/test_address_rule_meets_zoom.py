"""Every address zoomhost keeps is one Zoom's registration takes: zoomhost's rule (core/addresses.py) is at least as
strict as the rehearsal Zoom's ``format: email`` (written on its own, as Zoom's side), over addresses of every shape."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zoomhost.core.addresses import is_email_address
from zoomhost.rehearsal.schemas import REGISTRANT_ADD, _validators

PIECES = st.sampled_from(["a", "Z", "0", ".", "-", "_", "+", "'", "@", " ", ",", "<", ">", '"', "(", "é", "xn--", "\t", "..", "--"])


def _zoom_takes(address: str) -> bool:
    return any(v.is_valid({"email": address, "first_name": "Isla"}) for v in _validators(REGISTRANT_ADD))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.emails(), st.lists(PIECES, min_size=1, max_size=30).map("".join), st.text(max_size=140)))
def test_an_address_zoomhost_keeps_is_one_zoom_takes(address: str) -> None:
    if is_email_address(address):
        assert _zoom_takes(address), address
