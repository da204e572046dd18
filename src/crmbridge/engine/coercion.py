"""Forgiving coercion of one value, read off its JSON Schema (``type``, ``format``, ``enum``, ``pattern``,
``maximum``), so that every tool forgives alike what models really send.

- text where a number or a boolean is wanted (``"20"``, ``"false"``), and a number where text is wanted
  (an id given as ``1021``);
- epoch seconds or milliseconds, ``YYYYMMDD`` or a full timestamp where a ``date`` or ``date-time`` is
  wanted;
- an ``enum`` value in any case, with ``_``/``-``/spaces, singular or plural (``"Deals"``, ``"contact"``);
- a value that misses its ``pattern`` only by case or surrounding spaces (a currency ``"eur"``);
- a number above its ``maximum`` (a page size), lowered to it.

Whatever changes the meaning of what was sent (a clamp, an epoch read as a date) adds a warning that the
result carries back to the model. What cannot be read is left for validation to refuse with the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..errors import InvalidInput
from .inputguard import MAX_DIGITS, not_finite, too_many_digits

__all__ = ["as_bounded_number", "coerce_scalar", "enum_member"]

_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Epoch values at least this large are milliseconds (as seconds they would be past the year 5000).
_MILLIS_FROM = 10**11
_NUMERIC = {"integer", "number"}


def as_bounded_number(text: str, want_integer: bool, field: str) -> int | float | None:
    """The number ``text`` spells, or None when it spells none; refused when no CRM could take it."""
    if _INTEGER.fullmatch(text):
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise too_many_digits(field)
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        raise not_finite(field, repr(text))
    if want_integer:
        return int(number) if number.is_integer() else None
    return number


def _compact_date(number: int) -> str | None:
    """``20250301`` → ``2025-03-01`` (8 digits that form a real date)."""
    if not 10000101 <= number <= 99991231:
        return None
    try:
        return date(number // 10000, number // 100 % 100, number % 100).isoformat()
    except ValueError:
        return None


def _iso(when: datetime, fmt: str) -> str:
    if fmt == "date":
        return when.date().isoformat()
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{when.microsecond // 1000:03d}Z" if when.microsecond else f"{text}Z"


def _as_date(value: Any, fmt: str, field: str, warnings: list[str]) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not (_INTEGER.fullmatch(text) and len(text) <= MAX_DIGITS):
            if fmt == "date" and (stamped := _ISO_DATETIME.match(text)):
                return stamped.group(1)
            if fmt == "date-time" and _ISO_DATE.fullmatch(text):
                return f"{text}T00:00:00Z"
            return value
        number: int | float = int(text)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    else:
        return value
    if isinstance(number, int) and (compact := _compact_date(number)):
        return compact if fmt == "date" else f"{compact}T00:00:00Z"
    unit = "milliseconds" if abs(number) >= _MILLIS_FROM else "seconds"
    try:
        when = _EPOCH + timedelta(milliseconds=number if unit == "milliseconds" else number * 1000)
    except OverflowError:
        wanted = "YYYY-MM-DD" if fmt == "date" else "an ISO 8601 date and time"
        raise InvalidInput(
            f"'{field}' is not a date: {value} is out of range as epoch seconds or milliseconds; use {wanted}.",
            field=field,
        ) from None
    text = _iso(when, fmt)
    warnings.append(f"'{field}' {value} was read as epoch {unit}: {text} (UTC).")
    return text


def _normal(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).casefold()


def _forms(word: str) -> set[str]:
    """The word and its likely singular and plural forms."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms


def enum_member(value: str, members: Sequence[Any]) -> str:
    """The one member ``value`` names up to case, separators and number (``"Deal"``, ``"line item"``);
    else ``value`` unchanged. Schema enums use it, and so can a provider for a name that cannot be an
    enum (HubSpot object types, custom ones included)."""
    if value in members:
        return value
    texts = [m for m in members if isinstance(m, str)]
    wanted = _normal(value)
    if not wanted:
        return value
    for accepted in ({wanted}, _forms(wanted)):
        found = [m for m in texts if _normal(m) in accepted]
        if len(found) == 1:
            return found[0]
    return value


def _fit_pattern(value: str, pattern: str) -> str:
    """``value`` as its ``pattern`` accepts it, trimmed or in upper or lower case; else unchanged."""
    try:
        matcher = re.compile(pattern)
    except re.error:
        return value
    if matcher.search(value):
        return value
    trimmed = value.strip()
    return next((c for c in (trimmed, trimmed.upper(), trimmed.lower()) if matcher.search(c)), value)


def coerce_scalar(
    value: Any, schema: Mapping[str, Any], types: set[str], field: str, warnings: list[str]
) -> Any:
    """Bring one non-container value to what ``schema`` asks for, when it plainly means that."""
    fmt = schema.get("format")
    if fmt in ("date", "date-time"):
        value = _as_date(value, fmt, field, warnings)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer() and "integer" in types and "number" not in types:
            value = int(value)
        elif "string" in types and not types & _NUMERIC:
            return coerce_scalar(
                str(int(value)) if float(value).is_integer() else str(value), schema, types, field, warnings
            )
        maximum = schema.get("maximum")
        if isinstance(maximum, int | float) and value > maximum:
            warnings.append(f"'{field}' {value} is above its maximum of {maximum}; {maximum} was used.")
            value = maximum
    if isinstance(value, str):
        if isinstance(schema.get("enum"), list):
            value = enum_member(value, schema["enum"])
        if isinstance(schema.get("pattern"), str):
            value = _fit_pattern(value, schema["pattern"])
    return value
