"""Bounds on a tool input, checked before anything else reads it.

A model (or whoever speaks through one) can send what no CRM record could hold: JSON nested thousands of
levels deep, numbers with thousands of digits, ``NaN``, text that is not valid Unicode (a lone UTF-16
surrogate), megabytes in one field. Each would otherwise fail deep inside the call as a Python error
(recursion, the int-to-text digit limit, JSON or UTF-8 encoding) and reach the model as
``internal_error``. One walk refuses them first, as ``invalid_input`` naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInput

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_SIZE",
    "bounded",
    "check_input",
    "field_path",
    "load_json",
    "not_finite",
    "too_many_digits",
]

#: Levels of nested objects and arrays; the deepest tool input (a search's filter values) needs 6.
MAX_DEPTH = 32
#: Characters of text (plus one per value) in one input: far above any record, far below harm.
MAX_SIZE = 1_000_000
#: Characters of a field name: property names and custom-field keys are far shorter.
MAX_NAME = 1_000
#: Digits of an integer: every CRM id, amount or epoch time fits in 64 bits (19 digits).
MAX_DIGITS = 19
_MAX_INT = 10**MAX_DIGITS - 1
#: Digits of text that spells a number (an id or a cursor given as text, which hooks turn into ints):
#: far beyond any id, and below Python's 4,300-digit limit on converting text to int.
MAX_DIGIT_TEXT = 1_000


def field_path(parent: str, key: object) -> str:
    return f"{parent}.{key}" if parent else str(key)


def _refuse(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"'{field}' {why}", field=field)


def too_many_digits(field: str) -> InvalidInput:
    return _refuse(field, f"has more than {MAX_DIGITS} digits; no CRM id, amount or time is that long.")


def not_finite(field: str, shown: str) -> InvalidInput:
    return _refuse(field, f"must be a finite number, not {shown}; NaN and Infinity cannot be stored.")


class _Refusal(Exception):
    """Raised deep in the walk; the keys are collected on the way out, so that paths cost nothing
    unless something is refused. ``whole_field``: name only the top-level field (a path thousands
    of levels deep names nothing useful)."""

    def __init__(self, why: str, whole_field: bool = False) -> None:
        self.why = why
        self.whole_field = whole_field
        self.keys: list[object] = []


_TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep; tool inputs are plain records, give the value as a flat list or object."  # fmt: skip
_TOO_LARGE = f"makes the input larger than {MAX_SIZE:,} characters; send less (shorten or split long text)."


def _text(text: str) -> int:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _Refusal(
                f"is not valid Unicode text: it holds a lone surrogate (U+{ord(text[exc.start]):04X}) at "
                f"character {exc.start}. Send the text without it."
            ) from None
    if len(text) > MAX_DIGIT_TEXT and text.strip().lstrip("+-").isdecimal():
        raise _Refusal(
            f"is a number {len(text.strip()):,} digits long; no id, cursor or amount has more than {MAX_DIGIT_TEXT:,}."
        )
    return len(text) + 1


def _size(item: Any, depth: int) -> int:
    """The size of ``item`` (characters of text plus one per value), refusing what is out of bounds.
    Recursion stops at ``MAX_DEPTH``, far inside Python's own limit."""
    kind = type(item)
    if kind is str:
        return len(item) + 1 if len(item) <= MAX_DIGIT_TEXT and item.isascii() else _text(item)
    if kind is bool or item is None:
        return 1
    if kind is int:
        if not -_MAX_INT <= item <= _MAX_INT:
            raise _Refusal(f"has more than {MAX_DIGITS} digits; no CRM id, amount or time is that long.")
        return 1
    if kind is float:
        if not math.isfinite(item):
            raise _Refusal(f"must be a finite number, not {item!r}; NaN and Infinity cannot be stored.")
        return 1
    if kind is dict or kind is list:
        named = kind is dict
    elif isinstance(item, Mapping | list | tuple):
        named = isinstance(item, Mapping)
    else:
        for base in (str, int, float):  # a subclass (an enum member, numpy's float64): as its base
            if isinstance(item, base):
                return _size(base(item), depth)
        raise _Refusal(
            "must be a JSON value (text, number, true/false, null, list or object), "
            f"not {type(item).__name__}."
        )
    if depth >= MAX_DEPTH:
        raise _Refusal(_TOO_DEEP, whole_field=True)
    size = len(item) + 1
    if size > MAX_SIZE:
        raise _Refusal(_TOO_LARGE, whole_field=True)
    for key, sub in item.items() if named else enumerate(item):
        if named:
            if type(key) is not str:
                raise _Refusal(f"has a field name that is not text ({type(key).__name__}).")
            if len(key) > MAX_NAME:
                raise _Refusal(f"has a field name {len(key):,} characters long.")
            size += len(key) + 1 if key.isascii() else _text(key)
        if type(sub) is str and len(sub) <= MAX_DIGIT_TEXT and sub.isascii():  # most values: no call
            size += len(sub) + 1
            continue
        try:
            size += _size(sub, depth + 1)
            if size > MAX_SIZE:
                raise _Refusal(_TOO_LARGE, whole_field=True)
        except _Refusal as refusal:
            refusal.keys.append(key)
            raise
    return size


def check_input(value: Any, field: str = "") -> None:
    """Refuse ``value`` unless it is plain JSON data within the bounds above; ``field`` is where it
    sits in the whole input (for a field the model gave as JSON text)."""
    try:
        _size(value, 0)
    except _Refusal as refusal:
        parts = [*(field.split(".") if field else ()), *map(str, reversed(refusal.keys))]
        name = (parts[0] if refusal.whole_field else ".".join(parts)) if parts else "(input)"
        raise _refuse(name, refusal.why) from None


def _parse_int(digits: str) -> int:
    # Too long for int() (Python's 4,300-digit limit) or for any CRM: the smallest refused value stands
    # in, so that the walk names the field.
    return _MAX_INT + 1 if len(digits.lstrip("-")) > MAX_DIGITS else int(digits)


def load_json(text: str, field: str = "") -> Any:
    """Decode JSON text the model sent (the whole input, or one field given as a JSON string) and
    :func:`check_input` it; ``ValueError`` when it is not JSON at all, so the caller can say what it wants."""
    top = field.split(".", 1)[0] or "(input)"
    if len(text) > MAX_SIZE:
        raise _refuse(top, f"is larger than {MAX_SIZE:,} characters; send less.")
    try:
        value = json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise _refuse(top, _TOO_DEEP) from None
    check_input(value, field)
    return value


def bounded(raw: Any) -> Any:
    """A whole tool input as data, decoded when it came as JSON text, once it is known to be within
    bounds: the first step for anything that reads an input (``CompiledSchema.parse`` takes it)."""
    if not isinstance(raw, str):
        check_input(raw)
        return raw
    if not raw.strip():
        return {}
    try:
        return load_json(raw)
    except ValueError:
        raise InvalidInput("The tool input must be a JSON object.", field="(input)") from None
