"""Bounds on a tool input, checked before anything else reads it.

A model (or whoever speaks through one) can send what no CRM record could hold: JSON nested thousands of
levels deep, numbers with thousands of digits, ``NaN``, text that is not valid Unicode (a lone UTF-16
surrogate), megabytes in one field. Each would otherwise fail deep inside the call as a Python error
(recursion, the int-to-text digit limit, JSON or UTF-8 encoding) and reach the model as
``internal_error``. One iterative walk refuses them first, as ``invalid_input`` naming the field.
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


def field_path(parent: str, key: object) -> str:
    return f"{parent}.{key}" if parent else str(key)


def _top(path: str) -> str:
    return path.split(".", 1)[0] or "(input)"


def _refuse(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"'{field}' {why}", field=field)


def too_many_digits(field: str) -> InvalidInput:
    return _refuse(field, f"has more than {MAX_DIGITS} digits; no CRM id, amount or time is that long.")


def not_finite(field: str, shown: str) -> InvalidInput:
    return _refuse(field, f"must be a finite number, not {shown}; NaN and Infinity cannot be stored.")


def _check_text(text: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        raise _refuse(
            field,
            f"is not valid Unicode text: it holds a lone surrogate (U+{code:04X}) at character {exc.start}. "
            "Send the text without it.",
        ) from None


def check_input(value: Any, field: str = "") -> None:
    """Refuse ``value`` unless it is plain JSON data within the bounds above.

    The walk keeps its own stack, so the depth it measures cannot exhaust Python's.
    """
    budget = MAX_SIZE
    stack: list[tuple[Any, str, int]] = [(value, field, 0)]
    while stack:
        item, path, depth = stack.pop()
        budget -= 1
        if isinstance(item, str):
            budget -= len(item)
            if not item.isascii():
                _check_text(item, path or "(input)")
        elif isinstance(item, bool) or item is None:
            pass
        elif isinstance(item, int):
            if not -_MAX_INT <= item <= _MAX_INT:
                raise too_many_digits(path or "(input)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise not_finite(path or "(input)", repr(item))
        elif isinstance(item, Mapping | list | tuple):
            if depth >= MAX_DEPTH:
                raise _refuse(
                    _top(path),
                    f"is nested more than {MAX_DEPTH} levels deep; tool inputs are plain records, "
                    "give the value as a flat list or object.",
                )
            budget -= len(item)  # every member costs at least this; refuse before walking a huge one
            if budget < 0:
                break
            if isinstance(item, Mapping):
                for key, sub in item.items():
                    if not isinstance(key, str):
                        raise _refuse(
                            path or "(input)", f"has a field name that is not text ({type(key).__name__})."
                        )
                    if len(key) > MAX_NAME:
                        raise _refuse(path or "(input)", f"has a field name {len(key):,} characters long.")
                    budget -= len(key)
                    if not key.isascii():
                        _check_text(key, path or "(input)")
                    stack.append((sub, field_path(path, key), depth + 1))
            else:
                stack.extend((sub, field_path(path, i), depth + 1) for i, sub in enumerate(item))
        else:
            raise _refuse(
                path or "(input)",
                "must be a JSON value (text, number, true/false, null, list or object), "
                f"not {type(item).__name__}.",
            )
        if budget < 0:
            break
    if budget < 0:
        raise _refuse(
            _top(path),
            f"makes the input larger than {MAX_SIZE:,} characters; send less (shorten or split long text).",
        )


def _parse_int(digits: str) -> int:
    # Too long for int() (Python's 4,300-digit limit) or for any CRM: the smallest refused value stands
    # in, so that the walk names the field.
    return _MAX_INT + 1 if len(digits.lstrip("-")) > MAX_DIGITS else int(digits)


def load_json(text: str, field: str = "") -> Any:
    """Decode JSON text the model sent (the whole input, or one field given as a JSON string) and
    :func:`check_input` it; ``ValueError`` when it is not JSON at all, so the caller can say what it wants."""
    if len(text) > MAX_SIZE:
        raise _refuse(_top(field), f"is larger than {MAX_SIZE:,} characters; send less.")
    try:
        value = json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise _refuse(
            _top(field),
            f"is nested more than {MAX_DEPTH} levels deep; give the value as a flat list or object.",
        ) from None
    check_input(value, field)
    return value
