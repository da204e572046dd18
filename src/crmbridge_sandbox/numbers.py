"""Every number a request carries (query and form parameters, path ids, JSON fields) is read here.

``int()`` and ``float()`` take more than an API should: digits that are not ASCII (``"²"`` passes
``str.isdigit`` and then fails ``int``), ``1_000``, strings past Python's 4,300-digit limit, NaN and
infinities that later poison clocks and sleeps, integers too large for a float. These helpers take a
plain decimal or a JSON number and refuse the rest with :class:`~crmbridge_sandbox.badinput.BadInput`,
which names the parameter and shows (a bounded part of) what was sent.
"""

from __future__ import annotations

import math
import re

from starlette.convertors import Convertor, register_url_convertor

from .badinput import BadInput, quoted

__all__ = ["MAX_DIGITS", "finite", "id_or_none", "id_param", "whole"]

#: More digits than any id, count or offset either CRM uses, and few enough for any float or int64.
MAX_DIGITS = 18

_DECIMAL = re.compile(r"[+-]?[0-9]+", re.ASCII)


_LIMIT = 10**MAX_DIGITS


def _too_long(label: str) -> BadInput:
    return BadInput(f"{label} has more than {MAX_DIGITS} digits")


def whole(raw: object, label: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer from a string (``" 42 "``, ``"-3"``) or a JSON integer; ``label`` names it in errors."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise BadInput(f"{label} must be an integer, got {quoted(raw)}")
    if isinstance(raw, str):
        text = raw.strip()
        if not _DECIMAL.fullmatch(text):
            raise BadInput(f"{label} must be an integer, got {quoted(raw)}")
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise _too_long(label)
        value = int(text)
    else:
        value = raw
        if abs(value) >= _LIMIT:
            raise _too_long(label)
    if low is not None and value < low:
        raise BadInput(f"{label} must be at least {low}, got {value}")
    if high is not None and value > high:
        raise BadInput(f"{label} must be less than or equal to {high}, got {value}")
    return value


def finite(raw: object, label: str, *, low: float | None = None, high: float | None = None) -> float:
    """A finite number from a JSON number; NaN, infinities and integers past float range are refused."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise BadInput(f"{label} must be a number, got {quoted(raw)}")
    if isinstance(raw, int) and abs(raw) >= _LIMIT:
        raise _too_long(label)
    value = float(raw)
    if not math.isfinite(value):
        raise BadInput(f"{label} must be a finite number, got {raw!r}")
    if low is not None and value < low:
        raise BadInput(f"{label} must be at least {low:g}, got {value:g}")
    if high is not None and value > high:
        raise BadInput(f"{label} must be at most {high:g}, got {value:g}")
    return value


def id_or_none(raw: object) -> int | None:
    """A record id (``"123"`` or ``123``, non-negative), or None when ``raw`` is not one: for lookups
    whose answer to a malformed id is "no such record", not an error."""
    try:
        return whole(raw, "id", low=0)
    except BadInput:
        return None


class IdConvertor(Convertor[int]):
    """Path ids (see :func:`id_param`): Starlette's ``int`` convertor matches any run of digits and then
    fails ``int()`` past 4,300 of them (a 500); this one matches at most :data:`MAX_DIGITS`."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("sandbox_id", IdConvertor())


def id_param(name: str) -> str:
    """``{name:…}``: a path segment that is a record id, passed to the handler as an int."""
    return "{" + name + ":sandbox_id}"
