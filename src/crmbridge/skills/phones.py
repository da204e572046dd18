"""Phone numbers as callers give them and CRMs store them, reduced to one comparable form (E.164).

``+1 (415) 555-0100``, ``14155550100``, ``1-415-555-0100`` and ``4155550100`` (region US) are one number;
a number stored without ``+`` but with its country code is read as international when the region's
reading is not a valid number. Parsing is Google's libphonenumber (``phonenumbers``).
"""

from __future__ import annotations

import re

import phonenumbers

from ..errors import ConfigurationError, InvalidInput
from ..spec.pack import PhoneQuery

__all__ = ["e164", "phone_query", "phone_region", "same_number"]

_TAIL = 4
_DIGITS = re.compile(r"\D+")


def e164(raw: str, region: str) -> str | None:
    """The number in E.164, or ``None`` when it is not a possible phone number."""
    text = raw.strip()
    if not text or not _DIGITS.sub("", text):
        return None
    attempts = [text]
    if not text.startswith("+"):
        digits = _DIGITS.sub("", text)
        if digits.startswith("00"):  # the international prefix of most of the world, whatever the region
            attempts.append("+" + digits[2:])
        attempts.append("+" + digits)  # stored with its country code but without "+"
    parsed: list[phonenumbers.PhoneNumber] = []
    for attempt in attempts:
        try:
            parsed.append(phonenumbers.parse(attempt, None if attempt.startswith("+") else region))
        except phonenumbers.NumberParseException:
            continue
    # A valid reading first (the region's, then the international one); else a merely possible one as
    # the caller wrote it (new number ranges are not in the library's metadata yet).
    chosen = next((n for n in parsed if phonenumbers.is_valid_number(n)), None)
    if chosen is None and parsed and phonenumbers.is_possible_number(parsed[0]):
        chosen = parsed[0]
    if chosen is None:
        return None
    return phonenumbers.format_number(chosen, phonenumbers.PhoneNumberFormat.E164)


def phone_query(raw: str, region: str) -> PhoneQuery:
    """The forms a CRM search needs; an impossible number is the model's input error, said plainly."""
    normalised = e164(raw, region)
    if normalised is None:
        raise InvalidInput(
            f"{raw[:40]!r} is not a phone number (region {region} assumed when no +country code is given).",
            field="phone",
        )
    number = phonenumbers.parse(normalised, None)
    national = str(number.national_number)
    return PhoneQuery(
        e164=normalised,
        digits=normalised.lstrip("+"),
        national=national,
        tail=national[-_TAIL:],
    )


def same_number(stored: str, wanted: PhoneQuery, region: str) -> bool:
    """Whether a stored value is the wanted number (re-checking a search's over-inclusive candidates)."""
    return e164(stored, region) == wanted.e164


def phone_region(configured: str | None, default: str) -> str:
    """The region assumed for numbers without a country code: the integration's ``phone_region``
    setting (an ISO 3166 code such as ``GB``), else the pack's default."""
    if configured is None:
        return default
    region = configured.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigurationError(
            f"phone_region {configured[:20]!r} is not a region phone numbers are known for; use a "
            "two-letter country code such as US, GB, DE or BR.",
            field="phone_region",
        )
    return region
