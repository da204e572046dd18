"""v2 body validation as data: each writable field maps to a check that returns the clean value or raises.

v2 is strict (booleans are only true/false, numbers reject strings) and the sandbox refuses unknown fields
with a 400 that names them, so callers learn about typos instead of silently losing data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .common import parse_time, rfc3339
from .errors import PipedriveError, bad_request
from .store import Company, User

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
VISIBLE_TO = (1, 3, 5, 7)


@dataclass(frozen=True, slots=True)
class WriteCtx:
    """Who writes, where, and when: what a check needs to resolve references."""

    company: Company
    user: User
    now: float


Check = Callable[[WriteCtx, str, Any], Any]


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), "null" if value is None else type(value).__name__)


def fail(name: str, expected: str, value: Any) -> Exception:
    return bad_request(f"Invalid field '{name}': expected {expected}, got {_type_name(value)} {value!r}")


def nullable(check: Check) -> Check:
    def run(ctx: WriteCtx, name: str, value: Any) -> Any:
        return None if value is None else check(ctx, name, value)

    return run


def string(ctx: WriteCtx, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise fail(name, "a string", value)
    return value


def nonempty(ctx: WriteCtx, name: str, value: Any) -> str:
    text = string(ctx, name, value)
    if not text.strip():
        raise bad_request(f"Invalid field '{name}': must not be empty")
    return text


def integer(ctx: WriteCtx, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(name, "an integer", value)
    return value


def number(ctx: WriteCtx, name: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(name, "a number", value)
    return value


def boolean(ctx: WriteCtx, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(name, "true or false", value)
    return value


def date(ctx: WriteCtx, name: str, value: Any) -> str:
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise fail(name, "a date YYYY-MM-DD", value)
    return value


def hhmm(ctx: WriteCtx, name: str, value: Any) -> str:
    if not isinstance(value, str) or not HHMM_RE.match(value):
        raise fail(name, "a time HH:MM", value)
    return value


def currency(ctx: WriteCtx, name: str, value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
        raise fail(name, "a 3-letter currency code such as USD", value)
    return value


def one_of(*choices: Any) -> Check:
    def run(ctx: WriteCtx, name: str, value: Any) -> Any:
        if isinstance(value, bool) or value not in choices:
            raise fail(name, "one of " + ", ".join(map(str, choices)), value)
        return value

    return run


def int_list(ctx: WriteCtx, name: str, value: Any) -> list[int]:
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        raise fail(name, "an array of integers", value)
    return list(value)


def ref(table: str, label: str, *, missing_status: int = 400) -> Check:
    """An id that must name a live row of ``table`` in the caller's company; a well-formed id naming no
    row is a 400 unless the operation documents another status (``missing_status``)."""

    def run(ctx: WriteCtx, name: str, value: Any) -> Any:
        key = value if table == "leads" else integer(ctx, name, value)
        if table == "leads" and not isinstance(value, str):
            raise fail(name, "a lead id (UUID string)", value)
        if ctx.company.tables[table].get_live(key) is None:
            raise PipedriveError(missing_status, f"{label} with id {value} was not found (field '{name}')")
        return key

    return run


def user_ref(ctx: WriteCtx, name: str, value: Any) -> int:
    uid = integer(ctx, name, value)
    user = ctx.company.users.get(uid)
    if user is None or not user.active:
        raise bad_request(f"User with id {uid} was not found (field '{name}')")
    return uid


def address(ctx: WriteCtx, name: str, value: Any) -> dict[str, Any]:
    """An address object whose ``value`` (the full address string) is required."""
    clean = loose_address(ctx, name, value)
    if not isinstance(clean.get("value"), str):
        raise bad_request(f"Invalid field '{name}': 'value' (the full address string) is required")
    return clean


def loose_address(ctx: WriteCtx, name: str, value: Any) -> dict[str, Any]:
    """An address object whose parts are all optional (a person's ``postal_address``)."""
    parts = (
        "value",
        "country",
        "admin_area_level_1",
        "admin_area_level_2",
        "locality",
        "sublocality",
        "route",
        "street_number",
        "subpremise",
        "postal_code",
    )
    if not isinstance(value, dict):
        raise fail(name, "an address object {value, country, locality, ...}", value)
    unknown = sorted(set(value) - set(parts))
    if unknown:
        raise bad_request(f"Invalid field '{name}': unknown address part(s): {', '.join(unknown)}")
    for key, part in value.items():
        if part is not None and not isinstance(part, str):
            raise fail(f"{name}.{key}", "a string", part)
    return {p: value.get(p) for p in parts}


def apply(
    ctx: WriteCtx,
    spec: Mapping[str, Check],
    body: Mapping[str, Any],
    *,
    read_only: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> dict[str, Any]:
    """Validate ``body`` against ``spec``; unknown and read-only fields are 400s. ``skip``: handled elsewhere."""
    bad_ro = sorted(k for k in body if k in read_only)
    if bad_ro:
        raise bad_request(f"Field(s) {', '.join(bad_ro)} are read-only and cannot be set")
    unknown = sorted(k for k in body if k not in spec and k not in skip)
    if unknown:
        raise bad_request(f"Unknown field(s): {', '.join(unknown)}")
    return {k: spec[k](ctx, k, v) for k, v in body.items() if k in spec}


def timestamp(ctx: WriteCtx, name: str, value: Any) -> str:
    """An RFC 3339 timestamp, normalised to ``YYYY-MM-DDTHH:MM:SSZ``."""
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise fail(name, "an RFC 3339 timestamp like 2024-01-01T00:00:00Z", value)
    return rfc3339(parsed)


def contacts(ctx: WriteCtx, name: str, value: Any) -> list[dict[str, Any]]:
    """``emails``/``phones``/``im``: objects ``{value, primary?, label?}`` only; first is primary if none is."""
    if not isinstance(value, list):
        raise fail(name, "an array of {value, primary, label} objects", value)
    items: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(item, dict):
            raise bad_request(
                f"Invalid field '{where}': v2 accepts only objects {{value, primary, label}}, not {_type_name(item)} {item!r}"
            )
        unknown = sorted(set(item) - {"value", "primary", "label"})
        if unknown:
            raise bad_request(f"Invalid field '{where}': unknown key(s) {', '.join(unknown)}")
        items.append(
            {
                "value": nonempty(ctx, f"{where}.value", item.get("value")),
                "primary": boolean(ctx, f"{where}.primary", item.get("primary", False)),
                "label": string(ctx, f"{where}.label", item.get("label") or "work"),
            }
        )
    primaries = sum(1 for it in items if it["primary"])
    if primaries > 1:
        raise bad_request(f"Invalid field '{name}': at most one item can be primary")
    if items and primaries == 0:
        items[0]["primary"] = True
    return items
