"""Recognising a caller by phone: any format, stored with or without "+", several countries, shared numbers."""

from __future__ import annotations

import pytest

from crmbridge.errors import InvalidInput
from crmbridge.skills import e164, phone_query

from .platform import Platform


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 (415) 555-0100", "US", "+14155550100"),
        ("4155550100", "US", "+14155550100"),
        ("1-415-555-0100", "US", "+14155550100"),
        ("14155550100", "US", "+14155550100"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("442079460958", "US", "+442079460958"),
        ("030 1234567", "DE", "+49301234567"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
        ("no number", "US", None),
        ("12", "US", None),
    ],
)
def test_numbers_are_read_as_e164(raw: str, region: str, expected: str | None) -> None:
    assert e164(raw, region) == expected


def test_a_non_number_is_the_models_input_error() -> None:
    with pytest.raises(InvalidInput, match="not a phone number") as refused:
        phone_query("call me maybe", "US")
    assert refused.value.details["field"] == "phone"


@pytest.mark.parametrize(
    ("stored", "asked"),
    [
        ("+1 (415) 555-0100", ["4155550100", "+14155550100", "1-415-555-0100"]),
        ("14155550199", ["+1 415 555 0199", "(415) 555-0199"]),  # stored without "+"
        ("+44 20 7946 0958", ["+442079460958", "00 44 20 7946 0958", "442079460958"]),
        ("+49 30 1234567", ["+49301234567", "0049 30 1234567"]),
        ("+55 11 91234-5678", ["+5511912345678", "55 11 912345678"]),
    ],
)
def test_a_caller_is_found_whatever_the_format(connected: Platform, stored: str, asked: list[str]) -> None:
    contact_id = connected.add_contact(stored, "Ann Caller")
    for phone in asked:
        result = connected.execute("find_contact", {"phone": phone})
        assert result.ok, result.error
        assert result.data["status"] == "found", (phone, result.data)
        assert result.data["contact"]["id"] == contact_id


def test_an_unknown_number_finds_nothing(connected: Platform) -> None:
    connected.add_contact("+1 415 555 0142")  # same last digits as no one asked, different number
    result = connected.execute("find_contact", {"phone": "+1 212 555 0142"})
    assert result.ok and result.data["status"] == "none"


def test_a_shared_number_is_ambiguous_and_never_picked(connected: Platform) -> None:
    first = connected.add_contact("+1 415 555 0177", "Ann Shared", "ann@shared.test")
    second = connected.add_contact("4155550177", "Bob Shared", "bob@shared.test")
    result = connected.execute("find_contact", {"phone": "+14155550177"})
    assert result.ok and result.data["status"] == "ambiguous"
    assert sorted(c["id"] for c in result.data["candidates"]) == sorted([first, second])
    assert "ask the caller" in result.data["message"]
    # The e-mail the agent asks for settles it.
    narrowed = connected.execute("find_contact", {"phone": "+14155550177", "email": "bob@shared.test"})
    assert narrowed.data["status"] == "found" and narrowed.data["contact"]["id"] == second
    # create_contact does not add a third one.
    before = len(connected.contacts_ending("0177"))
    created = connected.confirmed("create_contact", {"phone": "+14155550177", "first_name": "Cy"})
    assert not created.ok and created.error is not None and created.error.code == "ambiguous_reference"
    assert sorted(created.error.details["candidates"]) == sorted([first, second])
    assert len(connected.contacts_ending("0177")) == before


def test_find_contact_refuses_bad_input(connected: Platform) -> None:
    for bad in ({}, {"phone": "call me"}, {"phone": ""}, {"fax": "1"}, ["phone"]):
        result = connected.execute("find_contact", bad)
        assert not result.ok and result.error is not None and result.error.code == "invalid_input", bad
