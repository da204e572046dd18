"""Recognising a caller by phone: any format, stored with or without "+", several countries, shared numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmbridge.errors import ConfigurationError, InvalidInput
from crmbridge.skills import e164, phone_query
from crmbridge_sandbox import Sandbox

from .platform import PROVIDERS, Platform, connect_default, platform


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


@pytest.mark.parametrize(
    ("region", "stored", "asked"),
    [
        ("GB", "+44 20 7946 0958", ["020 7946 0958", "+44 20 7946 0958", "(020) 79460958"]),
        ("DE", "+49 30 1234567", ["030 1234567", "030/123 45 67"]),
        ("BR", "+55 11 91234-5678", ["(11) 91234-5678", "11912345678"]),
    ],
)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_integrations_phone_region_reads_national_numbers(
    provider: str, region: str, stored: str, asked: list[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    made = platform(sandbox, tmp_path, provider, connect=False)
    try:
        made.bridge.accounts.add_connection(
            provider, provider=provider, base_url=f"http://sandbox/{provider}", phone_region=region.lower()
        )
        connect_default(made)
        assert made.agents.pack(provider)["default_region"] == region
        contact_id = made.add_contact(stored, "Ann Abroad")
        for phone in asked:
            result = made.execute("find_contact", {"phone": phone})
            assert result.ok and result.data["status"] == "found", (phone, result)
            assert result.data["contact"]["id"] == contact_id
    finally:
        made.close()


def test_an_unknown_phone_region_is_a_configuration_error(sandbox: Sandbox, tmp_path: Path) -> None:
    made = platform(sandbox, tmp_path, "hubspot", connect=False)
    try:
        made.bridge.accounts.add_connection(
            "hubspot", provider="hubspot", base_url="http://sandbox/hubspot", phone_region="XX"
        )
        connect_default(made)  # the install on connect is recorded as failed, not raised into connect
        install = made.agents.get_agent(made.agent_id)["installs"][0]
        assert install["ok"] is False and install["error"]["code"] == "configuration_error"
        assert "phone_region 'XX'" in install["error"]["message"]
        with pytest.raises(ConfigurationError, match="two-letter country code"):
            made.agents.install_pack(made.agent_id, "hubspot")
    finally:
        made.close()
