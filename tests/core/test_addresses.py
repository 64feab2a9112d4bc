"""One rule for an email address, as strict as Zoom's registration and no stricter than real parents' addresses."""

from __future__ import annotations

import pytest

from zoomhost.core.addresses import MAX_ADDRESS, is_email_address


@pytest.mark.parametrize(
    "address",
    [
        "family@example.org",
        "o'brien.family@example.co.uk",
        "first.last+school@mail.example.org",
        "j_smith-2@sub.domain.example.sch.uk",
        "mum@xn--cole-9oa.example",
        f"{'a' * 64}@example.org",
    ],
)
def test_addresses_parents_really_have_are_taken(address: str) -> None:
    assert is_email_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "family",
        "family@",
        "@example.org",
        "family@example",
        "family@@example.org",
        "family@example..org",
        "family@.example.org",
        "family@example.org.",
        "family@-example.org",
        "family.@example.org",
        ".family@example.org",
        "fam..ily@example.org",
        "fam ily@example.org",
        "family@example.org\n",
        "Bloggs family <family@example.org>",
        "family@example.org; other@example.org",
        "family@example.org,other@example.org",
        '"family"@example.org',
        f"{'a' * 65}@example.org",
        f"family@{'a' * (MAX_ADDRESS - 12)}.org",
        f"{'f' * 64}@{'a' * 30}.{'b' * 30}.example.org",  # every part within its limits, the whole over Zoom's 128
        "family@exa_mple.org",
    ],
)
def test_what_zoom_would_refuse_or_is_not_one_address_is_not_taken(address: str) -> None:
    assert not is_email_address(address)
